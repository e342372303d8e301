import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeS3Client, makeSqsClient } from "@app/aws/clients";
import { IN_MEMORY_NOT_KEPT, NOT_KEPT } from "@app/cli/dev/data-dir";
import { type DevEnvironment, startDevEnvironment } from "@app/cli/dev/environment";
import { silentLog } from "@app/pipeline/log";
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { Upload } from "@aws-sdk/lib-storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testConfig } from "../../../helpers/emulators.ts";

const config = testConfig({ env: "kept" });
const MIB = 1024 * 1024;
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

function start(dataDir?: string): Promise<DevEnvironment> {
  return startDevEnvironment({ config, log: silentLog, notify: false, ...(dataDir ? { dataDir } : {}) });
}

describe("loglake dev data directory", () => {
  let dir: string;
  const big = randomBytes(13 * MIB);
  const bigKey = "logs/a b+c/ü.bin";
  let bigEtag: string;
  let keptOnAck: boolean;
  let second: DevEnvironment;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "loglake-kept-"));
    // Prepare: a multipart object, objects deleted one by one and in a batch, and messages on the DLQ.
    const first = await start(dir);
    const s3 = makeS3Client({ endpoint: first.ready.endpoint });
    const sqs = makeSqsClient({ endpoint: first.ready.endpoint });
    const bucket = first.ready.buckets.source;
    const done = await new Upload({
      client: s3,
      params: {
        Bucket: bucket,
        Key: bigKey,
        Body: big,
        ContentType: "application/x-test",
        Metadata: { signature: "abc" },
      },
      partSize: 6 * MIB,
    }).done();
    bigEtag = done.ETag as string;
    // The reply came only once the object was on disk: its metadata file names it already.
    const files = await readdir(join(dir, "s3", bucket));
    const metas = await Promise.all(
      files.filter((f) => f.endsWith(".json")).map((f) => readFile(join(dir, "s3", bucket, f), "utf8")),
    );
    keptOnAck = metas.some((m) => (JSON.parse(m) as { key: string }).key === bigKey);
    for (const key of ["gone.txt", "x1.txt", "x2.txt"]) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    }
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "gone.txt" }));
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: "x1.txt" }] } }));
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: first.ready.queues.dlq,
        Entries: [
          { Id: "a", MessageBody: "first" },
          {
            Id: "b",
            MessageBody: "second",
            MessageAttributes: { reason: { DataType: "String", StringValue: "poison" } },
          },
          { Id: "c", MessageBody: "third" },
        ],
      }),
    );
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: first.ready.queues.dlq, MaxNumberOfMessages: 1 }));
    const m = got.Messages?.[0];
    await sqs.send(new DeleteMessageCommand({ QueueUrl: first.ready.queues.dlq, ReceiptHandle: m?.ReceiptHandle }));
    s3.destroy();
    sqs.destroy();
    await first.stop();
    // Act
    second = await start(dir);
  });

  afterAll(async () => {
    await second?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("writes an object to disk before the upload is acknowledged", () => {
    expect(keptOnAck).toBe(true);
  });

  it("restores every kept object, a multipart one with its ETag, content type and metadata", async () => {
    const s3 = makeS3Client({ endpoint: second.ready.endpoint });
    const bucket = second.ready.buckets.source;
    const list = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    const obj = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: bigKey }));
    const bytes = await obj.Body?.transformToByteArray();
    s3.destroy();
    expect({
      keys: (list.Contents ?? []).map((o) => o.Key),
      etag: obj.ETag,
      contentType: obj.ContentType,
      metadata: obj.Metadata,
      body: sha(bytes ?? new Uint8Array()),
      state: second.ready.state,
    }).toStrictEqual({
      keys: [bigKey, "x2.txt"],
      etag: bigEtag,
      contentType: "application/x-test",
      metadata: { signature: "abc" },
      body: sha(big),
      state: {
        dataDir: dir,
        restored: { buckets: 3, objects: 2, messages: 2, shards: 0 },
        notKept: NOT_KEPT,
      },
    });
  });

  it("puts the DLQ's messages back, with their attributes, without the one deleted", async () => {
    const sqs = makeSqsClient({ endpoint: second.ready.endpoint });
    const got = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: second.ready.queues.dlq,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ["All"],
      }),
    );
    sqs.destroy();
    expect((got.Messages ?? []).map((m) => ({ body: m.Body, attributes: m.MessageAttributes ?? {} }))).toStrictEqual([
      { body: "second", attributes: { reason: { DataType: "String", StringValue: "poison" } } },
      { body: "third", attributes: {} },
    ]);
  });

  it("says that nothing is kept when there is no data directory", async () => {
    const env = await start();
    const state = env.ready.state;
    await env.stop();
    expect(state).toStrictEqual({
      dataDir: null,
      restored: { buckets: 0, objects: 0, messages: 0, shards: 0 },
      notKept: IN_MEMORY_NOT_KEPT,
    });
  });
});
