import { gzipSync } from "node:zlib";
import { ingestObject } from "@app/core/ingest/pipeline";
import { decodeBase64Payload } from "@app/core/sources/cloudwatch-logs/parse";
import { cloudwatchLogsSource, SOURCES } from "@app/core/sources/index";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunked, expectIngestInvariants, INGEST_TIME, ingestFixture } from "../../../helpers/source-fixtures.ts";

async function ingestObjectSummary(bytes: Uint8Array, maxRecordChars: number) {
  return ingestObject({
    sources: SOURCES,
    bytes: chunked(bytes, 1000),
    context: { key: "x.txt", options: {} },
    lineage: { sourceObject: "x", ingestTime: INGEST_TIME },
    sink: { write: () => undefined },
    forced: "cloudwatch_logs",
    maxRecordChars,
  });
}

const payload = (logEvents: unknown[], extra: Record<string, unknown> = {}) => ({
  messageType: "DATA_MESSAGE",
  owner: "111122223333",
  logGroup: "/aws/lambda/auth-service",
  logStream: "2024/05/01/[$LATEST]abc",
  subscriptionFilters: ["f"],
  logEvents,
  ...extra,
});

describe("cloudwatchLogsSource.sniff", () => {
  const data = Buffer.from(gzipSync(JSON.stringify(payload([])))).toString("base64");
  it.each([
    ["a payload", JSON.stringify(payload([])), true],
    ["a control message", '{"messageType":"CONTROL_MESSAGE","logEvents":[]}', true],
    ["base64 gzip text", `${data}\n`, true],
    ["a Lambda awslogs event", JSON.stringify({ awslogs: { data } }), true],
    ["a saved Kinesis event", JSON.stringify({ Records: [{ kinesis: { data }, eventSource: "aws:kinesis" }] }), true],
    [
      "a payload longer than the head",
      `{"messageType":"DATA_MESSAGE","logEvents":[{"message":"${"x".repeat(100)}`,
      true,
    ],
    ["a CloudTrail file", '{"Records":[{"eventVersion":"1.08","eventSource":"s3.amazonaws.com"}]}', false],
    ["an app log line", '{"timestamp":"2024-05-01T10:00:00Z","messageType":"note"}', false],
  ])("recognises %s: %s", (_name, head, expected) => {
    expect(cloudwatchLogsSource.sniff(head)).toBe(expected);
  });
});

describe("cloudwatchLogsSource.matchKey", () => {
  it.each([
    ["cwl/loglake/2024/05/01/10/loglake-1-2024-05-01-10-15-00-abc", true],
    ["raw/cloudwatch-logs/2024/05/01/part-0001.gz", true],
    ["AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/x.json.gz", false],
    ["/home/me/cwl/x.json", false],
  ])("says %s is a CloudWatch Logs key: %s", (key, expected) => {
    expect(cloudwatchLogsSource.matchKey(key)).toBe(expected);
  });
});

describe("decodeBase64Payload", () => {
  it("gunzips base64 gzip, reads base64 JSON, and refuses other text", () => {
    const json = '{"messageType":"CONTROL_MESSAGE"}';
    expect(decodeBase64Payload(Buffer.from(gzipSync(json)).toString("base64"))).toStrictEqual({ ok: true, text: json });
    expect(decodeBase64Payload(Buffer.from(json).toString("base64"))).toStrictEqual({ ok: true, text: json });
    expect(decodeBase64Payload("hello world")).toBeUndefined();
    expect(decodeBase64Payload("H4sIAAAAAAAA")).toStrictEqual({
      ok: false,
      reason: "corrupt_gzip",
      message: "base64 payload is not valid gzip: unexpected end of file",
    });
  });

  it("refuses a payload that inflates beyond 64 MiB", () => {
    const bomb = Buffer.from(gzipSync(Buffer.alloc(65 * 1024 * 1024, 32))).toString("base64");
    expect(decodeBase64Payload(bomb)).toStrictEqual({
      ok: false,
      reason: "too_large",
      message: "payload inflates beyond 67108864 bytes",
    });
  });

  it("keeps the readable beginning of a cut gzip payload", () => {
    const json = JSON.stringify(payload([{ id: "1", timestamp: 1714557600000, message: "x".repeat(2000) }]));
    const gz = gzipSync(json);
    const decoded = decodeBase64Payload(Buffer.from(gz.subarray(0, gz.length - 30)).toString("base64"));
    expect(decoded?.ok).toBe(true);
    expect(decoded?.ok && json.startsWith(decoded.text) && decoded.text.length > 100).toBe(true);
  });
});

