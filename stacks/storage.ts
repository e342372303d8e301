import { customerDestinations } from "@app/core/config/destinations";
import { accessLogBucketPolicy, privateBucketPolicy, wormBucketPolicy } from "@app/core/infra/buckets";
import { compactorStatements, lakeScope, lambdaTrustPolicy } from "@app/core/infra/grants";
import { projectKeyPolicy } from "@app/core/infra/keys";
import { expiringLifecycle, lakeLifecycle, reportsLifecycle, wormLifecycle } from "@app/core/infra/lifecycle";
import { policyDocument } from "@app/core/infra/policy";
import { receivesTrailFiles } from "@app/core/infra/trail";
import { TABLES } from "@app/core/sources/index";
import { functionName } from "./lib/function";
import { secureBucket } from "./lib/secure-bucket";
import {
  accountId,
  bucketPrefix,
  config,
  deploy,
  partition,
  prefix,
  region,
  stage,
  stateful,
  trailIdentity,
} from "./settings";

// Customers that copy the trail's files through a role in their account decrypt them with the project key.
const trailCustomerRoles = customerDestinations(config)
  .filter((d) => d.roleArn !== undefined && receivesTrailFiles(d.sources))
  .map((d) => d.roleArn as string);

/** The project key: lake, WORM, reports, Athena results, the stream and the alerts topic are encrypted with it. */
export const kmsKey = new aws.kms.Key(
  "ProjectKey",
  {
    description: `${prefix}: loglake data at rest`,
    enableKeyRotation: true,
    // Deleting a key makes everything it encrypted unreadable: wait the longest AWS allows in permanent stages.
    deletionWindowInDays: stage.permanent ? 30 : 7,
    policy: $resolve([partition, accountId, trailIdentity.trailArn, trailIdentity.topicArn]).apply(
      ([p, a, trailArn, topicArn]) =>
        JSON.stringify(
          projectKeyPolicy({
            partition: p,
            accountId: a,
            ...(deploy.trail ? { trail: { trailArn, topicArn, customerRoleArns: trailCustomerRoles } } : {}),
          }),
        ),
    ),
  },
  stateful,
);
new aws.kms.Alias("ProjectKeyAlias", { name: `alias/${prefix}`, targetKeyId: kmsKey.keyId });
const kmsKeyArn = kmsKey.arn;

/** Physical name of the compaction function (stacks/compaction.ts), whose logs the compactor role writes. */
export const compactorFunctionName = functionName("compact-lake");

/** The role that alone may delete lake objects (it rewrites small files into large ones). */
export const compactorRole = deploy.compactorRoleArn
  ? undefined
  : new aws.iam.Role("CompactorRole", {
      description: `${prefix}: the only principal allowed to delete lake objects`,
      assumeRolePolicy: JSON.stringify(policyDocument(lambdaTrustPolicy())),
    });
export const compactorRoleArn: $util.Output<string> = compactorRole
  ? compactorRole.arn
  : $output(deploy.compactorRoleArn as string);

/** Server access logs of the data buckets. S3 delivers them only to an SSE-S3 bucket, so this one has no KMS key. */
export const accessLogBucket = secureBucket("AccessLogBucket", {
  role: "access-logs",
  name: { bucketPrefix: bucketPrefix("access-logs") },
  encryption: "sse-s3",
  policy: (arn) =>
    $resolve([arn, accountId]).apply(([bucketArn, account]) =>
      accessLogBucketPolicy({
        bucketArn,
        accountId: account,
        // The reports bucket has a generated name, so it is matched by its prefix.
        sourceBucketArns: [config.buckets.lake, config.buckets.worm, `${bucketPrefix("reports")}*`].map((b) =>
          bucketArnOf(bucketArn, b),
        ),
      }),
    ),
  lifecycle: expiringLifecycle("access-logs", deploy.accessLogDays),
  forceDestroy: stage.forceDestroy,
  opts: stateful,
});

// The lake and WORM bucket names are fixed by the config; their ARNs share the log bucket's partition.
function bucketArnOf(sibling: string, bucket: string): string {
  return `${sibling.slice(0, sibling.indexOf(":::") + 3)}${bucket}`;
}

