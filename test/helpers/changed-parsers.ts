import { keyTimeHint } from "@app/core/lake-layout";
import { toAppEventRow } from "@app/core/sources/app-json/parse";
import { appEventsTable } from "@app/core/sources/app-json/schema";
import { cloudwatchLogsTable } from "@app/core/sources/cloudwatch-logs/schema";
import { JsonRecord } from "@app/core/sources/json-record";
import type { LogSource, ParseEvent } from "@app/core/sources/types";

// Parser changes a test makes by handing the replay (or the ingest) a registry with one source replaced, the way a
// fix ships as a new version of a source module: nothing global is patched.

/**
 * App JSON that also takes a plain-text line (a Go panic, a stray print) as an `error` app event dated by its
 * object's key: where the registered source quarantines it as `bad_json`.
 */
export function plainTextAppLines(base: LogSource): LogSource {
  return {
    ...base,
    async *parse(text, ctx): AsyncIterable<ParseEvent> {
      const at = keyTimeHint(ctx.key);
      for await (const ev of base.parse(text, ctx)) {
        if (ev.kind !== "reject" || ev.reason !== "bad_json" || at === undefined) {
          yield ev;
          continue;
        }
        const rec = JsonRecord.parse(JSON.stringify({ timestamp: at, level: "error", message: ev.raw.trim() }));
        const mapped = rec instanceof JsonRecord ? toAppEventRow(rec) : undefined;
        yield mapped?.ok ? { kind: "row", table: appEventsTable, line: ev.line, row: mapped.row } : ev;
      }
    },
  };
}

/** CloudFront that reads a byte count written with a `B` suffix (`392B`) as the number, where the registered source says `bad_value`. */
export function byteSuffixCloudFront(base: LogSource): LogSource {
  return {
    ...base,
    parse(text, ctx) {
      async function* fixed(): AsyncIterable<string> {
        let tail = "";
        for await (const chunk of text) {
          const all = tail + chunk;
          const cut = all.lastIndexOf("\n") + 1;
          tail = all.slice(cut);
          yield all.slice(0, cut).replace(/\t(\d+)B\t/g, "\t$1\t");
        }
        yield tail.replace(/\t(\d+)B\t/g, "\t$1\t");
      }
      return base.parse(fixed(), ctx);
    },
  };
}

/** CloudWatch Logs that keeps a JSON message cut short as the text it is, where the registered source says `truncated`. */
export function truncatedMessagesAsText(base: LogSource): LogSource {
  return {
    ...base,
    async *parse(text, ctx): AsyncIterable<ParseEvent> {
      for await (const ev of base.parse(text, ctx)) {
        if (ev.kind === "reject" && ev.reason === "truncated" && ev.time !== undefined && ev.logEvent) {
          const row = { event_time: ev.time, message: ev.raw, subscription_filters: null };
          yield { kind: "row", table: cloudwatchLogsTable, line: ev.line, row, logEvent: ev.logEvent };
        } else yield ev;
      }
    },
  };
}

/** The registry with `change` applied to the source `id`. */
export function withChangedSource(
  sources: readonly LogSource[],
  id: string,
  change: (s: LogSource) => LogSource,
): LogSource[] {
  return sources.map((s) => (s.id === id ? change(s) : s));
}