describe("cloudwatch_logs parsing", () => {
  it("keeps log event id, group, stream and owner as lineage columns and falls back to the event time", async () => {
    // Prepare
    const body = payload([{ id: "3828", timestamp: 1714557600000, message: '{"type":"auth","user_id":"u-1"}' }]);
    // Act
    const { rows } = await ingestFixture(new TextEncoder().encode(JSON.stringify(body)), "x", "x", 1024);
    // Assess
    expect(
      rows.app_events?.map((r) => [
        r.event_time,
        r.attributes,
        r.cwl_owner,
        r.cwl_log_group,
        r.cwl_log_stream,
        r.cwl_event_id,
      ]),
    ).toStrictEqual([
      ["2024-05-01T10:00:00.000Z", null, "111122223333", "/aws/lambda/auth-service", "2024/05/01/[$LATEST]abc", "3828"],
    ]);
  });

  it("keeps a record's own cwl_ fields in attributes, apart from the lineage columns", async () => {
    // Prepare
    const message = '{"type":"audit","cwl_owner":"spoofed"}';
    const body = payload([{ id: "7", timestamp: 1714557600000, message }]);
    // Act
    const { rows } = await ingestFixture(new TextEncoder().encode(JSON.stringify(body)), "x", "x", 1024);
    // Assess
    expect(rows.app_events?.map((r) => [r.attributes, r.cwl_owner])).toStrictEqual([
      ['{"cwl_owner":"spoofed"}', "111122223333"],
    ]);
  });

  it("keeps every message that is no JSON record in cloudwatch_logs, exactly as sent", async () => {
    // Prepare
    const messages = [
      "2 111122223333 eni-0a1b2c3d 203.0.113.12 10.0.1.25 49761 443 6 12 5120 1714557600 1714557660 ACCEPT OK",
      "REPORT RequestId: r-1\tDuration: 1.00 ms\t\n",
      "  leading and trailing spaces  ",
      "[1,2]",
      "{'level': 'error', 'order': 42}",
      "",
    ];
    const body = payload(messages.map((message, i) => ({ id: String(i), timestamp: 1714557600000 + i, message })));
    // Act
    const { summary, rows } = await ingestFixture(new TextEncoder().encode(JSON.stringify(body)), "x", "x", 7);
    // Assess
    expect(summary.rows).toStrictEqual({ cloudwatch_logs: 6 });
    expect(
      rows.cloudwatch_logs?.map((r) => [r.event_time, r.message, r.subscription_filters, r.cwl_event_id]),
    ).toStrictEqual(messages.map((m, i) => [`2024-05-01T10:00:00.00${i}Z`, m, '["f"]', String(i)]));
  });

  it("quarantines a wrapped base64 payload longer than the record limit as one too_large record", async () => {
    // Prepare
    const events = Array.from({ length: 200 }, (_, n) => ({
      id: String(n),
      timestamp: 1714557600000,
      message: `m${n}`.repeat(40),
    }));
    const b64 = Buffer.from(gzipSync(JSON.stringify(payload(events)), { level: 0 })).toString("base64");
    const text = `${b64.replace(/(.{76})/g, "$1\n")}\n`;
    const bytes = new TextEncoder().encode(text);
    // Act
    const whole = await ingestObjectSummary(bytes, Number.MAX_SAFE_INTEGER);
    const capped = await ingestObjectSummary(bytes, 4096);
    // Assess
    expect(whole).toStrictEqual({
      source: "cloudwatch_logs",
      records: 200,
      rows: { cloudwatch_logs: 200 },
      quarantined: {},
      skipped: {},
    });
    expect(capped).toStrictEqual({
      source: "cloudwatch_logs",
      records: 1,
      rows: {},
      quarantined: { too_large: 1 },
      skipped: {},
    });
  });

  it("reads base64 wrapped over lines as one payload, and base64 lines as one payload each", async () => {
    // Prepare
    const events = [1, 2, 3].map((n) => ({ id: String(n), timestamp: 1714557600000, message: `{"n":${n}}` }));
    const b64 = Buffer.from(gzipSync(JSON.stringify(payload(events, { pad: "x".repeat(300) })))).toString("base64");
    const text = `${b64.replace(/(.{76})/g, "$1\n")}\n${b64}\nhello\nworld\n`;
    // Act
    const { summary } = await ingestFixture(new TextEncoder().encode(text), "x", "x", 50, "cloudwatch_logs");
    // Assess
    expect(summary).toStrictEqual({
      source: "cloudwatch_logs",
      records: 8,
      rows: { app_events: 6 },
      quarantined: { bad_json: 2 },
      skipped: {},
    });
  });

  it("routes an EventBridge CloudTrail event in a message to cloudtrail", async () => {
    const detail = { eventVersion: "1.08", eventTime: "2024-05-01T10:00:00Z", eventSource: "s3.amazonaws.com" };
    const message = JSON.stringify({ "detail-type": "AWS API Call via CloudTrail", detail });
    const body = payload([{ id: "1", timestamp: 1714557600000, message }]);
    const { summary } = await ingestFixture(new TextEncoder().encode(JSON.stringify(body)), "x", "x", 1024);
    expect(summary.rows).toStrictEqual({ cloudtrail: 1 });
  });
});

