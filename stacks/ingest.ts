import { alertDetections } from "@app/core/alerts/alert";
import { logGroupDestinations } from "@app/core/config/destinations";
import { CONFIG_TABLE_NAMES } from "@app/core/detections/allowlist";
import { ingestQueuePolicy } from "@app/core/infra/buckets";
import {
  alertScope,
  forwardStatements,
  ingestKinesisStatements,
  ingestSqsStatements,
  lakeScope,
  logGroupArn,
  templatePrefixes,
} from "@app/core/infra/grants";
import { logicalName } from "@app/core/infra/queries";
import { forwardClaimPrefix } from "@app/core/lake-layout";
import { TABLES } from "@app/core/sources/index";
import { alertsTopic } from "./alerts";
import { savedQueries } from "./catalog";
import { customerGrants } from "./customers";
import { functionEnvironment, functionName, functionSize, permissionsOf } from "./lib/function";
import { accountId, config, deploy, partition, stateful } from "./settings";
import { kmsKey, lakeBucket, wormBucket } from "./storage";

// Two weeks, SQS's maximum: an outage of the consumers must not lose notifications.
const FOURTEEN_DAYS = 14 * 24 * 3600;

/** Inputs that failed every delivery attempt; redrive them after a fix. */
export const ingestDlq = new aws.sqs.Queue("IngestDlq", {
  name: config.queues.dlq,
  messageRetentionSeconds: FOURTEEN_DAYS,
  sqsManagedSseEnabled: true,
});

/** S3 object-created events of every source bucket, direct or through EventBridge. */
export const ingestQueue = new aws.sqs.Queue("IngestQueue", {
  name: config.queues.ingest,
  visibilityTimeoutSeconds: config.queues.visibilityTimeoutSeconds,
  messageRetentionSeconds: FOURTEEN_DAYS,
  sqsManagedSseEnabled: true,
  redrivePolicy: ingestDlq.arn.apply((arn) =>
    JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: config.queues.maxReceiveCount }),
  ),
});

new aws.sqs.RedriveAllowPolicy("IngestDlqRedriveAllow", {
  queueUrl: ingestDlq.url,
  redriveAllowPolicy: ingestQueue.arn.apply((arn) =>
    JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [arn] }),
  ),
});

// Buckets that already have notifications of their own go through EventBridge: a second S3 notification writer
// would replace the owner's configuration.
const eventRules = deploy.sourceBuckets
  .filter((b) => b.notifications === "eventbridge")
  .map((b) => {
    const name = logicalName("SourceEvents", b.name);
    const rule = new aws.cloudwatch.EventRule(name, {
      description: `Object Created in s3://${b.name}/${b.prefix} to the ingest queue`,
      eventPattern: JSON.stringify({
        source: ["aws.s3"],
        "detail-type": ["Object Created"],
        detail: { bucket: { name: [b.name] }, ...(b.prefix ? { object: { key: [{ prefix: b.prefix }] } } : {}) },
      }),
    });
    new aws.cloudwatch.EventTarget(`${name}Target`, { rule: rule.name, arn: ingestQueue.arn });
    return rule;
  });

const queuePolicy = new aws.sqs.QueuePolicy("IngestQueuePolicy", {
  queueUrl: ingestQueue.url,
  policy: $resolve([ingestQueue.arn, partition, ...eventRules.map((r) => r.arn)]).apply(([queueArn, p, ...rules]) =>
    JSON.stringify(
      ingestQueuePolicy({
        queueArn,
        notifyingBuckets: deploy.sourceBuckets
          .filter((b) => b.notifications === "s3")
          .map((b) => ({ bucketArn: `arn:${p}:s3:::${b.name}`, ...(b.accountId ? { accountId: b.accountId } : {}) })),
        eventRuleArns: rules,
      }),
    ),
  ),
});

