/**
 * Poison input on the AWS path, on emulators: damaged objects (from the fuzz generator) uploaded to the source bucket
 * and delivered as S3 notifications through SQS to the real ingest-sqs handler, and damaged Kinesis records read by
 * the stream poller into the real ingest-kinesis handler, each next to valid neighbours. Every poison object or
 * record must be quarantined and acknowledged: nothing in the DLQ, no batch discarded, every neighbour's rows in the
 * lake. Bounded by the waits below (a poison message reaches the DLQ after three 4 s visibility timeouts).
 */
import { join } from "node:path";
import { s3NotificationBody } from "@app/cli/dev/s3-notifier";
import type { IngestSummary } from "@app/core/ingest/pipeline";
import { kinesisRecordLineage, MANIFEST_DIR, parseManifest, s3Lineage } from "@app/core/lake-layout";
import { TABLES } from "@app/core/sources/index";
import { PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  queueDepth,
  startTestPipeline,
  type TestPipeline,
  waitFor,
  waitForIngestDrained,
} from "../../helpers/emulators.ts";
import { fuzzLabel, inputProblems, total } from "../../helpers/fuzz-checks.ts";
import { type FuzzInput, fuzzCasesFor, loadFuzzFixtures } from "../../helpers/fuzz-inputs.ts";
import { withLakeMirror } from "../../helpers/lake-query.ts";

const SEED = 20240501;
const fixtures = loadFuzzFixtures(join(import.meta.dirname, "../../fixtures/sources"));

const casesOf = new Map<string, FuzzInput[]>();

/** The generator's case `mutation` of fixture `name`. */
function fuzzCase(name: string, mutation: string): FuzzInput {
  const f = fixtures.find((x) => x.name === name);
  if (f && !casesOf.has(name)) casesOf.set(name, fuzzCasesFor(f, SEED));
  const c = casesOf.get(name)?.find((x) => x.mutation === mutation);
  if (!c) throw new Error(`no case ${mutation} of ${name}`);
  return c;
}

/** Rows per table per source object in the lake bucket, counted by DuckDB over a local mirror; and why quarantined. */
async function lakeByObject(p: TestPipeline): Promise<{
  rows: Map<string, Record<string, number>>;
  reasons: Map<string, Record<string, number>>;
}> {
  return withLakeMirror(p.env.ready.endpoint, p.config.buckets.lake, async (conn) => {
    const count = async (sql: string) => {
      const out = new Map<string, Record<string, number>>();
      for (const row of (await conn.runAndReadAll(sql)).getRowObjects() as { id: string; k: string; n: number }[]) {
        out.set(row.id, { ...out.get(row.id), [row.k]: row.n });
      }
      return out;
    };
    const perTable = TABLES.map(
      (t) => `SELECT source_object AS id, '${t.name}' AS k, count(*)::INTEGER AS n FROM "${t.name}" GROUP BY id`,
    ).join(" UNION ALL ");
    return {
      rows: await count(perTable),
      reasons: await count(
        "SELECT source_object AS id, reason AS k, count(*)::INTEGER AS n FROM quarantine GROUP BY ALL",
      ),
    };
  });
}

