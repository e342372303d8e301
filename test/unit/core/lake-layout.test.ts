import {
  compareS3Sequencers,
  fileContentName,
  type IngestManifest,
  isOlderS3Event,
  isOutputName,
  keyTimeHint,
  kinesisBatchName,
  kinesisManifestPrefix,
  kinesisRunLineage,
  kinesisRunOfManifest,
  kinesisRunsEndingFrom,
  lakeFileKey,
  lakeWritePrefixes,
  localFileName,
  manifestKey,
  PARTITION_KEYS,
  parseManifest,
  parsePartitionPath,
  partitionFor,
  partitionLocationTemplate,
  partitionPath,
  quarantineRow,
  s3Lineage,
  s3ObjectName,
  s3ObjectVersion,
  serializeManifest,
  sqsMessageLineage,
  WRITE_CHECK_KEY,
} from "@app/core/lake-layout";
import { toGluePartitionKeys } from "@app/core/schema/glue";
import { describe, expect, it } from "vitest";

describe("partitionFor", () => {
  it("takes the UTC day and hour of the instant", () => {
    expect(partitionFor("2024-12-31T23:59:59.999Z")).toStrictEqual({ dt: "2024-12-31", hour: "23" });
    expect(partitionPath("2024-01-01T00:00:00Z")).toBe("dt=2024-01-01/hour=00");
  });
});

describe("partition paths", () => {
  it("reads back DuckDB's unpadded INTEGER hour and its own padded one as the same partition", () => {
    expect(parsePartitionPath("dt=2024-01-01/hour=5")).toStrictEqual({ dt: "2024-01-01", hour: "05" });
    expect(parsePartitionPath("dt=2024-01-01/hour=05")).toStrictEqual({ dt: "2024-01-01", hour: "05" });
    expect(() => parsePartitionPath("dt=2024-01-01/hour=24")).toThrow("not a partition path");
    expect(() => parsePartitionPath("dt=2024-01-01")).toThrow("not a partition path");
  });

  it("gives Glue the same keys, types and directory template the writer uses", () => {
    expect(toGluePartitionKeys().map((k) => [k.name, k.type])).toStrictEqual(
      PARTITION_KEYS.map((k) => [k.name, k.glue]),
    );
    expect(partitionLocationTemplate()).toBe(["dt=$", "{dt}/hour=$", "{hour}"].join(""));
  });
});

describe("lake keys", () => {
  it("puts Parquet files under table and partition, named by ingest, chunk and index", () => {
    expect(
      lakeFileKey({
        table: "cloudtrail",
        partition: partitionFor("2024-03-09T07:05:00Z"),
        name: "s3-ab",
        chunk: 1,
        index: 2,
      }),
    ).toBe("cloudtrail/dt=2024-03-09/hour=07/s3-ab-1-2.parquet");
  });

  it("keeps manifests and the write check in the manifest folder IAM grants besides the tables, chains and compactions", () => {
    expect(manifestKey("s3-ab")).toBe("_ingest/s3-ab.json");
    expect(lakeWritePrefixes("lake/", ["cloudtrail", "quarantine"])).toStrictEqual([
      "lake/cloudtrail/",
      "lake/quarantine/",
      "lake/_ingest/",
      "lake/_chain/",
      "lake/_compact/",
    ]);
    expect(WRITE_CHECK_KEY.startsWith(lakeWritePrefixes("", [])[0] as string)).toBe(true);
  });
});

describe("lineage", () => {
  it("spells S3 objects, Kinesis runs and SQS messages as URLs", () => {
    expect(s3Lineage("b", "AWSLogs/x.json.gz")).toBe("s3://b/AWSLogs/x.json.gz");
    expect(kinesisRunLineage("s", "shardId-000000000000", "1", "9")).toBe("kinesis://s/shardId-000000000000/1-9");
    expect(sqsMessageLineage("q", "m-1")).toBe("sqs://q/m-1");
  });
});

