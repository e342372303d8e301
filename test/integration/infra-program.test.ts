// The whole SST program (sst.config.ts + stacks/) run offline under Pulumi's mocks, once for a permanent stage and
// once for a throwaway one, with the fixture config in test/unit/infra/fixtures. Each security property is checked
// on the resources the program really declares, not on the builders alone.
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import { promisify } from "node:util";
import { alertClaimKey, alertDetections } from "@app/core/alerts/alert";
import { resolveConfig } from "@app/core/config/validate";
import { planCopies } from "@app/core/copy/plan";
import { findingsTable } from "@app/core/findings/schema";
import { complianceStatements, humanTrustPolicy, securityAnalystStatements } from "@app/core/infra/access";
import { lakeBucketPolicy, wormBucketPolicy } from "@app/core/infra/buckets";
import { checkInvariants } from "@app/core/infra/invariants";
import type { Inventory, InventoryResource } from "@app/core/infra/inventory";
import { projectKeyPolicy } from "@app/core/infra/keys";
import {
  logDestinationPolicy,
  logDestinationRoleStatements,
  logDestinationTrustPolicy,
  memberSubscriptionRole,
} from "@app/core/infra/log-destination";
import { policyDocument } from "@app/core/infra/policy";
import { reportSchedules } from "@app/core/infra/queries";
import { trailBucketPolicy, trailEventSelectors, trailTopicPolicy } from "@app/core/infra/trail";
import {
  CHAIN_DIR,
  chainLinkKey,
  configTableKey,
  kinesisArchiveKey,
  lakeFileKey,
  lakeManifestPrefix,
  MANIFEST_DIR,
  manifestKey,
  s3Lineage,
  s3ObjectName,
  securityHubExportKey,
} from "@app/core/lake-layout";
import { loadQueries } from "@app/core/queries/catalog";
import { toGlueColumns } from "@app/core/schema/glue";
import { QUERYABLE_TABLE_NAMES, SOURCES, TABLES } from "@app/core/sources/index";
import type { SourceId } from "@app/core/sources/types";
import { loadAlertSettings, loadFunctionConfig } from "@app/functions/lib/config";
import { securityHubAccount } from "@app/functions/lib/findings-export";
import { ingestToLake } from "@app/lake/ingest";
import { LocalLakeStore } from "@app/lake/store";
import { beforeAll, describe, expect, it } from "vitest";
import { withDuckDb } from "../helpers/duckdb.ts";
import fixtureConfig from "../unit/infra/fixtures/loglake.config.ts";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "../..");
const CONFIG = "test/unit/infra/fixtures/loglake.config.ts";

async function inventory(stage: string): Promise<Inventory> {
  const { stdout } = await run(
    process.execPath,
    ["--import", "tsx", "scripts/infra-inventory.ts", "--stage", stage, "--config", CONFIG, "--json"],
    // One run took 56 s alone on a loaded 2-core machine (2026-12-01); two run side by side here.
    { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, timeout: 280_000 },
  );
  return JSON.parse(stdout) as Inventory;
}

let prod: Inventory;
let dev: Inventory;

beforeAll(async () => {
  [prod, dev] = await Promise.all([inventory("production"), inventory("pr-7")]);
}, 300_000);

function one(inv: Inventory, type: string, name: string): InventoryResource {
  const found = inv.resources.filter((r) => r.type === `aws:${type}` && r.name === name);
  if (found.length !== 1) throw new Error(`expected one aws:${type} ${name}, found ${found.length}`);
  return found[0] as InventoryResource;
}
const all = (inv: Inventory, type: string) => inv.resources.filter((r) => r.type === `aws:${type}`);
const json = (v: unknown) => JSON.parse(String(v)) as Record<string, unknown>;
const bucketId = (inv: Inventory, name: string) => one(inv, "s3/bucket:Bucket", name).id;
const arnOf = (bucket: string) => `arn:aws:s3:::${bucket}`;
const KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/key-ProjectKey";
const inline = (inv: Inventory, role: string) =>
  (one(inv, "iam/role:Role", role).inputs.inlinePolicies as { policy: string }[]).flatMap(
    (p) => json(p.policy).Statement as { Effect: string; Action: string | string[]; Resource: string | string[] }[],
  );
const roleArn = (inv: Inventory, role: string) =>
  `arn:aws:iam::123456789012:role/${String(one(inv, "iam/role:Role", role).inputs.name)}`;
const READERS = ["CompactorRole", "ExportReportRole", "IngestKinesisRole", "IngestSqsRole", "SecurityAnalystRole"];
const lifecycleOf = (inv: Inventory, bucket: string) =>
  one(inv, "s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", `${bucket}Lifecycle`).inputs.rules as {
    id: string;
    filter: { prefix: string };
    expiration?: unknown;
    transitions?: unknown;
  }[];
const actionsOn = (inv: Inventory, role: string, resource: string) =>
  inline(inv, role)
    .filter((s) => [s.Resource].flat().includes(resource))
    .flatMap((s) => [s.Action].flat());

describe("the SST program under mocks", () => {
  it("violates no compliance invariant, in a permanent stage or a throwaway one", () => {
    expect(checkInvariants(prod.resources)).toStrictEqual([]);
    expect(checkInvariants(dev.resources)).toStrictEqual([]);
  });

  it("retains and protects a permanent stage, and removes a throwaway one", () => {
    expect([prod.app.removal, prod.app.protect]).toStrictEqual(["retain", true]);
    expect([dev.app.removal, dev.app.protect]).toStrictEqual(["remove", false]);
    const lake = (inv: Inventory) => one(inv, "s3/bucket:Bucket", "LakeBucket");
    expect([lake(prod).protect, lake(prod).retainOnDelete, lake(prod).inputs.forceDestroy]).toStrictEqual([
      true,
      true,
      false,
    ]);
    expect([lake(dev).protect, lake(dev).inputs.forceDestroy]).toStrictEqual([false, true]);
  });

  it("pins the AWS provider and takes the region from the config", () => {
    expect(prod.app.providers).toStrictEqual({ aws: { version: "7.20.0", region: "eu-west-1" } });
  });

  it("bundles every handler, with DuckDB installed beside the ingest functions, the report exporter and the compactor", () => {
    expect(prod.builds.map((b) => [b.functionID, b.handler, b.install]).sort()).toStrictEqual([
      ["CompactLake", "packages/functions/src/compact-lake.handler", ["@duckdb/node-api"]],
      ["ExportReport", "packages/functions/src/export-report.handler", ["@duckdb/node-api"]],
      ["IngestKinesis", "packages/functions/src/ingest-kinesis.handler", ["@duckdb/node-api"]],
      ["IngestSqs", "packages/functions/src/ingest-sqs.handler", ["@duckdb/node-api"]],
      ["VerifyIntegrity", "packages/functions/src/verify-integrity.handler", []],
    ]);
  });
});

