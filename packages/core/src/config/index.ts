import type { LoglakeConfig } from "./types.ts";
import { ConfigValidationError, resolveConfig } from "./validate.ts";

export type * from "./types.ts";
export * from "./validate.ts";

/** Parses and validates a config passed as JSON (how deployed functions receive it). */
export function configFromJson(json: string, origin = "config"): LoglakeConfig {
  let input: unknown;
  try {
    input = JSON.parse(json);
  } catch (e) {
    throw new ConfigValidationError([{ field: origin, message: `is not valid JSON: ${(e as Error).message}` }]);
  }
  return resolveConfig(input as Parameters<typeof resolveConfig>[0]);
}
