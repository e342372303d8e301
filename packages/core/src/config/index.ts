import { ConfigValidationError } from "./issues.ts";
import type { LoglakeConfig } from "./types.ts";
import { resolveConfig } from "./validate.ts";

export { type ConfigIssue, ConfigValidationError } from "./issues.ts";
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
  return resolveConfig(input);
}
