import { loadSettings } from "./config";

/** The AWS provider release the stacks are written against (what `sst install` puts in .sst/platform). */
export const AWS_PROVIDER_VERSION = "7.20.0";

/**
 * App settings of a stage for `app()`, from the validated config so a bad one stops before anything runs:
 * permanent stages retain their resources on removal and are protected from `sst remove`; every other stage is
 * removed completely.
 */
export async function appSettings(stage: string) {
  const { config, stage: policy } = await loadSettings(stage);
  return {
    removal: policy.removal,
    protect: policy.protect,
    providers: { aws: { version: AWS_PROVIDER_VERSION, region: config.region } },
  };
}
