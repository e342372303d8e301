/** Exponential backoff settings: the nth retry waits a random time in [0, min(maxDelayMs, baseDelayMs · 2^(n-1))). */
export interface BackoffOptions {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * "Full jitter" backoff (AWS Architecture Blog, "Exponential Backoff And Jitter"): spreading retries over the whole
 * window keeps many throttled producers from retrying in step.
 */
export function backoffDelay(retry: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const window = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * window);
}

/** Resolves after `ms`; the timer keeps the process alive so a retry during shutdown still happens. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
