import type { AwsClientOptions } from "@app/aws/clients";
import { makeKinesisClient, makeS3Client, makeSqsClient } from "@app/aws/clients";
import type { Log } from "@app/aws/log";
import { createRuntime, type PipelineRuntime } from "@app/aws/runtime";
import type { LoglakeConfig } from "@app/core/config/types";
import type { LogSource } from "@app/core/sources/types";
import { createIngestKinesisHandler } from "@app/functions/handlers/ingest-kinesis";
import { createIngestSqsHandler } from "@app/functions/handlers/ingest-sqs";
import { type Emulators, startEmulators } from "./emulators.ts";
import { KinesisEventSource } from "./kinesis-source.ts";
import { type Provisioned, provision } from "./provision.ts";
import { S3Notifier } from "./s3-notifier.ts";
import { SqsEventSource } from "./sqs-source.ts";

/** The line `loglake dev` prints when everything is up. */
export interface ReadyInfo {
  ready: true;
  endpoint: string;
  kinesisEndpoint: string;
  region: string;
  buckets: { source: string; lake: string; worm: string; customer: string[] };
  queues: { ingest: string; dlq: string };
  stream: string;
}

/** A running local pipeline: emulators, resources, the real handlers and the pollers that feed them. */
export interface DevEnvironment {
  ready: ReadyInfo;
  emulators: Emulators;
  provisioned: Provisioned;
  runtime: PipelineRuntime;
  notifier: S3Notifier;
  sqsSource: SqsEventSource;
  kinesisSource: KinesisEventSource;
  /** Stops feeding, drains the batches in flight, then stops the emulators. */
  stop(): Promise<void>;
}

/**
 * Starts the emulators in this process, creates the resources the config names, and runs the ingest handlers
 * behind pollers that behave like Lambda event source mappings. New objects in the source bucket become S3 event
 * notifications on the ingest queue.
 */
export async function startDevEnvironment(opts: {
  config: LoglakeConfig;
  log: Log;
  port?: number;
  kinesisPort?: number;
  /** Client settings of the handlers only (tests route them through a fault-injecting proxy). */
  handlerAws?: (endpoint: string) => AwsClientOptions | Promise<AwsClientOptions>;
  sources?: readonly LogSource[];
  /** Assume customer roles through STS; off by default, since the emulators have no STS (tests mock it). */
  assumeRoles?: boolean;
  notifyIntervalMs?: number;
  /** Turn S3 notifications off (tests that send their own messages). */
  notify?: boolean;
}): Promise<DevEnvironment> {
  const { config, log } = opts;
  const emulators = await startEmulators({
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.kinesisPort !== undefined ? { kinesisPort: opts.kinesisPort } : {}),
  });
  try {
    const direct: AwsClientOptions = { region: config.region, endpoint: emulators.endpoint };
    const s3 = makeS3Client(direct);
    const sqs = makeSqsClient(direct);
    const kinesis = makeKinesisClient({ region: config.region, endpoint: emulators.kinesisEndpoint });
    const provisioned = await provision(config, { s3, sqs, kinesis });

    const runtime = await createRuntime({
      config,
      aws: opts.handlerAws ? await opts.handlerAws(emulators.endpoint) : direct,
      log,
      ...(opts.sources ? { sources: opts.sources } : {}),
      assumeRoles: opts.assumeRoles ?? false,
    });
    const sqsSource = new SqsEventSource({
      sqs,
      queueUrl: provisioned.queues.ingest,
      queueArn: provisioned.queues.ingestArn,
      region: config.region,
      batchSize: config.queues.batchSize,
      batchingWindowSeconds: config.queues.batchingWindowSeconds,
      handler: createIngestSqsHandler(runtime),
      log,
    });
    const kinesisSource = new KinesisEventSource({
      kinesis,
      streamName: provisioned.stream.name,
      streamArn: provisioned.stream.arn,
      region: config.region,
      batchSize: config.stream.batchSize,
      batchingWindowSeconds: config.stream.batchingWindowSeconds,
      maxRetryAttempts: config.stream.maxRetryAttempts,
      maxRecordAgeSeconds: config.stream.maxRecordAgeSeconds,
      handler: createIngestKinesisHandler(runtime),
      log,
    });
    const notifier = new S3Notifier({
      s3,
      sqs,
      bucket: config.buckets.source,
      queueUrl: provisioned.queues.ingest,
      region: config.region,
      log,
      ...(opts.notifyIntervalMs !== undefined ? { intervalMs: opts.notifyIntervalMs } : {}),
    });
    sqsSource.start();
    await kinesisSource.start();
    if (opts.notify !== false) notifier.start();

    let stopping: Promise<void> | undefined;
    return {
      ready: {
        ready: true,
        endpoint: emulators.endpoint,
        kinesisEndpoint: emulators.kinesisEndpoint,
        region: config.region,
        buckets: provisioned.buckets,
        queues: { ingest: provisioned.queues.ingest, dlq: provisioned.queues.dlq },
        stream: provisioned.stream.name,
      },
      emulators,
      provisioned,
      runtime,
      notifier,
      sqsSource,
      kinesisSource,
      stop() {
        stopping ??= (async () => {
          await notifier.stop();
          await Promise.all([sqsSource.stop(), kinesisSource.stop()]);
          runtime.db.closeSync();
          // Close pooled keep-alive sockets, so the process can exit as soon as the emulators are down.
          for (const c of [s3, sqs, kinesis, runtime.s3, runtime.sqs]) c.destroy();
          await emulators.stop();
        })();
        return stopping;
      },
    };
  } catch (e) {
    await emulators.stop();
    throw e;
  }
}