describe("cloudwatch_logs properties", () => {
  const message = fc.oneof(
    fc.string(),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc
      .record({ timestamp: fc.oneof(fc.integer(), fc.string()), level: fc.jsonValue(), status: fc.jsonValue() })
      .map((o) => JSON.stringify(o)),
    fc
      .record({
        eventVersion: fc.constant("1.08"),
        eventTime: fc.oneof(fc.string(), fc.integer()),
        eventSource: fc.string(),
      })
      .map((o) => JSON.stringify(o)),
  );
  const logEvent = fc.record({ id: fc.string(), timestamp: fc.integer(), message });

  it("never throws, accounts for every record and writes rows that fit their table", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.string({ unit: "binary", maxLength: 300 }).map((s) => new TextEncoder().encode(s)),
          fc.array(logEvent, { maxLength: 5 }).map((es) => new TextEncoder().encode(JSON.stringify(payload(es)))),
          fc.array(logEvent, { maxLength: 5 }).map((es) => new Uint8Array(gzipSync(JSON.stringify(payload(es))))),
        ),
        async (bytes) => expectIngestInvariants(bytes, "x", 13, "cloudwatch_logs"),
      ),
      { numRuns: 200 },
    );
  }, 60_000);

  it("yields one record per log event, in plain, gzip or base64 form", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(logEvent, { maxLength: 8 }), fc.integer({ min: 0, max: 2 }), async (events, form) => {
        const json = JSON.stringify(payload(events));
        const bytes =
          form === 0
            ? new TextEncoder().encode(json)
            : form === 1
              ? new Uint8Array(gzipSync(json))
              : new TextEncoder().encode(Buffer.from(gzipSync(json)).toString("base64"));
        const { summary } = await ingestFixture(bytes, "x", "x", 97, "cloudwatch_logs");
        expect(summary.records).toBe(events.length);
      }),
      { numRuns: 200 },
    );
  }, 60_000);

  it("never throws from matchKey or sniff", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        expect(typeof cloudwatchLogsSource.matchKey(s)).toBe("boolean");
        expect(typeof cloudwatchLogsSource.sniff(s)).toBe("boolean");
      }),
    );
  });
});