describe("Kinesis run manifests", () => {
  const shard = "shardId-000000000000";
  const key = (f: string, l: string) => manifestKey(kinesisBatchName("s", shard, f, l));

  it("reads a run's range back from its manifest key and ignores other keys", () => {
    expect(kinesisRunOfManifest("s", shard, key("7", "1234"))).toStrictEqual({ first: 7n, last: 1234n });
    expect(
      [
        manifestKey("s3-ab"),
        key("7", "12").replace("s-", "t-"),
        `${kinesisManifestPrefix("s", shard)}0021-0011.json`,
        `${kinesisManifestPrefix("s", shard)}0021-0011.json.tmp`,
      ].map((k) => kinesisRunOfManifest("s", shard, k)),
    ).toStrictEqual([undefined, undefined, undefined, undefined]);
  });

  it("lists after a key below every run that ends at or after a sequence number, and above every other", () => {
    const from = kinesisRunsEndingFrom("s", shard, "100");
    const runs = [key("1", "99"), key("90", "100"), key("100", "100"), key("101", "1000")];
    expect(runs.map((k) => k > from && k.startsWith(kinesisManifestPrefix("s", shard)))).toStrictEqual([
      false,
      true,
      true,
      true,
    ]);
  });
});

describe("manifests", () => {
  const manifest: IngestManifest = {
    name: "s3-ab",
    source_object: "s3://b/k",
    ingest_time: "2024-03-09T07:05:00Z",
    summary: { source: "cloudtrail", records: 3, rows: { cloudtrail: 2 }, quarantined: { bad_json: 1 }, skipped: {} },
    files: ["cloudtrail/dt=2024-03-09/hour=07/s3-ab-0-0.parquet"],
  };

  it("round-trips through its stored text", () => {
    expect(parseManifest(serializeManifest(manifest))).toStrictEqual(manifest);
    expect(serializeManifest(manifest).endsWith("}\n")).toBe(true);
  });

  it("round-trips the content hash and the S3 version read", () => {
    const versioned: IngestManifest = {
      ...manifest,
      content_sha256: "a".repeat(64),
      ...s3ObjectVersion({ versionId: "v2", eTag: "e2", sequencer: "0062E99A88DC407460" }),
    };
    expect(parseManifest(serializeManifest(versioned))).toStrictEqual({
      ...manifest,
      content_sha256: "a".repeat(64),
      version_id: "v2",
      etag: "e2",
      sequencer: "0062E99A88DC407460",
    });
    expect(() => parseManifest(JSON.stringify({ ...manifest, sequencer: 7 }), "m")).toThrow(
      "m: not an ingest manifest",
    );
  });

  it("refuses text that is no manifest, naming where it was read", () => {
    expect(() => parseManifest("{", "lake/_ingest/x.json")).toThrow(/^lake\/_ingest\/x\.json: not JSON/);
    expect(() => parseManifest('{"name":"x"}', "m")).toThrow("m: not an ingest manifest");
  });
});

describe("input identity", () => {
  it("names a local file by its real path and a pipe by its content", () => {
    expect(localFileName("/logs/app.log")).toBe(localFileName("/logs/app.log"));
    expect(localFileName("/logs/app.log")).not.toBe(localFileName("/logs/copy/app.log"));
    expect(localFileName("/logs/app.log")).toMatch(/^file-[0-9a-f]{24}$/);
    expect(isOutputName(localFileName("/a b/ü.log"))).toBe(true);
    expect(fileContentName("0123456789abcdef".repeat(4))).toBe("0123456789abcdef".repeat(2));
  });

  it("names an S3 object by bucket and key and records the version beside it", () => {
    const ref = { bucket: "b", key: "AWSLogs/x.json.gz" };
    expect(s3ObjectName({ ...ref })).toBe(s3ObjectName(ref));
    expect(s3ObjectVersion({})).toStrictEqual({});
    expect(s3ObjectVersion({ eTag: "e" })).toStrictEqual({ etag: "e" });
  });

  it("orders S3 sequencers of different lengths by left-padding the shorter with zeros", () => {
    expect(compareS3Sequencers("0062E99A88DC407460", "0062E99A88DC407461")).toBe(-1);
    expect(compareS3Sequencers("62E99A88DC407460", "0062E99A88DC407460")).toBe(0);
    expect(compareS3Sequencers("0062E99A88DC4074600000", "0062E99A88DC407460")).toBe(1);
    expect(compareS3Sequencers("F", "10")).toBe(-1);
    expect(compareS3Sequencers("0a", "0A")).toBe(0);
  });

  it("calls an event older only against a manifest that recorded a later sequencer", () => {
    const m: IngestManifest = {
      name: "s3-ab",
      source_object: "s3://b/k",
      ingest_time: "2024-03-09T07:05:00Z",
      summary: { source: "app_json", records: 0, rows: {}, quarantined: {}, skipped: {} },
      files: [],
      sequencer: "0062E99A88DC407461",
    };
    expect(isOlderS3Event(m, "0062E99A88DC407460")).toBe(true);
    expect(isOlderS3Event(m, "0062E99A88DC407461")).toBe(false);
    expect(isOlderS3Event(m, "0062E99A88DC407462")).toBe(false);
    expect(isOlderS3Event(m, undefined)).toBe(false);
    expect(isOlderS3Event({ ...m, sequencer: undefined }, "00")).toBe(false);
    expect(isOlderS3Event(undefined, "00")).toBe(false);
  });
});

