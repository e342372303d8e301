import { s3NotificationBody } from "@app/cli/dev/s3-notifier";
import { lakeManifestPrefix, s3ObjectName } from "@app/core/lake-layout";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lakeCounts, queueDepth, startTestPipeline, type TestPipeline, waitFor } from "../../helpers/emulators.ts";

// One application log shipped twice as it grew during the day, then the first notification delivered again late.
const KEY = "app/auth-service/2025/06/12/10.jsonl";
const v1 = [
  '{"timestamp":"2025-06-12T10:00:00Z","type":"auth","action":"login","result":"success","user_id":"u1"}',
  '{"timestamp":"2025-06-12T10:05:00Z","type":"auth","action":"login","result":"failure","user_id":"u2"}',
];
const v2 = [...v1, '{"timestamp":"2025-06-12T10:09:00Z","type":"auth","action":"logout","user_id":"u1"}'];

describe("ingest-sqs handler on versions of one key", () => {
  let p: TestPipeline;
  let manifestKey: string;
  const manifest = async () => {
    const got = await p.s3.send(new GetObjectCommand({ Bucket: p.config.buckets.lake, Key: manifestKey }));
    return JSON.parse(await (got.Body?.transformToString() ?? "")) as Record<string, unknown>;
  };
  const settled = (deleted: number) =>
    waitFor(`${deleted} message(s) handled`, async () =>
      p.env.sqsSource.stats.deleted === deleted && (await queueDepth(p.sqs, p.env.ready.queues.ingest)) === 0
        ? true
        : undefined,
    );

  beforeAll(async () => {
    p = await startTestPipeline();
    const bucket = p.config.buckets.source;
    manifestKey = `${lakeManifestPrefix(p.config.lakePrefix)}${s3ObjectName({ bucket, key: KEY })}.json`;
  });

  afterAll(async () => {
    await p?.stop();
  });

  it("replaces the rows of the first version with the second's, then acknowledges the late first event", async () => {
    // Prepare: the two versions, each announced by the notifier as S3 would.
    const bucket = p.config.buckets.source;
    await p.s3.send(new PutObjectCommand({ Bucket: bucket, Key: KEY, Body: `${v1.join("\n")}\n` }));
    await settled(1);
    await p.s3.send(new PutObjectCommand({ Bucket: bucket, Key: KEY, Body: `${v2.join("\n")}\n` }));
    await settled(2);
    const afterNewer = await lakeCounts(p.env.ready.endpoint, p.config.buckets.lake);
    const newer = await manifest();
    // Act: the first version's event again, with a sequencer below the one ingested and its own, older time.
    await p.sqs.send(
      new SendMessageCommand({
        QueueUrl: p.env.ready.queues.ingest,
        MessageBody: s3NotificationBody({
          bucket,
          key: KEY,
          size: 1,
          eTag: "",
          eventTime: "2025-06-12T10:06:00.000Z",
          sequencer: "00",
          region: p.config.region,
        }),
      }),
    );
    await settled(3);
    // Assess
    expect(afterNewer.rows).toStrictEqual({ app_events: v2.length });
    expect(afterNewer.duplicates).toStrictEqual({});
    expect({
      sequencer: typeof newer.sequencer,
      etag: typeof newer.etag,
      records: (newer.summary as { records: number }).records,
    }).toStrictEqual({
      sequencer: "string",
      etag: "string",
      records: v2.length,
    });
    expect(await manifest()).toStrictEqual(newer);
    expect((await lakeCounts(p.env.ready.endpoint, p.config.buckets.lake)).rows).toStrictEqual({
      app_events: v2.length,
    });
    expect(await queueDepth(p.sqs, p.env.ready.queues.dlq)).toBe(0);
  });
});
