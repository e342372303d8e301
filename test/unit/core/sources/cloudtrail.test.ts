import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cloudtrailDigestSource, cloudtrailSource } from "@app/core/sources/cloudtrail/index";
import type { SourceId } from "@app/core/sources/types";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expectIngestInvariants, ingestFixture, SOURCE_FIXTURES } from "../../../helpers/source-fixtures.ts";

describe("cloudtrailSource.matchKey", () => {
  it.each([
    [
      "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/111122223333_CloudTrail_us-east-1_20240501T1010Z_Ab12Cd34Ef56Gh78.json.gz",
      true,
    ],
    [
      "prefix/AWSLogs/o-aa111bb222/111122223333/CloudTrail/eu-west-1/2024/05/01/111122223333_CloudTrail_eu-west-1_20240501T1010Z_Ab12Cd34Ef56Gh78.json.gz",
      true,
    ],
    [
      "AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2024/05/01/111122223333_CloudTrail-Insight_us-east-1_20240501T1020Z_Qw12Er34Ty56Ui78.json.gz",
      true,
    ],
    ["/tmp/x/111122223333_CloudTrail_us-gov-west-1_20240501T1010Z_Ab12Cd34Ef56Gh78.json", true],
    [
      "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/05/01/111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20240501T101231Z.json.gz",
      false,
    ],
    ["AWSLogs/111122223333/CloudFront/E2EXAMPLE.2024-05-01-10.abcd1234.gz", false],
    ["app/auth/2024/05/01/events.jsonl", false],
  ])("says %s is a CloudTrail key: %s", (key, expected) => {
    expect(cloudtrailSource.matchKey(key)).toBe(expected);
  });
});

describe("cloudtrailDigestSource.matchKey", () => {
  it.each([
    [
      "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/05/01/111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20240501T101231Z.json.gz",
      true,
    ],
    ["111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20240501T101231Z_backfill.json.gz", true],
    [
      "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/111122223333_CloudTrail_us-east-1_20240501T1010Z_Ab12Cd34Ef56Gh78.json.gz",
      false,
    ],
  ])("says %s is a digest key: %s", (key, expected) => {
    expect(cloudtrailDigestSource.matchKey(key)).toBe(expected);
  });
});

describe("cloudtrailSource.sniff", () => {
  const event = '{"eventVersion":"1.08","eventTime":"2024-05-01T10:00:00Z","eventSource":"s3.amazonaws.com"}';
  it.each([
    ["a Records file", `  {\n "Records" : [${event}]}`, true],
    ["an empty Records file", '{"Records":[]}', true],
    [
      "a Records file whose first record is longer than the head",
      `{"Records":[{"eventVersion":"1.08","x":"${"y".repeat(100)}`,
      true,
    ],
    ["NDJSON", `${event}\n${event}\n`, true],
    ["a bare array", `[${event}]`, true],
    [
      "an Insights record",
      '{"eventVersion":"1.07","eventTime":"2024-05-01T10:10:00Z","eventType":"AwsCloudTrailInsight"}',
      true,
    ],
    ["an EventBridge event", `{"detail-type":"AWS API Call via CloudTrail","detail":${event}}`, true],
    [
      "an export record without eventVersion, timed by @timestamp",
      '{"@timestamp":"2024-05-01T10:00:00.123456789Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets"}\n',
      true,
    ],
    [
      "an app event that names an event and a non-AWS source",
      '{"@timestamp":"2024-05-01T10:00:00Z","eventSource":"billing","eventName":"invoice.paid"}\n',
      false,
    ],
    [
      "a digest",
      '{"digestStartTime":"2024-05-01T09:00:00Z","digestEndTime":"2024-05-01T10:00:00Z","logFiles":[]}',
      false,
    ],
    ["a Kinesis Lambda event", '{"Records":[{"kinesis":{"data":"H4sI"},"eventSource":"aws:kinesis"}]}', false],
    [
      "a CloudWatch Logs payload carrying CloudTrail messages",
      `{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","timestamp":1,"message":${JSON.stringify(event)}}]}`,
      false,
    ],
    ["an app log line", '{"timestamp":"2024-05-01T10:00:00Z","level":"info"}\n', false],
    ["a CloudFront log", "#Version: 1.0\n#Fields: date time\n", false],
  ])("recognises %s: %s", (_name, head, expected) => {
    expect(cloudtrailSource.sniff(head)).toBe(expected);
  });
});

