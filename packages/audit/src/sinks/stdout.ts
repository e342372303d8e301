import type { AuditSink } from "../sink.ts";

// Lambda splits a log line longer than 256 KiB into several CloudWatch Logs events, which a subscription would
// deliver as broken JSON.
const MAX_LINE_BYTES = 256 * 1024 - 1;

export interface StdoutSinkOptions {
  /** Where lines go; standard output by default. */
  write?: (line: string) => void;
  name?: string;
}

/**
 * One JSON line per event on standard output: in Lambda each becomes a CloudWatch Logs event, which a
 * subscription filter delivers to loglake's stream as `app_events` rows.
 */
export function stdoutSink(opts: StdoutSinkOptions = {}): AuditSink {
  const write = opts.write ?? ((line: string) => process.stdout.write(line));
  return {
    name: opts.name ?? "stdout",
    maxEventBytes: MAX_LINE_BYTES,
    async send(events) {
      write(events.map((e) => `${e.json}\n`).join(""));
      return { retry: [], rejected: [] };
    },
  };
}
