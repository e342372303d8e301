import { gunzipSync } from "node:zlib";
import { s3NotificationBody } from "@app/cli/dev/s3-notifier";
import { type DemoFile, demoFiles } from "@app/samples/demo/index";
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  demoBytes,
  type LakeCounts,
  lakeCounts,
  queueDepth,
  startTestPipeline,
  type TestPipeline,
  waitForIngestDrained,
} from "../../helpers/emulators.ts";

// Three objects of every S3-delivered source, plus every object carrying deliberately bad lines.
function pickFiles(): DemoFile[] {
  const all = demoFiles({ days: 1 }).filter((f) => !f.path.startsWith("kinesis/"));
  const picked = new Set<DemoFile>();
  for (const source of ["cloudfront", "cloudtrail", "cloudtrail_digest", "app_json"]) {
    for (const f of all.filter((x) => x.source === source).slice(0, 3)) picked.add(f);
  }
  for (const f of all.filter((x) => x.bad > 0)) picked.add(f);
  return [...picked];
}

const TABLE_OF: Record<string, string> = {
  cloudfront: "cloudfront",
  cloudtrail: "cloudtrail",
  cloudtrail_digest: "cloudtrail_digest",
  app_json: "app_events",
};

describe("ingest-sqs handler on emulators", () => {
  let p: TestPipeline;
  const files = pickFiles();
  // A key with a space and a plus: the notification encodes it, the handler must decode it.
  const spaced = { ...(files.find((f) => f.source === "app_json") as DemoFile) };
  spaced.path = spaced.path.replace(/\/([^/]+)$/, "/copy of+$1");
  files.push(spaced);
  const corruptKey =
    "AWSLogs/111122223333/CloudTrail/us-east-1/2025/06/08/111122223333_CloudTrail_us-east-1_20250608T1200Z_corrupt.json.gz";
  const unknownKey = "misc/notes.bin";
  let counts: LakeCounts;
  let notifications: string[] = [];

  beforeAll(async () => {
    p = await startTestPipeline();
    const bucket = p.config.buckets.source;
    // Prepare: real sample objects, one corrupt gzip, one file no source recognises.
    for (const f of files) {
      await p.s3.send(new PutObjectCommand({ Bucket: bucket, Key: f.path, Body: demoBytes(f) }));
    }
    // A gzip header, then a deflate block of the reserved type 3: zlib fails before it yields one byte. Random bytes
    // here would sometimes inflate to a few bytes of junk first, which is a bad_json row as well.
    const corrupt = Buffer.concat([
      Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03, 0x07]),
      Buffer.alloc(511, 0xa5),
    ]);
    await p.s3.send(new PutObjectCommand({ Bucket: bucket, Key: corruptKey, Body: corrupt }));
    await p.s3.send(new PutObjectCommand({ Bucket: bucket, Key: unknownKey, Body: "just some words\nnot a log\n" }));
    const objects = files.length + 2;

    // Act 1: the notifier sends one notification per object; wait until all are consumed.
    await waitForIngestDrained(p, "first deliveries", { until: () => p.env.notifier.sent === objects });

    // Act 2: deliver every notification again, plus a test event and a message that is no notification at all.
    const listed = await p.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    notifications = (listed.Contents ?? []).map((o, i) =>
      s3NotificationBody({
        bucket,
        key: o.Key as string,
        size: o.Size ?? 0,
        eTag: o.ETag ?? "",
        eventTime: (o.LastModified as Date).toISOString(),
        sequencer: String(i),
        region: p.config.region,
      }),
    );
    const extra = [
      JSON.stringify({ Service: "Amazon S3", Event: "s3:TestEvent", Time: "2025-06-08T00:00:00Z", Bucket: bucket }),
      "this is not a notification",
    ];
    const bodies = [...notifications, ...extra];
    for (let i = 0; i < bodies.length; i += 10) {
      await p.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: p.env.ready.queues.ingest,
          Entries: bodies.slice(i, i + 10).map((b, j) => ({ Id: `r${j}`, MessageBody: b })),
        }),
      );
    }
    await waitForIngestDrained(p, "redeliveries", {
      until: () => p.env.sqsSource.stats.deleted === objects * 2 + extra.length,
      timeoutMs: 60_000,
    });
    counts = await lakeCounts(p.env.ready.endpoint, p.config.buckets.lake);
  });

  afterAll(async () => {
    await p?.stop();
  });

  it("writes every good record of every source once, although every message arrived twice", () => {
    // Prepare
    const expected: Record<string, number> = {};
    for (const f of files) {
      const table = TABLE_OF[f.source] as string;
      expected[table] = (expected[table] ?? 0) + f.records - f.bad;
    }
    expected.quarantine = files.reduce((n, f) => n + f.bad, 0) + 3;
    // Each log file a digest lists is a row of its own table.
    for (const f of files.filter((x) => x.source === "cloudtrail_digest")) {
      const bytes = demoBytes(f);
      const text = Buffer.from(f.path.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8");
      const listed = (JSON.parse(text) as { logFiles: unknown[] }).logFiles.length;
      expected.cloudtrail_digest_log_file = (expected.cloudtrail_digest_log_file ?? 0) + listed;
    }
    // Assess
    expect(counts.rows).toStrictEqual(expected);
    expect(counts.duplicates).toStrictEqual({});
  });

  it("quarantines bad lines per object, the corrupt gzip, the unknown file and the non-notification", () => {
    // Prepare
    const lake = p.config.buckets.source;
    const perObject = (rows: LakeCounts["quarantine"]) => {
      const out: Record<string, number> = {};
      for (const r of rows) out[r.source_object] = (out[r.source_object] ?? 0) + 1;
      return out;
    };
    const expected: Record<string, number> = {};
    for (const f of files.filter((x) => x.bad > 0)) expected[`s3://${lake}/${f.path}`] = f.bad;
    // Assess
    const fileLevel = counts.quarantine.filter((r) => !(r.source_object in expected));
    expect(perObject(counts.quarantine.filter((r) => r.source_object in expected))).toStrictEqual(expected);
    expect(
      fileLevel.map((r) => [r.reason, r.source_kind, r.source_object.replace(/sqs:\/\/[^/]+\/.*/, "sqs")]),
    ).toStrictEqual([
      // The key names the source, so the damaged object is still attributed (and copied) as CloudTrail.
      ["corrupt_gzip", "cloudtrail", `s3://${lake}/${corruptKey}`],
      ["unknown_source", "unknown", `s3://${lake}/${unknownKey}`],
      ["bad_record", "unknown", "sqs"],
    ]);
  });

  it("acknowledges poison input, so nothing reaches the DLQ", async () => {
    expect(await queueDepth(p.sqs, p.env.ready.queues.dlq)).toBe(0);
    expect(p.env.sqsSource.stats.failed).toBe(0);
  });

  it("copies every recognised object, damaged ones included, to WORM under env/source/original key", async () => {
    // Prepare
    const listed = await p.s3.send(new ListObjectsV2Command({ Bucket: p.config.buckets.worm }));
    const digest = files.find((f) => f.source === "cloudtrail_digest") as DemoFile;
    // Act
    const head = await p.s3.send(
      new HeadObjectCommand({ Bucket: p.config.buckets.worm, Key: `e2e/cloudtrail_digest/${digest.path}` }),
    );
    // Assess
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toStrictEqual(
      [...files.map((f) => `e2e/${f.source}/${f.path}`), `e2e/cloudtrail/${corruptKey}`].sort(),
    );
    expect(head.ContentLength).toBe(demoBytes(digest).length);
  });
});
