import * as v from "valibot";
import { type ConfigIssue, ConfigValidationError, toConfigIssues } from "./issues.ts";
import { configSchema, settingsSchema } from "./schema.ts";
import type { DeployConfig, DeployConfigInput, LoglakeConfig, LoglakeConfigInput } from "./types.ts";

/**
 * Validates a base config and applies every default; throws `ConfigValidationError` naming each bad field.
 *
 * @example
 * const config = resolveConfig({ env: "prod", destinations: [{ name: "acme", bucket: "acme-logs" }] });
 */
export function resolveConfig(input: unknown): LoglakeConfig {
  const result = v.safeParse(configSchema, input);
  if (!result.success) throw new ConfigValidationError(toConfigIssues(result.issues));
  return result.output;
}

/** The base config and deployment settings of one stage. */
export interface Settings {
  config: LoglakeConfig;
  deploy: DeployConfig;
}

// Base fields sit under the default export; they are named as written in defineConfig, the rest keep `deploy.`.
function settingsIssue(issue: ConfigIssue): ConfigIssue {
  if (issue.field === "default") return { ...issue, field: "default export" };
  return { ...issue, field: issue.field.replace(/^default\./, "") };
}

/**
 * Validates a whole `loglake.config.ts` module (its default export and its `deploy` export, nothing else) for the
 * stage it deploys to; throws `ConfigValidationError` naming every bad field (`deploy.*` for deployment settings).
 *
 * @example
 * const { config, deploy } = resolveSettings({ default: { env: "dev" }, deploy: { ingestMaxConcurrency: 5 } }, "dev");
 */
export function resolveSettings(file: unknown, stage: string): Settings {
  const result = v.safeParse(settingsSchema(stage), file);
  if (!result.success) throw new ConfigValidationError(toConfigIssues(result.issues).map(settingsIssue));
  return result.output;
}

/** Types a `loglake.config.ts` default export; validation happens in `resolveConfig`. */
export function defineConfig(input: LoglakeConfigInput): LoglakeConfigInput {
  return input;
}

/** Types the `deploy` export of `loglake.config.ts`; validation happens in `resolveSettings`. */
export function defineDeployConfig(input: DeployConfigInput): DeployConfigInput {
  return input;
}
