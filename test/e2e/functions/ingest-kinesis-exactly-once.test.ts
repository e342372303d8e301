import { MANIFEST_DIR } from "@app/core/lake-layout";
import { createIngestKinesisHandler } from "@app/functions/handlers/ingest-kinesis";
import type { LakeStore } from "@app/lake/store";
import { PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import type { KinesisStreamEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lakeCounts, readShardEvent, startTestPipeline, type TestPipeline } from "../../helpers/emulators.ts";
import { withLakeMirror } from "../../helpers/lake-query.ts";

const RECORDS = 12;
const ids = Array.from({ length: RECORDS }, (_, i) => `evt-${String(i).padStart(2, "0")}`);

/** Rows per app event id in the lake, read back with DuckDB from a mirror of the lake bucket. */
async function rowsPerEventId(p: TestPipeline): Promise<Record<string, number>> {
  return withLakeMirror(p.env.ready.endpoint, p.config.buckets.lake, async (conn) => {
    const r = await conn.runAndReadAll(
      "SELECT request_id AS id, count(*)::INTEGER AS n FROM app_events GROUP BY request_id ORDER BY request_id",
    );
    return Object.fromEntries(r.getRowObjectsJson().map((o) => [o.id as string, o.n as number]));
  });
}

async function keys(p: TestPipeline, bucket: string, prefix: string): Promise<string[]> {
  const res = await p.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (res.Contents ?? []).map((o) => o.Key as string);
}

/** The lake port, crashing the function right after it wrote a manifest (the end of a batch's lake write). */
function crashingAfterManifest(lake: LakeStore, crashes: { left: number }): LakeStore {
  return {
    location: lake.location,
    chainSigner: () => lake.chainSigner(),
    putFile: (rel, local) => lake.putFile(rel, local),
    async putText(rel, text) {
      await lake.putText(rel, text);
      if (rel.startsWith(MANIFEST_DIR) && crashes.left-- > 0) throw new Error("function crashed after the write");
    },
    getText: (rel) => lake.getText(rel),
    delete: (rel) => lake.delete(rel),
    list: (prefix) => lake.list(prefix),
    listAfter: (start, after) => lake.listAfter(start, after),
    getToFile: (rel, local) => lake.getToFile(rel, local),
  };
}

describe("ingest-kinesis when a batch crashes after writing, is retried, then bisected", () => {
  let p: TestPipeline;
  let event: KinesisStreamEvent;

  beforeAll(async () => {
    p = await startTestPipeline({ notify: false });
    // The test plays the event source mapping itself, as Lambda does with bisectBatchOnFunctionError.
    await p.env.kinesisSource.stop();
    await p.kinesis.send(
      new PutRecordsCommand({
        StreamName: p.config.stream.name,
        Records: ids.map((id, i) => ({
          Data: Buffer.from(
            `${JSON.stringify({ timestamp: `2025-06-12T10:00:${String(i).padStart(2, "0")}Z`, request_id: id, message: "m" })}\n`,
          ),
          PartitionKey: "one-shard",
        })),
      }),
    );
    event = await readShardEvent(p);
  });

  afterAll(async () => {
    await p?.stop();
  });

  it("lands every record's rows exactly once: no duplicate, nothing lost, one manifest and one archive", async () => {
    // Prepare: the first delivery crashes in the lake port right after its write; the retry crashes after the
    // handler's work, when it publishes metrics; each bisected half then succeeds.
    const lakeCrashes = { left: 1 };
    let metricCrashes = 1;
    const handler = createIngestKinesisHandler(
      { ...p.env.runtime, lake: crashingAfterManifest(p.env.runtime.lake, lakeCrashes) },
      () => {
        if (metricCrashes-- > 0) throw new Error("function crashed after the write");
      },
    );
    const half = RECORDS / 2;
    const halves = [event.Records.slice(0, half), event.Records.slice(half)];
    // Act
    const outcomes: string[] = [];
    for (const batch of [event.Records, event.Records, ...halves]) {
      outcomes.push(
        await handler({ Records: batch }).then(
          (r) => `failures: ${r.batchItemFailures.length}`,
          (e: unknown) => `crashed: ${(e as Error).message}`,
        ),
      );
    }
    // Assess
    expect(event.Records).toHaveLength(RECORDS);
    expect(outcomes).toStrictEqual([
      "crashed: function crashed after the write",
      "crashed: function crashed after the write",
      "failures: 0",
      "failures: 0",
    ]);
    expect(await rowsPerEventId(p)).toStrictEqual(Object.fromEntries(ids.map((id) => [id, 1])));
    const counts = await lakeCounts(p.env.ready.endpoint, p.config.buckets.lake);
    expect([counts.rows, counts.duplicates]).toStrictEqual([{ app_events: RECORDS }, {}]);
    expect((await keys(p, p.config.buckets.lake, MANIFEST_DIR)).filter((k) => k.endsWith(".json"))).toHaveLength(1);
    expect(await keys(p, p.config.buckets.worm, "")).toHaveLength(1);
  });
});

describe("ingest-kinesis when a delivery holds records an earlier, crashed delivery wrote and records it did not", () => {
  let p: TestPipeline;
  let event: KinesisStreamEvent;

  beforeAll(async () => {
    p = await startTestPipeline({ notify: false });
    await p.env.kinesisSource.stop();
    await p.kinesis.send(
      new PutRecordsCommand({
        StreamName: p.config.stream.name,
        Records: ids.map((id) => ({
          Data: Buffer.from(`${JSON.stringify({ timestamp: "2025-06-12T10:00:00Z", request_id: id })}\n`),
          PartitionKey: "one-shard",
        })),
      }),
    );
    event = await readShardEvent(p);
  });

  afterAll(async () => {
    await p?.stop();
  });

  it("writes only the records no manifest covers, as one more run", async () => {
    // Prepare
    const crashes = { left: 1 };
    const handler = createIngestKinesisHandler({
      ...p.env.runtime,
      lake: crashingAfterManifest(p.env.runtime.lake, crashes),
    });
    // Act: the first five records, crashing after their write, then all twelve.
    const outcomes = [];
    for (const batch of [event.Records.slice(0, 5), event.Records]) {
      outcomes.push(await handler({ Records: batch }).catch((e: unknown) => (e as Error).message));
    }
    // Assess
    expect(outcomes).toStrictEqual(["function crashed after the write", { batchItemFailures: [] }]);
    expect(await rowsPerEventId(p)).toStrictEqual(Object.fromEntries(ids.map((id) => [id, 1])));
    expect((await keys(p, p.config.buckets.lake, MANIFEST_DIR)).filter((k) => k.endsWith(".json"))).toHaveLength(2);
    expect(await keys(p, p.config.buckets.worm, "")).toHaveLength(2);
  });
});
