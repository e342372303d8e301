import { resolveConfig } from "@app/core/config/index";
import type { LoglakeConfig, LoglakeConfigInput } from "@app/core/config/types";

/**
 * The config `loglake dev` runs with: the deployment config with local timings, so a failed message comes back
 * in seconds rather than the production visibility timeout of minutes.
 */
export function devConfig(input: LoglakeConfigInput): LoglakeConfig {
  return resolveConfig({
    ...input,
    queues: { ...input.queues, visibilityTimeoutSeconds: 30, batchingWindowSeconds: 1 },
    stream: { ...input.stream, batchingWindowSeconds: 1 },
    sizes: { ...input.sizes, functionTimeoutSeconds: 30, heartbeatSeconds: 10 },
  });
}
