import { logicalName } from "@app/core/infra/queries";
import { trailBucketPolicy, trailEventSelectors, trailTopicPolicy } from "@app/core/infra/trail";
import { accountId, deploy, partition, stateful, trailIdentity } from "./settings";
import { kmsKey } from "./storage";

function deployTrail(trail: NonNullable<typeof deploy.trail>, identity: typeof trailIdentity) {
  /** CloudTrail announces every delivered log file here. */
  const topic = new aws.sns.Topic("TrailTopic", {
    name: identity.topicName,
    kmsMasterKeyId: kmsKey.arn,
  });
  const topicPolicy = new aws.sns.TopicPolicy("TrailTopicPolicy", {
    arn: topic.arn,
    policy: $resolve([topic.arn, identity.trailArn]).apply(([topicArn, arn]) =>
      JSON.stringify(trailTopicPolicy({ topicArn, trailArn: arn })),
    ),
  });

  // The source bucket exists already; this policy replaces its policy so CloudTrail may deliver to it.
  const bucketPolicy = new aws.s3.BucketPolicy(logicalName("TrailBucketPolicy", trail.bucket), {
    bucket: trail.bucket,
    policy: $resolve([partition, accountId, identity.trailArn]).apply(([p, a, arn]) =>
      JSON.stringify(
        trailBucketPolicy({
          bucketArn: `arn:${p}:s3:::${trail.bucket}`,
          trailArn: arn,
          accountId: a,
          keyPrefix: trail.keyPrefix,
          ...(trail.organizationId ? { organizationId: trail.organizationId } : {}),
        }),
      ),
    ),
  });

  return new aws.cloudtrail.Trail(
    "Trail",
    {
      name: trail.name,
      s3BucketName: trail.bucket,
      ...(trail.keyPrefix ? { s3KeyPrefix: trail.keyPrefix } : {}),
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      enableLogging: true,
      isOrganizationTrail: trail.organizationId !== undefined,
      kmsKeyId: kmsKey.arn,
      snsTopicName: topic.name,
      advancedEventSelectors: partition.apply((p) =>
        trailEventSelectors({
          partition: p,
          buckets: trail.dataEvents.buckets,
          functionArns: trail.dataEvents.functions,
        }),
      ),
    },
    // CloudTrail checks the bucket, topic and key policies when the trail is created.
    { ...stateful, dependsOn: [bucketPolicy, topicPolicy, kmsKey] },
  );
}

/** The CloudTrail trail of `deploy.trail`, delivering to a source bucket; undefined when none is configured. */
export const trail = deploy.trail ? deployTrail(deploy.trail, trailIdentity) : undefined;
