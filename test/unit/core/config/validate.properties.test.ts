import { ConfigValidationError, configFromJson, resolveConfig, resolveSettings } from "@app/core/config/index";
import { functionConfigJson } from "@app/core/infra/config";
import { SOURCES } from "@app/core/sources/index";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

// Mostly plausible values, sometimes any JSON in their place, sometimes a key no schema knows.
const junk = fc.jsonValue({ maxDepth: 2 });
const maybe = (good: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 30, arbitrary: good }, { weight: 1, arbitrary: junk });
function section(fields: Record<string, fc.Arbitrary<unknown>>, requiredKeys: string[] = []): fc.Arbitrary<unknown> {
  const entries = Object.fromEntries(Object.entries(fields).map(([k, a]) => [k, maybe(a)]));
  const record = fc
    .tuple(fc.record(entries, { requiredKeys }), fc.nat({ max: 39 }))
    .map(([r, n]) => (n === 0 ? { ...r, stray: 1 } : r));
  return fc.oneof({ weight: 1, arbitrary: junk }, { weight: 39, arbitrary: record });
}
const ids = SOURCES.map((s) => s.id);

// Plausible values are valid on their own, so what fails is the junk, the stray keys and fields that disagree.
const baseConfig = fc.record(
  {
    env: maybe(fc.constantFrom("p", "prod")),
    region: maybe(fc.constantFrom("eu-west-1", "us-east-1")),
    sources: maybe(fc.dictionary(fc.constantFrom(...ids), section({ worm: fc.boolean() }), { minKeys: 1 })),
    buckets: section({
      source: fc.constantFrom("in-bucket", "worm-bucket"),
      lake: fc.constant("lake-bucket"),
      worm: fc.constant("worm-bucket"),
    }),
    lakePrefix: maybe(fc.constantFrom("", "lake/")),
    worm: section({
      mode: fc.constantFrom("GOVERNANCE", "COMPLIANCE"),
      retentionDays: fc.integer({ min: 1, max: 36500 }),
      keyTemplate: fc.constantFrom("<env>/<key>", "<source>/<yyyy>/<mm>/<key>"),
    }),
    destinations: maybe(
      fc.array(
        section(
          {
            name: fc.constantFrom("acme", "globex"),
            bucket: fc.constantFrom("acme-logs", "globex-logs"),
            kmsKeyId: fc.constant("arn:aws:kms:eu-west-1:111122223333:key/abc"),
            sources: fc.constant(["cloudtrail"]),
          },
          ["name", "bucket"],
        ),
        { maxLength: 2 },
      ),
    ),
    queues: section({
      visibilityTimeoutSeconds: fc.integer({ min: 5400, max: 43200 }),
      maxReceiveCount: fc.integer({ min: 3, max: 5 }),
      batchSize: fc.integer({ min: 1, max: 20 }),
      batchingWindowSeconds: fc.integer({ min: 1, max: 5 }),
    }),
    stream: section({ shardCount: fc.integer({ min: 1, max: 3 }), batchSize: fc.integer({ min: 1, max: 200 }) }),
    sizes: section({
      functionTimeoutSeconds: fc.integer({ min: 1, max: 900 }),
      memoryMb: fc.constantFrom(512, 2048),
      heartbeatSeconds: fc.integer({ min: 1, max: 59 }),
    }),
  },
  { requiredKeys: ["env"] },
);

const deploy = fc.record(
  {
    permanentStages: maybe(fc.array(fc.constantFrom("prod", "staging"))),
    sourceBuckets: maybe(
      fc.uniqueArray(
        section(
          {
            prefix: fc.constantFrom("", "AWSLogs/", "cloudfront/"),
            notifications: fc.constantFrom("s3", "eventbridge"),
            accountId: fc.constantFrom("111122223333", "444455556666"),
          },
          [],
        ).map((b) => (typeof b === "object" && b !== null && !Array.isArray(b) ? { name: "in-bucket", ...b } : b)),
        { minLength: 1, maxLength: 1 },
      ),
    ),
    stream: section({
      mode: fc.constantFrom("on-demand", "provisioned"),
      retentionHours: fc.integer({ min: 24, max: 8760 }),
    }),
    ingestMaxConcurrency: maybe(fc.integer({ min: 2, max: 100 })),
    athena: section({ projectionStart: fc.constantFrom("2020-01-01", "2024-02-29") }),
    logRetentionDays: maybe(fc.constantFrom(30, 365, 731)),
    alarms: section({
      quarantinePercent: fc.double({ min: 0.5, max: 100, noNaN: true }),
      missingLogsHours: fc.constant({ cloudtrail: 2 }),
      emails: fc.array(fc.constant("secops@example.com"), { maxLength: 1 }),
    }),
  },
  { requiredKeys: [] },
);

// Either a value, or a ConfigValidationError naming fields in one-line messages; never any other exception.
function outcome<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof ConfigValidationError)) throw e;
    expect(e.issues.length).toBeGreaterThan(0);
    for (const i of e.issues) expect(/^[^\n]+: [^\n]+$/.test(`${i.field}: ${i.message}`)).toBe(true);
    return undefined;
  }
}

describe("config validation over arbitrary input", () => {
  it("accepts or names the bad fields of any base config, and what it accepts survives the trip to a function", () => {
    fc.assert(
      fc.property(fc.oneof({ weight: 1, arbitrary: junk }, { weight: 9, arbitrary: baseConfig }), (input) => {
        const config = outcome(() => resolveConfig(input));
        if (config !== undefined) expect(configFromJson(functionConfigJson(config))).toStrictEqual(config);
      }),
      { numRuns: 400 },
    );
  });

  it("accepts or names the bad fields of any config module with deploy settings, the base config resolved for the stage", () => {
    fc.assert(
      fc.property(baseConfig, fc.oneof({ weight: 1, arbitrary: junk }, { weight: 9, arbitrary: deploy }), (b, d) => {
        const stage = typeof b.env === "string" ? b.env : "p";
        const settings = outcome(() => resolveSettings({ default: b, deploy: d }, stage));
        if (settings === undefined) return;
        // Stages that are not permanent lock WORM copies in GOVERNANCE for the temporary retention.
        const base = resolveConfig(b);
        const worm = { ...base.worm, mode: "GOVERNANCE", retentionDays: settings.deploy.worm.temporaryRetentionDays };
        const permanent = settings.deploy.permanentStages.includes(stage);
        expect(settings.config).toStrictEqual(permanent ? base : { ...base, worm });
      }),
      { numRuns: 400 },
    );
  });
});
