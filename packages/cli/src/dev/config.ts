import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { resolveConfig } from "@app/core/config/index";
import type { LoglakeConfig, LoglakeConfigInput } from "@app/core/config/types";
import { ConfigError } from "@app/core/errors";

/** The config file `loglake dev` reads when `--config` is not given. */
export const DEFAULT_CONFIG_FILE = "loglake.config.ts";

/** Loads a config module (`.ts`, `.js`, `.mjs` or `.json`) whose default export is the config input. */
export async function loadConfigInput(path: string): Promise<LoglakeConfigInput> {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new ConfigError(`--config ${path}: no such file`);
  const mod = (await import(
    pathToFileURL(abs).href,
    abs.endsWith(".json") ? { with: { type: "json" } } : undefined
  )) as {
    default?: unknown;
  };
  if (mod.default === null || typeof mod.default !== "object") {
    throw new ConfigError(`${path}: the default export must be the config object (use defineConfig)`);
  }
  return mod.default as LoglakeConfigInput;
}

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
