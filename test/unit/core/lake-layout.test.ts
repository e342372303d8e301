import {
  type IngestManifest,
  kinesisRunLineage,
  lakeFileKey,
  lakeWritePrefixes,
  manifestKey,
  PARTITION_KEYS,
  parseManifest,
  parsePartitionPath,
  partitionFor,
  partitionLocationTemplate,
  partitionPath,
  quarantineRow,
  s3Lineage,
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

  it("keeps manifests and the write check in the one folder IAM grants besides the tables", () => {
    expect(manifestKey("s3-ab")).toBe("_ingest/s3-ab.json");
    expect(lakeWritePrefixes("lake/", ["cloudtrail", "quarantine"])).toStrictEqual([
      "lake/cloudtrail/",
      "lake/quarantine/",
      "lake/_ingest/",
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

  it("refuses text that is no manifest, naming where it was read", () => {
    expect(() => parseManifest("{", "lake/_ingest/x.json")).toThrow(/^lake\/_ingest\/x\.json: not JSON/);
    expect(() => parseManifest('{"name":"x"}', "m")).toThrow("m: not an ingest manifest");
  });
});

describe("quarantineRow", () => {
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
    });
  });
});
