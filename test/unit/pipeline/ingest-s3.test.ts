import { readFileSync } from "node:fs";
import { join } from "node:path";
import { resolveConfig } from "@app/core/config/index";
import { openDuckDb } from "@app/lake/duckdb";
import { processSqsMessage, SqsBatch } from "@app/pipeline/ingest-s3";
import { type PipelineRuntime, sourceSettings } from "@app/pipeline/runtime";
import type { SQSEvent } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sqsRecord } from "../../helpers/factories.ts";
import { MemoryLakeStore, MemoryObjects, recordingLease, recordingLog } from "../../helpers/memory-pipeline.ts";

const event = JSON.parse(
  readFileSync(join(import.meta.dirname, "../../fixtures/events/lambda/sqs-event.json"), "utf8"),
) as SQSEvent;

const SOURCE = "loglake-unit-source";
const KEY = "app/auth-service/2025/06/08/12/events 1.jsonl";
const APP_LINES =
  '{"timestamp":"2025-06-08T12:05:01.000Z","service":"auth-service","level":"info","message":"login ok"}\n' +
  '{"timestamp":"2025-06-08T12:05:02.000Z","service":"auth-service","level":"warn","message":"login failed"}\n';

const config = resolveConfig({
  env: "unit",
  worm: { mode: "GOVERNANCE", retentionDays: 10 },
  destinations: [{ name: "acme", bucket: "acme-logs", kmsKeyId: "alias/acme", sources: ["app_json"] }],
});

// The pipeline alone, on in-memory buckets, lake and lease: no AWS SDK client, real or mocked.
describe("the SQS message flow on in-memory adapters", () => {
  let objects: MemoryObjects;
  let lake: MemoryLakeStore;
  let lease: string[];
  let logs: { level: string; message: string; extra?: Record<string, unknown> }[];
  let rt: PipelineRuntime;

  beforeEach(async () => {
    objects = new MemoryObjects();
    lake = new MemoryLakeStore();
    lease = [];
    logs = [];
    rt = {
      config,
      reader: objects,
      copier: objects,
      writer: objects,
      lake,
      db: await openDuckDb(),
      ...sourceSettings(config),
      log: recordingLog(logs),
      keepInvisible: recordingLease(lease),
    };
  });

  afterEach(() => rt.db.closeSync());

  it("resumes a broken read, copies the object, acknowledges the test event and fails only the unreadable one", async () => {
    // Prepare
    objects.add(SOURCE, KEY, APP_LINES, "0123456789abcdef0123456789abcdef");
    objects.breakOnce.add(`${SOURCE}/${KEY}`);
    objects.failing.set(`${SOURCE}/app/auth-service/2025/06/08/12/events-2.jsonl`, new Error("internal error"));
    // Act
    const batch = await SqsBatch.start(rt, event.Records);
    const results: unknown[] = [];
    for (const record of event.Records) results.push(await batch.process(record).catch((e: unknown) => String(e)));
    batch.processed(1);
    await batch.stop();
    // Assess
    const file = expect.stringMatching(/^app_events\/dt=2025-06-08\/hour=12\/[^/]+\.parquet$/);
    expect(results).toStrictEqual([
      {
        kind: "objects",
        objects: [
          {
            object: `s3://${SOURCE}/${KEY}`,
            outcome: "ingested",
            summary: { source: "app_json", records: 2, rows: { app_events: 2 }, quarantined: {}, skipped: {} },
            files: [file],
            copies: [
              { kind: "worm", bucket: "loglake-unit-worm", key: `unit/app_json/${KEY}`, multipart: false },
              { kind: "customer", bucket: "acme-logs", key: `unit/app_json/${KEY}`, multipart: false },
            ],
          },
        ],
      },
      { kind: "test" },
      "Error: internal error",
    ]);
    const [first, second, third] = event.Records.map((r) => r.messageId);
    expect(lease).toStrictEqual([
      `start arn:aws:sqs:us-east-1:111122223333:loglake-unit-ingest ${first},${second},${third}`,
      `done ${first}`,
      `done ${second}`,
      `done ${third}`,
      "stop",
    ]);
    expect(logs).toStrictEqual([
      {
        level: "warn",
        message: "resuming object download",
        extra: { object: `s3://${SOURCE}/${KEY}`, offset: APP_LINES.length >> 1, error: "Error: socket hang up" },
      },
      {
        level: "error",
        message: "message failed; it will be retried",
        extra: { messageId: third, error: "Error: internal error" },
      },
      { level: "info", message: "batch processed", extra: { messages: 3, failed: 1, kinds: { objects: 1, test: 1 } } },
    ]);
    expect(batch.kinds).toStrictEqual({ objects: 1, test: 1 });
    expect(batch.bySource).toStrictEqual(new Map([["app_json", { records: 2, quarantined: {} }]]));
    const source = { bucket: SOURCE, key: KEY, eTag: "0123456789abcdef0123456789abcdef" };
    const limits = {
      multipartThresholdBytes: config.sizes.multipartCopyThresholdBytes,
      partSizeBytes: config.sizes.copyPartSizeBytes,
    };
    expect(objects.copies).toStrictEqual([
      {
        request: {
          source,
          target: { bucket: "loglake-unit-worm", key: `unit/app_json/${KEY}` },
          size: 166,
          objectLock: { mode: "GOVERNANCE", retainUntil: "2025-06-18T12:05:31.123Z" },
          limits,
        },
      },
      {
        request: {
          source,
          target: { bucket: "acme-logs", key: `unit/app_json/${KEY}` },
          size: 166,
          kms: { kmsKeyId: "alias/acme" },
          limits,
        },
        destination: "acme",
      },
    ]);
    const [written] = (results[0] as { objects: { files: string[] }[] }).objects[0]?.files ?? [];
    expect(await lake.list("app_events")).toStrictEqual([written]);
    expect(await lake.rows(written as string, ["message", "source_object", "source_line"])).toStrictEqual([
      { message: "login ok", source_object: `s3://${SOURCE}/${KEY}`, source_line: 1n },
      { message: "login failed", source_object: `s3://${SOURCE}/${KEY}`, source_line: 2n },
    ]);
  });

  it("quarantines a body that is no notification once, however often it is delivered", async () => {
    // Prepare
    const message = sqsRecord("hello from a misconfigured sender");
    // Act
    const results = [await processSqsMessage(rt, message), await processSqsMessage(rt, message)];
    // Assess
    expect(results.map((r) => r.kind)).toStrictEqual(["poison", "poison"]);
    const files = await lake.list("quarantine");
    expect(files).toHaveLength(1);
    expect(await lake.rows(files[0] as string, ["source_object", "reason", "raw"])).toStrictEqual([
      {
        source_object: `sqs://loglake-unit-ingest/${message.messageId}`,
        reason: "bad_record",
        raw: message.body,
      },
    ]);
    expect(objects.copies).toStrictEqual([]);
  });

  it("acknowledges an object deleted since its notification, writing and copying nothing", async () => {
    // Act
    const result = await processSqsMessage(rt, event.Records[0] as SQSEvent["Records"][number]);
    // Assess
    expect(result).toStrictEqual({
      kind: "objects",
      objects: [{ object: `s3://${SOURCE}/${KEY}`, outcome: "gone", files: [], copies: [] }],
    });
    expect([...lake.files.keys()]).toStrictEqual([]);
    expect(objects.copies).toStrictEqual([]);
  });
});