describe("storage", () => {
  it("encrypts the lake with the rotating project key, lets only the compactor delete (derived state aside) and only the readers read", () => {
    expect(one(prod, "kms/key:Key", "ProjectKey").inputs.enableKeyRotation).toBe(true);
    const lake = bucketId(prod, "LakeBucket");
    expect(json(one(prod, "s3/bucketPolicy:BucketPolicy", "LakeBucketPolicy").inputs.policy)).toStrictEqual(
      lakeBucketPolicy({
        bucketArn: arnOf(lake),
        kmsKeyArn: KEY_ARN,
        compactorRoleArn: "arn:aws:iam::123456789012:role/compactorrole-mock",
        readerRoleArns: READERS.map((r) =>
          r === "CompactorRole" ? "arn:aws:iam::123456789012:role/compactorrole-mock" : roleArn(prod, r),
        ),
        derivedDeletes: [
          { prefix: "_alerts/", roleArns: [roleArn(prod, "IngestSqsRole"), roleArn(prod, "IngestKinesisRole")] },
          { prefix: "findings/", roleArns: [roleArn(prod, "ExportReportRole")] },
        ],
      }),
    );
    expect(
      one(
        prod,
        "s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "LakeBucketEncryption",
      ).inputs.rules,
    ).toStrictEqual([
      {
        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY_ARN },
        bucketKeyEnabled: true,
      },
    ]);
  });

  it("expires each configured lake table under its own folder, and outside permanent stages every table and manifest", () => {
    const rules = (inv: Inventory) => lifecycleOf(inv, "LakeBucket").map((r) => [r.id, r.filter.prefix, r.expiration]);
    expect(rules(prod)).toStrictEqual([
      ["lake-versions", "", undefined],
      ["lake-table-cloudfront", "cloudfront/", { days: 400 }],
      ["lake-table-quarantine", "quarantine/", { days: 90 }],
    ]);
    expect(rules(dev)).toStrictEqual([
      ["lake-versions", "", undefined],
      ...TABLES.map((t) => [`lake-table-${t.name}`, `${t.name}/`, { days: 30 }]),
      ["lake-manifests", "_ingest/", { days: 30 }],
      ["lake-chain", "_chain/", { days: 30 }],
      ["lake-compactions", "_compact/", { days: 30 }],
    ]);
  });

  it("locks and expires WORM copies for 2557 days in the configured mode in production, 90 days in GOVERNANCE elsewhere", () => {
    const lock = (inv: Inventory) =>
      one(inv, "s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "WormBucketObjectLock").inputs.rule;
    const expiry = (inv: Inventory) => lifecycleOf(inv, "WormBucket").map((r) => [r.id, r.expiration]);
    expect([lock(prod), expiry(prod)]).toStrictEqual([
      { defaultRetention: { mode: "COMPLIANCE", days: 2557 } },
      [["worm-retention", { days: 2557 }]],
    ]);
    expect([lock(dev), expiry(dev)]).toStrictEqual([
      { defaultRetention: { mode: "GOVERNANCE", days: 90 } },
      [["worm-retention", { days: 90 }]],
    ]);
    // The functions lock each copy as the bucket does.
    const env = (inv: Inventory) =>
      JSON.parse(
        String(
          (
            one(inv, "lambda/function:Function", "IngestSqsFunction").inputs.environment as {
              variables: Record<string, string>;
            }
          ).variables.LOGLAKE_CONFIG,
        ),
      ).worm;
    expect([env(prod).mode, env(prod).retentionDays, env(dev).mode, env(dev).retentionDays]).toStrictEqual([
      "COMPLIANCE",
      2557,
      "GOVERNANCE",
      90,
    ]);
  });

  it("keeps the WORM bucket of a permanent stage, and lets a throwaway stage remove it with its copies", () => {
    const worm = (inv: Inventory) => one(inv, "s3/bucket:Bucket", "WormBucket");
    expect([worm(prod).protect, worm(prod).retainOnDelete, worm(prod).inputs.forceDestroy]).toStrictEqual([
      true,
      true,
      false,
    ]);
    expect([worm(dev).protect, worm(dev).retainOnDelete, worm(dev).inputs.forceDestroy]).toStrictEqual([
      false,
      false,
      true,
    ]);
  });

  it("creates the WORM bucket with Object Lock, the configured default retention and the bypass guard", () => {
    expect(one(prod, "s3/bucket:Bucket", "WormBucket").inputs.objectLockEnabled).toBe(true);
    expect(
      one(prod, "s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "WormBucketObjectLock").inputs.rule,
    ).toStrictEqual({
      defaultRetention: { mode: "COMPLIANCE", days: 2557 },
    });
    expect(json(one(prod, "s3/bucketPolicy:BucketPolicy", "WormBucketPolicy").inputs.policy)).toStrictEqual(
      wormBucketPolicy({
        bucketArn: arnOf(bucketId(prod, "WormBucket")),
        kmsKeyArn: KEY_ARN,
        breakGlassRoleArn: "arn:aws:iam::111122223333:role/security-break-glass",
      }),
    );
  });

  it("tiers WORM copies to Standard-IA at 30 days, Glacier at 90 and Deep Archive at 365", () => {
    const [rule] = one(prod, "s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "WormBucketLifecycle")
      .inputs.rules as { transitions: unknown }[];
    expect(rule?.transitions).toStrictEqual([
      { days: 30, storageClass: "STANDARD_IA" },
      { days: 90, storageClass: "GLACIER" },
      { days: 365, storageClass: "DEEP_ARCHIVE" },
    ]);
  });

  it("expires Athena results and logs server access of the data buckets to the log bucket", () => {
    const [rule] = one(
      prod,
      "s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "AthenaResultsBucketLifecycle",
    ).inputs.rules as { expiration: unknown }[];
    expect(rule?.expiration).toStrictEqual({ days: 7 });
    const logs = bucketId(prod, "AccessLogBucket");
    expect(
      all(prod, "s3/bucketLogging:BucketLogging")
        .map((r) => [r.name, r.inputs.targetBucket, r.inputs.targetPrefix])
        .sort(),
    ).toStrictEqual(
      [
        ["LakeBucketAccessLogging", logs, "lake/"],
        ["WormBucketAccessLogging", logs, "worm/"],
        ["ReportsBucketAccessLogging", logs, "reports/"],
      ].sort(),
    );
  });
});

describe("customers", () => {
  it("lets the ingest functions assume the customer's role, and hands the customer its trust policy with the ExternalId", () => {
    expect(actionsOn(prod, "IngestSqsRole", "arn:aws:iam::444455556666:role/loglake-writer")).toStrictEqual([
      "sts:AssumeRole",
    ]);
    const handover = (prod.outputs.customerRoles as Record<string, { trustPolicy: string }>).globex;
    expect(json(handover?.trustPolicy).Statement).toStrictEqual([
      {
        Sid: "AllowLoglakeWriters",
        Effect: "Allow",
        Principal: {
          AWS: [`arn:aws:iam::123456789012:role/${one(prod, "iam/role:Role", "IngestSqsRole").inputs.name}`],
        },
        Action: ["sts:AssumeRole"],
        Condition: { StringEquals: { "sts:ExternalId": "loglake-globex" } },
      },
    ]);
  });

  it("hands a customer copying the trail's files through its role the decrypt grant on the project key", () => {
    const handover = (prod.outputs.customerRoles as Record<string, { permissionPolicy: string }>).globex;
    expect(
      (json(handover?.permissionPolicy).Statement as { Sid: string; Action: string[]; Resource: string[] }[]).find(
        (st) => st.Sid === "DecryptLoglakeSources",
      ),
    ).toStrictEqual({ Sid: "DecryptLoglakeSources", Effect: "Allow", Action: ["kms:Decrypt"], Resource: [KEY_ARN] });
    const devHandover = (dev.outputs.customerRoles as Record<string, { permissionPolicy: string }>).globex;
    expect((json(devHandover?.permissionPolicy).Statement as { Sid: string }[]).map((st) => st.Sid)).toStrictEqual([
      "ReadLoglakeSources",
      "WriteCustomerGlobex",
      "UseCustomerKeyGlobex",
    ]);
  });

  it("writes a role-less customer only under its prefixes, with its own key", () => {
    expect(
      actionsOn(prod, "IngestSqsRole", "arn:aws:s3:::initech-audit/loglake/production/cloudfront/*"),
    ).toStrictEqual(["s3:AbortMultipartUpload", "s3:PutObject", "s3:PutObjectTagging"]);
    expect(
      actionsOn(prod, "IngestSqsRole", "arn:aws:kms:eu-west-1:777788889999:key/abcd1234-12ab-34cd-56ef-1234567890ab"),
    ).toStrictEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
  });
});

describe("ingest", () => {
  it("keeps messages invisible for six function timeouts and sends them to the DLQ after 4 receives", () => {
    const q = one(prod, "sqs/queue:Queue", "IngestQueue").inputs;
    expect(q.visibilityTimeoutSeconds).toBe(5400);
    expect(json(q.redrivePolicy)).toStrictEqual({
      deadLetterTargetArn: "arn:aws:sqs:eu-west-1:123456789012:loglake-production-ingest-dlq",
      maxReceiveCount: 4,
    });
  });

  it("notifies the queue from the S3-notified bucket and through EventBridge for the other, and lets only those send", () => {
    expect(
      all(prod, "s3/bucketNotification:BucketNotification").map((r) => [r.inputs.bucket, r.inputs.queues]),
    ).toStrictEqual([
      [
        "acme-trail-logs",
        [
          {
            queueArn: "arn:aws:sqs:eu-west-1:123456789012:loglake-production-ingest",
            events: ["s3:ObjectCreated:*"],
            filterPrefix: "AWSLogs/",
          },
        ],
      ],
    ]);
    expect(
      json(one(prod, "cloudwatch/eventRule:EventRule", "SourceEventsAcmeCdnLogs").inputs.eventPattern),
    ).toStrictEqual({
      source: ["aws.s3"],
      "detail-type": ["Object Created"],
      detail: { bucket: { name: ["acme-cdn-logs"] }, object: { key: [{ prefix: "cloudfront/" }] } },
    });
    const senders = (
      json(one(prod, "sqs/queuePolicy:QueuePolicy", "IngestQueuePolicy").inputs.policy).Statement as {
        Effect: string;
        Principal: unknown;
        Condition: unknown;
      }[]
    )
      .filter((s) => s.Effect === "Allow")
      .map((s) => [s.Principal, s.Condition]);
    expect(senders).toStrictEqual([
      [
        { Service: "s3.amazonaws.com" },
        {
          ArnEquals: { "aws:SourceArn": "arn:aws:s3:::acme-trail-logs" },
          StringEquals: { "aws:SourceAccount": "111122223333" },
        },
      ],
      [
        { Service: "events.amazonaws.com" },
        {
          ArnEquals: {
            "aws:SourceArn": ["arn:aws:cloudwatch:eu-west-1:123456789012:eventrule/sourceeventsacmecdnlogs-mock"],
          },
        },
      ],
    ]);
  });

  it("encrypts the stream with the project key, provisioned as configured", () => {
    const s = one(prod, "kinesis/stream:Stream", "Stream").inputs;
    expect([s.encryptionType, s.kmsKeyId, s.streamModeDetails, s.shardCount]).toStrictEqual([
      "KMS",
      KEY_ARN,
      { streamMode: "PROVISIONED" },
      2,
    ]);
    expect(one(dev, "kinesis/stream:Stream", "Stream").inputs.shardCount).toBe(2);
  });

  it("runs the consumers on Node 22 arm64 with the configured memory, timeout and /tmp", () => {
    for (const name of ["IngestSqsFunction", "IngestKinesisFunction"]) {
      const f = one(prod, "lambda/function:Function", name).inputs;
      expect([f.runtime, f.architectures, f.memorySize, f.timeout, f.ephemeralStorage]).toStrictEqual([
        "nodejs22.x",
        ["arm64"],
        3008,
        900,
        { size: 2048 },
      ]);
    }
  });

  it("runs the compaction function as the compactor role, the one the lake bucket lets delete, with its log group", () => {
    const f = one(prod, "lambda/function:Function", "CompactLakeFunction").inputs;
    const policy = json(one(prod, "iam/rolePolicy:RolePolicy", "CompactorRolePolicy").inputs.policy).Statement as {
      Sid: string;
      Resource: string[];
    }[];
    expect([f.role, f.memorySize, f.timeout, f.ephemeralStorage]).toStrictEqual([
      "arn:aws:iam::123456789012:role/compactorrole-mock",
      3008,
      900,
      { size: 4096 },
    ]);
    expect(policy.find((s) => s.Sid === "WriteFunctionLogs")?.Resource).toStrictEqual([
      "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/loglake-production-compact-lake:*",
    ]);
  });

  it("maps SQS with partial batch responses, batch size, window and maximum concurrency", () => {
    const m = one(prod, "lambda/eventSourceMapping:EventSourceMapping", "IngestSqsEventSource").inputs;
    expect([m.functionResponseTypes, m.batchSize, m.maximumBatchingWindowInSeconds, m.scalingConfig]).toStrictEqual([
      ["ReportBatchItemFailures"],
      20,
      10,
      { maximumConcurrency: 20 },
    ]);
  });

  it("maps Kinesis with bisect on error, retries, record age and an on-failure destination", () => {
    const m = one(prod, "lambda/eventSourceMapping:EventSourceMapping", "IngestKinesisEventSource").inputs;
    expect([
      m.functionResponseTypes,
      m.bisectBatchOnFunctionError,
      m.maximumRetryAttempts,
      m.maximumRecordAgeInSeconds,
      m.destinationConfig,
    ]).toStrictEqual([
      ["ReportBatchItemFailures"],
      true,
      5,
      7200,
      { onFailure: { destinationArn: "arn:aws:sqs:eu-west-1:123456789012:loglake-production-stream-failures" } },
    ]);
  });

  it("gives the SQS consumer only its queue, its source prefixes, lake folders, WORM prefixes, keys and the alerts topic", () => {
    const resources = inline(prod, "IngestSqsRole").flatMap((s) => [s.Resource].flat());
    const foreign = resources.filter(
      (r) =>
        !/^arn:aws:s3:::acme-(trail|cdn)-logs\/(AWSLogs|cloudfront)\/\*$/.test(r) &&
        !/^arn:aws:s3:::acme-loglake-lake\/[a-z_]+\/\*$/.test(r) &&
        r !== "arn:aws:s3:::acme-loglake-lake" &&
        r !== "arn:aws:sns:eu-west-1:123456789012:alertstopic-mock" &&
        !/^arn:aws:s3:::acme-loglake-worm\/production\/[a-z_]+\/\*$/.test(r) &&
        r !== "arn:aws:sqs:eu-west-1:123456789012:loglake-production-ingest" &&
        r !== KEY_ARN &&
        r !== "arn:aws:s3:::acme-loglake-lake" &&
        r !== "arn:aws:s3:::acme-loglake-lake/_forward/*" &&
        !r.startsWith("arn:aws:logs:eu-west-1:123456789012:log-group:/acme/loglake/app-events") &&
        !r.includes("444455556666") &&
        !r.includes("initech-audit") &&
        !r.includes("777788889999"),
    );
    expect(foreign).toStrictEqual([]);
  });
});

describe("forwarding to CloudWatch Logs", () => {
  it("lets both consumers write the configured log group, create it with its retention, and claim their calls", () => {
    const group = "arn:aws:logs:eu-west-1:123456789012:log-group:/acme/loglake/app-events";
    for (const role of ["IngestSqsRole", "IngestKinesisRole"]) {
      expect([
        role,
        actionsOn(prod, role, group).sort(),
        actionsOn(prod, role, `${group}:log-stream:*`).sort(),
        actionsOn(prod, role, "arn:aws:s3:::acme-loglake-lake/_forward/*").sort(),
      ]).toStrictEqual([
        role,
        ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:PutRetentionPolicy"],
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        ["s3:GetObject", "s3:PutObject"],
      ]);
    }
  });

  it("alarms when events could not be forwarded to the destination", () => {
    const forward = one(prod, "cloudwatch/metricAlarm:MetricAlarm", "ForwardFailedSiem").inputs;
    expect([forward.metricName, forward.dimensions, forward.threshold]).toStrictEqual([
      "EventsForwardFailed",
      { service: "loglake-ingest", destination: "siem" },
      0,
    ]);
  });
});

describe("least privilege against what the handlers really write", () => {
  const config = resolveConfig(fixtureConfig);
  // IAM's `*` in a resource matches any run of characters, `/` included.
  const covers = (pattern: string, arn: string) =>
    new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*")}$`).test(arn);
  const allowed = (inv: Inventory, role: string, action: string, arn: string) =>
    inline(inv, role).some(
      (s) =>
        s.Effect === "Allow" && [s.Action].flat().includes(action) && [s.Resource].flat().some((r) => covers(r, arn)),
    );

  it("lets the SQS consumer write every WORM and role-less customer copy the copy planner makes, with retention", () => {
    for (const source of ["cloudtrail", "cloudtrail_digest", "cloudfront", "app_json"] as const) {
      const targets = planCopies(config, {
        source,
        bucket: "acme-trail-logs",
        key: "AWSLogs/111122223333/x.json.gz",
        eventTime: "2024-03-09T07:05:00Z",
      }).filter((t) => t.kind === "worm" || !t.assumeRole);
      for (const t of targets) {
        const arn = `arn:aws:s3:::${t.bucket}/${t.key}`;
        expect([source, arn, allowed(prod, "IngestSqsRole", "s3:PutObject", arn)]).toStrictEqual([source, arn, true]);
        if (t.kind === "worm") expect(allowed(prod, "IngestSqsRole", "s3:PutObjectRetention", arn)).toBe(true);
      }
    }
  });

  it("lets the Kinesis consumer archive its batches to WORM and nothing for customers", () => {
    const firstArrival = "2024-03-09T07:05:00Z";
    const [archive] = planCopies(config, {
      source: "kinesis",
      bucket: "",
      key: kinesisArchiveKey({
        stream: config.stream.name,
        shardId: "shardId-000000000000",
        firstSequence: "1",
        lastSequence: "2",
        firstArrival,
      }),
      eventTime: firstArrival,
    });
    const arn = `arn:aws:s3:::${archive?.bucket}/${archive?.key}`;
    expect(allowed(prod, "IngestKinesisRole", "s3:PutObject", arn)).toBe(true);
    expect(
      allowed(prod, "IngestKinesisRole", "s3:PutObject", "arn:aws:s3:::acme-loglake-worm/production/cloudtrail/x"),
    ).toBe(false);
    expect(
      inline(prod, "IngestKinesisRole")
        .flatMap((s) => [s.Action].flat())
        .filter((a) => a.startsWith("sts:")),
    ).toStrictEqual([]);
  });

  it("lets both consumers write lake files and manifests where the lake writer puts them", async () => {
    // Prepare: every source fixture ingested by the real writer, named as the SQS consumer names objects.
    const store = new LocalLakeStore(await mkdtemp(join(tmpdir(), "grants-lake-")));
    const fixtures = join(ROOT, "test/fixtures/sources");
    await withDuckDb(async (db) => {
      for (const id of readdirSync(fixtures)) {
        for (const file of readdirSync(join(fixtures, id)).filter((f) => !f.endsWith(".expected.json"))) {
          await ingestToLake({
            db,
            store,
            sources: SOURCES,
            bytes: (async function* () {
              yield readFileSync(join(fixtures, id, file));
            })(),
            key: file,
            sourceObject: s3Lineage(config.buckets.source, file),
            ingestTime: "2024-03-09T07:05:00Z",
            name: s3ObjectName({ bucket: config.buckets.source, key: `${id}/${file}` }),
            forced: id as SourceId,
          });
        }
      }
    });
    // Act
    // The local key file under _integrity/ is the embedded lake's signer; S3 lakes sign chain heads with KMS.
    const written = (await store.list(""))
      .filter((rel) => !rel.startsWith("_integrity/"))
      .map((rel) => `${config.lakePrefix}${rel}`);
    const manifests = written.filter((k) => k.startsWith(lakeManifestPrefix(config.lakePrefix)));
    // Assess
    expect(new Set(written.map((k) => k.split("/")[0]))).toStrictEqual(
      new Set([
        // The integrity table is written by verify and findings by the report runs, not by the consumers.
        ...TABLES.filter((t) => t.name !== "integrity" && t.name !== "findings").map((t) => t.name),
        MANIFEST_DIR.replace("/", ""),
        CHAIN_DIR.replace("/", ""),
      ]),
    );
    const denied = (role: string, action: string, keys: string[]) =>
      keys.filter((k) => !allowed(prod, role, action, `arn:aws:s3:::${config.buckets.lake}/${k}`));
    for (const role of ["IngestSqsRole", "IngestKinesisRole"]) {
      expect([role, denied(role, "s3:PutObject", written)]).toStrictEqual([role, []]);
      expect([role, denied(role, "s3:GetObject", manifests)]).toStrictEqual([role, []]);
    }
  });
});

const queries = loadQueries(
  readdirSync(join(ROOT, "queries"), { recursive: true, encoding: "utf8" })
    .filter((p) => p.endsWith(".sql"))
    .map((p) => ({ path: p, text: readFileSync(join(ROOT, "queries", p), "utf8") })),
  QUERYABLE_TABLE_NAMES,
);

describe("catalog", () => {
  it("declares one Glue table per registered table, with the schema's columns and the lake layout", () => {
    const tables = all(prod, "glue/catalogTable:CatalogTable");
    expect(tables.map((t) => t.inputs.name).sort()).toStrictEqual([...QUERYABLE_TABLE_NAMES].sort());
    for (const t of TABLES) {
      const args = tables.find((x) => x.inputs.name === t.name)?.inputs as {
        databaseName: string;
        storageDescriptor: { columns: unknown; location: string };
      };
      expect(args.databaseName).toBe("loglake_production");
      expect(args.storageDescriptor.columns).toStrictEqual(toGlueColumns(t));
      expect(args.storageDescriptor.location).toBe(`s3://acme-loglake-lake/${t.name}/`);
    }
  });

  it("writes the detections' allow-lists from the config into the lake for the unpartitioned JSON Glue table", () => {
    const table = one(prod, "glue/catalogTable:CatalogTable", "TableDetectionAllowlist");
    expect(table.inputs.partitionKeys).toStrictEqual([]);
    const file = one(prod, "s3/bucketObjectv2:BucketObjectv2", "ConfigTableDetectionAllowlist").inputs as {
      key: string;
      content: string;
    };
    expect(file.key).toBe("detection_allowlist/detection_allowlist.json");
    expect(file.content).toBe(
      '{"kind":"max_public_prefix","value":"16"}\n{"kind":"max_public_prefix_v6","value":"48"}\n',
    );
  });

  it("enforces the workgroup: engine 3, KMS-encrypted results, the configured scan cutoff", () => {
    expect(one(prod, "athena/workgroup:Workgroup", "Workgroup").inputs.configuration).toStrictEqual({
      enforceWorkgroupConfiguration: true,
      publishCloudwatchMetricsEnabled: true,
      bytesScannedCutoffPerQuery: 20 * 1024 ** 3,
      engineVersion: { selectedEngineVersion: "Athena engine version 3" },
      resultConfiguration: {
        outputLocation: `s3://${bucketId(prod, "AthenaResultsBucket")}/results/`,
        encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: KEY_ARN },
      },
    });
  });

  it("saves one named query per queries/**/*.sql with the header's name and description", () => {
    const saved = all(prod, "athena/namedQuery:NamedQuery").map((q) => [
      q.inputs.name,
      q.inputs.description,
      q.inputs.database,
    ]);
    expect(saved.sort()).toStrictEqual(queries.map((q) => [q.name, q.description, "loglake_production"]).sort());
  });

  it("schedules each scheduled report, invoking the exporter with the report and its period", () => {
    const schedules = all(prod, "scheduler/schedule:Schedule").map((s) => {
      const target = s.inputs.target as { arn: string; input: string };
      return [s.inputs.scheduleExpression, s.inputs.scheduleExpressionTimezone, target.arn, json(target.input)];
    });
    const expected: unknown[][] = reportSchedules(queries).map((r) => [
      r.schedule,
      "UTC",
      "arn:aws:lambda:eu-west-1:123456789012:function:loglake-production-export-report",
      r.event,
    ]);
    expected.push([
      "cron(30 * * * ? *)",
      "UTC",
      "arn:aws:lambda:eu-west-1:123456789012:function:loglake-production-verify-integrity",
      {},
    ]);
    expected.push([
      "cron(15 * * * ? *)",
      "UTC",
      "arn:aws:lambda:eu-west-1:123456789012:function:loglake-production-compact-lake",
      {},
    ]);
    expect(schedules.sort()).toStrictEqual(expected.sort());
  });
});

describe("alerts on ingest and the report's findings", () => {
  const config = resolveConfig(fixtureConfig);
  const TOPIC = "arn:aws:sns:eu-west-1:123456789012:alertstopic-mock";
  const lake = (key: string) => `arn:aws:s3:::${config.buckets.lake}/${config.lakePrefix}${key}`;
  const covers = (pattern: string, arn: string) =>
    new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*")}$`).test(arn);
  const allowed = (inv: Inventory, role: string, action: string, arn: string) =>
    inline(inv, role).some(
      (st) =>
        st.Effect === "Allow" &&
        [st.Action].flat().includes(action) &&
        [st.Resource].flat().some((r) => covers(r, arn)),
    );
  /** True when a Deny of the lake bucket policy refuses `role` a DeleteObject of `arn`. */
  const deleteDenied = (inv: Inventory, role: string, arn: string) =>
    (
      json(one(inv, "s3/bucketPolicy:BucketPolicy", "LakeBucketPolicy").inputs.policy).Statement as {
        Effect: string;
        Action: string[];
        Resource?: string[];
        NotResource?: string[];
        Condition: { ArnNotEquals: { "aws:PrincipalArn": string | string[] } };
      }[]
    ).some(
      (st) =>
        st.Effect === "Deny" &&
        st.Action.includes("s3:DeleteObject*") &&
        (st.Resource ? st.Resource.some((r) => covers(r, arn)) : !(st.NotResource ?? []).some((r) => covers(r, arn))) &&
        ![st.Condition.ArnNotEquals["aws:PrincipalArn"]].flat().includes(roleArn(inv, role)),
    );
  const env = (inv: Inventory, fn: string) =>
    (one(inv, "lambda/function:Function", fn).inputs.environment as { variables: Record<string, string> }).variables;
  const claim = lake(alertClaimKey({ detection_id: "cloudtrail/root-account-usage", event_id: "e-1" }));
  const trailFile = lake(
    lakeFileKey({ table: "cloudtrail", partition: { dt: "2025-07-01", hour: "09" }, name: "n", chunk: 0, index: 0 }),
  );

  it("bundles the queries folder where the consumers and the exporter read it, with every alert detection", () => {
    const sql = readdirSync(join(ROOT, "queries"), { recursive: true, encoding: "utf8" })
      .filter((p) => statSync(join(ROOT, "queries", p)).isFile())
      .map((p) => `queries/${p.split(sep).join("/")}`)
      .sort();
    const alerting = alertDetections(queries).map((q) => `queries/${q.id}.sql`);
    for (const fn of ["IngestSqs", "IngestKinesis", "ExportReport"]) {
      const files = prod.builds.find((b) => b.functionID === fn)?.files ?? [];
      expect([fn, files, alerting.filter((f) => !files.includes(f))]).toStrictEqual([fn, sql, []]);
    }
    expect(alerting.length).toBeGreaterThan(0);
  });

  it("gives both consumers the alerts topic, and the default queries folder beside the handler", () => {
    for (const inv of [prod, dev])
      for (const fn of ["IngestSqsFunction", "IngestKinesisFunction"])
        expect([fn, loadAlertSettings({ ...env(inv, fn), QUERIES_DIR: undefined })]).toStrictEqual([
          fn,
          { topicArn: TOPIC, queriesDir: join(process.cwd(), "queries") },
        ]);
    expect(env(prod, "IngestSqsFunction").QUERIES_DIR).toBeUndefined();
  });

  it("lets both consumers publish alerts, read back the rows and the allow-list, and claim under _alerts/", () => {
    const allowList = lake(configTableKey("detection_allowlist"));
    for (const role of ["IngestSqsRole", "IngestKinesisRole"]) {
      expect([
        role,
        allowed(prod, role, "sns:Publish", TOPIC),
        allowed(prod, role, "s3:GetObject", trailFile),
        allowed(prod, role, "s3:GetObject", allowList),
        allowed(prod, role, "s3:ListBucket", `arn:aws:s3:::${config.buckets.lake}`),
        allowed(prod, role, "s3:PutObject", claim),
        allowed(prod, role, "s3:DeleteObject", claim),
        deleteDenied(prod, role, claim),
        allowed(prod, role, "s3:DeleteObject", trailFile),
        deleteDenied(prod, role, trailFile),
      ]).toStrictEqual([role, true, true, true, true, true, true, false, false, true]);
    }
  });

  it("gives the exporter the lake, its config, the findings table and Security Hub only where the config enables it", () => {
    const findingsFile = lake(
      lakeFileKey({
        table: findingsTable.name,
        partition: { dt: "2025-07-01", hour: "09" },
        name: "n",
        chunk: 0,
        index: 0,
      }),
    );
    const record = lake(manifestKey("findings-security-2025-07-01"));
    const link = lake(chainLinkKey(findingsTable.name, "2025-07-01", 0));
    const marker = lake(securityHubExportKey("2025-07-01", "f1"));
    const product = "arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default";
    const seen = (inv: Inventory) => {
      const vars = env(inv, "ExportReportFunction");
      const hubActions = inline(inv, "ExportReportRole")
        .flatMap((st) => [st.Action].flat())
        .filter((a) => a.startsWith("securityhub:"));
      return [
        vars.LAKE_BUCKET,
        vars.LAKE_PREFIX,
        securityHubAccount(loadFunctionConfig(vars).config),
        allowed(inv, "ExportReportRole", "s3:PutObject", findingsFile),
        allowed(inv, "ExportReportRole", "s3:DeleteObject", findingsFile),
        deleteDenied(inv, "ExportReportRole", findingsFile),
        deleteDenied(inv, "ExportReportRole", trailFile),
        allowed(inv, "ExportReportRole", "s3:GetObject", record),
        allowed(inv, "ExportReportRole", "s3:PutObject", record),
        allowed(inv, "ExportReportRole", "s3:PutObject", link),
        hubActions,
        allowed(inv, "ExportReportRole", "securityhub:BatchImportFindings", product),
        allowed(inv, "ExportReportRole", "s3:PutObject", marker),
      ];
    };
    const lakeAndFindings = [config.buckets.lake, config.lakePrefix] as const;
    expect(seen(prod)).toStrictEqual([
      ...lakeAndFindings,
      "123456789012",
      true,
      true,
      false,
      true,
      true,
      true,
      true,
      ["securityhub:BatchImportFindings"],
      true,
      true,
    ]);
    expect(seen(dev)).toStrictEqual([
      ...lakeAndFindings,
      undefined,
      true,
      true,
      false,
      true,
      true,
      true,
      true,
      [],
      false,
      false,
    ]);
    // The consumers may not delete findings, nor the exporter alert claims.
    expect([
      deleteDenied(prod, "IngestSqsRole", findingsFile),
      deleteDenied(prod, "ExportReportRole", claim),
    ]).toStrictEqual([true, true]);
  });
});

describe("alarms", () => {
  it("alarms on DLQ depth, iterator age, function errors, quarantine rate, missing logs, integrity findings and forwarding failures, to the alerts topic", () => {
    const alarms = all(prod, "cloudwatch/metricAlarm:MetricAlarm");
    expect(alarms.map((a) => a.name).sort()).toStrictEqual([
      "CompactLakeErrors",
      "ExportReportErrors",
      "ForwardFailedSiem",
      "IngestDlqDepth",
      "IngestKinesisErrors",
      "IngestSqsErrors",
      "IntegrityFindings",
      "MissingLogsCloudfront",
      "MissingLogsCloudtrail",
      "QuarantineRate",
      "ReportScheduleDlqDepth",
      "StreamFailureQueueDepth",
      "StreamIteratorAge",
      "VerifyIntegrityErrors",
    ]);
    const topic = "arn:aws:sns:eu-west-1:123456789012:alertstopic-mock";
    for (const a of alarms)
      expect([a.name, a.inputs.alarmActions, a.inputs.okActions]).toStrictEqual([a.name, [topic], [topic]]);
    expect(one(prod, "sns/topic:Topic", "AlertsTopic").inputs.kmsMasterKeyId).toBe(KEY_ARN);
  });

  it("alarms on any error of every scheduled function, to the alerts topic", () => {
    const scheduled = new Set(
      all(prod, "scheduler/schedule:Schedule").map((s) =>
        (s.inputs.target as { arn: string }).arn.replace(/^arn:aws:lambda:[^:]+:\d+:function:/, ""),
      ),
    );
    const errorAlarms = all(prod, "cloudwatch/metricAlarm:MetricAlarm")
      .filter((a) => a.inputs.namespace === "AWS/Lambda" && a.inputs.metricName === "Errors")
      .map((a) => [
        (a.inputs.dimensions as { FunctionName: string }).FunctionName,
        a.inputs.threshold,
        a.inputs.alarmActions,
      ]);
    const topic = "arn:aws:sns:eu-west-1:123456789012:alertstopic-mock";
    expect([...scheduled].sort()).toStrictEqual([
      "loglake-production-compact-lake",
      "loglake-production-export-report",
      "loglake-production-verify-integrity",
    ]);
    expect(errorAlarms.filter(([fn]) => scheduled.has(fn as string)).sort()).toStrictEqual(
      [...scheduled].sort().map((fn) => [fn, 0, [topic]]),
    );
  });
});

describe("trail", () => {
  const TRAIL = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/loglake-production-trail";
  const TOPIC = "arn:aws:sns:eu-west-1:123456789012:loglake-production-trail-notifications";

  it("logs every region with global service events and validated files, encrypted with the project key, to a topic", () => {
    const t = one(prod, "cloudtrail/trail:Trail", "Trail");
    expect(t.inputs).toStrictEqual({
      name: "loglake-production-trail",
      s3BucketName: "acme-trail-logs",
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      enableLogging: true,
      isOrganizationTrail: true,
      kmsKeyId: KEY_ARN,
      snsTopicName: "loglake-production-trail-notifications",
      advancedEventSelectors: trailEventSelectors({
        partition: "aws",
        buckets: ["acme-loglake-lake", "acme-loglake-worm"],
        functionArns: ["arn:aws:lambda:eu-west-1:123456789012:function:payments-api"],
      }),
    });
    expect([t.protect, t.retainOnDelete, prod.outputs.trail]).toStrictEqual([true, true, TRAIL]);
  });

  it("is not deployed by a throwaway stage, whose trail would replace the bucket policy of the permanent one", () => {
    const trailResources = (inv: Inventory) =>
      inv.resources
        .filter((r) => r.type === "aws:cloudtrail/trail:Trail" || r.name.startsWith("Trail"))
        .map((r) => r.name);
    expect([trailResources(dev), "trail" in dev.outputs]).toStrictEqual([[], false]);
    expect(json(one(dev, "kms/key:Key", "ProjectKey").inputs.policy)).toStrictEqual(
      projectKeyPolicy({ partition: "aws", accountId: "123456789012" }),
    );
  });

  it("lets CloudTrail write to the source bucket exactly as documented, for this trail only", () => {
    const policy = json(one(prod, "s3/bucketPolicy:BucketPolicy", "TrailBucketPolicyAcmeTrailLogs").inputs.policy);
    expect(policy).toStrictEqual(
      trailBucketPolicy({
        bucketArn: "arn:aws:s3:::acme-trail-logs",
        trailArn: TRAIL,
        accountId: "123456789012",
        keyPrefix: "",
        organizationId: "o-a1b2c3d4e5",
      }),
    );
    const grants = (
      policy.Statement as {
        Effect: string;
        Principal: unknown;
        Action: string[];
        Resource: string[];
        Condition: unknown;
      }[]
    )
      .filter((st) => st.Effect === "Allow")
      .map((st) => [st.Principal, st.Action, st.Resource, st.Condition]);
    expect(grants).toStrictEqual([
      [
        { Service: "cloudtrail.amazonaws.com" },
        ["s3:GetBucketAcl"],
        ["arn:aws:s3:::acme-trail-logs"],
        { StringEquals: { "aws:SourceArn": TRAIL } },
      ],
      [
        { Service: "cloudtrail.amazonaws.com" },
        ["s3:PutObject"],
        ["arn:aws:s3:::acme-trail-logs/AWSLogs/123456789012/*", "arn:aws:s3:::acme-trail-logs/AWSLogs/o-a1b2c3d4e5/*"],
        { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL } },
      ],
    ]);
  });

  it("delivers where the ingest notifications look and the SQS consumer may read", () => {
    // Prepare: a log file and a digest as CloudTrail names them under each prefix the bucket policy lets it write.
    const writes = (
      json(one(prod, "s3/bucketPolicy:BucketPolicy", "TrailBucketPolicyAcmeTrailLogs").inputs.policy).Statement as {
        Sid: string;
        Resource: string[];
      }[]
    ).find((st) => st.Sid === "CloudTrailWrite")?.Resource as string[];
    const keys = writes.flatMap((w) => {
      const under = w.replace("arn:aws:s3:::acme-trail-logs/", "").replace(/\*$/, "");
      const account = under.includes("o-") ? `${under}111122223333/` : under;
      return [
        `${account}CloudTrail/eu-west-1/2024/03/09/111122223333_CloudTrail_eu-west-1_20240309T0705Z_a1.json.gz`,
        `${account}CloudTrail-Digest/eu-west-1/2024/03/09/111122223333_CloudTrail-Digest_eu-west-1_t_eu-west-1_20240309T070500Z.json.gz`,
      ];
    });
    const notification = all(prod, "s3/bucketNotification:BucketNotification").find(
      (r) => r.inputs.bucket === "acme-trail-logs",
    );
    const filter = String((notification?.inputs.queues as { filterPrefix: string }[] | undefined)?.[0]?.filterPrefix);
    const reads = inline(prod, "IngestSqsRole")
      .filter((st) => [st.Action].flat().includes("s3:GetObject"))
      .flatMap((st) => [st.Resource].flat());
    // Act
    const unseen = keys.filter((k) => !k.startsWith(filter));
    const unread = keys.filter(
      (k) => !reads.some((r) => r.endsWith("*") && `arn:aws:s3:::acme-trail-logs/${k}`.startsWith(r.slice(0, -1))),
    );
    // Assess
    expect([keys.length, unseen, unread]).toStrictEqual([4, [], []]);
  });

  it("lets CloudTrail use the project key for this trail and its topic only, and only this trail publish", () => {
    expect(json(one(prod, "kms/key:Key", "ProjectKey").inputs.policy)).toStrictEqual(
      projectKeyPolicy({
        partition: "aws",
        accountId: "123456789012",
        // globex copies CloudTrail through its own role; initech receives CloudFront only.
        trail: {
          trailArn: TRAIL,
          topicArn: TOPIC,
          customerRoleArns: ["arn:aws:iam::444455556666:role/loglake-writer"],
        },
      }),
    );
    const topic = one(prod, "sns/topic:Topic", "TrailTopic");
    expect([topic.inputs.name, topic.inputs.kmsMasterKeyId]).toStrictEqual([
      "loglake-production-trail-notifications",
      KEY_ARN,
    ]);
    expect(json(one(prod, "sns/topicPolicy:TopicPolicy", "TrailTopicPolicy").inputs.policy)).toStrictEqual(
      trailTopicPolicy({ topicArn: TOPIC, trailArn: TRAIL }),
    );
  });
});

