/** One validated event, encoded once: its wire record, JSON text and UTF-8 size. */
export interface EncodedEvent {
  readonly record: Readonly<Record<string, unknown>> & { readonly timestamp: string; readonly request_id?: unknown };
  readonly json: string;
  readonly bytes: number;
  /** Epoch milliseconds of `record.timestamp`. */
  readonly timeMs: number;
}

/** Why an event left a sink's queue without being delivered. */
export type DropReason = "overflow" | "too_large" | "rejected" | "retries_exhausted" | "closed";

/** What one send did: events to try again (throttled entries) and events the service refused for good. */
export interface SendOutcome {
  readonly retry: readonly EncodedEvent[];
  readonly rejected: readonly { readonly event: EncodedEvent; readonly reason: string }[];
  /** Why events are to be retried (the last throttling error), for health. */
  readonly retryReason?: string;
}

/** A destination. `send` gets at most `maxBatchEvents` events and splits them into requests within its limits. */
export interface AuditSink {
  readonly name: string;
  /** Largest event this destination accepts, in bytes of JSON; larger ones are dropped as `too_large`. */
  readonly maxEventBytes: number;
  /**
   * Sends the events. Resolves with the events to retry and those refused; throws when the whole call failed
   * (the error's `retryable` decides whether the batch is retried).
   */
  send(events: readonly EncodedEvent[]): Promise<SendOutcome>;
  /** Releases what the sink holds (clients it built). */
  close?(): Promise<void>;
}

/** True for failures worth retrying: throttling, 5xx, timeouts and network errors (the SDK marks them). */
export function isRetryable(e: unknown): boolean {
  const err = e as { name?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number }; code?: string };
  if (err?.$retryable) return true;
  const status = err?.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  const name = err?.name ?? "";
  return (
    /Throttl|ProvisionedThroughputExceeded|LimitExceeded|ServiceUnavailable|InternalFailure|InternalError|Timeout|SlowDown|RequestLimitExceeded/.test(
      name,
    ) || ["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN"].includes(err?.code ?? "")
  );
}

/** A send outcome being filled in. */
export type OutcomeBuilder = {
  retry: EncodedEvent[];
  rejected: { event: EncodedEvent; reason: string }[];
  retryReason?: string;
};

/** `Name: message` of an error, for reasons and health. */
export function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
