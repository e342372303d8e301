import { appendFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { LogSender } from "@app/pipeline/forward";

/**
 * What `loglake dev` does instead of PutLogEvents: each call's events are appended, one JSON line per event
 * (`{"timestamp":…,"message":…}`, exactly what would be sent), to `<dir>/<destination>/<stream>.ndjson`, the
 * stream's slashes written as `_`. Nothing is rejected here, so the age and size checks before the call are all
 * that is counted.
 */
export function fileLogSender(dir: string): LogSender {
  return {
    async put(dest, stream, events) {
      const folder = join(dir, dest.name);
      await mkdir(folder, { recursive: true });
      const lines = events.map((e) => `${JSON.stringify({ timestamp: e.timestamp, message: e.message })}\n`);
      await appendFile(join(folder, `${stream.replaceAll("/", "_")}.ndjson`), lines.join(""));
      return {};
    },
  };
}
