import { PUT_LOG_EVENTS_LIMITS, type PutLogEventsLimits } from "@loglake/aws-limits";
import type { LogGroupDestination } from "../config/types.ts";
import type { TableDef } from "../schema/table.ts";
import { appEventsTable } from "../sources/app-json/schema.ts";
import type { SourceId } from "../sources/types.ts";

const DAY_MS = 86_400_000;

/** One event as PutLogEvents takes it: epoch milliseconds and the message. */
export interface LogEvent {
  timestamp: number;
  message: string;
}

/**
 * Why an event was not sent: `too_large` (one event over CloudWatch's size), `too_old` (more than 14 days old),
 * `expired` (older than the retention of a group created with one), `too_new` (more than 2 hours ahead). The
 * same names count what CloudWatch itself rejected (`rejectedLogEventsInfo`).
 */
export type ForwardSkip = "too_large" | "too_old" | "expired" | "too_new";

/** An app event kept for forwarding: its time, its `type` column and its original JSON text. */
export interface AppEventText extends LogEvent {
  type: string | null;
}

/** UTF-8 length of a string, without encoding it. */
export function utf8Bytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** Epoch milliseconds of a row's ISO-8601 UTC time; microseconds are cut, as CloudWatch keeps milliseconds. */
export function isoToEpochMs(iso: string): number {
  return Date.parse(iso.replace(/(\.\d{3})\d+Z$/, "$1Z"));
}

/**
 * The forwarding view of a row the lake just took: an `app_events` row with the JSON text it was parsed from, or
 * undefined for any other row (and for an app event whose text the parser did not keep).
 */
export function appEventText(table: TableDef, row: Record<string, unknown>, text: string | undefined) {
  if (table !== appEventsTable || text === undefined || typeof row.event_time !== "string") return undefined;
  const event: AppEventText = {
    timestamp: isoToEpochMs(row.event_time),
    message: text,
    type: typeof row.type === "string" ? row.type : null,
  };
  return Number.isFinite(event.timestamp) ? event : undefined;
}

/** True when a destination forwards the events of `source` of this `type`. */
export function forwardsEvent(dest: LogGroupDestination, source: SourceId, type: string | null): boolean {
  if (!dest.sources.includes(source)) return false;
  return dest.types === undefined || (type !== null && dest.types.includes(type));
}

/**
 * The log stream a destination writes a source's events to: the source id, or the function instance's own stream
 * (`instance`, given by the caller).
 */
export function logStreamName(dest: LogGroupDestination, source: SourceId, instance: string): string {
  return dest.logStream === "source" ? source : instance;
}

/**
 * Splits one input's events into PutLogEvents calls: sorted by time (events of one time keep their order), at most
 * `maxEvents` and `maxBatchBytes` per call (26 bytes of overhead per event) and less than `maxSpanMs` from a call's
 * first event to its last. Depends on the events alone, never on the clock, so a redelivery of the same input gives
 * the same calls (which the claims name). Events larger than CloudWatch accepts are counted, not sent.
 */
export function chunkLogEvents(
  events: readonly LogEvent[],
  limits: PutLogEventsLimits = PUT_LOG_EVENTS_LIMITS,
): { chunks: LogEvent[][]; tooLarge: number } {
  const sorted = [...events].sort((a, b) => a.timestamp - b.timestamp);
  const chunks: LogEvent[][] = [];
  let tooLarge = 0;
  let current: LogEvent[] = [];
  let bytes = 0;
  for (const e of sorted) {
    const size = utf8Bytes(e.message) + limits.eventOverheadBytes;
    if (size > limits.maxEventBytes || size > limits.maxBatchBytes) {
      tooLarge++;
      continue;
    }
    const first = current[0];
    if (
      first !== undefined &&
      (current.length === limits.maxEvents ||
        bytes + size > limits.maxBatchBytes ||
        e.timestamp - first.timestamp >= limits.maxSpanMs)
    ) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push({ timestamp: e.timestamp, message: e.message });
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return { chunks, tooLarge };
}

/**
 * The events of one call CloudWatch would take at `nowMs`: not more than 14 days old (nor older than the retention
 * of a group created with `retentionDays`) and not more than 2 hours ahead. The others are counted by reason.
 */
export function sendableEvents(
  chunk: readonly LogEvent[],
  nowMs: number,
  retentionDays: number | undefined,
  limits: PutLogEventsLimits = PUT_LOG_EVENTS_LIMITS,
): { events: LogEvent[]; skipped: Partial<Record<ForwardSkip, number>> } {
  const oldest = nowMs - limits.maxAgeMs;
  const retained = retentionDays === undefined ? oldest : nowMs - retentionDays * DAY_MS;
  const newest = nowMs + limits.maxFutureMs;
  const events: LogEvent[] = [];
  const skipped: Partial<Record<ForwardSkip, number>> = {};
  const skip = (why: ForwardSkip) => {
    skipped[why] = (skipped[why] ?? 0) + 1;
  };
  for (const e of chunk) {
    if (e.timestamp < oldest) skip("too_old");
    else if (e.timestamp < retained) skip("expired");
    else if (e.timestamp > newest) skip("too_new");
    else events.push(e);
  }
  return { events, skipped };
}
