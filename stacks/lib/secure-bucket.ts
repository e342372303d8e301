import type { LifecycleRule } from "@app/core/infra/lifecycle";
import type { PolicyDocument } from "@app/core/infra/policy";

/** How a bucket is encrypted at rest: the project KMS key, or SSE-S3 where AWS requires it (access-log targets). */
export type BucketEncryption = { kmsKeyArn: $util.Input<string> } | "sse-s3";

/** What a bucket holds; tagged as `loglake:data` so policies and reviewers can tell the buckets apart. */
export type BucketRole = "lake" | "worm" | "reports" | "athena-results" | "access-logs";

export interface SecureBucketArgs {
  role: BucketRole;
  /** Exact bucket name, or a prefix for a generated unique name. */
  name: { bucket: string } | { bucketPrefix: string };
  encryption: BucketEncryption;
  /**
   * Bucket policy for the bucket ARN, from a pure builder in @app/core/infra/buckets; `declared-later` when it names
   * resources declared after the bucket (see `secureBucketPolicy`).
   */
  policy: ((bucketArn: $util.Output<string>) => $util.Output<PolicyDocument>) | "declared-later";
  lifecycle: LifecycleRule[];
  /** Object Lock is only possible at creation; it implies versioning. */
  objectLock?: { mode: "GOVERNANCE" | "COMPLIANCE"; days: number };
  /** Where the bucket's server access logs go. */
  accessLogs?: { bucket: $util.Input<string>; prefix: string };
  forceDestroy: boolean;
  opts?: $util.CustomResourceOptions;
}

/**
 * A bucket with every guard on: public access blocked, ACLs disabled, versioning, default encryption, TLS-only
 * policy, lifecycle rules and (optionally) Object Lock and server access logging. Logical names are `<name>`,
 * `<name>PublicAccessBlock`, `<name>Policy` and so on.
 */
export function secureBucket(name: string, args: SecureBucketArgs) {
  const opts = args.opts ?? {};
  const bucket = new aws.s3.Bucket(
    name,
    {
      ...args.name,
      forceDestroy: args.forceDestroy,
      objectLockEnabled: args.objectLock !== undefined,
      tags: { "loglake:data": args.role },
    },
    opts,
  );
  const child = { parent: bucket };
  const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
    `${name}PublicAccessBlock`,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    child,
  );
  new aws.s3.BucketOwnershipControls(
    `${name}Ownership`,
    { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
    child,
  );
  const versioning = new aws.s3.BucketVersioning(
    `${name}Versioning`,
    { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
    child,
  );
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}Encryption`,
    {
      bucket: bucket.id,
      rules: [
        args.encryption === "sse-s3"
          ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }
          : {
              applyServerSideEncryptionByDefault: {
                sseAlgorithm: "aws:kms",
                kmsMasterKeyId: args.encryption.kmsKeyArn,
              },
              // One data key per bucket instead of per object: fewer KMS calls, same key.
              bucketKeyEnabled: true,
            },
      ],
    },
    child,
  );
  if (args.policy !== "declared-later") secureBucketPolicy(name, bucket, args.policy(bucket.arn), [publicAccessBlock]);
  new aws.s3.BucketLifecycleConfiguration(
    `${name}Lifecycle`,
    { bucket: bucket.id, rules: args.lifecycle },
    { ...child, dependsOn: [versioning] },
  );
  if (args.objectLock) {
    new aws.s3.BucketObjectLockConfiguration(
      `${name}ObjectLock`,
      {
        bucket: bucket.id,
        objectLockEnabled: "Enabled",
        rule: { defaultRetention: { mode: args.objectLock.mode, days: args.objectLock.days } },
      },
      { ...child, dependsOn: [versioning] },
    );
  }
  if (args.accessLogs) {
    new aws.s3.BucketLogging(
      `${name}AccessLogging`,
      { bucket: bucket.id, targetBucket: args.accessLogs.bucket, targetPrefix: args.accessLogs.prefix },
      child,
    );
  }
  return bucket;
}

/** The policy of a secure bucket, `<name>Policy`, for a bucket whose policy was declared later. */
export function secureBucketPolicy(
  name: string,
  bucket: aws.s3.Bucket,
  policy: $util.Output<PolicyDocument>,
  dependsOn: $util.Resource[] = [],
) {
  return new aws.s3.BucketPolicy(
    `${name}Policy`,
    { bucket: bucket.id, policy: policy.apply((doc) => JSON.stringify(doc)) },
    { parent: bucket, dependsOn },
  );
}
