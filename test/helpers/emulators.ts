import { gzipSync } from "node:zlib";
import { type AwsClientOptions, makeKinesisClient, makeS3Client, makeSqsClient } from "@app/aws/clients";
import { type DevEnvironment, startDevEnvironment } from "@app/cli/dev/environment";
import { kinesisLambdaRecord } from "@app/cli/dev/kinesis-source";
import { resolveConfig } from "@app/core/config/index";
import type { LoglakeConfig, LoglakeConfigInput } from "@app/core/config/types";
import type { SavedQuery } from "@app/core/queries/header";
import { TABLES } from "@app/core/sources/index";
import type { LogSource } from "@app/core/sources/types";
import { silentLog } from "@app/pipeline/log";
import type { DemoFile } from "@app/samples/demo/index";
import { GetRecordsCommand, GetShardIteratorCommand } from "@aws-sdk/client-kinesis";
import type { KinesisStreamEvent } from "aws-lambda";
import { withLakeMirror } from "./lake-query.ts";

export { startEmulators } from "@app/cli/dev/emulators";

/** A test config: the defaults with timings short enough for retries to show within seconds. */
export function testConfig(overrides: Partial<LoglakeConfigInput> = {}): LoglakeConfig {
  return resolveConfig({
    env: "e2e",
    ...overrides,
    queues: { visibilityTimeoutSeconds: 4, batchingWindowSeconds: 0, maxReceiveCount: 3, ...overrides.queues },
    stream: { batchingWindowSeconds: 0, maxRetryAttempts: 3, ...overrides.stream },
    sizes: { functionTimeoutSeconds: 4, heartbeatSeconds: 1, ...overrides.sizes },
  });
}

/** A running pipeline on emulators, with clients for the test to act as a user would. */
export interface TestPipeline {
  env: DevEnvironment;
  config: LoglakeConfig;
  s3: ReturnType<typeof makeS3Client>;
  sqs: ReturnType<typeof makeSqsClient>;
  kinesis: ReturnType<typeof makeKinesisClient>;
  stop(): Promise<void>;
}

/** Starts the emulators, the resources and the real handlers behind their pollers, on free ports. */
export async function startTestPipeline(
  opts: {
    config?: LoglakeConfig;
    handlerAws?: (endpoint: string) => AwsClientOptions | Promise<AwsClientOptions>;
    sources?: readonly LogSource[];
    assumeRoles?: boolean;
    notify?: boolean;
    /** Saved queries whose `alert: true` detections the consumers evaluate. */
    queries?: readonly SavedQuery[];
  } = {},
): Promise<TestPipeline> {
  const config = opts.config ?? testConfig();
  const env = await startDevEnvironment({
    config,
    log: silentLog,
    notifyIntervalMs: 200,
    ...(opts.handlerAws ? { handlerAws: opts.handlerAws } : {}),
    ...(opts.sources ? { sources: opts.sources } : {}),
    ...(opts.assumeRoles !== undefined ? { assumeRoles: opts.assumeRoles } : {}),
    ...(opts.notify !== undefined ? { notify: opts.notify } : {}),
    ...(opts.queries ? { queries: opts.queries } : {}),
  });
  const direct = { region: config.region, endpoint: env.ready.endpoint };
  return {
    env,
    config,
    s3: makeS3Client(direct),
    sqs: makeSqsClient(direct),
    kinesis: makeKinesisClient({ region: config.region, endpoint: env.ready.kinesisEndpoint }),
    stop: () => env.stop(),
  };
}

/** The bytes a demo file has in S3 (gzipped when its name says so). */
export function demoBytes(f: DemoFile): Uint8Array {
  return f.gzip ? new Uint8Array(gzipSync(f.contents)) : new Uint8Array(Buffer.from(f.contents));
}

/** Rows and distinct rows (by lineage: object and line) per table, read back from the lake bucket with DuckDB. */
export interface LakeCounts {
  rows: Record<string, number>;
  duplicates: Record<string, number>;
  quarantine: { reason: string; source_object: string; source_kind: string }[];
}

/** Counts the lake bucket's rows with DuckDB over a mirror of it. */
export function lakeCounts(endpoint: string, bucket: string): Promise<LakeCounts> {
  return withLakeMirror(endpoint, bucket, async (conn) => {
    const rows: Record<string, number> = {};
    const duplicates: Record<string, number> = {};
    for (const t of TABLES) {
      const r = await conn.runAndReadAll(
        `SELECT count(*)::INTEGER AS n, (count(*) - count(DISTINCT (source_object, source_line)))::INTEGER AS d FROM ${t.name}`,
      );
      const o = r.getRowObjects()[0] as { n: number; d: number };
      if (o.n > 0) rows[t.name] = o.n;
      if (o.d > 0) duplicates[t.name] = o.d;
    }
    const q = await conn.runAndReadAll(
      "SELECT reason, source_object, source_kind FROM quarantine ORDER BY source_object, source_line",
    );
    return { rows, duplicates, quarantine: q.getRowObjects() as LakeCounts["quarantine"] };
  });
}

/** Polls until `check` returns a value that is not undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Messages waiting plus in flight in a queue. */
export async function queueDepth(sqs: ReturnType<typeof makeSqsClient>, queueUrl: string): Promise<number> {
  const { GetQueueAttributesCommand } = await import("@aws-sdk/client-sqs");
  const res = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
      ],
    }),
  );
  const a = res.Attributes ?? {};
  return (
    Number(a.ApproximateNumberOfMessages ?? 0) +
    Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(a.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

/**
 * Waits until `until` holds (when given) and the pipeline's ingest queue holds nothing waiting, in flight or delayed:
 * every message taken was acknowledged or moved to the dead-letter queue.
 */
export function waitForIngestDrained(
  p: TestPipeline,
  what: string,
  opts: { until?: () => boolean; timeoutMs?: number; intervalMs?: number } = {},
): Promise<true> {
  const until = opts.until ?? (() => true);
  return waitFor(
    what,
    async () => (until() && (await queueDepth(p.sqs, p.env.ready.queues.ingest)) === 0 ? true : undefined),
    opts.timeoutMs,
    opts.intervalMs,
  );
}

/** Every record on the test stream's one shard, as the Lambda event an event source mapping would deliver. */
export async function readShardEvent(p: TestPipeline): Promise<KinesisStreamEvent> {
  const shardId = "shardId-000000000000";
  const it = await p.kinesis.send(
    new GetShardIteratorCommand({
      StreamName: p.config.stream.name,
      ShardId: shardId,
      ShardIteratorType: "TRIM_HORIZON",
    }),
  );
  const res = await p.kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
  const at = { shardId, region: p.config.region, streamArn: p.env.provisioned.stream.arn };
  return { Records: (res.Records ?? []).map((r) => kinesisLambdaRecord(r, at)) };
}