describe("the organization's CloudWatch Logs destination", () => {
  const STREAM = "arn:aws:kinesis:eu-west-1:123456789012:stream/loglake-production-stream";
  const DESTINATION = "arn:aws:logs:eu-west-1:123456789012:destination:loglake-production-logs";
  const ROLE = "arn:aws:iam::123456789012:role/loglake-production-log-destination";

  it("targets the ingest stream through a role only CloudWatch Logs of the region assumes, to put records there", () => {
    expect(one(prod, "cloudwatch/logDestination:LogDestination", "LogDestination").inputs).toStrictEqual({
      name: "loglake-production-logs",
      roleArn: ROLE,
      targetArn: STREAM,
    });
    expect(one(prod, "kinesis/stream:Stream", "Stream").id).toBe("loglake-production-stream");
    const role = one(prod, "iam/role:Role", "LogDestinationRole");
    expect(json(role.inputs.assumeRolePolicy)).toStrictEqual(
      policyDocument(logDestinationTrustPolicy({ partition: "aws", region: "eu-west-1", accountId: "123456789012" })),
    );
    expect(inline(prod, "LogDestinationRole")).toStrictEqual(
      logDestinationRoleStatements({ streamArn: STREAM, kmsKeyArn: KEY_ARN }),
    );
  });

  it("lets principals of the organization alone subscribe, and hands member accounts the ARN and their role", () => {
    const policy = one(prod, "cloudwatch/logDestinationPolicy:LogDestinationPolicy", "LogDestinationPolicy").inputs;
    expect([policy.destinationName, json(policy.accessPolicy)]).toStrictEqual([
      "loglake-production-logs",
      logDestinationPolicy({ destinationArn: DESTINATION, organizationId: "o-a1b2c3d4e5" }),
    ]);
    const member = memberSubscriptionRole({ partition: "aws", region: "eu-west-1" });
    expect(prod.outputs.organizationLogs).toStrictEqual({
      destinationArn: DESTINATION,
      region: "eu-west-1",
      organizationId: "o-a1b2c3d4e5",
      memberRoleTrustPolicy: JSON.stringify(member.trustPolicy),
      memberRolePermissionPolicy: JSON.stringify(member.permissionPolicy),
    });
    expect(dev.outputs.organizationLogs).toStrictEqual({
      ...(prod.outputs.organizationLogs as object),
      destinationArn: "arn:aws:logs:eu-west-1:123456789012:destination:loglake-pr-7-logs",
    });
  });
});

