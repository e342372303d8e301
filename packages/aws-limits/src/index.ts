/**
 * PutLogEvents limits (CloudWatch Logs API reference): events and bytes per call, where each event counts its
 * message's UTF-8 bytes plus 26; one event's size, counted with its 26 bytes (1 MB); the time one
 * call may span; how old and how far ahead of CloudWatch's clock an event may be. One definition for loglake's
 * forwarding and for the producer library's sink, which ships this module inside its package.
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
