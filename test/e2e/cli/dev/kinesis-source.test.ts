import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeKinesisClient } from "@app/aws/clients";
import { type CheckpointStore, fileCheckpoints, memoryCheckpoints } from "@app/cli/dev/checkpoints";
import { KinesisEventSource } from "@app/cli/dev/kinesis-source";
import { silentLog } from "@app/pipeline/log";
import { CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type startEmulators as Start, startEmulators, waitFor } from "../../../helpers/emulators.ts";

type Handler = (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse>;

describe("KinesisEventSource positions", () => {
  let emulators: Awaited<ReturnType<typeof Start>>;
  let kinesis: ReturnType<typeof makeKinesisClient>;
  let dir: string;
  let streams = 0;

  beforeAll(async () => {
    emulators = await startEmulators();
    kinesis = makeKinesisClient({ endpoint: emulators.kinesisEndpoint });
    dir = await mkdtemp(join(tmpdir(), "loglake-checkpoints-"));
  });

  afterAll(async () => {
    kinesis.destroy();
    await emulators.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function stream(): Promise<{ name: string; arn: string; put(from: number, n: number): Promise<void> }> {
    const name = `positions-${++streams}`;
    await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
    const d = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    return {
      name,
      arn: d.StreamDescriptionSummary?.StreamARN as string,
      async put(from, n) {
        const Records = Array.from({ length: n }, (_, i) => ({ Data: Buffer.from(`r${from + i}`), PartitionKey: "p" }));
        await kinesis.send(new PutRecordsCommand({ StreamName: name, Records }));
      },
    };
  }

  function consumer(s: { name: string; arn: string }, handler: Handler, checkpoints: CheckpointStore) {
    return new KinesisEventSource({
      kinesis,
      streamName: s.name,
      streamArn: s.arn,
      region: "us-east-1",
      batchSize: 40,
      batchingWindowSeconds: 0,
      maxRetryAttempts: 3,
      maxRecordAgeSeconds: 3600,
      handler,
      log: silentLog,
      idleMs: 50,
      checkpoints,
    });
  }

  /** A handler that notes each batch as the data of its records. */
  function recorder(batches: string[][]): Handler {
    return async (event) => {
      batches.push(event.Records.map((r) => Buffer.from(r.kinesis.data, "base64").toString()));
      return { batchItemFailures: [] };
    };
  }

  const names = (from: number, n: number) => Array.from({ length: n }, (_, i) => `r${from + i}`);

  it("reads each record once when a consumer is stopped and started again in the same process", async () => {
    // Prepare
    const s = await stream();
    const batches: string[][] = [];
    const c = consumer(s, recorder(batches), memoryCheckpoints());
    await s.put(0, 150);
    await c.start();
    await waitFor("150 records", async () => (batches.flat().length >= 150 ? true : undefined), 20_000, 50);
    // Act
    await c.stop();
    await c.start();
    await s.put(150, 150);
    await waitFor("300 records", async () => (batches.flat().length >= 300 ? true : undefined), 20_000, 50);
    await c.stop();
    // Assess
    expect(batches.flat()).toStrictEqual(names(0, 300));
  });

  it("starts a new consumer after the last record committed, from the positions file", async () => {
    // Prepare
    const s = await stream();
    const file = join(dir, "resume.json");
    const before: string[][] = [];
    const first = consumer(s, recorder(before), fileCheckpoints(file, s.name));
    await s.put(0, 100);
    await first.start();
    await waitFor("100 records", async () => (before.flat().length >= 100 ? true : undefined), 20_000, 50);
    await first.stop();
    // Act
    await s.put(100, 50);
    const after: string[][] = [];
    const second = consumer(s, recorder(after), fileCheckpoints(file, s.name));
    await second.start();
    await waitFor("50 records", async () => (after.flat().length >= 50 ? true : undefined), 20_000, 50);
    await second.stop();
    // Assess
    expect([before.flat(), after.flat()]).toStrictEqual([names(0, 100), names(100, 50)]);
  });

  it("delivers a batch that was in flight when its process died again with the same first and last record", async () => {
    // Prepare: the first consumer's second batch never returns, as if the process had been killed inside it.
    const s = await stream();
    const file = join(dir, "in-flight.json");
    const seen: string[][] = [];
    const dying: Handler = async (event) => {
      seen.push(event.Records.map((r) => Buffer.from(r.kinesis.data, "base64").toString()));
      if (seen.length === 2) return new Promise<never>(() => {});
      return { batchItemFailures: [] };
    };
    await s.put(0, 60);
    await consumer(s, dying, fileCheckpoints(file, s.name)).start();
    await waitFor("the batch in flight", async () => (seen.length === 2 ? true : undefined), 20_000, 50);
    // More records arrive while the process is down: they must not widen the replayed batch.
    await s.put(60, 60);
    // Act
    const replayed: string[][] = [];
    const next = consumer(s, recorder(replayed), fileCheckpoints(file, s.name));
    await next.start();
    await waitFor("every record", async () => (replayed.flat().length >= 80 ? true : undefined), 20_000, 50);
    await next.stop();
    // Assess
    expect(replayed[0]).toStrictEqual(seen[1]);
    expect([...(seen[0] ?? []), ...replayed.flat()]).toStrictEqual(names(0, 120));
  });
});
