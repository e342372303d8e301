import { makeKinesisClient } from "@app/aws/clients";
import { CloudWatchLogsClient, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { type AuditEventInput, createAuditLogger } from "@loglake/audit";
import { kinesisSink } from "@loglake/audit/kinesis";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPipeline, type TestPipeline, testConfig, waitFor } from "../../helpers/emulators.ts";
import { type KinesisThrottle, startKinesisThrottle, type ThrottleDecision } from "../../helpers/kinesis-throttle.ts";
import { lakeQuery } from "../../helpers/lake-query.ts";

const EVENTS = 3_000;
const ROWS_SQL = `SELECT request_id, strftime(event_time, '%Y-%m-%dT%H:%M:%S.%fZ') AS event_time, level, type, service,
  user_id, action, result, ip_address, status_code, attributes FROM app_events WHERE service = ? ORDER BY request_id, type`;

/**
 * A shard over its rate, as Kinesis reports it: every fourth PutRecords call is refused whole, and in the others
 * every fifth entry fails the first time it is sent (entries are told apart by their partition key, the request id).
 */
function throttling(): (call: number) => ThrottleDecision {
  const failedOnce = new Set<string>();
  const fail = (i: number, e: { PartitionKey: string }) =>
    i % 5 === 2 && !failedOnce.has(e.PartitionKey) && failedOnce.add(e.PartitionKey) !== undefined;
  return (call) => (call % 4 === 0 ? { call: "throttle" } : { call: "partial", fail });
}

/** Event `i` of the service: auth, api and audit in turn, each with its own request id and microsecond time. */
function serviceEvent(i: number): AuditEventInput {
  const base = {
    request_id: `orders-${String(i).padStart(5, "0")}`,
    timestamp: `2026-04-05T06:${String(Math.floor(i / 60) % 60).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}.${String(i).padStart(6, "0")}Z`,
    user_id: `user-${i % 17}`,
    ip_address: `198.51.100.${i % 250}`,
  };
  if (i % 3 === 0) return { ...base, type: "auth", action: "login", result: i % 2 ? "failure" : "success" };
  if (i % 3 === 1)
    return { ...base, type: "api", action: "GET /orders", method: "GET", path: "/orders", status_code: 200 };
  return { ...base, type: "audit", action: "role.grant", level: "warn", attributes: { role: "admin", seq: i } };
}

/** The `app_events` row loglake must make of event `i`, in the columns ROWS_SQL reads. */
function expectedRow(i: number) {
  const e = serviceEvent(i);
  return {
    request_id: e.request_id,
    event_time: e.timestamp,
    level: e.level ?? "info",
    type: e.type,
    service: "orders",
    user_id: e.user_id,
    action: e.action,
    result: e.result ?? null,
    ip_address: e.ip_address,
    status_code: e.status_code ?? null,
    attributes: e.attributes ? JSON.stringify(e.attributes) : null,
  };
}

async function rowsOf(p: TestPipeline, service: string, n: number): Promise<Record<string, unknown>[]> {
  const sql = ROWS_SQL.replace("?", `'${service}'`);
  return waitFor(
    `${n} app_events rows of ${service}`,
    async () => {
      const rows = await lakeQuery(p.env.ready.endpoint, p.config.buckets.lake, sql);
      return rows.length >= n ? rows : undefined;
    },
    90_000,
    2_000,
  );
}

describe("a service using @loglake/audit → Kinesis → loglake dev → app_events", () => {
  let p: TestPipeline;
  let throttle: KinesisThrottle;

  beforeAll(async () => {
    // Batches of 1,000 records, so the consumer writes the 3,000 events in a few runs.
    p = await startTestPipeline({ config: testConfig({ stream: { batchSize: 1_000 } }), notify: false });
    throttle = await startKinesisThrottle(p.env.ready.kinesisEndpoint, throttling());
  });

  afterAll(async () => {
    await throttle?.close();
    await p?.stop();
  });

  it("lands 3,000 events through 3 throttled calls and 600 throttled entries (1,300 resent): 0 lost, 0 duplicated, every value kept", async () => {
    // Prepare: the SDK's own retries are off, so every throttled call and entry is the library's to retry.
    const client = makeKinesisClient({ endpoint: throttle.url, maxAttempts: 1 });
    const audit = createAuditLogger({
      service: "orders",
      sinks: [kinesisSink({ client, streamName: p.config.stream.name })],
      preset: "high-volume",
      delivery: { baseDelayMs: 20, maxDelayMs: 200 },
    });
    // Act
    for (let i = 0; i < EVENTS; i++) void audit.log(serviceEvent(i));
    await audit.close();
    const rows = await rowsOf(p, "orders", EVENTS);
    // Assess
    const expected = Array.from({ length: EVENTS }, (_, i) => expectedRow(i));
    const ids = new Set(rows.map((r) => r.request_id));
    const h = audit.health().sinks.kinesis;
    expect({
      emitted: EVENTS,
      rows: rows.length,
      lost: expected.filter((e) => !ids.has(e.request_id)).length,
      duplicated: rows.length - ids.size,
      throttledCalls: throttle.counts.throttledCalls,
      throttledEntries: throttle.counts.failedEntries,
      retried: h?.retried,
      dropped: h?.dropped,
    }).toStrictEqual({
      emitted: 3_000,
      rows: 3_000,
      lost: 0,
      duplicated: 0,
      throttledCalls: 3,
      throttledEntries: 600,
      retried: 1_300,
      dropped: { overflow: 0, too_large: 0, rejected: 0, retries_exhausted: 0, closed: 0 },
    });
    expect(rows).toStrictEqual(expected);
  });

  it("runs the README example: its events reach app_events and the same JSON goes to CloudWatch Logs", async () => {
    // Prepare: CloudWatch Logs has no emulator here, so its client is mocked; Kinesis is loglake dev's.
    const logs = mockClient(CloudWatchLogsClient);
    logs.on(PutLogEventsCommand).resolves({});
    const env = { ...process.env };
    Object.assign(process.env, {
      KINESIS_ENDPOINT: p.env.ready.kinesisEndpoint,
      STREAM_NAME: p.config.stream.name,
      LOG_GROUP: "/checkout/audit",
      AWS_REGION: p.config.region,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
    });
    // Act
    try {
      await import("../../../packages/audit/examples/service.ts");
    } finally {
      process.env = env;
      logs.restore();
    }
    const rows = await rowsOf(p, "checkout", 6);
    // Assess
    const sent = logs.commandCalls(PutLogEventsCommand).flatMap((c) => c.args[0].input.logEvents ?? []);
    const messages = sent.map((e) => JSON.parse(e.message ?? "") as { request_id: string; action: string });
    expect(rows.map((r) => [r.request_id, r.type, r.action, r.user_id, r.result, r.status_code])).toStrictEqual([
      ["checkout-0", "api", "POST /orders", "alice", null, 201],
      ["checkout-0", "auth", "login", "alice", "success", null],
      ["checkout-1", "api", "POST /orders", "bob", null, 201],
      ["checkout-1", "auth", "login", "bob", "success", null],
      ["checkout-2", "api", "POST /orders", "carol", null, 201],
      ["checkout-2", "auth", "login", "carol", "success", null],
    ]);
    expect(messages.map((m) => [m.request_id, m.action])).toStrictEqual([
      ["checkout-0", "login"],
      ["checkout-0", "POST /orders"],
      ["checkout-1", "login"],
      ["checkout-1", "POST /orders"],
      ["checkout-2", "login"],
      ["checkout-2", "POST /orders"],
    ]);
  });
});
