import { ingestObject } from "@app/core/ingest/pipeline";
import { cloudfrontFieldsAt, type ReplayInput, replayInput, replayKey } from "@app/core/ingest/replay";
import { quarantineRow } from "@app/core/lake-layout";
import { SOURCES } from "@app/core/sources/index";
import type { QuarantineRow } from "@app/core/sources/quarantine/schema";
import { describe, expect, it } from "vitest";

const base = {
  sourceObject: "s3://logs/cwl/app/2024/05/01/x.gz",
  ingestTime: "2024-05-02T00:00:00.000Z",
  line: 7,
  message: "m",
};

function row(over: Partial<QuarantineRow> & Pick<QuarantineRow, "source_kind" | "reason" | "raw">): QuarantineRow {
  return {
    ...quarantineRow({ ...base, sourceKind: "app_json", reason: "bad_json", raw: "" }),
    ...over,
  };
}

async function* bytesOf(text: string) {
  yield new TextEncoder().encode(text);
}

describe("replayKey", () => {
  it("reads the key an object was detected by back from its lineage id", () => {
    expect([
      replayKey("s3://bucket/AWSLogs/1/CloudTrail/x.json.gz"),
      replayKey("kinesis://stream-a/shardId-000000000001/4959"),
      replayKey("/data/logs/app/x.jsonl"),
    ]).toStrictEqual([
      "AWSLogs/1/CloudTrail/x.json.gz",
      "kinesis/stream-a/shardId-000000000001",
      "/data/logs/app/x.jsonl",
    ]);
  });
});

describe("replayInput", () => {
  it("frames a CloudTrail record in a Records array and a CloudWatch Logs message in a payload with its lineage", () => {
    // Prepare
    const trail = row({ source_kind: "cloudtrail", reason: "bad_timestamp", raw: '{"eventTime":"x"}' });
    const cwl = row({
      source_kind: "cloudwatch_logs",
      reason: "truncated",
      raw: '{"timestamp":"2024-05-01T10:00:00Z","msg":"cut',
      event_time: "2024-05-01T10:00:00.000Z",
      cwl_owner: "111122223333",
      cwl_log_group: "/aws/lambda/orders",
      cwl_log_stream: "2024/05/01/[$LATEST]abc",
      cwl_event_id: "3741",
    });
    // Act / Assess
    expect([replayInput(trail), replayInput(cwl)]).toStrictEqual([
      {
        ok: true,
        input: { key: "cwl/app/2024/05/01/x.gz", text: '{"Records":[{"eventTime":"x"}]}', forced: "cloudtrail" },
      },
      {
        ok: true,
        input: {
          key: "cwl/app/2024/05/01/x.gz",
          text: '{"messageType":"DATA_MESSAGE","owner":"111122223333","logGroup":"/aws/lambda/orders","logStream":"2024/05/01/[$LATEST]abc","logEvents":[{"id":"3741","timestamp":1714557600000,"message":"{\\"timestamp\\":\\"2024-05-01T10:00:00Z\\",\\"msg\\":\\"cut"}]}',
          forced: "cloudwatch_logs",
        },
      },
    ]);
  });

  it("says why a record cannot be replayed faithfully instead of guessing", () => {
    const cases = [
      row({ source_kind: "app_json", reason: "too_large", raw: "{", raw_truncated: true }),
      row({ source_kind: "app_json", reason: "write_failed", raw: null }),
      row({ source_kind: "unknown", reason: "unknown_source", raw: "head" }),
      row({ source_kind: "cloudfront", reason: "bad_value", raw: "2024-05-01\t10:00:00\tLAX1" }),
      // Dated by its object's key time: the log event's own timestamp is not known.
      row({
        source_kind: "cloudwatch_logs",
        reason: "truncated",
        raw: '{"a":',
        event_time: "2024-05-01T00:00:00.000Z",
      }),
    ];
    expect(cases.map((c) => (replayInput(c).ok ? "ok" : (replayInput(c) as { why: string }).why))).toStrictEqual([
      "raw_cut",
      "object_level",
      "object_level",
      "no_context",
      "no_context",
    ]);
  });
});

describe("a framed record read by the registered source", () => {
  it("routes a CloudWatch Logs message to the table its content belongs to, with the payload's lineage", async () => {
    // Prepare
    const q = row({
      source_kind: "cloudwatch_logs",
      reason: "bad_record",
      raw: '{"level":"info","message":"no time of its own"}',
      event_time: "2024-05-01T10:00:00.000Z",
      cwl_owner: "111122223333",
      cwl_log_group: "/aws/lambda/orders",
      cwl_log_stream: "s",
      cwl_event_id: "9",
    });
    const input = (replayInput(q) as { input: ReplayInput }).input;
    const out: [string, Record<string, unknown>][] = [];
    // Act
    await ingestObject({
      sources: SOURCES,
      bytes: bytesOf(input.text),
      context: { key: input.key, options: {} },
      lineage: { sourceObject: q.source_object, ingestTime: q.ingest_time },
      sink: { write: (t, r) => void out.push([t.name, r]) },
      forced: input.forced,
    });
    // Assess
    expect(out.map(([t, r]) => [t, r.event_time, r.message, r.cwl_log_group, r.cwl_event_id])).toStrictEqual([
      ["app_events", "2024-05-01T10:00:00.000Z", "no time of its own", "/aws/lambda/orders", "9"],
    ]);
  });
});

describe("cloudfrontFieldsAt", () => {
  it("finds the #Fields line in force at a line only where the object still holds that line", async () => {
    // Prepare
    const text = "#Version: 1.0\n#Fields: date time a\nx\ty\tz\n#Fields: date time b c\r\nu\tv\tw\tq\n";
    const wanted = new Map([
      [3, "x\ty\tz"],
      [5, "u\tv\tw\tq"],
      [4, "not what line 4 holds"],
    ]);
    // Act
    const found = await cloudfrontFieldsAt(bytesOf(text), wanted);
    // Assess
    expect([...found].sort()).toStrictEqual([
      [3, "#Fields: date time a"],
      [5, "#Fields: date time b c"],
    ]);
  });
});
