import type { EncodedEvent } from "./sink.ts";

/** A service's request limits: events per request, and bytes per request with a fixed overhead per event. */
export interface RequestLimits {
  readonly maxEvents: number;
  readonly maxBytes: number;
  /** Bytes the service adds to each event's size (CloudWatch Logs counts 26). */
  readonly overheadBytes: number;
  /**
   * If the service limits it, the time from a request's first event to its last stays below this (CloudWatch Logs
   * says "not more than 24 hours"; a request of exactly 24 hours is never sent, so no reading of the boundary can
   * refuse one).
   */
  readonly maxSpanMs?: number;
}

/**
 * Splits events, in the order given, into requests within the limits; `sizeOf` is an event's size as the service
 * counts it (without the overhead). Every event fits alone: sinks drop larger ones before they are queued.
 */
export function splitRequests(
  events: readonly EncodedEvent[],
  limits: RequestLimits,
  sizeOf: (e: EncodedEvent) => number = (e) => e.bytes,
): EncodedEvent[][] {
  const out: EncodedEvent[][] = [];
  let cur: EncodedEvent[] = [];
  let bytes = 0;
  for (const e of events) {
    const size = sizeOf(e) + limits.overheadBytes;
    const first = cur[0];
    const tooLong =
      limits.maxSpanMs !== undefined && first !== undefined && e.timeMs - first.timeMs >= limits.maxSpanMs;
    if (cur.length > 0 && (cur.length === limits.maxEvents || bytes + size > limits.maxBytes || tooLong)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(e);
    bytes += size;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}