describe("access by role", () => {
  const config = resolveConfig(fixtureConfig);
  const reportsBucket = () => arnOf(bucketId(prod, "ReportsBucket"));
  const scope = () => ({
    region: "eu-west-1",
    kmsKeyArn: KEY_ARN,
    workgroupArn: "arn:aws:athena:eu-west-1:123456789012:workgroup/loglake-production",
    complianceWorkgroupArn: "arn:aws:athena:eu-west-1:123456789012:workgroup/loglake-production-compliance",
    dataCatalogArn: "arn:aws:athena:eu-west-1:123456789012:datacatalog/AwsDataCatalog",
    glue: {
      catalogArn: "arn:aws:glue:eu-west-1:123456789012:catalog",
      databaseArn: "arn:aws:glue:eu-west-1:123456789012:database/loglake_production",
      tablesArn: "arn:aws:glue:eu-west-1:123456789012:table/loglake_production/*",
    },
    lake: { bucketArn: arnOf(config.buckets.lake), prefixes: TABLES.map((t) => `${t.name}/`) },
    resultsBucketArn: arnOf(bucketId(prod, "AthenaResultsBucket")),
    resultsPrefix: "results/",
    reports: { bucketArn: reportsBucket(), prefixes: ["reports/"] },
  });
  const trust = (role: string) => json(one(prod, "iam/role:Role", role).inputs.assumeRolePolicy).Statement;

  it("lets only the configured principals assume each role, the analyst only with MFA", () => {
    expect(trust("SecurityAnalystRole")).toStrictEqual(
      humanTrustPolicy({ principals: ["arn:aws:iam::123456789012:role/SecOpsAnalysts"], requireMfa: true }),
    );
    expect(trust("ComplianceRole")).toStrictEqual(
      humanTrustPolicy({
        principals: ["arn:aws:iam::123456789012:role/Auditors", "arn:aws:iam::123456789012:user/auditor"],
        requireMfa: false,
      }),
    );
    for (const role of ["SecurityAnalystRole", "ComplianceRole"]) {
      const r = one(prod, "iam/role:Role", role).inputs;
      expect([role, r.maxSessionDuration, r.managedPolicyArns]).toStrictEqual([role, 3600, undefined]);
    }
    expect([prod.outputs.securityAnalystRole, prod.outputs.complianceRole]).toStrictEqual([
      roleArn(prod, "SecurityAnalystRole"),
      roleArn(prod, "ComplianceRole"),
    ]);
  });

  it("gives the analyst the workgroup, the catalog, the lake's tables and the reports, statement by statement", () => {
    expect(inline(prod, "SecurityAnalystRole")).toStrictEqual(securityAnalystStatements(scope()));
  });

  it("gives the compliance reader the reports and the compliance queries only", () => {
    expect(inline(prod, "ComplianceRole")).toStrictEqual(complianceStatements(scope()));
    const resources = inline(prod, "ComplianceRole").flatMap((st) => [st.Resource].flat());
    expect(resources.filter((r) => r.includes(config.buckets.lake) || r.includes("athena-mock"))).toStrictEqual([]);
  });

  it("keeps the compliance report's named queries in the workgroup the compliance role reads, and no other query", () => {
    const byWorkgroup = (wg: string) =>
      all(prod, "athena/namedQuery:NamedQuery")
        .filter((q) => q.inputs.workgroup === wg)
        .map((q) => q.inputs.name)
        .sort();
    expect(one(prod, "athena/workgroup:Workgroup", "ComplianceWorkgroup").inputs.configuration).toStrictEqual(
      one(prod, "athena/workgroup:Workgroup", "Workgroup").inputs.configuration,
    );
    const compliance = queries.filter((q) => q.report === "compliance").map((q) => q.name);
    expect(byWorkgroup("loglake-production-compliance")).toStrictEqual([...compliance].sort());
    expect(byWorkgroup("loglake-production")).toStrictEqual(
      queries
        .filter((q) => q.report !== "compliance")
        .map((q) => q.name)
        .sort(),
    );
  });

  it("lets no role but the lake's readers read it, and the readers are exactly the lake's consumers and the analyst", () => {
    const deny = (
      json(one(prod, "s3/bucketPolicy:BucketPolicy", "LakeBucketPolicy").inputs.policy).Statement as {
        Sid: string;
        Condition: { ArnNotEquals: { "aws:PrincipalArn": string[] } };
      }[]
    ).find((st) => st.Sid === "DenyReadExceptReaders");
    const readers = deny?.Condition.ArnNotEquals["aws:PrincipalArn"];
    expect(readers).toStrictEqual(
      READERS.map((r) =>
        r === "CompactorRole" ? "arn:aws:iam::123456789012:role/compactorrole-mock" : roleArn(prod, r),
      ).sort(),
    );
    expect(readers?.includes(roleArn(prod, "ComplianceRole"))).toBe(false);
    // Every role whose identity policy reads lake objects is one of them (checked by the invariants as well).
    expect(checkInvariants(prod.resources).filter((v) => v.rule === "lake-readers")).toStrictEqual([]);
  });
});
