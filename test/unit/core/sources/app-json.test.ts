import { toAppEventRow } from "@app/core/sources/app-json/parse";
import { appJsonSource } from "@app/core/sources/index";
import { JsonRecord } from "@app/core/sources/json-record";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expectIngestInvariants, ingestFixture } from "../../../helpers/source-fixtures.ts";

function record(text: string): JsonRecord {
  const rec = JsonRecord.parse(text);
  if (typeof rec === "string") throw new Error(`not a JSON object: ${text}`);
  return rec;
}

describe("toAppEventRow", () => {
  it("maps aliases to columns and keeps every other field in attributes", () => {
    const result = toAppEventRow(
      record(
        JSON.stringify({
          ts: "1714557600",
          severity: "ERROR",
          eventType: "api",
          serviceName: "orders",
          userId: 42,
          clientIp: "192.0.2.1",
          userAgent: "curl/8.0",
          correlationId: "c-1",
          httpMethod: "post",
          uri: "/v1/x",
          statusCode: "502",
          latencyMs: "12.5",
          msg: "bad gateway",
          user: { id: "nested" },
          extra: [1, 2],
        }),
      ),
    );
    expect(result).toStrictEqual({
      ok: true,
      row: {
        event_time: "2024-05-01T10:00:00.000Z",
        level: "error",
        type: "api",
        service: "orders",
        user_id: "42",
        action: null,
        result: null,
        ip_address: "192.0.2.1",
        user_agent: "curl/8.0",
        request_id: "c-1",
        method: "post",
        path: "/v1/x",
        status_code: 502,
        duration_ms: 12.5,
        message: "bad gateway",
        attributes: '{"user":{"id":"nested"},"extra":[1,2]}',
      },
    });
  });

  it("keeps values that do not fit their column in attributes", () => {
    const result = toAppEventRow(record('{"time":"2024-05-01T10:00:00Z","status":"3.5","duration":"fast","level":35}'));
    expect(result.ok && result.row.attributes).toBe('{"status":"3.5","duration":"fast","level":35}');
  });

  it("refuses an object without a usable time and names the fields it tried", () => {
    expect(toAppEventRow(record('{"time":"soon","ts":-5}'))).toStrictEqual({
      ok: false,
      reason: "bad_timestamp",
      message: 'unusable time in time="soon", ts=-5',
    });
  });
});

describe("appJsonSource.matchKey", () => {
  it.each([
    ["app/auth-service/2024/05/01/auth-0001.jsonl", true],
    ["raw/apps/orders/2024/05/01/api.ndjson.gz", true],
    ["app-logs/x.log", true],
    ["/app/cloudtrail.json", false],
    ["data/raw/app/x.jsonl", false],
    ["app/x.csv", false],
    ["export.ndjson", false],
  ])("says %s is an app log key: %s", (key, expected) => {
    expect(appJsonSource.matchKey(key)).toBe(expected);
  });
});

describe("appJsonSource.sniff", () => {
  it.each([
    ["an auth line", '\n{"timestamp":"2024-05-01T10:00:00Z","type":"auth"}\n{"a"', true],
    ["a pino line", '{"level":30,"time":1714557600000,"msg":"x"}', true],
    ["a line without a time field", '{"level":"info"}\n', false],
    [
      "a CloudTrail record",
      '{"eventVersion":"1.08","eventTime":"2024-05-01T10:00:00Z","eventSource":"x","time":1}',
      false,
    ],
    ["a CloudWatch Logs payload", '{"messageType":"DATA_MESSAGE","logEvents":[],"time":1}', false],
    [
      "a CloudTrail export record without eventVersion",
      '{"@timestamp":"2024-05-01T10:00:00Z","eventSource":"sts.amazonaws.com","eventName":"GetCallerIdentity"}',
      false,
    ],
    [
      "an app event that names an event and a non-AWS source",
      '{"@timestamp":"2024-05-01T10:00:00Z","eventSource":"billing","eventName":"invoice.paid"}',
      true,
    ],
    ["a CloudFront v2 JSON line", '{"timestamp":"1714557600","c-ip":"192.0.2.1","x-edge-location":"IAD89-C1"}', false],
    ["an EventBridge event", '{"detail-type":"x","time":"2024-05-01T10:00:00Z","detail":{}}', false],
    ["a first line cut by the head", '{"timestamp":"2024-05-01T10:00:00Z","msg":"xx', false],
    ["text", "hello\n", false],
  ])("recognises %s: %s", (_name, head, expected) => {
    expect(appJsonSource.sniff(head)).toBe(expected);
  });
});

describe("app_json properties", () => {
  const line = fc.oneof(
    fc.string(),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc
      .dictionary(
        fc.constantFrom("timestamp", "time", "ts", "level", "status", "duration", "user", "ip", "msg", "other"),
        fc.jsonValue(),
      )
      .map((o) => JSON.stringify(o)),
  );

  it("never throws, accounts for every line and writes rows that fit their table", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.array(line, { maxLength: 8 }).map((ls) => new TextEncoder().encode(ls.join("\n"))),
        ),
        async (bytes) => expectIngestInvariants(bytes, "x", 11, "app_json"),
      ),
      { numRuns: 200 },
    );
  }, 60_000);

  // A line that opens an object or array it does not close continues on the next (pretty-printed JSON).
  const opensValue = (l: string) => {
    if (!/^[\s\uFEFF]*[[{]/.test(l)) return false;
    try {
      JSON.parse(l);
      return false;
    } catch {
      return true;
    }
  };

  it("yields one record per line when no line opens a value it leaves open", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          line.filter((l) => !/[\r\n]/.test(l) && !opensValue(l)),
          { maxLength: 10 },
        ),
        async (lines) => {
          const { summary } = await ingestFixture(
            new TextEncoder().encode(lines.map((l) => `${l}\n`).join("")),
            "x",
            "x",
            7,
            "app_json",
          );
          expect(summary.records).toBe(lines.length);
        },
      ),
      { numRuns: 200 },
    );
  }, 60_000);

  it("never throws from matchKey or sniff", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        expect(typeof appJsonSource.matchKey(s)).toBe("boolean");
        expect(typeof appJsonSource.sniff(s)).toBe("boolean");
      }),
    );
  });
});
