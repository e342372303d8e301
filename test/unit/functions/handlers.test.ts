import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { type AwsRuntime, wireRuntime } from "@app/aws/runtime";
import { resolveConfig } from "@app/core/config/index";
import { SOURCES } from "@app/core/sources/index";
import { createIngestKinesisHandler } from "@app/functions/handlers/ingest-kinesis";
import { createIngestSqsHandler } from "@app/functions/handlers/ingest-sqs";
import { openDuckDb } from "@app/lake/duckdb";
import { openLake } from "@app/lake/query";
import { LocalLakeStore } from "@app/lake/store";
import { silentLog } from "@app/pipeline/log";
import { CopyObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { KinesisStreamEvent, SQSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const fixture = <T>(name: string): T =>
  JSON.parse(readFileSync(join(import.meta.dirname, "../../fixtures/events/lambda", name), "utf8")) as T;

const APP_LINES =
  '{"timestamp":"2025-06-08T12:05:01.000Z","service":"auth-service","level":"info","message":"login ok"}\n' +
  '{"timestamp":"2025-06-08T12:05:02.000Z","service":"auth-service","level":"warn","message":"login failed"}\n';

const config = resolveConfig({
  env: "unit",
  worm: { mode: "GOVERNANCE", retentionDays: 10 },
  destinations: [{ name: "acme", bucket: "acme-logs", kmsKeyId: "alias/acme", sources: ["app_json"] }],
});

// Handlers with the real core, lake writer and DuckDB; only the AWS SDK clients are mocked (test/e2e runs the
// same handlers against emulators).
describe("handlers with mocked SDK clients", () => {
  const s3 = new S3Client({ region: "us-east-1" });
  const sqs = new SQSClient({ region: "us-east-1" });
  const s3Mock = mockClient(s3);
  const sqsMock = mockClient(sqs);
  let dir: string;
  let rt: AwsRuntime;

  beforeEach(async () => {
    s3Mock.reset();
    sqsMock.reset();
    dir = await mkdtemp(join(tmpdir(), "loglake-unit-"));
    rt = wireRuntime({
      config,
      s3,
      sqs,
      lake: new LocalLakeStore(dir),
      db: await openDuckDb(),
      sources: SOURCES,
      log: silentLog,
    });
  });

  afterEach(async () => {
    rt.db.closeSync();
    await rm(dir, { recursive: true, force: true });
  });

  it("ingests the object, acknowledges the test event and fails only the message whose read failed", async () => {
    // Prepare
    const event = fixture<SQSEvent>("sqs-event.json");
    sqsMock.on(GetQueueUrlCommand).resolves({ QueueUrl: "https://sqs.us-east-1.amazonaws.com/111122223333/q" });
    s3Mock
      .on(GetObjectCommand, { Key: "app/auth-service/2025/06/08/12/events 1.jsonl" })
      .callsFake(() => ({ ETag: '"0123456789abcdef0123456789abcdef"', Body: Readable.from([Buffer.from(APP_LINES)]) }))
      .on(GetObjectCommand, { Key: "app/auth-service/2025/06/08/12/events-2.jsonl" })
      .rejects(
        Object.assign(new Error("We encountered an internal error."), {
          name: "InternalError",
          $metadata: { httpStatusCode: 500 },
        }),
      );
    s3Mock.on(CopyObjectCommand).resolves({});
    const published: unknown[] = [];
    const handler = createIngestSqsHandler(rt, (counts) => published.push(Object.fromEntries(counts)));
    // Act
    const response = await handler(event);
    // Assess
    expect(response).toStrictEqual({ batchItemFailures: [{ itemIdentifier: "a8b6e8d4-4c1e-4a0a-9d4b-3f0b3c3e9e21" }] });
    expect(published).toStrictEqual([{ app_json: { records: 2, quarantined: {} } }]);
    expect(s3Mock.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).toStrictEqual([
      "app/auth-service/2025/06/08/12/events 1.jsonl",
      "app/auth-service/2025/06/08/12/events-2.jsonl",
    ]);
    expect(s3Mock.commandCalls(CopyObjectCommand).map((c) => c.args[0].input)).toStrictEqual([
      {
        Bucket: "loglake-unit-worm",
        Key: "unit/app_json/app/auth-service/2025/06/08/12/events 1.jsonl",
        CopySource: "loglake-unit-source/app/auth-service/2025/06/08/12/events%201.jsonl",
        MetadataDirective: "COPY",
        ChecksumAlgorithm: "SHA256",
        CopySourceIfMatch: '"0123456789abcdef0123456789abcdef"',
        ObjectLockMode: "GOVERNANCE",
        ObjectLockRetainUntilDate: new Date("2025-06-18T12:05:31.123Z"),
      },
      {
        Bucket: "acme-logs",
        Key: "unit/app_json/app/auth-service/2025/06/08/12/events 1.jsonl",
        CopySource: "loglake-unit-source/app/auth-service/2025/06/08/12/events%201.jsonl",
        MetadataDirective: "COPY",
        ChecksumAlgorithm: "SHA256",
        CopySourceIfMatch: '"0123456789abcdef0123456789abcdef"',
        ServerSideEncryption: "aws:kms",
        SSEKMSKeyId: "alias/acme",
      },
    ]);
    const conn = await openLake(new LocalLakeStore(dir));
    const rows = await conn.runAndReadAll(
      "SELECT message, source_object, source_line, CAST(ingest_time AS VARCHAR) AS t FROM app_events ORDER BY source_line",
    );
    expect(rows.getRowObjectsJson()).toStrictEqual([
      {
        message: "login ok",
        source_object: "s3://loglake-unit-source/app/auth-service/2025/06/08/12/events 1.jsonl",
        source_line: "1",
        t: "2025-06-08 12:05:31.123",
      },
      {
        message: "login failed",
        source_object: "s3://loglake-unit-source/app/auth-service/2025/06/08/12/events 1.jsonl",
        source_line: "2",
        t: "2025-06-08 12:05:31.123",
      },
    ]);
    conn.closeSync();
  });

  it("skips the control message, writes the app record and archives the batch to WORM", async () => {
    // Prepare
    const event = fixture<KinesisStreamEvent>("kinesis-event.json");
    s3Mock.on(PutObjectCommand).resolves({});
    const handler = createIngestKinesisHandler(rt);
    // Act
    const response = await handler(event);
    // Assess
    expect(response).toStrictEqual({ batchItemFailures: [] });
    const puts = s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.map(({ Body: _, ...rest }) => rest)).toStrictEqual([
      {
        Bucket: "loglake-unit-worm",
        Key: "unit/kinesis/loglake-unit-stream/2025/06/08/shardId-000000000000-49590338271490256608559692538361571095921575989136588898-49590338271490256608559692538361571095921575989136588899.ndjson.gz",
        ChecksumAlgorithm: "SHA256",
        ContentType: "application/x-ndjson",
        ContentEncoding: "gzip",
        ObjectLockMode: "GOVERNANCE",
        ObjectLockRetainUntilDate: new Date("2025-06-18T12:05:31.521Z"),
      },
    ]);
    const conn = await openLake(new LocalLakeStore(dir));
    const rows = await conn.runAndReadAll(
      "SELECT message, source_object FROM app_events UNION ALL SELECT message, source_object FROM quarantine",
    );
    expect(rows.getRowObjectsJson()).toStrictEqual([
      {
        message: "login ok",
        source_object:
          "kinesis://loglake-unit-stream/shardId-000000000000/49590338271490256608559692538361571095921575989136588899",
      },
    ]);
    conn.closeSync();
  });
});
