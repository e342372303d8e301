import { backoffDelay, sleep } from "./backoff.ts";
import type { DeliveryOptions } from "./presets.ts";
import { type AuditSink, type DropReason, type EncodedEvent, isRetryable } from "./sink.ts";

/** One sink's counters. `sent + dropped + queued` is every event offered to it. */
export interface SinkHealth {
  /** Events waiting (including a batch being sent). */
  queued: number;
  sent: number;
  /** Event sends repeated after throttling or a retryable failure. */
  retried: number;
  dropped: Record<DropReason, number>;
  /** Batches that ended with events not delivered (refused, or out of retries). */
  failedBatches: number;
  lastError: { message: string; at: string } | null;
}

/** Reports a failure of the sink to the logger's `onError`. */
export type ReportError = (error: unknown, info: { sink?: string; reason: string; events: number }) => void;

/** A sink behind a bounded queue, sending in batches with retries. */
export interface SinkQueue {
  /** Queues the event, or drops it by the overflow policy; true when it was queued. */
  offer(event: EncodedEvent): boolean | Promise<boolean>;
  /** Sends everything queued; true when the queue emptied before `timeoutMs`. */
  flush(timeoutMs?: number): Promise<boolean>;
  /** Flushes, then drops what is still queued as `closed` and closes the sink. */
  close(timeoutMs?: number): Promise<void>;
  health(): SinkHealth;
}

export function createSinkQueue(
  sink: AuditSink,
  opts: DeliveryOptions,
  report: ReportError,
  random: () => number = Math.random,
): SinkQueue {
  const queue: EncodedEvent[] = [];
  let queuedBytes = 0;
  let inFlight = 0;
  let closed = false;
  let sending: Promise<void> | undefined;
  const waiters: (() => void)[] = [];
  const h: Omit<SinkHealth, "queued"> = {
    sent: 0,
    retried: 0,
    dropped: { overflow: 0, too_large: 0, rejected: 0, retries_exhausted: 0, closed: 0 },
    failedBatches: 0,
    lastError: null,
  };
  const fail = (e: unknown, reason: DropReason, events: number) => {
    h.lastError = { message: e instanceof Error ? `${e.name}: ${e.message}` : String(e), at: new Date().toISOString() };
    report(e, { sink: sink.name, reason, events });
  };
  const timer = setInterval(() => kick(), opts.flushIntervalMs);
  timer.unref();

  function push(e: EncodedEvent): true {
    queue.push(e);
    queuedBytes += e.bytes;
    if (queue.length >= opts.maxBatchEvents || queuedBytes >= opts.maxBatchBytes) kick();
    return true;
  }

  function take(): EncodedEvent[] {
    let bytes = 0;
    let n = 0;
    while (n < queue.length && n < opts.maxBatchEvents) {
      const b = (queue[n] as EncodedEvent).bytes;
      if (n > 0 && bytes + b > opts.maxBatchBytes) break;
      bytes += b;
      n++;
    }
    queuedBytes -= bytes;
    const batch = queue.splice(0, n);
    for (let i = 0; i < n && waiters.length > 0; i++) waiters.shift()?.();
    return batch;
  }

  function kick(): void {
    if (sending || queue.length === 0) return;
    sending = drain().finally(() => {
      sending = undefined;
    });
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = take();
      inFlight = batch.length;
      await deliver(batch).catch((e: unknown) => fail(e, "rejected", 0));
      inFlight = 0;
    }
  }

  async function deliver(batch: EncodedEvent[]): Promise<void> {
    let pending: readonly EncodedEvent[] = batch;
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await sink.send(pending);
        h.sent += pending.length - out.retry.length - out.rejected.length;
        if (out.rejected.length > 0) {
          h.dropped.rejected += out.rejected.length;
          fail(new Error(out.rejected[0]?.reason), "rejected", out.rejected.length);
        }
        pending = out.retry;
        if (out.retryReason !== undefined) h.lastError = { message: out.retryReason, at: new Date().toISOString() };
        if (pending.length === 0) {
          if (out.rejected.length > 0) h.failedBatches++;
          return;
        }
      } catch (e) {
        if (!isRetryable(e)) {
          h.failedBatches++;
          h.dropped.rejected += pending.length;
          fail(e, "rejected", pending.length);
          return;
        }
        h.lastError = {
          message: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
          at: new Date().toISOString(),
        };
      }
      if (attempt >= opts.maxAttempts) {
        h.failedBatches++;
        h.dropped.retries_exhausted += pending.length;
        fail(
          new Error(`${pending.length} events not delivered after ${attempt} attempts`),
          "retries_exhausted",
          pending.length,
        );
        return;
      }
      h.retried += pending.length;
      await sleep(backoffDelay(attempt, opts, random));
    }
  }

  function offerBlocking(e: EncodedEvent, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(t);
        resolve(closed ? drop("closed") : push(e));
      };
      const t = setTimeout(() => {
        const i = waiters.indexOf(wake);
        if (i !== -1) waiters.splice(i, 1);
        resolve(drop("overflow"));
      }, timeoutMs);
      waiters.push(wake);
      kick();
    });
  }

  function drop(reason: DropReason): false {
    h.dropped[reason]++;
    return false;
  }

  async function flush(timeoutMs?: number): Promise<boolean> {
    const done = (async () => {
      while (queue.length > 0 || sending) {
        kick();
        await sending;
      }
      return true;
    })();
    if (timeoutMs === undefined) return done;
    let t: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      t = setTimeout(() => resolve(false), timeoutMs);
    });
    return Promise.race([done, late]).finally(() => clearTimeout(t));
  }

  return {
    offer(e) {
      if (closed) return drop("closed");
      if (e.bytes > sink.maxEventBytes) return drop("too_large");
      if (queue.length < opts.maxQueueEvents) return push(e);
      const policy = opts.overflow;
      if (policy === "drop-newest") return drop("overflow");
      if (policy === "drop-oldest") {
        const old = queue.shift() as EncodedEvent;
        queuedBytes -= old.bytes;
        drop("overflow");
        return push(e);
      }
      return offerBlocking(e, policy.block.timeoutMs);
    },
    flush,
    async close(timeoutMs) {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await flush(timeoutMs);
      h.dropped.closed += queue.length;
      queue.length = 0;
      queuedBytes = 0;
      for (const w of waiters.splice(0)) w();
      await sink.close?.().catch((e: unknown) => fail(e, "closed", 0));
    },
    health: () => ({ ...h, dropped: { ...h.dropped }, queued: queue.length + inFlight }),
  };
}