describe("poison S3 objects delivered through SQS to ingest-sqs", () => {
  // Valid neighbours, and poison objects that each broke, or could break, a run.
  const neighbours = [
    fuzzCase("cloudfront/aws-sample-33.log", "unchanged"),
    fuzzCase("cloudtrail/console-logins.json", "unchanged"),
    fuzzCase("app_json/auth.jsonl", "unchanged"),
  ];
  const poison = [
    // A request for /?q=%0D puts an encoded CR into the log; raw CR and CRLF in a field.
    fuzzCase("cloudfront/aws-sample-33.log", "pct0d@field11"),
    fuzzCase("cloudfront/aws-sample-33.log", "cr-start@field10"),
    fuzzCase("app_json/auth.jsonl", "esc-crlf@value1"),
    fuzzCase("app_json/auth.jsonl", "huge-line@first"),
    fuzzCase("cloudtrail/console-logins.json", "deep-nesting@first"),
    fuzzCase("cloudtrail/console-logins.json", "records-unclosed"),
    fuzzCase("cloudfront/era-24.log", "gzip+garbage"),
    fuzzCase("cloudfront/era-24.log", "random-bytes.gz"),
    fuzzCase("cloudfront/era-24.log", "not-gzip.gz"),
    fuzzCase("app_json/auth.jsonl", "empty"),
  ];
  // One notification naming a poison object and a valid one: the valid one must not share the poison's fate.
  const pair = [
    fuzzCase("cloudfront/era-26.log", "pct0d@field7"),
    fuzzCase("cloudtrail/org-trail.json.gz", "unchanged"),
  ];
  const all = [...neighbours, ...poison, ...pair];
  let p: TestPipeline;
  let manifests: Map<string, IngestSummary>;
  let rows: Map<string, Record<string, number>>;
  let bucket: string;
  const objectId = (i: FuzzInput) => s3Lineage(bucket, i.key);

  beforeAll(async () => {
    p = await startTestPipeline({ notify: false });
    bucket = p.config.buckets.source;
    const notifications = new Map<string, Record<string, unknown>>();
    for (const [n, i] of all.entries()) {
      await p.s3.send(new PutObjectCommand({ Bucket: bucket, Key: i.key, Body: i.bytes }));
      const head = await p.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: i.key }));
      const body = s3NotificationBody({
        bucket,
        key: i.key,
        size: i.bytes.length,
        eTag: head.ETag ?? "",
        eventTime: "2024-05-01T10:30:00.000Z",
        sequencer: String(n).padStart(8, "0"),
        region: p.config.region,
      });
      notifications.set(i.key, (JSON.parse(body) as { Records: Record<string, unknown>[] }).Records[0] ?? {});
    }
    const single = [...neighbours, ...poison].map((i) => JSON.stringify({ Records: [notifications.get(i.key)] }));
    const paired = JSON.stringify({ Records: pair.map((i) => notifications.get(i.key)) });
    const bodies = [...single, paired];
    for (let i = 0; i < bodies.length; i += 10) {
      await p.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: p.env.ready.queues.ingest,
          Entries: bodies.slice(i, i + 10).map((b, j) => ({ Id: `m${i + j}`, MessageBody: b })),
        }),
      );
    }
    // Every message is either deleted (acknowledged) or, after three failed receives, in the DLQ.
    await waitForIngestDrained(p, "the ingest queue to drain", {
      until: () => p.env.sqsSource.stats.received >= bodies.length,
      timeoutMs: 90_000,
      intervalMs: 500,
    });
    manifests = new Map();
    for (const path of await p.env.runtime.lake.list(MANIFEST_DIR)) {
      const text = await p.env.runtime.lake.getText(path);
      if (!path.endsWith(".json") || !text) continue;
      const m = parseManifest(text, path);
      manifests.set(m.source_object, m.summary);
    }
    rows = (await lakeByObject(p)).rows;
  });

  afterAll(async () => {
    await p?.stop();
  });

  it("acknowledges every message: none in the DLQ, none failed", async () => {
    expect({
      dlq: await queueDepth(p.sqs, p.env.ready.queues.dlq),
      failed: p.env.sqsSource.stats.failed,
      handlerErrors: p.env.sqsSource.stats.handlerErrors,
    }).toStrictEqual({ dlq: 0, failed: 0, handlerErrors: 0 });
  });

  it("writes every valid neighbour's rows, the one sharing a notification with poison included", () => {
    const got = [...neighbours, pair[1] as FuzzInput].map((i) => [fuzzLabel(i), rows.get(objectId(i)) ?? {}]);
    const want = [...neighbours, pair[1] as FuzzInput].map((i) => {
      const s = i.expected as IngestSummary;
      return [fuzzLabel(i), total(s.quarantined) > 0 ? { ...s.rows, quarantine: total(s.quarantined) } : s.rows];
    });
    expect(got).toStrictEqual(want);
  });

  it("accounts for every poison object in a manifest and the lake, attributed to the source its key names", () => {
    const problems = [...poison, pair[0] as FuzzInput].flatMap((i) =>
      inputProblems(i, manifests.get(objectId(i)), rows.get(objectId(i)) ?? {}),
    );
    expect(problems).toStrictEqual([]);
  });
});

