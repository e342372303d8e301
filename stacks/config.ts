import { resolveSettings } from "@app/core/config/validate";
import { stagePolicy } from "@app/core/infra/stage";

/** The `loglake.config.ts` module for a stage: its `env` follows the stage, read through LOGLAKE_ENV. */
export async function readConfigFile(stage: string): Promise<unknown> {
  process.env.LOGLAKE_ENV = stage;
  return await import("../loglake.config");
}

/** The validated config, deployment settings and stage policy; throws a ConfigError naming every bad field. */
export async function loadSettings(stage: string) {
  const { config, deploy } = resolveSettings(await readConfigFile(stage), stage);
  return { config, deploy, stage: stagePolicy(stage, deploy.permanentStages) };
}