const logsTo = (folder: string) => ({ bucket: accessLogBucket.id, prefix: `${folder}/` });

/**
 * Parquet tables, one folder per table, partitioned by event day and hour; each table kept as long as configured
 * (outside permanent stages at most `deploy.lake.expireDays`). Its policy names every role that reads it, so it is
 * declared in stacks/access.ts once those roles exist.
 */
export const lakeBucket = secureBucket("LakeBucket", {
  role: "lake",
  name: { bucket: config.buckets.lake },
  encryption: { kmsKeyArn },
  policy: "declared-later",
  lifecycle: lakeLifecycle({
    noncurrentDays: deploy.lake.noncurrentDays,
    lakePrefix: config.lakePrefix,
    tables: TABLES.map((t) => t.name),
    tableDays: deploy.lake.tables,
    ...(stage.permanent ? {} : { maxDays: deploy.lake.expireDays }),
  }),
  accessLogs: logsTo("lake"),
  forceDestroy: stage.forceDestroy,
  opts: stateful,
});

/**
 * Raw copies under Object Lock, tiered down to Deep Archive and expired after their retention. Permanent stages lock
 * them in the configured mode for `worm.retentionDays`; other stages in GOVERNANCE for `deploy.worm.
 * temporaryRetentionDays` (the config is resolved so), which `sst remove` can bypass to empty and delete the bucket.
 */
export const wormBucket = secureBucket("WormBucket", {
  role: "worm",
  name: { bucket: config.buckets.worm },
  encryption: { kmsKeyArn },
  policy: (arn) =>
    $resolve([arn, kmsKeyArn]).apply(([bucketArn, key]) =>
      wormBucketPolicy({
        bucketArn,
        kmsKeyArn: key,
        ...(deploy.breakGlassRoleArn ? { breakGlassRoleArn: deploy.breakGlassRoleArn } : {}),
      }),
    ),
  lifecycle: wormLifecycle(config.worm.retentionDays),
  objectLock: { mode: config.worm.mode, days: config.worm.retentionDays },
  accessLogs: logsTo("worm"),
  // Outside permanent stages every copy is GOVERNANCE-locked, which emptying the bucket bypasses (the bucket policy
  // that denies the bypass is removed first); COMPLIANCE copies of permanent stages could not be deleted at all.
  forceDestroy: stage.forceDestroy,
  opts: stateful,
});

/** Exported reports (CSV, JSON, HTML) under `reports/`. */
export const reportsBucket = secureBucket("ReportsBucket", {
  role: "reports",
  name: { bucketPrefix: bucketPrefix("reports") },
  encryption: { kmsKeyArn },
  policy: (arn) =>
    $resolve([arn, kmsKeyArn]).apply(([bucketArn, key]) => privateBucketPolicy({ bucketArn, kmsKeyArn: key })),
  lifecycle: reportsLifecycle(),
  accessLogs: logsTo("reports"),
  forceDestroy: stage.forceDestroy,
  opts: stateful,
});

/** Athena query results: disposable, expired after a few days. */
export const athenaResultsBucket = secureBucket("AthenaResultsBucket", {
  role: "athena-results",
  name: { bucketPrefix: bucketPrefix("athena") },
  encryption: { kmsKeyArn },
  policy: (arn) =>
    $resolve([arn, kmsKeyArn]).apply(([bucketArn, key]) => privateBucketPolicy({ bucketArn, kmsKeyArn: key })),
  lifecycle: expiringLifecycle("athena-results", deploy.athena.resultsExpireDays),
  forceDestroy: true,
});

if (compactorRole) {
  new aws.iam.RolePolicy("CompactorRolePolicy", {
    role: compactorRole.id,
    policy: $resolve([lakeBucket.arn, kmsKeyArn, partition, region, accountId]).apply(([lake, key, p, r, a]) =>
      JSON.stringify(
        policyDocument(
          compactorStatements({
            kmsKeyArn: key,
            logGroupArn: `arn:${p}:logs:${r}:${a}:log-group:/aws/lambda/${compactorFunctionName}`,
            lake: lakeScope(
              lake,
              config.lakePrefix,
              TABLES.map((t) => t.name),
            ),
          }),
        ),
      ),
    ),
  });
}
