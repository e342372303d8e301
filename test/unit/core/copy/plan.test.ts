import { gunzipSync } from "node:zlib";
import { resolveConfig } from "@app/core/config/index";
import { parseKeyTemplate, pathProblems } from "@app/core/copy/key-template";
import { kinesisArchiveBody } from "@app/core/copy/kinesis-archive";
import { planCopies, retainUntil } from "@app/core/copy/plan";
import { kinesisArchiveKey } from "@app/core/lake-layout";
import { describe, expect, it } from "vitest";

const config = resolveConfig({
  env: "prod",
  sources: { cloudtrail: {}, cloudtrail_digest: {}, app_json: { worm: false } },
  worm: { mode: "COMPLIANCE", retentionDays: 10 },
  destinations: [
    {
      name: "acme",
      bucket: "acme-logs",
      keyTemplate: "loglake/<env>/<yyyy>/<mm>/<dd>/<hh>/<source>/<original key>",
      kmsKeyId: "alias/acme",
      roleArn: "arn:aws:iam::111122223333:role/writer",
      externalId: "acme-ext",
      sources: ["cloudtrail", "cloudtrail_digest"],
    },
    { name: "apps", bucket: "apps-logs", sources: ["app_json"] },
  ],
});

describe("planCopies", () => {
  it("sends CloudTrail to WORM and to the customer who receives it, with lock, KMS and role", () => {
    // Act
    const targets = planCopies(config, {
      source: "cloudtrail",
      bucket: "src",
      key: "AWSLogs/1/CloudTrail/x.json.gz",
      eventTime: "2024-03-10T14:05:31.123Z",
    });
    // Assess
    expect(targets).toStrictEqual([
      {
        kind: "worm",
        bucket: "loglake-prod-worm",
        key: "prod/cloudtrail/AWSLogs/1/CloudTrail/x.json.gz",
        objectLock: { mode: "COMPLIANCE", retainUntil: "2024-03-20T14:05:31.123Z" },
      },
      {
        kind: "customer",
        destination: "acme",
        bucket: "acme-logs",
        key: "loglake/prod/2024/03/10/14/cloudtrail/AWSLogs/1/CloudTrail/x.json.gz",
        kmsKeyId: "alias/acme",
        assumeRole: { roleArn: "arn:aws:iam::111122223333:role/writer", externalId: "acme-ext" },
      },
    ]);
  });

  it("skips WORM for a source that opts out and copies only to its own customer", () => {
    expect(
      planCopies(config, {
        source: "app_json",
        bucket: "src",
        key: "app/a b.jsonl",
        eventTime: "2024-01-01T00:00:00Z",
      }),
    ).toStrictEqual([
      { kind: "customer", destination: "apps", bucket: "apps-logs", key: "prod/app_json/app/a b.jsonl" },
    ]);
  });

  it("copies nothing for a source that is not enabled", () => {
    expect(
      planCopies(config, { source: "cloudfront", bucket: "s", key: "k", eventTime: "2024-01-01T00:00:00Z" }),
    ).toStrictEqual([]);
  });

  it("archives Kinesis batches to WORM only", () => {
    expect(
      planCopies(config, {
        source: "kinesis",
        bucket: "",
        key: "s/2024/01/01/a.ndjson.gz",
        eventTime: "2024-01-01T00:00:00Z",
      }),
    ).toStrictEqual([
      {
        kind: "worm",
        bucket: "loglake-prod-worm",
        key: "prod/kinesis/s/2024/01/01/a.ndjson.gz",
        objectLock: { mode: "COMPLIANCE", retainUntil: "2024-01-11T00:00:00.000Z" },
      },
    ]);
  });
});

describe("retainUntil", () => {
  it("adds whole days to the event time across a leap day", () => {
    expect(retainUntil("2024-02-29T10:00:00Z", 2557)).toBe("2031-03-01T10:00:00.000Z");
  });

  it("rejects a time that is not ISO-8601", () => {
    expect(() => retainUntil("soon", 1)).toThrow(RangeError);
  });
});

describe("key templates", () => {
  it.each([
    ["a/b", []],
    ["a/", []],
    ["", ["must not be empty"]],
    ["a/../b", ['must not contain ".."']],
    ["/a", ['must not start with "/"']],
    ["a//b", ["must not contain empty path segments"]],
    ["a\\b", ["must not contain a backslash or control characters"]],
  ])("pathProblems(%j) is %j", (value, expected) => {
    expect(pathProblems(value)).toStrictEqual(expected);
  });

  it("reports an unbalanced bracket", () => {
    expect(parseKeyTemplate("<env>/x>/<key>")).toStrictEqual({ problems: ["unbalanced < or >"] });
  });
});

describe("kinesisArchive", () => {
  const records = [
    { data: "eyJhIjoxfQ==", sequenceNumber: "1", partitionKey: "p", approximateArrivalTimestamp: 1704067200.5 },
    { data: "H4sIAAAAAAAA", sequenceNumber: "2", partitionKey: "q", approximateArrivalTimestamp: 1704067201 },
  ];

  it("writes one NDJSON line per record, identical bytes for identical input", () => {
    // Act
    const a = kinesisArchiveBody("s", "shardId-000000000000", records);
    const b = kinesisArchiveBody("s", "shardId-000000000000", records);
    // Assess
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const lines = gunzipSync(a)
      .toString("utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toStrictEqual(records.map((r) => ({ stream: "s", shardId: "shardId-000000000000", ...r })));
  });

  it("keys the archive by stream, first arrival date, shard and sequence range", () => {
    expect(
      kinesisArchiveKey({
        stream: "s",
        shardId: "shardId-000000000001",
        firstSequence: "10",
        lastSequence: "20",
        firstArrival: "2024-01-02T03:04:05Z",
      }),
    ).toBe("s/2024/01/02/shardId-000000000001-10-20.ndjson.gz");
  });
});
