import type { LoglakeConfigInput } from "@app/core/config/index";
import { type ConfigIssue, ConfigValidationError, configFromJson, resolveConfig } from "@app/core/config/index";
import { ConfigError } from "@app/core/errors";
import { describe, expect, it } from "vitest";

function issuesOf(input: unknown): ConfigIssue[] {
  try {
    resolveConfig(input as LoglakeConfigInput);
  } catch (e) {
    if (e instanceof ConfigValidationError) return e.issues;
    throw e;
  }
  throw new Error("config was accepted");
}

describe("resolveConfig", () => {
  it("applies every default when only env is given", () => {
    // Act
    const c = resolveConfig({ env: "prod" });
    // Assess
    expect({ ...c, worm: { ...c.worm, keyTemplateParts: undefined } }).toStrictEqual({
      env: "prod",
      region: "us-east-1",
      sources: {
        cloudtrail_digest: { worm: true },
        cloudtrail: { worm: true },
        cloudfront: { worm: true },
        cloudfront_realtime: { worm: true },
        cloudwatch_logs: { worm: true },
        app_json: { worm: true },
      },
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
      sizes: {
        functionTimeoutSeconds: 900,
        memoryMb: 2048,
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
    expect(c.destinations.map(({ keyTemplateParts: _, ...d }) => d)).toStrictEqual([
      { name: "acme", bucket: "acme-logs", keyTemplate: "<env>/<source>/<key>", sources: ["cloudtrail", "app_json"] },
    ]);
    expect(c.sources).toStrictEqual({ cloudtrail: { worm: true }, app_json: { worm: false } });
  });

  it("is idempotent, so a resolved config survives the JSON trip to a function", () => {
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
    const again = configFromJson(JSON.stringify(c));
    // Assess
    expect(again).toStrictEqual(c);
  });

  it.each<[string, unknown, ConfigIssue[]]>([
    ["a missing env", {}, [{ field: "env", message: "is required (a string)" }]],
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
          message:
            "unknown source (known: cloudtrail_digest, cloudtrail, cloudfront, cloudfront_realtime, cloudwatch_logs, app_json)",
        },
      ],
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
      "real-time fields on another source",
      { env: "p", sources: { cloudfront: { realtimeFields: ["timestamp"] } } },
      [{ field: "sources.cloudfront.realtimeFields", message: "only applies to cloudfront_realtime" }],
    ],
    [
      "a bad WORM mode and retention",
      { env: "p", worm: { mode: "LEGAL_HOLD", retentionDays: 0 } },
      [
        { field: "worm.mode", message: "must be GOVERNANCE or COMPLIANCE" },
        { field: "worm.retentionDays", message: "must be a whole number of days between 1 and 36500" },
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
            sources: ["cloudfront"],
          },
        ],
      },
      [
        {
          field: "destinations[0].bucket",
          message:
            "must be 3-63 characters of lowercase letters, digits, dots and hyphens, starting and ending alphanumeric",
        },
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
        {
          field: "destinations[0].externalId",
          message: "is required with roleArn (it protects the customer against the confused deputy)",
        },
        { field: "destinations[0].sources[0]", message: '"cloudfront" is not an enabled source' },
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
        { field: "destinations[0].bucket", message: "must not be the source, lake or WORM bucket" },
        { field: "destinations[1].name", message: '"a" is used by another destination' },
        { field: "destinations[1].externalId", message: "is only used with roleArn" },
      ],
    ],
    [
      "a visibility timeout shorter than the function timeout",
      { env: "p", queues: { visibilityTimeoutSeconds: 60 }, sizes: { heartbeatSeconds: 30 } },
      [{ field: "queues.visibilityTimeoutSeconds", message: "must be at least sizes.functionTimeoutSeconds (900)" }],
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
  ])("names each bad field for %s", (_name, input, expected) => {
    expect(issuesOf(input)).toStrictEqual(expected);
  });

  it("throws a ConfigError whose message lists every issue", () => {
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
      'invalid loglake config:\n  - env: must not contain ".."\n  - worm.retentionDays: must be a whole number of days between 1 and 36500',
    );
  });

  it("reports unparseable JSON config as a config error", () => {
    expect(() => configFromJson("{", "LOGLAKE_CONFIG")).toThrow(ConfigError);
  });
});