for (const b of deploy.sourceBuckets.filter((s) => s.notifications === "s3")) {
  // The source buckets exist already and are imported by name; only their notification configuration is managed.
  new aws.s3.BucketNotification(
    logicalName("SourceNotification", b.name),
    {
      bucket: b.name,
      queues: [
        {
          queueArn: ingestQueue.arn,
          events: ["s3:ObjectCreated:*"],
          ...(b.prefix ? { filterPrefix: b.prefix } : {}),
        },
      ],
    },
    { dependsOn: [queuePolicy] },
  );
}

/** Kinesis stream for app JSON, CloudFront real-time logs and CloudWatch Logs subscriptions. */
export const stream = new aws.kinesis.Stream(
  "Stream",
  {
    name: config.stream.name,
    encryptionType: "KMS",
    kmsKeyId: kmsKey.arn,
    retentionPeriod: deploy.stream.retentionHours,
    streamModeDetails: { streamMode: deploy.stream.mode === "on-demand" ? "ON_DEMAND" : "PROVISIONED" },
    ...(deploy.stream.mode === "provisioned" ? { shardCount: config.stream.shardCount } : {}),
  },
  stateful,
);

/** Name of the queue that receives Kinesis batches that failed every retry. */
export const streamFailureQueueName = `${config.stream.name}-failures`.slice(0, 80);

/** Where Kinesis batches go that failed every retry (the event source mapping's on-failure destination). */
export const streamFailureQueue = new aws.sqs.Queue("StreamFailureQueue", {
  name: streamFailureQueueName,
  messageRetentionSeconds: FOURTEEN_DAYS,
  sqsManagedSseEnabled: true,
});

const tables = TABLES.map((t) => t.name);
// S3 objects are archived under their source's id; Kinesis batches always, under "kinesis" (see core/copy/plan.ts).
const s3WormSources = Object.entries(config.sources)
  .filter(([, s]) => s?.worm)
  .map(([id]) => id);

// The consumers evaluate the `alert: true` detections on the rows they write: they read those rows back, with the
// allow-list, claim each alert in the lake and publish it to the alerts topic.
const alertTables = alertDetections(savedQueries).flatMap((d) => d.tables);
const alertScopes = alertScope(config.lakePrefix, [...alertTables, ...CONFIG_TABLE_NAMES]);

/** What both consumers need to alert: the alerts topic, and the detections' SQL bundled as `queries/`. */
const alerting = {
  // Read at cold start from `queries/` beside the handler (the working directory of a Lambda function).
  copyFiles: [{ from: "queries", to: "queries" }],
  environment: { ...functionEnvironment, ALERTS_TOPIC_ARN: alertsTopic.arn },
};

// Both consumers forward the app events they ingest to the CloudWatch Logs destinations; none: no grant at all.
const forwardGrants = $resolve([lakeBucket.arn, partition, accountId]).apply(([lakeArn, p, a]) =>
  forwardStatements({
    lakeBucketArn: lakeArn,
    claimPrefix: forwardClaimPrefix(config.lakePrefix),
    logGroups: logGroupDestinations(config).map((d) => ({
      name: d.name,
      // A role writes in its own account; without one the group is in ours.
      logGroupArn: logGroupArn({
        partition: p,
        region: d.region,
        accountId: d.accountId ?? d.roleArn?.split(":")[4] ?? a,
        logGroup: d.logGroup,
      }),
      ...(d.roleArn ? { roleArn: d.roleArn } : {}),
      createIfMissing: d.createIfMissing,
      ...(d.retentionDays !== undefined ? { retentionDays: d.retentionDays } : {}),
    })),
  }),
);

function writeScopes(lakeArn: string, wormArn: string, wormSources: string[], topicArn: string) {
  return {
    lake: lakeScope(lakeArn, config.lakePrefix, tables),
    alerts: { topicArn, ...alertScopes },
    ...(wormSources.length > 0
      ? {
          worm: {
            bucketArn: wormArn,
            prefixes: templatePrefixes(config.worm.keyTemplateParts, { env: config.env, sources: wormSources }),
          },
        }
      : {}),
  };
}

