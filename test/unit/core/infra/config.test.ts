import { resolveConfig } from "@app/core/config/validate";
import { functionConfigJson, resolveDeployConfig } from "@app/core/infra/config";
import { describe, expect, it } from "vitest";

const base = resolveConfig({ env: "prod", queues: { visibilityTimeoutSeconds: 5400 } });

function issues(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    return ((e as { issues?: { field: string; message: string }[] }).issues ?? []).map(
      (i) => `${i.field}: ${i.message}`,
    );
  }
  throw new Error("expected a config error");
}

describe("resolveDeployConfig", () => {
  it("applies defaults: the base source bucket with S3 notifications, on-demand stream, 50 GiB cutoff", () => {
    expect(resolveDeployConfig(undefined, base, "prod")).toStrictEqual({
      permanentStages: ["production", "prod"],
      sourceBuckets: [{ name: "loglake-prod-source", prefix: "", notifications: "s3" }],
      stream: { mode: "on-demand", retentionHours: 24 },
      ingestMaxConcurrency: 10,
      lake: { noncurrentDays: 30, expireDays: 30 },
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

  it("requires the queue visibility to be at least six function timeouts", () => {
    const short = resolveConfig({ env: "prod", queues: { visibilityTimeoutSeconds: 960 } });
    expect(issues(() => resolveDeployConfig(undefined, short, "prod"))).toStrictEqual([
      "queues.visibilityTimeoutSeconds: must be at least 6 x sizes.functionTimeoutSeconds = 5400 for a Lambda event source (is 960)",
    ]);
  });

  it("requires 3-5 receives before the dead-letter queue", () => {
    const many = resolveConfig({ env: "prod", queues: { visibilityTimeoutSeconds: 5400, maxReceiveCount: 10 } });
    expect(issues(() => resolveDeployConfig(undefined, many, "prod"))).toStrictEqual([
      "queues.maxReceiveCount: must be 3-5: fewer gives up on throttling, more keeps poison messages cycling (is 10)",
    ]);
  });

  it("refuses to deploy a config whose env is not the stage", () => {
    expect(issues(() => resolveDeployConfig(undefined, base, "dev"))).toStrictEqual([
      'env: "prod" differs from the SST stage "dev"; each stage must deploy its own env',
    ]);
  });

  it("needs a key ARN for a customer written to without a role", () => {
    const withKey = resolveConfig({
      env: "prod",
      queues: { visibilityTimeoutSeconds: 5400 },
      destinations: [{ name: "acme", bucket: "acme-logs", kmsKeyId: "alias/acme" }],
    });
    expect(issues(() => resolveDeployConfig(undefined, withKey, "prod"))).toStrictEqual([
      "destinations[0].kmsKeyId: must be a key ARN (arn:aws:kms:<region>:<account>:key/<id>) when no roleArn is given, so IAM can name it",
    ]);
  });

  it("names every bad deploy field at once", () => {
    expect(
      issues(() =>
        resolveDeployConfig(
          {
            sourceBuckets: [{ name: "Bad_Bucket", notifications: "sns" as "s3", accountId: "12" }],
            stream: { mode: "fast" as "on-demand" },
            ingestMaxConcurrency: 1,
            breakGlassRoleArn: "admin",
            athena: { bytesScannedCutoffPerQuery: 5, projectionStart: "2020-13-45" },
            logRetentionDays: 10,
            alarms: { quarantinePercent: 0, missingLogsHours: { cloudtrail: 48 }, emails: ["nobody"] },
          },
          base,
          "prod",
        ),
      ),
    ).toStrictEqual([
      "deploy.sourceBuckets[0].name: must be an S3 bucket name",
      'deploy.sourceBuckets[0].notifications: must be "s3" or "eventbridge"',
      "deploy.sourceBuckets[0].accountId: must be a 12-digit account id",
      'deploy.stream.mode: must be "on-demand" or "provisioned"',
      "deploy.ingestMaxConcurrency: must be a whole number from 2 to 1000",
      "deploy.breakGlassRoleArn: must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)",
      "deploy.athena.bytesScannedCutoffPerQuery: must be a whole number of bytes, at least 10000000",
      "deploy.athena.projectionStart: must be a YYYY-MM-DD date",
      "deploy.logRetentionDays: must be one of CloudWatch's periods: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557",
      "deploy.alarms.quarantinePercent: must be a number above 0 and at most 100",
      "deploy.alarms.missingLogsHours.cloudtrail: must be a whole number from 1 to 24",
      "deploy.alarms.emails[0]: must be an e-mail address",
    ]);
  });
});

describe("functionConfigJson", () => {
  it("is JSON that resolves back to the same config", () => {
    const config = resolveConfig({
      env: "prod",
      queues: { visibilityTimeoutSeconds: 5400 },
      destinations: [
        { name: "acme", bucket: "acme-logs", roleArn: "arn:aws:iam::444455556666:role/w", externalId: "x-acme" },
      ],
    });
    expect(resolveConfig(JSON.parse(functionConfigJson(config)))).toStrictEqual(config);
  });

  it("rejects a config too large for a Lambda environment, naming the destinations", () => {
    const destinations = Array.from({ length: 40 }, (_, i) => ({
      name: `customer-${i}`,
      bucket: `customer-${i}-security-logs`,
    }));
    const config = resolveConfig({ env: "prod", queues: { visibilityTimeoutSeconds: 5400 }, destinations });
    expect(issues(() => functionConfigJson(config))[0]).toMatch(/^destinations: the config is \d+ bytes as JSON/);
  });
});