describe("keyTimeHint", () => {
  it("reads the time CloudFront, CloudTrail and dated folders put in a key, and nothing else", () => {
    const hints = [
      "logs/E2QWRUHAPOMQZL.2025-06-12-13.8713fac4.gz",
      "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/10/111122223333_CloudTrail_us-east-1_20240310T1405Z_abcDEF123.json.gz",
      "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/05/01/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20240501T011231Z.json.gz",
      "app/auth-service/2025/06/11/22.jsonl.gz",
      "app/auth-service/2025/06/11/22/part-0.jsonl",
      "app/auth-service/2025/06/11/events.jsonl",
      "/var/log/2025/02/30/x.log",
      "E2QWRUHAPOMQZL.2025-06-12-24.8713fac4.gz",
      "misc/notes.bin",
      "app/2025-06-11.jsonl",
    ].map(keyTimeHint);
    expect(hints).toStrictEqual([
      "2025-06-12T13:00:00.000Z",
      "2024-03-10T14:05:00.000Z",
      "2024-05-01T01:12:31.000Z",
      "2025-06-11T22:00:00.000Z",
      "2025-06-11T22:00:00.000Z",
      "2025-06-11T00:00:00.000Z",
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe("quarantineRow", () => {
  it("takes the record's own time as event time when given, keeping the arrival as ingest time", () => {
    const row = quarantineRow({
      sourceObject: "s3://b/k",
      ingestTime: "2024-03-09T07:05:00Z",
      eventTime: "2024-03-01T23:59:59Z",
      line: 2,
      sourceKind: "cloudfront",
      reason: "bad_value",
      message: "sc-status: 'x' is not a valid int32",
      raw: "raw",
    });
    expect([row.event_time, row.ingest_time]).toStrictEqual(["2024-03-01T23:59:59Z", "2024-03-09T07:05:00Z"]);
  });

  it("stamps lineage, uses the arrival time as event time and cuts raw text to 64 KiB", () => {
    const row = quarantineRow({
      sourceObject: "s3://b/k",
      ingestTime: "2024-03-09T07:05:00Z",
      line: 4,
      sourceKind: "app_json",
      reason: "bad_json",
      message: "line 4 is not JSON",
      raw: "x".repeat(70_000),
    });
    expect({ ...row, raw: row.raw?.length }).toStrictEqual({
      event_time: "2024-03-09T07:05:00Z",
      source_kind: "app_json",
      reason: "bad_json",
      message: "line 4 is not JSON",
      raw: 65_536,
      raw_truncated: true,
      source_object: "s3://b/k",
      source_line: 4,
      ingest_time: "2024-03-09T07:05:00Z",
      cwl_owner: null,
      cwl_log_group: null,
      cwl_log_stream: null,
      cwl_event_id: null,
    });
  });

  it("keeps the CloudWatch Logs event a bad record arrived in", () => {
    const row = quarantineRow({
      sourceObject: "kinesis://s/shardId-000000000000/1",
      ingestTime: "2024-03-09T07:05:00Z",
      line: 1,
      sourceKind: "cloudwatch_logs",
      reason: "truncated",
      message: "log event message ends inside its JSON",
      raw: '{"a":',
      logEvent: {
        owner: "111122223333",
        logGroup: "/aws/lambda/f",
        logStream: "2024/03/09/[$LATEST]ab",
        eventId: "38",
      },
    });
    expect([row.cwl_owner, row.cwl_log_group, row.cwl_log_stream, row.cwl_event_id]).toStrictEqual([
      "111122223333",
      "/aws/lambda/f",
      "2024/03/09/[$LATEST]ab",
      "38",
    ]);
  });
});
