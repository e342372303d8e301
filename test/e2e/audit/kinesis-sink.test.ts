import { makeKinesisClient } from "@app/aws/clients";
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
} from "@aws-sdk/client-kinesis";
import { createAuditLogger } from "@loglake/audit";
import { kinesisSink, type PartitionKeyChoice } from "@loglake/audit/kinesis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmulators } from "../../helpers/emulators.ts";
import { type KinesisThrottle, startKinesisThrottle, type ThrottleDecision } from "../../helpers/kinesis-throttle.ts";

const FORWARD: ThrottleDecision = { call: "forward" };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("kinesisSink against kinesalite", () => {
  let emulators: Awaited<ReturnType<typeof startEmulators>>;
  let kinesis: KinesisClient;
  let proxy: KinesisThrottle;
  let decide: (call: number) => ThrottleDecision = () => FORWARD;
  let stream = 0;

  beforeAll(async () => {
    emulators = await startEmulators();
    kinesis = makeKinesisClient({ endpoint: emulators.kinesisEndpoint });
    proxy = await startKinesisThrottle(emulators.kinesisEndpoint, (n) => decide(n));
  });

  afterEach(() => {
    decide = () => FORWARD;
    Object.assign(proxy.counts, { calls: 0, throttledCalls: 0, failedEntries: 0, forwardedEntries: 0 });
    proxy.counts.callSizes.length = 0;
    proxy.counts.callBytes.length = 0;
  });

  afterAll(async () => {
    await proxy?.close();
    await emulators?.stop();
  });

  /** A fresh one-shard stream and a logger whose Kinesis client goes through the proxy, without SDK retries. */
  async function setup(partitionKey?: PartitionKeyChoice) {
    const name = `audit-${++stream}`;
    await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
    const client = makeKinesisClient({ endpoint: proxy.url, maxAttempts: 1 });
    const sink = kinesisSink({ client, streamName: name, ...(partitionKey ? { partitionKey } : {}) });
    const audit = createAuditLogger({
      service: "orders",
      sinks: [sink],
      preset: "high-volume",
      delivery: { maxBatchEvents: 2_000, maxBatchBytes: 64 * 1024 * 1024, baseDelayMs: 1, maxDelayMs: 5 },
    });
    return { name, audit };
  }

  async function readStream(name: string): Promise<{ data: string; key: string }[]> {
    const it = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: name,
        ShardId: "shardId-000000000000",
        ShardIteratorType: "TRIM_HORIZON",
      }),
    );
    const out: { data: string; key: string }[] = [];
    let iterator = it.ShardIterator;
    for (;;) {
      const res = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      const records = res.Records ?? [];
      for (const r of records)
        out.push({ data: Buffer.from(r.Data ?? []).toString("utf8"), key: r.PartitionKey ?? "" });
      if (records.length === 0) return out;
      iterator = res.NextShardIterator;
    }
  }

  const line = (i: number, extra: Record<string, unknown> = {}) => ({
    type: "api" as const,
    action: "GET /orders",
    timestamp: `2026-02-03T04:05:06.${String(i).padStart(6, "0")}Z`,
    request_id: `req-${i}`,
    user_id: `user-${i % 7}`,
    ...extra,
  });

  it("puts one JSON line per event, in order, in calls of at most 500 records", async () => {
    // Prepare
    const { name, audit } = await setup();
    // Act
    for (let i = 0; i < 1_200; i++) void audit.log(line(i));
    await audit.flush();
    const records = await readStream(name);
    // Assess
    expect(proxy.counts.callSizes).toStrictEqual([500, 500, 200]);
    expect(records.map((r) => r.data)).toStrictEqual(
      Array.from({ length: 1_200 }, (_, i) => {
        const l = line(i);
        return `${JSON.stringify({ timestamp: l.timestamp, service: "orders", level: "info", type: "api", action: l.action, user_id: l.user_id, request_id: l.request_id })}\n`;
      }),
    );
    expect(records.map((r) => r.key)).toStrictEqual(Array.from({ length: 1_200 }, (_, i) => `req-${i}`));
    expect(audit.health().sinks.kinesis).toMatchObject({ sent: 1_200, retried: 0, queued: 0 });
  });

  it("keeps each call under 5 MiB and drops a record over 1 MiB as too_large", async () => {
    // Prepare: 12 events of 600,000 bytes (8 fit in 5 MiB, 9 do not), and one of 1.1 MB.
    const { name, audit } = await setup();
    // Act
    for (let i = 0; i < 12; i++) void audit.log(line(i, { attributes: { blob: "x".repeat(600_000) } }));
    void audit.log(line(99, { attributes: { blob: "y".repeat(1_100_000) } }));
    await audit.flush();
    const records = await readStream(name);
    // Assess
    expect(proxy.counts.callSizes).toStrictEqual([8, 4]);
    expect(proxy.counts.callBytes.every((b) => b <= 5 * 1024 * 1024)).toBe(true);
    expect(proxy.counts.largestEntryBytes).toBeLessThanOrEqual(1024 * 1024);
    expect(records).toHaveLength(12);
    expect(audit.health().sinks.kinesis).toMatchObject({ sent: 12, dropped: { too_large: 1 } });
  });

  it.each([
    ["user_id", (i: number) => (i % 3 === 0 ? undefined : `user-${i % 7}`)],
    ["random", () => undefined],
  ] as const)("partitions by %s (a random key where the field is missing)", async (choice, expected) => {
    // Prepare
    const { name, audit } = await setup(choice);
    // Act
    for (let i = 0; i < 9; i++) void audit.log(i % 3 === 0 ? { ...line(i), user_id: undefined } : line(i));
    await audit.flush();
    const keys = (await readStream(name)).map((r) => r.key);
    // Assess
    expect(keys.map((k, i) => expected(i) ?? (UUID.test(k) ? "uuid" : k))).toStrictEqual(
      keys.map((_, i) => expected(i) ?? "uuid"),
    );
    expect(new Set(keys.filter((k) => UUID.test(k))).size).toBe(keys.filter((k) => UUID.test(k)).length);
  });

  it("retries only the entries a call failed, and a throttled call whole, storing each event once", async () => {
    // Prepare: call 1 fails every other entry, call 2 is refused whole, then all goes through.
    const { name, audit } = await setup();
    decide = (n) =>
      n === 1 ? { call: "partial", fail: (i) => i % 2 === 1 } : n === 2 ? { call: "throttle" } : FORWARD;
    // Act
    for (let i = 0; i < 10; i++) void audit.log(line(i));
    await audit.flush();
    const records = await readStream(name);
    // Assess
    expect(proxy.counts.callSizes).toStrictEqual([10, 5, 5]);
    expect(records.map((r) => r.key)).toStrictEqual([
      "req-0",
      "req-2",
      "req-4",
      "req-6",
      "req-8",
      "req-1",
      "req-3",
      "req-5",
      "req-7",
      "req-9",
    ]);
    expect(audit.health().sinks.kinesis).toMatchObject({
      sent: 10,
      retried: 10,
      failedBatches: 0,
      lastError: { message: "ProvisionedThroughputExceededException: Rate exceeded for shard shardId-000000000000" },
    });
  });
});
