import { resolveConfig } from "@app/core/config/validate";
import { type DeployConfigInput, resolveDeployConfig } from "@app/core/infra/config";
import { stagePolicy } from "@app/core/infra/stage";

/** `loglake.config.ts` for a stage: its `env` follows the stage, read through LOGLAKE_ENV. */
export async function readConfigFile(stage: string) {
  process.env.LOGLAKE_ENV = stage;
  const mod: { default: Parameters<typeof resolveConfig>[0]; deploy?: DeployConfigInput } = await import(
    "../loglake.config"
  );
  return mod;
}

/** The validated config, deployment settings and stage policy; throws a ConfigError naming every bad field. */
export async function loadSettings(stage: string) {
  const file = await readConfigFile(stage);
  const config = resolveConfig(file.default);
  const deploy = resolveDeployConfig(file.deploy, config, stage);
  return { config, deploy, stage: stagePolicy(stage, deploy.permanentStages) };
}
