import { gzipSync } from "node:zlib";
import { kinesisArrivalTime, kinesisDataBytes, kinesisOrigin } from "@app/core/envelopes/kinesis";
import { ParseError } from "@app/core/errors";
import { kinesisBatchName, kinesisRecordLineage, s3ObjectName } from "@app/core/lake-layout";
import { describe, expect, it } from "vitest";

describe("kinesisDataBytes", () => {
  it("decodes base64 exactly once, leaving gzip payloads compressed", () => {
    // Prepare
    const gz = gzipSync('{"messageType":"CONTROL_MESSAGE"}');
    // Act
    const bytes = kinesisDataBytes(gz.toString("base64"));
    // Assess
    expect(Buffer.from(bytes).equals(gz)).toBe(true);
  });

  it("throws ParseError when the data is not base64", () => {
    expect(() => kinesisDataBytes("not base64!")).toThrow(ParseError);
  });
});

describe("kinesisArrivalTime", () => {
  it("turns epoch seconds with fraction into ISO-8601 UTC milliseconds", () => {
    expect(kinesisArrivalTime(1710079531.123)).toBe("2024-03-10T14:05:31.123Z");
  });
});

describe("kinesisOrigin", () => {
  it("reads the stream from the ARN and the shard from the event id", () => {
    expect(
      kinesisOrigin(
        "arn:aws:kinesis:us-east-1:111122223333:stream/loglake-prod-stream",
        "shardId-000000000003:49545115243490985018280067714973144582180062593244200961",
      ),
    ).toStrictEqual({ stream: "loglake-prod-stream", shardId: "shardId-000000000003" });
  });

  it("throws ParseError for a non-Kinesis ARN", () => {
    expect(() => kinesisOrigin("arn:aws:sqs:us-east-1:1:q", "shardId-0:1")).toThrow(ParseError);
  });
});

describe("names", () => {
  it("names an S3 object by bucket and key, whatever its version", () => {
    const a = { bucket: "b", key: "k" };
    const newer = { ...a, eTag: "e2", versionId: "v2", sequencer: "0A" };
    expect(s3ObjectName(a)).toBe(s3ObjectName(newer));
    expect(s3ObjectName(a)).not.toBe(s3ObjectName({ ...a, key: "k2" }));
    expect(s3ObjectName(a)).not.toBe(s3ObjectName({ ...a, bucket: "b2" }));
    expect(s3ObjectName(a)).toMatch(/^s3-[0-9a-f]{24}$/);
  });

  it("names Kinesis runs by stream, shard and sequence range, last first, so names sort by where runs end", () => {
    expect(kinesisBatchName("s", "shardId-000000000000", "1", "9")).toBe("kinesis-s-shardId-000000000000-0019-0011");
    const names = [
      ["5", "10"],
      ["1", "9"],
      ["11", "100"],
    ].map(([f, l]) => kinesisBatchName("s", "shardId-000000000000", f as string, l as string));
    expect([...names].sort()).toStrictEqual([names[1], names[0], names[2]]);
    expect(() => kinesisBatchName("s", "shardId-000000000000", "01", "9")).toThrow("decimal digits");
    expect(kinesisRecordLineage("s", "shardId-000000000000", "7")).toBe("kinesis://s/shardId-000000000000/7");
  });
});