describe("cloudtrailDigestSource.sniff", () => {
  it("recognises a digest body and nothing else", () => {
    expect(cloudtrailDigestSource.sniff('{"awsAccountId":"1","digestStartTime":"x","logFiles":[]}')).toBe(true);
    expect(cloudtrailDigestSource.sniff(`{"digestStartTime":"x","digestS3Object":"k","p":"${"y".repeat(70_000)}`)).toBe(
      true,
    );
    expect(cloudtrailDigestSource.sniff('{"Records":[]}')).toBe(false);
  });
});

describe("cloudtrail parsing", () => {
  it("routes a digest body to cloudtrail_digest even when CloudTrail is forced", async () => {
    // Prepare
    const digest = readFileSync(join(SOURCE_FIXTURES, "cloudtrail_digest", "starting-digest.json"));
    // Act
    const { summary } = await ingestFixture(new Uint8Array(digest), "digest.json", "x", 1024, "cloudtrail");
    // Assess
    expect(summary).toStrictEqual({
      source: "cloudtrail",
      records: 1,
      rows: { cloudtrail_digest: 1 },
      quarantined: {},
      skipped: {},
    });
  });

  it("refuses CloudTrail records in a digest object", async () => {
    const text = '{"eventVersion":"1.08","eventTime":"2024-05-01T10:00:00Z","eventSource":"s3.amazonaws.com"}';
    const { summary } = await ingestFixture(new TextEncoder().encode(text), "d.json", "x", 1024, "cloudtrail_digest");
    expect(summary.quarantined).toStrictEqual({ bad_record: 1 });
  });
});

describe("cloudtrail properties", () => {
  const anyValue = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.jsonValue());
  const record = fc.record(
    {
      eventVersion: fc.constantFrom("1.05", "1.08", "1.11"),
      eventTime: fc.oneof(
        fc
          .date({ min: new Date("2000-01-01"), max: new Date("2099-12-31"), noInvalidDate: true })
          .map((d) => d.toISOString()),
        anyValue,
      ),
      eventSource: anyValue,
      eventName: anyValue,
      readOnly: anyValue,
      managementEvent: anyValue,
      userIdentity: anyValue,
      requestParameters: anyValue,
      someFutureField: anyValue,
    },
    { requiredKeys: ["eventVersion"] },
  );

  it("never throws, accounts for every record and writes rows that fit their table", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.string({ unit: "binary", maxLength: 300 }).map((s) => new TextEncoder().encode(s)),
          fc
            .array(fc.oneof(record, anyValue), { maxLength: 6 })
            .map((rs) => new TextEncoder().encode(JSON.stringify({ Records: rs }))),
        ),
        fc.constantFrom<SourceId>("cloudtrail", "cloudtrail_digest"),
        async (bytes, forced) => expectIngestInvariants(bytes, "x.json", 17, forced),
      ),
      { numRuns: 200 },
    );
  }, 60_000);

  it("yields one record per element of a Records array", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(record, fc.jsonValue()), { maxLength: 10 }), async (records) => {
        const bytes = new TextEncoder().encode(JSON.stringify({ Records: records }));
        const { summary } = await ingestFixture(bytes, "x.json", "x", 29, "cloudtrail");
        expect(summary.records).toBe(records.length);
      }),
      { numRuns: 200 },
    );
  }, 60_000);

  it("never throws from matchKey or sniff", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        for (const source of [cloudtrailSource, cloudtrailDigestSource]) {
          expect(typeof source.matchKey(s)).toBe("boolean");
          expect(typeof source.sniff(s)).toBe("boolean");
        }
      }),
    );
  });
});
