import { readFileSync } from "node:fs";
import { join } from "node:path";
import { kinesisBatchName, manifestKey } from "@app/core/lake-layout";
import { SOURCES } from "@app/core/sources/index";
import { createIngestKinesisHandler } from "@app/functions/handlers/ingest-kinesis";
import { PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import type { KinesisStreamEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  lakeCounts,
  queueDepth,
  readShardEvent,
  startTestPipeline,
  type TestPipeline,
  waitForIngestDrained,
} from "../../helpers/emulators.ts";
import { withLakeMirror } from "../../helpers/lake-query.ts";
import { poisonSource } from "../../helpers/poison-source.ts";

const ROBUSTNESS = join(import.meta.dirname, "../../fixtures/robustness");
const fixture = (name: string) => readFileSync(join(ROBUSTNESS, name));

/** Every app message and CloudFront query string in the lake, read back with DuckDB. */
async function values(p: TestPipeline): Promise<(string | null)[]> {
  return withLakeMirror(p.env.ready.endpoint, p.config.buckets.lake, async (conn) => {
    const r = await conn.runAndReadAll(
      "SELECT message AS v FROM app_events UNION ALL SELECT cs_uri_query FROM cloudfront ORDER BY v NULLS LAST",
    );
    return r.getRowObjectsJson().map((o) => o.v as string | null);
  });
}

describe("ingest-sqs when an object's rows cannot be written", () => {
  let p: TestPipeline;
  // The poison key matches no source's key pattern, so the poison source is picked by content.
  const keys = {
    poison: "misc/poison.log",
    app: "app/web/app-cr.jsonl",
    cloudfront: "cloudfront/E2EXAMPLE.2019-12-04-21.cr000001",
  };

  beforeAll(async () => {
    p = await startTestPipeline({ sources: [poisonSource, ...SOURCES] });
    // Act: the notifier announces each object once.
    const bodies = {
      poison: fixture("poison.log"),
      app: fixture("app-cr.jsonl"),
      cloudfront: fixture(keys.cloudfront.split("/")[1] as string),
    };
    for (const [k, key] of Object.entries(keys)) {
      await p.s3.send(
        new PutObjectCommand({ Bucket: p.config.buckets.source, Key: key, Body: bodies[k as keyof typeof keys] }),
      );
    }
    await waitForIngestDrained(p, "every object processed", {
      until: () => p.env.notifier.sent === 3 && p.env.sqsSource.stats.deleted === 3,
      timeoutMs: 60_000,
    });
  });

  afterAll(async () => {
    await p?.stop();
  });

  it("quarantines that object as a whole and acknowledges it, so nothing is retried or reaches the DLQ", async () => {
    const counts = await lakeCounts(p.env.ready.endpoint, p.config.buckets.lake);
    expect(counts.rows).toStrictEqual({ app_events: 3, cloudfront: 3, quarantine: 1 });
    expect(counts.quarantine).toStrictEqual([
      {
        reason: "write_failed",
        source_object: `s3://${p.config.buckets.source}/${keys.poison}`,
        source_kind: "app_json",
      },
    ]);
    expect([p.env.sqsSource.stats.failed, await queueDepth(p.sqs, p.env.ready.queues.dlq)]).toStrictEqual([0, 0]);
  });

  it("writes the objects whose first rows hold a CR with every value as it was", async () => {
    expect(await values(p)).toStrictEqual(["a\r\nb", "a=\r\nb\r", "bare\rcr", "plain", "q=\r", null]);
  });
});

describe("ingest-kinesis when a record's rows cannot be written", () => {
  let p: TestPipeline;
  let event: KinesisStreamEvent;

  beforeAll(async () => {
    p = await startTestPipeline({ sources: [poisonSource, ...SOURCES], notify: false });
    // The test plays the event source mapping itself.
    await p.env.kinesisSource.stop();
    const app = fixture("app-cr.jsonl").toString("utf8").trimEnd().split("\n");
    // A record holding a CR first (where the writer's CSV reader used to sniff), a poison record between two good ones.
    await p.kinesis.send(
      new PutRecordsCommand({
        StreamName: p.config.stream.name,
        Records: [app[0], "POISON 2025-06-12T11:00:00Z refused", app[1], app[2]].map((l) => ({
          Data: Buffer.from(`${l}\n`),
          PartitionKey: "one-shard",
        })),
      }),
    );
    event = await readShardEvent(p);
  });

  afterAll(async () => {
    await p?.stop();
  });

  it("quarantines only that record, writes its neighbours, fails nothing, and a redelivery changes nothing", async () => {
    // Prepare
    const handler = createIngestKinesisHandler(p.env.runtime);
    const seq = event.Records.map((r) => r.kinesis.sequenceNumber);
    const name = kinesisBatchName(p.config.stream.name, "shardId-000000000000", seq[0] as string, seq[3] as string);
    // Act: the batch, then the same batch again (a redelivery after a lost response).
    const responses = [await handler(event), await handler(event)];
    const manifest = await p.s3.send(new GetObjectCommand({ Bucket: p.config.buckets.lake, Key: manifestKey(name) }));
    const counts = await lakeCounts(p.env.ready.endpoint, p.config.buckets.lake);
    // Assess
    expect(responses).toStrictEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(
      JSON.parse(await (manifest.Body as { transformToString(): Promise<string> }).transformToString()).summary,
    ).toStrictEqual({
      source: "unknown",
      records: 4,
      rows: { app_events: 3 },
      quarantined: { write_failed: 1 },
      skipped: {},
    });
    expect(counts.rows).toStrictEqual({ app_events: 3, quarantine: 1 });
    expect(counts.duplicates).toStrictEqual({});
    expect(counts.quarantine).toStrictEqual([
      {
        reason: "write_failed",
        source_object: `kinesis://${p.config.stream.name}/shardId-000000000000/${seq[1]}`,
        source_kind: "app_json",
      },
    ]);
    expect(await values(p)).toStrictEqual(["a\r\nb", "bare\rcr", "plain"]);
  });
});
