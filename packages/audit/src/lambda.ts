import type { AuditLogger } from "./logger.ts";

// Time kept back from the invocation's deadline, so a slow flush cannot make the function time out.
const DEADLINE_MARGIN_MS = 500;

/**
 * Wraps a Lambda handler so the logger's queues are sent before each invocation returns or throws: Lambda
 * freezes the process between invocations, and an event left queued would wait for the next one, or be lost.
 * The flush waits at most `timeoutMs`, by default until 500 ms before the invocation's deadline; what is still
 * queued then goes with the next invocation's flush.
 */
export function withAuditFlush<E, C, R>(
  logger: Pick<AuditLogger, "flush">,
  handler: (event: E, context: C) => Promise<R>,
  opts: { timeoutMs?: number } = {},
): (event: E, context: C) => Promise<R> {
  return async (event, context) => {
    try {
      return await handler(event, context);
    } finally {
      const ctx = context as { getRemainingTimeInMillis?: () => number } | undefined;
      const left =
        typeof ctx?.getRemainingTimeInMillis === "function"
          ? Math.max(0, ctx.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS)
          : undefined;
      await logger.flush(opts.timeoutMs ?? left);
    }
  };
}

/** The same as a middy middleware (`handler.use(auditFlush(logger))`), also beside Powertools' own middlewares. */
export function auditFlush(logger: Pick<AuditLogger, "flush">, opts: { timeoutMs?: number } = {}) {
  const flush = async () => {
    await logger.flush(opts.timeoutMs);
  };
  return { after: flush, onError: flush };
}

/**
 * On SIGTERM (Lambda's shutdown with an extension, ECS and Kubernetes stops), closes the logger within
 * `timeoutMs`, then lets the signal do what it would have done: when no other listener is left, the process is
 * terminated by it as before. Returns a function that removes the hook.
 */
export function flushOnSigterm(logger: Pick<AuditLogger, "close">, opts: { timeoutMs?: number } = {}): () => void {
  const onSignal = () => {
    process.removeListener("SIGTERM", onSignal);
    void logger.close(opts.timeoutMs ?? 400).finally(() => {
      if (process.listenerCount("SIGTERM") === 0) process.kill(process.pid, "SIGTERM");
    });
  };
  process.on("SIGTERM", onSignal);
  return () => {
    process.removeListener("SIGTERM", onSignal);
  };
}