/** Consumer of the ingest queue: S3 objects to lake rows, WORM copies and customer copies. */
export const ingestSqs = new sst.aws.Function("IngestSqs", {
  name: functionName("ingest-sqs"),
  handler: "packages/functions/src/ingest-sqs.handler",
  description: "S3 notifications: parse into the lake, copy raw objects to WORM and customer buckets",
  ...functionSize,
  nodejs: { install: ["@duckdb/node-api"] },
  ...alerting,
  permissions: permissionsOf(
    $resolve([ingestQueue.arn, lakeBucket.arn, wormBucket.arn, kmsKey.arn, partition, alertsTopic.arn]).apply(
      ([queueArn, lakeArn, wormArn, kmsKeyArn, p, topicArn]) =>
        $resolve([customerGrants, forwardGrants]).apply(([customers, forward]) =>
          ingestSqsStatements({
            kmsKeyArn,
            queueArn,
            ...writeScopes(lakeArn, wormArn, s3WormSources, topicArn),
            sources: deploy.sourceBuckets.map((b) => ({ bucketArn: `arn:${p}:s3:::${b.name}`, prefixes: [b.prefix] })),
            customers,
            forward,
          }),
        ),
    ),
  ),
});

/** Consumer of the stream: records to lake rows and the raw batch to WORM. */
export const ingestKinesis = new sst.aws.Function("IngestKinesis", {
  name: functionName("ingest-kinesis"),
  handler: "packages/functions/src/ingest-kinesis.handler",
  description: "Kinesis records: parse into the lake, archive the raw batch to WORM",
  ...functionSize,
  nodejs: { install: ["@duckdb/node-api"] },
  ...alerting,
  // Kinesis batches are archived to WORM only; customers receive copies of S3 objects alone.
  permissions: permissionsOf(
    $resolve([stream.arn, streamFailureQueue.arn, lakeBucket.arn, wormBucket.arn, kmsKey.arn, alertsTopic.arn]).apply(
      ([streamArn, failureQueueArn, lakeArn, wormArn, kmsKeyArn, topicArn]) =>
        forwardGrants.apply((forward) =>
          ingestKinesisStatements({
            kmsKeyArn,
            streamArn,
            failureQueueArn,
            ...writeScopes(lakeArn, wormArn, ["kinesis"], topicArn),
            customers: [],
            forward,
          }),
        ),
    ),
  ),
});

/** SQS -> IngestSqs, with partial batch responses so one bad object does not send its batch back. */
export const ingestSqsEventSource = new aws.lambda.EventSourceMapping("IngestSqsEventSource", {
  eventSourceArn: ingestQueue.arn,
  functionName: ingestSqs.name,
  batchSize: config.queues.batchSize,
  maximumBatchingWindowInSeconds: config.queues.batchingWindowSeconds,
  functionResponseTypes: ["ReportBatchItemFailures"],
  scalingConfig: { maximumConcurrency: deploy.ingestMaxConcurrency },
});

/** Kinesis -> IngestKinesis: failing records are bisected and retried, then sent to the failure queue. */
export const ingestKinesisEventSource = new aws.lambda.EventSourceMapping("IngestKinesisEventSource", {
  eventSourceArn: stream.arn,
  functionName: ingestKinesis.name,
  startingPosition: "TRIM_HORIZON",
  batchSize: config.stream.batchSize,
  maximumBatchingWindowInSeconds: config.stream.batchingWindowSeconds,
  functionResponseTypes: ["ReportBatchItemFailures"],
  bisectBatchOnFunctionError: true,
  maximumRetryAttempts: config.stream.maxRetryAttempts,
  maximumRecordAgeInSeconds: config.stream.maxRecordAgeSeconds,
  destinationConfig: { onFailure: { destinationArn: streamFailureQueue.arn } },
});

/** The role that writes customer copies, for the customers' trust policies. */
export const writerRoleArns = [ingestSqs.nodes.role.arn];
