import { trailArn } from "@app/core/infra/trail";
import { loadSettings } from "./config";

/** Validated settings of the stage being deployed. */
export const { config, deploy, stage } = await loadSettings($app.stage);

/** Options for stateful resources: a permanent stage protects them from deletion and keeps them when removed. */
export const stateful = { protect: stage.permanent, retainOnDelete: stage.permanent };

const identity = aws.getCallerIdentityOutput({});
/** Account, partition and region the stage deploys to. */
export const accountId = identity.accountId;
export const partition = aws.getPartitionOutput({}).partition;
export const region = aws.getRegionOutput({}).region;

/** Name prefix of resources that are not named by the config. */
export const prefix = `${$app.name}-${$app.stage}`;

/** Prefix of a generated bucket name (S3 allows 37 characters before the unique suffix). */
export function bucketPrefix(purpose: string): string {
  return `${prefix}-${purpose}-`.slice(0, 37);
}

/**
 * The ARNs of the trail of `deploy.trail` and its notification topic, known before either exists: the key, bucket
 * and topic policies name them. Only used when a trail is configured.
 */
export const trailIdentity = $resolve([partition, region, accountId]).apply(([p, r, a]) => {
  const topicName = `${prefix}-trail-notifications`;
  return {
    trailArn: trailArn({ partition: p, region: r, accountId: a, name: deploy.trail?.name ?? `${prefix}-trail` }),
    topicName,
    topicArn: `arn:${p}:sns:${r}:${a}:${topicName}`,
  };
});
