import { DEFAULT_PERMANENT_STAGES, stagePolicy } from "@app/core/infra/stage";
import { readConfigFile } from "./config";

/** The AWS provider release the stacks are written against (what `sst install` puts in .sst/platform). */
export const AWS_PROVIDER_VERSION = "7.20.0";

/**
 * App settings of a stage for `app()`, which runs before anything is validated: permanent stages retain their
 * resources on removal and are protected from `sst remove`; every other stage is removed completely.
 */
export async function appSettings(stage: string) {
  const file = await readConfigFile(stage);
  const policy = stagePolicy(stage, file.deploy?.permanentStages ?? DEFAULT_PERMANENT_STAGES);
  return {
    removal: policy.removal,
    protect: policy.protect,
    providers: { aws: { version: AWS_PROVIDER_VERSION, region: file.default.region ?? "us-east-1" } },
  };
}
