import { gunzipSync, gzipSync } from "node:zlib";
import { appEventsTable } from "@app/core/sources/app-json/schema";
import { SOURCES } from "@app/core/sources/index";
import type { LogSource } from "@app/core/sources/types";
import { createIngestKinesisHandler } from "@app/functions/handlers/ingest-kinesis";
import { demoFiles } from "@app/samples/demo/index";
import { PutRecordsCommand, type PutRecordsResultEntry } from "@aws-sdk/client-kinesis";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import type { KinesisStreamEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lakeCounts, readShardEvent, startTestPipeline, type TestPipeline, waitFor } from "../../helpers/emulators.ts";

/** A source for records starting with FLAKY whose parse fails while `failures` is above zero, as an outage would. */
function flakySource(state: { failures: number }): LogSource {
  return {
    id: "app_json",
    description: "test source that fails on demand",
    tables: [appEventsTable],
    matchKey: () => false,
    sniff: (head) => head.startsWith("FLAKY"),
    async *parse() {
      if (state.failures > 0) {
        state.failures--;
        throw new Error("downstream unavailable (injected)");
      }
      yield { kind: "skip", line: 1, skip: "comment" };
    },
  };
}

// Real payloads from the demo generator: a control message, CloudWatch Logs CloudTrail and app batches, and
// CloudFront real-time lines (one Kinesis record each, as CloudFront sends them).
function payloads() {
  const files = demoFiles({ days: 1 });
  const cwl = (name: string) => {
    const f = files.find((x) => x.path.endsWith(name));
    if (!f) throw new Error(`no demo file ${name}`);
    return f;
  };
  const realtime = (files.find((x) => x.source === "cloudfront_realtime")?.contents ?? "").trimEnd().split("\n");
  const app = cwl("0003-app.json.gz");
  return {
    control: gzipSync(cwl("0000-control.json.gz").contents),
    trail: gzipSync(cwl("0001-cloudtrail.json.gz").contents),
    trailRows: cwl("0001-cloudtrail.json.gz").records,
    app: gzipSync(app.contents),
    appRows: app.records - app.bad,
    appBad: app.bad,
    realtime: realtime.map((l) => Buffer.from(`${l}\n`)),
  };
}

async function putAll(p: TestPipeline, data: Uint8Array[]): Promise<PutRecordsResultEntry[]> {
  const res = await p.kinesis.send(
    new PutRecordsCommand({
      StreamName: p.config.stream.name,
      Records: data.map((d) => ({ Data: d, PartitionKey: "one-shard" })),
    }),
  );
  return res.Records ?? [];
}

describe("ingest-kinesis handler called with a batch read from the stream", () => {
  const flaky = { failures: Number.POSITIVE_INFINITY };
  const d = payloads();
  let p: TestPipeline;
  let event: KinesisStreamEvent;

  beforeAll(async () => {
    p = await startTestPipeline({ sources: [flakySource(flaky), ...SOURCES], notify: false });
    // The test plays the event source mapping itself here.
    await p.env.kinesisSource.stop();
    await putAll(p, [
      d.control,
      d.trail,
      ...d.realtime.slice(0, 5),
      Buffer.from("FLAKY record\n"),
      ...d.realtime.slice(5, 8),
      d.app,
    ]);
    event = await readShardEvent(p);
  });

  afterAll(async () => {
    await p?.stop();
  });

  it("reports exactly the failing record's sequence number and writes only the records before it", async () => {
    // Prepare
    const handler = createIngestKinesisHandler(p.env.runtime);
    const failing = event.Records[7]?.kinesis.sequenceNumber as string;
    // Act
    const response = await handler(event);
    // Assess
    expect(response).toStrictEqual({ batchItemFailures: [{ itemIdentifier: failing }] });
    const counts = await lakeCounts(p.env.ready.endpoint, p.config.buckets.lake);
    expect(counts.rows).toStrictEqual({ cloudtrail: d.trailRows, cloudfront_realtime: 5 });
  });

  it("archives exactly the committed records to WORM as gzipped NDJSON named by shard and sequence range", async () => {
    // Prepare
    const worm = p.config.buckets.worm;
    const committed = event.Records.slice(0, 7).map((r) => r.kinesis);
    // Act
    const listed = await p.s3.send(new ListObjectsV2Command({ Bucket: worm, Prefix: "e2e/kinesis/" }));
    const key = listed.Contents?.[0]?.Key as string;
    const body = await p.s3.send(new GetObjectCommand({ Bucket: worm, Key: key }));
    const lines = gunzipSync(
      await (body.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    )
      .toString("utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { sequenceNumber: string; data: string });
    // Assess
    expect(listed.Contents?.length).toBe(1);
    expect(
      key.endsWith(`/shardId-000000000000-${committed[0]?.sequenceNumber}-${committed[6]?.sequenceNumber}.ndjson.gz`),
    ).toBe(true);
    expect(lines.map((l) => [l.sequenceNumber, l.data])).toStrictEqual(
      committed.map((k) => [k.sequenceNumber, k.data]),
    );
  });

  it("completes on the retry from the failed record, skipping the control message, with no duplicates", async () => {
    // Prepare
    flaky.failures = 0;
    const handler = createIngestKinesisHandler(p.env.runtime);
    const retry: KinesisStreamEvent = { Records: event.Records.slice(7) };
    // Act: the retry, then the same retry again (a redelivery after a lost response).
    const first = await handler(retry);
    const second = await handler(retry);
    // Assess
    expect([first, second]).toStrictEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    const counts = await lakeCounts(p.env.ready.endpoint, p.config.buckets.lake);
    expect(counts.rows).toStrictEqual({
      cloudtrail: d.trailRows,
      cloudfront_realtime: 8,
      app_events: d.appRows,
      quarantine: d.appBad,
    });
    expect(counts.duplicates).toStrictEqual({});
  });
});

describe("ingest-kinesis behind the event source poller", () => {
  const flaky = { failures: 2 };
  const d = payloads();
  let p: TestPipeline;

  beforeAll(async () => {
    p = await startTestPipeline({ sources: [flakySource(flaky), ...SOURCES], notify: false });
  });

  afterAll(async () => {
    await p?.stop();
  });

  it("retries from the failed record until it succeeds, losing and duplicating nothing", async () => {
    // Act
    await putAll(p, [
      d.control,
      ...d.realtime.slice(0, 4),
      Buffer.from("FLAKY again\n"),
      d.trail,
      ...d.realtime.slice(4, 10),
    ]);
    const counts = await waitFor("all records in the lake", async () => {
      const c = await lakeCounts(p.env.ready.endpoint, p.config.buckets.lake);
      return c.rows.cloudfront_realtime === 10 && c.rows.cloudtrail === d.trailRows ? c : undefined;
    });
    // Assess
    expect(counts.rows).toStrictEqual({ cloudtrail: d.trailRows, cloudfront_realtime: 10 });
    expect(counts.duplicates).toStrictEqual({});
    expect({
      retries: p.env.kinesisSource.stats.retries,
      discarded: p.env.kinesisSource.stats.discarded,
    }).toStrictEqual({
      retries: 2,
      discarded: 0,
    });
  });
});