describe("poison Kinesis records next to valid ones, read by the stream poller into ingest-kinesis", () => {
  // Each record is a whole object's bytes: a real-time log batch of lines, or a CloudWatch Logs payload.
  const valid = [
    fuzzCase("cloudfront_realtime/default-order.log", "unchanged"),
    fuzzCase("cloudwatch_logs/cloudtrail-data-message.json.gz", "unchanged"),
  ];
  const poison = [
    fuzzCase("cloudfront_realtime/default-order.log", "cr-start@field16"),
    fuzzCase("cloudfront_realtime/default-order.log", "pct0d@field19"),
    fuzzCase("cloudfront_realtime/default-order.log", "crlf-mid@field8"),
    fuzzCase("cloudwatch_logs/cloudtrail-data-message.json.gz", "esc-crlf@value2"),
    fuzzCase("cloudwatch_logs/cloudtrail-data-message.json.gz", "gzip+garbage"),
    fuzzCase("cloudwatch_logs/cloudtrail-data-message.json.gz", "random-bytes"),
  ];
  // A poison record first in the batch, as when a bad record starts one; valid ones between and after.
  const order = [poison[0], valid[0], poison[1], poison[2], valid[1], poison[3], poison[4], poison[5], valid[0]].map(
    (i) => i as FuzzInput,
  );
  let p: TestPipeline;
  let sequences: string[];
  let rows: Map<string, Record<string, number>>;
  let reasons: Map<string, Record<string, number>>;
  const recordId = (seq: string) => kinesisRecordLineage(p.config.stream.name, "shardId-000000000000", seq);

  beforeAll(async () => {
    p = await startTestPipeline({ notify: false });
    const res = await p.kinesis.send(
      new PutRecordsCommand({
        StreamName: p.config.stream.name,
        Records: order.map((i) => ({ Data: i.bytes, PartitionKey: "one-shard" })),
      }),
    );
    sequences = (res.Records ?? []).map((r) => r.SequenceNumber as string);
    // Done when every record has landed, or once the poller has discarded some and the lake stopped changing.
    let last = "";
    let still = 0;
    ({ rows, reasons } = await waitFor(
      "every record in the lake, or a discard and a settled lake",
      async () => {
        const r = await lakeByObject(p);
        if (sequences.every((s) => total(r.rows.get(recordId(s)) ?? {}) > 0)) return r;
        const now = JSON.stringify([...r.rows]);
        still = now === last ? still + 1 : 0;
        last = now;
        return p.env.kinesisSource.stats.discarded > 0 && still >= 6 ? r : undefined;
      },
      60_000,
      1000,
    ));
  });

  afterAll(async () => {
    await p?.stop();
  });

  it("never discards a batch and never fails the handler", () => {
    expect({
      discarded: p.env.kinesisSource.stats.discarded,
      handlerErrors: p.env.kinesisSource.stats.handlerErrors,
    }).toStrictEqual({ discarded: 0, handlerErrors: 0 });
  });

  it("writes every valid record's rows, and a row or quarantine row for every line of every poison record", () => {
    const got = order.map((i, n) => {
      const id = recordId(sequences[n] as string);
      return [fuzzLabel(i), rows.get(id) ?? {}, reasons.get(id) ?? {}];
    });
    const want = order.map((i, n) => {
      const id = recordId(sequences[n] as string);
      const inLake = rows.get(id) ?? {};
      const why = reasons.get(id) ?? {};
      if (i.expected) {
        const s = i.expected;
        return [
          fuzzLabel(i),
          total(s.quarantined) > 0 ? { ...s.rows, quarantine: total(s.quarantined) } : s.rows,
          s.quarantined,
        ];
      }
      // Poison: whatever split of rows and quarantine it got, as long as it got at least what its lines need.
      const base = valid.find((v) => v.fixture === i.fixture)?.expected as IngestSummary;
      const needed = i.minRecords !== undefined ? total(base.rows) + total(base.quarantined) : 1;
      return [fuzzLabel(i), total(inLake) >= needed ? inLake : { atLeast: needed }, why];
    });
    expect(got).toStrictEqual(want);
  });
});
