/**
 * PutLogEvents limits (CloudWatch Logs API reference): events and bytes per call, where each event counts its
 * message's UTF-8 bytes plus 26; one event's size, counted with its 26 bytes (1 MB); the time one call may span
 * (both splitters keep a call's first-to-last time below `maxSpanMs`); how old and how far ahead of CloudWatch's
 * clock an event may be. One definition for loglake's forwarding and for the producer library's sink, which ships
 * this module inside its package.
 */
export const PUT_LOG_EVENTS_LIMITS = {
  maxEvents: 10_000,
  maxBatchBytes: 1_048_576,
  eventOverheadBytes: 26,
  maxEventBytes: 1_048_576,
  maxSpanMs: 24 * 3_600_000,
  maxAgeMs: 14 * 86_400_000,
  maxFutureMs: 2 * 3_600_000,
} as const;

export type PutLogEventsLimits = { [K in keyof typeof PUT_LOG_EVENTS_LIMITS]: number };

/** The part of a PutLogEvents response that says which of the call's events CloudWatch Logs did not store. */
export interface RejectedLogEventsInfo {
  tooNewLogEventStartIndex?: number | undefined;
  tooOldLogEventEndIndex?: number | undefined;
  expiredLogEventEndIndex?: number | undefined;
}

export type LogEventRejection = "too_old" | "expired" | "too_new";

/**
 * Why CloudWatch Logs refused the event at `index` of one call, or undefined when it stored it. The too-new index is
 * inclusive and the too-old one exclusive (API reference); the expired index is not documented either way and is read
 * as exclusive like the too-old one. An event both too old and expired counts as too old.
 */
export function logEventRejection(
  info: RejectedLogEventsInfo | undefined,
  index: number,
): LogEventRejection | undefined {
  if (!info) return undefined;
  if (info.tooNewLogEventStartIndex !== undefined && index >= info.tooNewLogEventStartIndex) return "too_new";
  if (info.tooOldLogEventEndIndex !== undefined && index < info.tooOldLogEventEndIndex) return "too_old";
  if (info.expiredLogEventEndIndex !== undefined && index < info.expiredLogEventEndIndex) return "expired";
  return undefined;
}
