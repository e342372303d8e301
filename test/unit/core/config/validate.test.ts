import {
  type ConfigIssue,
  ConfigValidationError,
  configFromJson,
  resolveConfig,
  resolveSettings,
} from "@app/core/config/index";
import { ConfigError } from "@app/core/errors";
import { functionConfigJson } from "@app/core/infra/config";
import { SOURCES } from "@app/core/sources/index";
import { describe, expect, it } from "vitest";
import * as fixture from "../../infra/fixtures/loglake.config.ts";

function issuesOf(fn: () => unknown): ConfigIssue[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigValidationError) return e.issues;
    throw e;
  }
  throw new Error("config was accepted");
}

const BUCKET_MESSAGE =
  "must be 3-63 characters of lowercase letters, digits, dots and hyphens, starting and ending alphanumeric";

describe("resolveConfig", () => {
  it("applies every default when only env is given", () => {
    // Act
    const c = resolveConfig({ env: "prod" });
    // Assess
    expect({ ...c, worm: { ...c.worm, keyTemplateParts: undefined } }).toStrictEqual({
      env: "prod",
      region: "us-east-1",
      // Every registered source is enabled, so adding a source needs no change here.
      sources: Object.fromEntries(SOURCES.map((s) => [s.id, { worm: true }])),
      buckets: { source: "loglake-prod-source", lake: "loglake-prod-lake", worm: "loglake-prod-worm" },
      lakePrefix: "",
      worm: {
        mode: "GOVERNANCE",
        retentionDays: 2557,
        keyTemplate: "<env>/<source>/<key>",
        keyTemplateParts: undefined,
      },
      destinations: [],
      queues: {
        ingest: "loglake-prod-ingest",
        dlq: "loglake-prod-ingest-dlq",
        visibilityTimeoutSeconds: 5400,
        maxReceiveCount: 3,
        batchSize: 10,
        batchingWindowSeconds: 5,
      },
      stream: {
        name: "loglake-prod-stream",
        shardCount: 1,
        batchSize: 100,
        batchingWindowSeconds: 1,
        maxRetryAttempts: 3,
        maxRecordAgeSeconds: 3600,
      },
      securityHub: { enabled: false },
      detections: {
        approvedPrincipals: [],
        approvedAccounts: [],
        samlProviders: [],
        expectedRegions: [],
        maxPublicPrefix: 16,
        maxPublicPrefixV6: 48,
      },
      compaction: { settleHours: 2, targetFileMb: 256, maxFilesPerHour: 50 },
      redaction: { credentials: true, rules: [] },
      sizes: {
        functionTimeoutSeconds: 900,
        memoryMb: 2048,
        tmpStorageMb: 2048,
        multipartCopyThresholdBytes: 5 * 1024 ** 3,
        copyPartSizeBytes: 512 * 1024 ** 2,
        heartbeatSeconds: 60,
      },
    });
  });

  it("fills destination defaults: key template and every enabled source", () => {
    // Act
    const c = resolveConfig({
      env: "dev",
      sources: { cloudtrail: {}, app_json: { worm: false } },
      destinations: [{ name: "acme", bucket: "acme-logs" }],
    });
    // Assess
    expect(c.destinations).toStrictEqual([
      {
        type: "s3",
        name: "acme",
        bucket: "acme-logs",
        keyTemplate: "<env>/<source>/<key>",
        keyTemplateParts: [{ token: "env" }, { literal: "/" }, { token: "source" }, { literal: "/" }, { token: "key" }],
        sources: ["cloudtrail", "app_json"],
      },
    ]);
    expect(c.sources).toStrictEqual({ cloudtrail: { worm: true }, app_json: { worm: false } });
  });

  it("fills CloudWatch Logs destination defaults: stream per source, the config's region, the enabled app event sources", () => {
    // Act
    const c = resolveConfig({
      env: "dev",
      region: "eu-west-1",
      sources: { cloudtrail: {}, app_json: {} },
      destinations: [
        { name: "acme", bucket: "acme-logs", sources: ["cloudtrail"] },
        { type: "cloudwatch_logs", name: "siem", logGroup: "/loglake/app", createIfMissing: true, retentionDays: 30 },
      ],
    });
    // Assess
    expect(c.destinations[1]).toStrictEqual({
      type: "cloudwatch_logs",
      name: "siem",
      logGroup: "/loglake/app",
      logStream: "source",
      createIfMissing: true,
      retentionDays: 30,
      sources: ["app_json"],
      region: "eu-west-1",
    });
    expect(configFromJson(functionConfigJson(c))).toStrictEqual(c);
  });

  it("derives the visibility default from the function timeout", () => {
    expect(resolveConfig({ env: "dev", sizes: { functionTimeoutSeconds: 60 } }).queues.visibilityTimeoutSeconds).toBe(
      360,
    );
  });

  it("accepts local timings, leaving the Lambda event-source rule to the deployment", () => {
    // Act: the timings `loglake dev` and the e2e tests use, where no Lambda timeout applies.
    const c = resolveConfig({
      env: "e2e",
      queues: { visibilityTimeoutSeconds: 4 },
      sizes: { functionTimeoutSeconds: 4, heartbeatSeconds: 1 },
    });
    // Assess
    expect([c.queues.visibilityTimeoutSeconds, c.sizes.functionTimeoutSeconds]).toStrictEqual([4, 4]);
  });

  it("survives the JSON trip to a function", () => {
    // Prepare
    const c = resolveConfig({
      env: "prod",
      destinations: [
        {
          name: "acme",
          bucket: "acme-logs",
          kmsKeyId: "alias/acme",
          roleArn: "arn:aws:iam::111122223333:role/writer",
          externalId: "acme-ext-1",
        },
      ],
    });
    // Act
    const again = configFromJson(functionConfigJson(c));
    // Assess
    expect(again).toStrictEqual(c);
  });

  it.each<[string, unknown, ConfigIssue[]]>([
    ["a config that is not an object", 42, [{ field: "(root)", message: "must be an object" }]],
    ["a missing env", {}, [{ field: "env", message: "is required" }]],
    ["an env that is not a string", { env: 7 }, [{ field: "env", message: "is required (a string)" }]],
    ["an env with ..", { env: "a..b" }, [{ field: "env", message: 'must not contain ".."' }]],
    ["an env with a leading slash", { env: "/prod" }, [{ field: "env", message: 'must not start with "/"' }]],
    [
      "an env with empty segments",
      { env: "a//b" },
      [{ field: "env", message: "must not contain empty path segments" }],
    ],
    [
      "an env with upper case",
      { env: "Prod" },
      [
        {
          field: "env",
          message: "must be 1-30 lowercase letters, digits or hyphens, starting and ending alphanumeric",
        },
      ],
    ],
    [
      "a bad region",
      { env: "p", region: "mars-1" },
      [{ field: "region", message: '"mars-1" is not an AWS region name' }],
    ],
    [
      "a bad lake prefix",
      { env: "p", lakePrefix: "../x" },
      [
        { field: "lakePrefix", message: 'must not contain ".."' },
        { field: "lakePrefix", message: 'must end with "/"' },
      ],
    ],
    [
      "an unknown source",
      { env: "p", sources: { nginx: {} } },
      [
        {
          field: "sources.nginx",
          message: `unknown source "nginx" (known: ${SOURCES.map((s) => s.id).join(", ")})`,
        },
      ],
    ],
    [
      "a mistyped source",
      { env: "p", sources: { cloudtrial: {} } },
      [{ field: "sources.cloudtrial", message: 'unknown source "cloudtrial" (did you mean "cloudtrail"?)' }],
    ],
    ["no source at all", { env: "p", sources: {} }, [{ field: "sources", message: "must enable at least one source" }]],
    [
      "a WORM flag that is not a boolean",
      { env: "p", sources: { cloudtrail: { worm: "yes" } } },
      [{ field: "sources.cloudtrail.worm", message: "must be true or false" }],
    ],
    [
      "a real-time field list without timestamp",
      { env: "p", sources: { cloudfront_realtime: { realtimeFields: ["c-ip", "sc-status"] } } },
      [
        {
          field: "sources.cloudfront_realtime.realtimeFields",
          message: 'no time field (timestamp) in ["c-ip","sc-status"]',
        },
      ],
    ],
    [
      "a real-time field list with an empty name",
      { env: "p", sources: { cloudfront_realtime: { realtimeFields: ["timestamp", ""] } } },
      [{ field: "sources.cloudfront_realtime.realtimeFields", message: "must be a list of non-empty field names" }],
    ],
    [
      "real-time fields on another source",
      { env: "p", sources: { cloudfront: { realtimeFields: ["timestamp"] } } },
      [{ field: "sources.cloudfront.realtimeFields", message: "only applies to cloudfront_realtime" }],
    ],
    [
      "a bad bucket name",
      { env: "p", buckets: { source: "x" } },
      [{ field: "buckets.source", message: BUCKET_MESSAGE }],
    ],
    [
      "two buckets that are one",
      { env: "p", buckets: { lake: "same-bucket", worm: "same-bucket" } },
      [{ field: "buckets", message: "source, lake and worm must be three different buckets" }],
    ],
    [
      "a bucket that looks like an IP address",
      { env: "p", buckets: { lake: "192.168.1.1" } },
      [{ field: "buckets.lake", message: "must not look like an IP address" }],
    ],
    [
      "a bad WORM mode and retention",
      { env: "p", worm: { mode: "LEGAL_HOLD", retentionDays: 0 } },
      [
        { field: "worm.mode", message: "must be GOVERNANCE or COMPLIANCE" },
        { field: "worm.retentionDays", message: "must be a whole number of days from 1 to 36500" },
      ],
    ],
    [
      "a WORM template without <key>",
      { env: "p", worm: { keyTemplate: "<env>/<source>" } },
      [
        {
          field: "worm.keyTemplate",
          message: "must contain <key>, or copies of different objects would overwrite each other",
        },
      ],
    ],
    [
      "a bad customer destination",
      {
        env: "p",
        sources: { cloudtrail: {} },
        destinations: [
          {
            name: "acme",
            bucket: "Acme_Logs",
            keyTemplate: "/x/<nope>//<key>",
            kmsKeyId: "my-key",
            roleArn: "arn:aws:iam::1:role/w",
            sources: ["cloudfront", "cloudfrnt"],
          },
        ],
      },
      [
        { field: "destinations[0].bucket", message: BUCKET_MESSAGE },
        {
          field: "destinations[0].keyTemplate",
          message: "unknown placeholder <nope> (known: <env>, <source>, <key>, <bucket>, <yyyy>, <mm>, <dd>, <hh>)",
        },
        { field: "destinations[0].keyTemplate", message: 'must not start with "/"' },
        { field: "destinations[0].keyTemplate", message: "must not contain empty path segments" },
        {
          field: "destinations[0].kmsKeyId",
          message: "must be a KMS key id, multi-Region key id, alias/<name>, or key/alias ARN",
        },
        {
          field: "destinations[0].roleArn",
          message: "must be an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)",
        },
        { field: "destinations[0].sources[1]", message: '"cloudfrnt" is not a source (did you mean "cloudfront"?)' },
        {
          field: "destinations[0].externalId",
          message: "is required with roleArn (it protects the customer against the confused deputy)",
        },
        { field: "destinations[0].sources[0]", message: '"cloudfront" is not an enabled source' },
      ],
    ],
    [
      "a destination without a bucket and with no source",
      { env: "p", destinations: [{ name: "acme", sources: [] }] },
      [
        { field: "destinations[0].bucket", message: "is required" },
        { field: "destinations[0].sources", message: "must list at least one source" },
      ],
    ],
    [
      "duplicate destination names and a destination that is the lake",
      {
        env: "p",
        destinations: [
          { name: "a", bucket: "loglake-p-lake" },
          { name: "a", bucket: "b-logs", externalId: "xx" },
        ],
      },
      [
        { field: "destinations[1].externalId", message: "is only used with roleArn" },
        { field: "destinations[1].name", message: '"a" is used by another destination' },
        { field: "destinations[0].bucket", message: "must not be the source, lake or WORM bucket" },
      ],
    ],
    [
      "a bad CloudWatch Logs destination",
      {
        env: "p",
        sources: { app_json: {}, cloudtrail: {} },
        destinations: [
          {
            type: "cloudwatch_logs",
            name: "siem",
            logGroup: "has space",
            logStream: "shard",
            region: "mars-1",
            accountId: "444455556666",
            roleArn: "arn:aws:iam::111122223333:role/w",
            sources: ["cloudtrail", "cloudfront"],
            types: [],
            retentionDays: 10,
          },
        ],
      },
      [
        {
          field: "destinations[0].logGroup",
          message: "must be 1-512 letters, digits, periods, hyphens, underscores, slashes or #",
        },
        {
          field: "destinations[0].logStream",
          message: 'must be "source" (one stream per source) or "instance" (one per function instance)',
        },
        { field: "destinations[0].region", message: '"mars-1" is not an AWS region name' },
        {
          field: "destinations[0].types",
          message: "must be a list of event types (1-64 characters each), e.g. auth, api, audit",
        },
        {
          field: "destinations[0].retentionDays",
          message:
            "must be one of CloudWatch's periods: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557",
        },
        {
          field: "destinations[0].externalId",
          message: "is required with roleArn (it protects the customer against the confused deputy)",
        },
        {
          field: "destinations[0].accountId",
          message: "must be the account of roleArn (111122223333): the role writes in its own account",
        },
        {
          field: "destinations[0].sources[0]",
          message: '"cloudtrail" has no app events (app event sources: cloudwatch_logs, app_json)',
        },
        {
          field: "destinations[0].sources[1]",
          message: '"cloudfront" has no app events (app event sources: cloudwatch_logs, app_json)',
        },
      ],
    ],
    [
      "a destination of an unknown type, and a log group destination without its group",
      {
        env: "p",
        destinations: [
          { type: "kinesis", name: "a", bucket: "a-logs" },
          { type: "cloudwatch_logs", name: "b", retentionDays: 7 },
        ],
      },
      [
        { field: "destinations[0].type", message: 'must be "s3" or "cloudwatch_logs"' },
        { field: "destinations[1].logGroup", message: "is required" },
        {
          field: "destinations[1].retentionDays",
          message: "is only used with createIfMissing: true (it is set when the group is created)",
        },
      ],
    ],
    [
      "a receive count outside 3-5",
      { env: "p", queues: { maxReceiveCount: 10 } },
      [
        {
          field: "queues.maxReceiveCount",
          message:
            "must be a whole number from 3 to 5: fewer gives up on a message after throttling, more keeps poison messages cycling",
        },
      ],
    ],
    [
      "a receive count that is not whole",
      { env: "p", queues: { maxReceiveCount: 3.5 } },
      [
        {
          field: "queues.maxReceiveCount",
          message:
            "must be a whole number from 3 to 5: fewer gives up on a message after throttling, more keeps poison messages cycling",
        },
      ],
    ],
    [
      "an ingest queue that is its own dead-letter queue",
      { env: "p", queues: { ingest: "q", dlq: "q" } },
      [{ field: "queues.dlq", message: "must differ from queues.ingest" }],
    ],
    [
      "large SQS batches without a batching window",
      { env: "p", queues: { batchSize: 50, batchingWindowSeconds: 0 } },
      [
        {
          field: "queues.batchingWindowSeconds",
          message: "must be at least 1 when batchSize is above 10 (an SQS event source rule)",
        },
      ],
    ],
    [
      "a heartbeat as long as the visibility timeout",
      { env: "p", queues: { visibilityTimeoutSeconds: 900 }, sizes: { heartbeatSeconds: 900 } },
      [
        {
          field: "sizes.heartbeatSeconds",
          message: "must be shorter than queues.visibilityTimeoutSeconds, or messages reappear mid-object",
        },
      ],
    ],
    [
      "sizes out of range and of the wrong type",
      { env: "p", sizes: { functionTimeoutSeconds: 901, memoryMb: "2048" }, stream: { shardCount: 0 } },
      [
        { field: "stream.shardCount", message: "must be a whole number from 1 to 500" },
        { field: "sizes.functionTimeoutSeconds", message: "must be a whole number from 1 to 900" },
        { field: "sizes.memoryMb", message: "must be a whole number from 128 to 10240" },
      ],
    ],
  ])("names each bad field for %s", (_name, input, expected) => {
    expect(issuesOf(() => resolveConfig(input))).toStrictEqual(expected);
  });

  it.each<[string, unknown, ConfigIssue]>([
    [
      "a top-level key that belongs to a nested object",
      { env: "p", retention: 30 },
      { field: "retention", message: 'unknown key "retention" (did you mean "worm.retentionDays"?)' },
    ],
    [
      "a shortened key",
      { env: "p", worm: { retention: 30 } },
      { field: "worm.retention", message: 'unknown key "retention" (did you mean "retentionDays"?)' },
    ],
    [
      "a misspelt key",
      { env: "p", queues: { maxRecieveCount: 4 } },
      { field: "queues.maxRecieveCount", message: 'unknown key "maxRecieveCount" (did you mean "maxReceiveCount"?)' },
    ],
    [
      "a key in the wrong case",
      { env: "p", sizes: { memoryMB: 1024 } },
      { field: "sizes.memoryMB", message: 'unknown key "memoryMB" (did you mean "memoryMb"?)' },
    ],
    [
      "a key inside a source",
      { env: "p", sources: { cloudtrail: { wrom: false } } },
      { field: "sources.cloudtrail.wrom", message: 'unknown key "wrom" (did you mean "worm"?)' },
    ],
    [
      "a key inside a destination",
      { env: "p", destinations: [{ name: "acme", bucket: "acme-logs", kmsKey: "alias/acme" }] },
      { field: "destinations[0].kmsKey", message: 'unknown key "kmsKey" (did you mean "kmsKeyId"?)' },
    ],
    [
      "a key like no other",
      { env: "p", colour: "blue" },
      {
        field: "colour",
        message:
          'unknown key "colour" (known: env, region, sources, buckets, lakePrefix, worm, destinations, queues, stream, securityHub, detections, compaction, redaction, sizes)',
      },
    ],
  ])("rejects an unknown key: %s", (_name, input, expected) => {
    expect(issuesOf(() => resolveConfig(input))).toStrictEqual([expected]);
  });

  it("throws a ConfigError whose one-line message lists every issue", () => {
    // Act
    const error = (() => {
      try {
        resolveConfig({ env: "a..b", worm: { retentionDays: -1 } });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      'invalid loglake config: env: must not contain ".."; worm.retentionDays: must be a whole number of days from 1 to 36500',
    );
  });

  it("reports unparseable JSON config as a config error", () => {
    expect(issuesOf(() => configFromJson("{", "LOGLAKE_CONFIG"))).toStrictEqual([
      { field: "LOGLAKE_CONFIG", message: expect.stringMatching(/^is not valid JSON: \S/) },
    ]);
  });
});

describe("resolveSettings", () => {
  const base = { env: "prod" };

  it("applies deploy defaults: the base source bucket with S3 notifications, on-demand stream, 50 GiB cutoff", () => {
    expect(resolveSettings({ default: base }, "prod").deploy).toStrictEqual({
      permanentStages: ["production", "prod"],
      sourceBuckets: [{ name: "loglake-prod-source", prefix: "", notifications: "s3" }],
      stream: { mode: "on-demand", retentionHours: 24 },
      ingestMaxConcurrency: 10,
      lake: { noncurrentDays: 30, expireDays: 30, tables: {} },
      worm: { temporaryRetentionDays: 90 },
      access: {},
      athena: { bytesScannedCutoffPerQuery: 53_687_091_200, resultsExpireDays: 7, projectionStart: "2020-01-01" },
      accessLogDays: 365,
      logRetentionDays: 30,
      alarms: {
        iteratorAgeMinutes: 15,
        quarantinePercent: 5,
        missingLogsHours: { cloudtrail: 2, cloudtrail_digest: 3 },
        emails: [],
      },
    });
  });

  it("watches by default only the CloudTrail sources that are enabled", () => {
    const { deploy } = resolveSettings({ default: { env: "prod", sources: { cloudtrail: {}, app_json: {} } } }, "prod");
    expect(deploy.alarms.missingLogsHours).toStrictEqual({ cloudtrail: 2 });
  });

  it("resolves the fixture deployment, whose base config is the one resolveConfig gives", () => {
    // Act
    const { config, deploy } = resolveSettings(fixture, "production");
    // Assess
    expect(config).toStrictEqual(resolveConfig(fixture.default));
    expect(deploy.sourceBuckets).toStrictEqual([
      { name: "acme-trail-logs", prefix: "AWSLogs/", notifications: "s3", accountId: "111122223333" },
      { name: "acme-cdn-logs", prefix: "cloudfront/", notifications: "eventbridge" },
    ]);
    expect(deploy.alarms.missingLogsHours).toStrictEqual({ cloudtrail: 2, cloudfront: 6 });
  });

  it("keeps the configured WORM lock in a permanent stage and locks a throwaway stage's copies in GOVERNANCE for 90 days", () => {
    // Prepare
    const file = (env: string) => ({ default: { env, worm: { mode: "COMPLIANCE", retentionDays: 2557 } } });
    // Act
    const prod = resolveSettings(file("prod"), "prod").config;
    const dev = resolveSettings(file("pr-7"), "pr-7").config;
    const short = resolveSettings({ ...file("pr-8"), deploy: { worm: { temporaryRetentionDays: 3 } } }, "pr-8").config;
    // Assess
    expect([prod.worm.mode, prod.worm.retentionDays]).toStrictEqual(["COMPLIANCE", 2557]);
    expect([dev.worm.mode, dev.worm.retentionDays]).toStrictEqual(["GOVERNANCE", 90]);
    expect([short.worm.mode, short.worm.retentionDays]).toStrictEqual(["GOVERNANCE", 3]);
    expect(JSON.parse(functionConfigJson(dev)).worm.mode).toBe("GOVERNANCE");
  });

  it("names the trail after the env and delivers it to the first source bucket by default", () => {
    const { deploy } = resolveSettings(
      { default: base, deploy: { sourceBuckets: [{ name: "trail-in", prefix: "AWSLogs/" }], trail: {} } },
      "prod",
    );
    expect(deploy.trail).toStrictEqual({
      name: "loglake-prod-trail",
      bucket: "trail-in",
      keyPrefix: "",
      dataEvents: { buckets: [], functions: [] },
    });
  });

  it("deploys the trail in permanent stages only, unless it names the stages", () => {
    const file = (trail: object) => ({
      default: { env: "pr-7" },
      deploy: { sourceBuckets: [{ name: "trail-in" }], trail },
    });
    expect(resolveSettings(file({}), "pr-7").deploy.trail).toBeUndefined();
    expect(resolveSettings(file({ stages: ["pr-7"] }), "pr-7").deploy.trail?.name).toBe("loglake-pr-7-trail");
  });

  it("names the organization's log destination after the env and keeps its organization and accounts", () => {
    const file = (destination: object) => ({
      default: { env: "pr-7" },
      deploy: { cloudwatchLogsDestination: destination },
    });
    expect(resolveSettings(fixture, "production").deploy.cloudwatchLogsDestination).toStrictEqual({
      organizationId: "o-a1b2c3d4e5",
      name: "loglake-production-logs",
    });
    expect(
      resolveSettings(
        file({ organizationId: "o-a1b2c3d4e5", name: "org/app-events", accountIds: ["210987654321"] }),
        "pr-7",
      ).deploy.cloudwatchLogsDestination,
    ).toStrictEqual({ organizationId: "o-a1b2c3d4e5", name: "org/app-events", accountIds: ["210987654321"] });
    expect(resolveSettings({ default: { env: "pr-7" } }, "pr-7").deploy.cloudwatchLogsDestination).toBeUndefined();
  });

  it("resolves the people's roles and per-table lake retention of the fixture", () => {
    const { deploy } = resolveSettings(fixture, "production");
    expect([deploy.access, deploy.lake.tables]).toStrictEqual([
      {
        securityAnalyst: { principals: ["arn:aws:iam::123456789012:role/SecOpsAnalysts"], requireMfa: true },
        compliance: {
          principals: ["arn:aws:iam::123456789012:role/Auditors", "arn:aws:iam::123456789012:user/auditor"],
          requireMfa: false,
        },
      },
      { cloudfront: 400, quarantine: 90 },
    ]);
  });

  it.each<[string, unknown, string, string[]]>([
    [
      "a trail delivering to a bucket that is no source",
      {
        default: base,
        deploy: {
          sourceBuckets: [{ name: "trail-in", prefix: "cloudtrail/" }],
          trail: { bucket: "elsewhere" },
        },
      },
      "prod",
      ['deploy.trail.bucket: "elsewhere" is not a source bucket (deploy.sourceBuckets), so nothing would ingest it'],
    ],
    [
      "a trail whose files the notifications would not see and that logs its own bucket's objects",
      {
        default: base,
        deploy: {
          sourceBuckets: [{ name: "trail-in", prefix: "cloudtrail/" }],
          trail: { dataEvents: { buckets: ["trail-in"] } },
        },
      },
      "prod",
      [
        'deploy.trail.keyPrefix: the trail delivers under "AWSLogs/", outside the prefix "cloudtrail/" ingested from trail-in',
        "deploy.trail.dataEvents.buckets[0]: must not be the bucket the trail delivers to: every delivery would be logged and delivered again",
      ],
    ],
    [
      "bad trail, role and retention fields",
      {
        default: base,
        deploy: {
          trail: {
            name: "x",
            keyPrefix: "/logs/",
            organizationId: "org-1",
            dataEvents: { functions: ["payments"] },
          },
          access: { securityAnalyst: { principals: [] }, compliance: { principals: ["*"], requireMfa: "yes" } },
          lake: { tables: { cloudtrial: 30, quarantine: 0 } },
          worm: { temporaryRetentionDays: 0 },
          cloudwatchLogsDestination: { organizationId: "123456789012", name: "a:b", accountIds: [] },
        },
      },
      "prod",
      [
        "deploy.lake.tables.quarantine: must be a whole number of days from 1 to 36500",
        'deploy.lake.tables.cloudtrial: unknown table "cloudtrial" (did you mean "cloudtrail"?)',
        "deploy.worm.temporaryRetentionDays: must be a whole number of days from 1 to 36500",
        "deploy.trail.name: must be 3-128 letters, digits, dots, hyphens or underscores, starting and ending alphanumeric",
        'deploy.trail.keyPrefix: must not start with "/"',
        'deploy.trail.keyPrefix: must not end with "/"',
        "deploy.trail.organizationId: must be an organization id (o- and 10-32 lowercase letters or digits)",
        "deploy.trail.dataEvents.functions[0]: must be a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>)",
        "deploy.cloudwatchLogsDestination.organizationId: must be an organization id (o- and 10-32 lowercase letters or digits)",
        'deploy.cloudwatchLogsDestination.name: must be 1-512 characters without ":" or "*"',
        "deploy.cloudwatchLogsDestination.accountIds: must list at least one account id",
        "deploy.access.securityAnalyst.principals: must list at least one principal",
        "deploy.access.compliance.principals[0]: must be an IAM principal ARN (arn:aws:iam::<account>:root, :role/<name> or :user/<name>)",
        "deploy.access.compliance.requireMfa: must be true or false",
      ],
    ],
    [
      "a queue visibility below six function timeouts",
      { default: { env: "prod", queues: { visibilityTimeoutSeconds: 960 } } },
      "prod",
      [
        "queues.visibilityTimeoutSeconds: must be at least 6 x sizes.functionTimeoutSeconds = 5400 for a Lambda event source (is 960)",
      ],
    ],
    [
      "a visibility below six timeouts next to another bad field",
      {
        default: {
          env: "prod",
          region: "x",
          queues: { visibilityTimeoutSeconds: 60 },
          sizes: { functionTimeoutSeconds: 30, heartbeatSeconds: 10 },
        },
      },
      "prod",
      [
        'region: "x" is not an AWS region name',
        "queues.visibilityTimeoutSeconds: must be at least 6 x sizes.functionTimeoutSeconds = 180 for a Lambda event source (is 60)",
      ],
    ],
    [
      "a config whose env is not the stage",
      { default: base },
      "dev",
      ['env: "prod" differs from the SST stage "dev"; each stage must deploy its own env'],
    ],
    [
      "a customer written without a role whose key is not an ARN",
      { default: { env: "prod", destinations: [{ name: "acme", bucket: "acme-logs", kmsKeyId: "alias/acme" }] } },
      "prod",
      [
        "destinations[0].kmsKeyId: must be a key ARN (arn:aws:kms:<region>:<account>:key/<id>) when no roleArn is given, so IAM can name it",
      ],
    ],
    ["a missing default export", { deploy: {} }, "prod", ["default export: is required"]],
    [
      "a mistyped export",
      { default: base, deploi: {} },
      "prod",
      ['deploi: unknown export "deploi" (did you mean "deploy"?)'],
    ],
    [
      "an unknown deploy key",
      { default: base, deploy: { stream: { retention: 48 } } },
      "prod",
      ['deploy.stream.retention: unknown key "retention" (did you mean "retentionHours"?)'],
    ],
    [
      "a mistyped watched source and one that is not enabled",
      {
        default: { env: "prod", sources: { cloudtrail: {} } },
        deploy: { alarms: { missingLogsHours: { cloudtrial: 2 } } },
      },
      "prod",
      ['deploy.alarms.missingLogsHours.cloudtrial: unknown source "cloudtrial" (did you mean "cloudtrail"?)'],
    ],
    [
      "a watched source that is not enabled",
      {
        default: { env: "prod", sources: { cloudtrail: {} } },
        deploy: { alarms: { missingLogsHours: { cloudfront: 2 } } },
      },
      "prod",
      ["deploy.alarms.missingLogsHours.cloudfront: is not an enabled source"],
    ],
    [
      "source buckets listed twice or that are the lake",
      {
        default: base,
        deploy: { sourceBuckets: [{ name: "logs-in" }, { name: "logs-in" }, { name: "loglake-prod-lake" }] },
      },
      "prod",
      [
        'deploy.sourceBuckets[1].name: "logs-in" is listed twice',
        "deploy.sourceBuckets[2].name: must not be the lake or WORM bucket",
      ],
    ],
    [
      "a projection start that is no calendar day",
      { default: base, deploy: { athena: { projectionStart: "2021-02-29" } } },
      "prod",
      ["deploy.athena.projectionStart: must be a YYYY-MM-DD date"],
    ],
    [
      "no source bucket",
      { default: base, deploy: { sourceBuckets: [] } },
      "prod",
      ["deploy.sourceBuckets: must list at least one bucket"],
    ],
    [
      "every bad deploy field at once",
      {
        default: base,
        deploy: {
          permanentStages: [""],
          sourceBuckets: [{ name: "Bad_Bucket", prefix: "/x", notifications: "sns", accountId: "12" }],
          stream: { mode: "fast", retentionHours: 12 },
          ingestMaxConcurrency: 1,
          lake: { noncurrentDays: 0 },
          breakGlassRoleArn: "admin",
          compactorRoleArn: "arn:aws:iam::123:role/c",
          athena: { bytesScannedCutoffPerQuery: 5, resultsExpireDays: 0, projectionStart: "2020-13-45" },
          accessLogDays: 0,
          logRetentionDays: 10,
          alarms: {
            iteratorAgeMinutes: 0,
            quarantinePercent: 0,
            missingLogsHours: { cloudtrail: 48 },
            emails: ["nobody"],
          },
        },
      },
      "prod",
      [
        "deploy.permanentStages: must be a list of stage names",
        `deploy.sourceBuckets[0].name: ${BUCKET_MESSAGE}`,
        'deploy.sourceBuckets[0].prefix: must not start with "/"',
        'deploy.sourceBuckets[0].notifications: must be "s3" or "eventbridge"',
        "deploy.sourceBuckets[0].accountId: must be a 12-digit account id",
        'deploy.stream.mode: must be "on-demand" or "provisioned"',
        "deploy.stream.retentionHours: must be a whole number from 24 to 8760",
        "deploy.ingestMaxConcurrency: must be a whole number from 2 to 1000",
        "deploy.lake.noncurrentDays: must be a whole number from 1 to 3650",
        "deploy.breakGlassRoleArn: must be an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)",
        "deploy.compactorRoleArn: must be an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)",
        "deploy.athena.bytesScannedCutoffPerQuery: must be a whole number of bytes, at least 10000000",
        "deploy.athena.resultsExpireDays: must be a whole number from 1 to 3650",
        "deploy.athena.projectionStart: must be a YYYY-MM-DD date",
        "deploy.accessLogDays: must be a whole number from 1 to 36500",
        "deploy.logRetentionDays: must be one of CloudWatch's periods: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557",
        "deploy.alarms.iteratorAgeMinutes: must be a whole number from 1 to 10080",
        "deploy.alarms.quarantinePercent: must be a number above 0 and at most 100",
        "deploy.alarms.missingLogsHours.cloudtrail: must be a whole number from 1 to 24",
        "deploy.alarms.emails[0]: must be an e-mail address",
      ],
    ],
  ])("names each bad field for %s", (_name, file, stage, expected) => {
    expect(issuesOf(() => resolveSettings(file, stage)).map((i) => `${i.field}: ${i.message}`)).toStrictEqual(expected);
  });
});
