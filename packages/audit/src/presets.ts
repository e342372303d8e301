/** What happens to a new event when a sink's queue is full. */
export type OverflowPolicy = "drop-newest" | "drop-oldest" | { readonly block: { readonly timeoutMs: number } };

/** Batching, queueing and retry settings of a logger, shared by its sinks. */
export interface DeliveryOptions {
  /** Events handed to a sink at once; a full batch is sent at once, without waiting for the interval. */
  readonly maxBatchEvents: number;
  /** JSON bytes handed to a sink at once. */
  readonly maxBatchBytes: number;
  /** How often a partial batch is sent. */
  readonly flushIntervalMs: number;
  /** Events a sink's queue holds before the overflow policy applies. */
  readonly maxQueueEvents: number;
  readonly overflow: OverflowPolicy;
  /** Sends of one batch, the first included, before its remaining events are dropped as `retries_exhausted`. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * `compliance`: small batches sent within 200 ms, so little is in memory when a process dies, and patient
 * retries. `high-volume`: batches of up to 500 events (a Kinesis `PutRecords` call) every 2 s.
 * Both drop the newest event when the queue is full, so an event `log` accepted is never dropped for room.
 */
export const PRESETS: Readonly<Record<"compliance" | "high-volume", DeliveryOptions>> = {
  compliance: {
    maxBatchEvents: 25,
    maxBatchBytes: 256 * 1024,
    flushIntervalMs: 200,
    maxQueueEvents: 10_000,
    overflow: "drop-newest",
    maxAttempts: 10,
    baseDelayMs: 100,
    maxDelayMs: 5_000,
  },
  "high-volume": {
    maxBatchEvents: 500,
    maxBatchBytes: 4 * 1024 * 1024,
    flushIntervalMs: 2_000,
    maxQueueEvents: 100_000,
    overflow: "drop-newest",
    maxAttempts: 6,
    baseDelayMs: 100,
    maxDelayMs: 2_000,
  },
};

export type PresetName = keyof typeof PRESETS;
