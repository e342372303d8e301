import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { snsAlertPublisher } from "@app/aws/alerts";
import type { AwsClientOptions } from "@app/aws/clients";
import { makeKinesisClient, makeS3Client, makeSnsClient, makeSqsClient } from "@app/aws/clients";
import { instanceStreamName } from "@app/aws/cloudwatch-logs";
import { type AwsRuntime, createRuntime } from "@app/aws/runtime";
import { alertDetections } from "@app/core/alerts/alert";
import { logGroupDestinations } from "@app/core/config/destinations";
import type { LoglakeConfig } from "@app/core/config/types";
import type { SavedQuery } from "@app/core/queries/header";
import type { LogSource } from "@app/core/sources/types";
import { createIngestKinesisHandler } from "@app/functions/handlers/ingest-kinesis";
import { createIngestSqsHandler } from "@app/functions/handlers/ingest-sqs";
import { localAlertClaims } from "@app/lake/alert-claims";
import type { Log } from "@app/pipeline/log";
import { claimDataDir, dataDirLayout, IN_MEMORY_NOT_KEPT, NOT_KEPT } from "./data-dir.ts";
import { type Emulators, startEmulators } from "./emulators.ts";
import { type KeptState, openKeptState } from "./kept-state.ts";
import { KinesisEventSource } from "./kinesis-source.ts";
import { fileLogSender } from "./log-sink.ts";
import { type Provisioned, provision, provisionAlerts } from "./provision.ts";
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
  /** The alerts topic, the queue subscribed to it (read it to see alerts), and the detections that alert. */
  alerts: { topic: string; inbox: string; detections: string[] };
  /** Where the events for CloudWatch Logs destinations are written instead (present when there are any). */
  forward?: { dir: string; destinations: string[] };
  state: ReadyState;
}

/** Where the state lives, what an earlier run left that was put back, and what a restart loses. */
export interface ReadyState {
  /** Absolute path, or null when everything is in memory. */
  dataDir: string | null;
  restored: { buckets: number; objects: number; messages: number; shards: number };
  notKept: readonly string[];
}

/** A running local pipeline: emulators, resources, the real handlers and the pollers that feed them. */
export interface DevEnvironment {
  ready: ReadyInfo;
  emulators: Emulators;
  provisioned: Provisioned;
  runtime: AwsRuntime;
  notifier: S3Notifier;
  sqsSource: SqsEventSource;
  kinesisSource: KinesisEventSource;
  /** The data directory's state, when there is one. */
  kept?: KeptState;
  /** Stops feeding, drains the batches in flight, then stops the emulators. */
  stop(): Promise<void>;
}

/**
 * Starts the emulators in this process, creates the resources the config names, and runs the ingest handlers
 * behind pollers that behave like Lambda event source mappings. New objects in the source bucket become S3 event
 * notifications on the ingest queue. With `dataDir`, the buckets, the ingest queue and its DLQ, the stream and the
 * consumers' positions are kept there and restored on the next start; without it everything is in memory.
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
  /** Keep state in this folder across restarts (created when missing). */
  dataDir?: string;
  /** The saved queries whose `alert: true` detections run on ingest. */
  queries?: readonly SavedQuery[];
}): Promise<DevEnvironment> {
  const { config, log } = opts;
  const dir = opts.dataDir !== undefined ? dataDirLayout(opts.dataDir) : undefined;
  const release = dir ? await claimDataDir(dir) : async () => {};
  let emulators: Emulators | undefined;
  let kept: KeptState | undefined;
  try {
    emulators = await startEmulators({
      // With a data directory the given port is the persisting endpoint's, and the emulator's own stays private.
      ...(opts.port !== undefined && !dir ? { port: opts.port } : {}),
      ...(opts.kinesisPort !== undefined ? { kinesisPort: opts.kinesisPort } : {}),
      ...(dir ? { kinesisPath: dir.kinesis } : {}),
    });
    if (dir) {
      kept = await openKeptState({
        dir,
        emulators,
        region: config.region,
        queues: [config.queues.ingest, config.queues.dlq],
        stream: config.stream.name,
        ...(opts.port !== undefined ? { port: opts.port } : {}),
        log,
      });
    }
    const endpoint = kept?.endpoint ?? emulators.endpoint;
    const direct: AwsClientOptions = { region: config.region, endpoint };
    const s3 = makeS3Client(direct);
    const sqs = makeSqsClient(direct);
    const kinesis = makeKinesisClient({ region: config.region, endpoint: emulators.kinesisEndpoint });
    const provisioned = await provision(config, { s3, sqs, kinesis });
    // SNS state is not kept, so its calls go to the emulator itself, past the persisting endpoint.
    const sns = makeSnsClient({ region: config.region, endpoint: emulators.endpoint });
    const alertTopic = await provisionAlerts(config, { sns, sqs });
    // The emulator's S3 ignores If-None-Match, so claims are marker files (O_EXCL) next to the kept state.
    const claimsDir = dir ? join(dir.root, "alerts") : await mkdtemp(join(tmpdir(), "loglake-dev-alerts-"));
    const detections = alertDetections(opts.queries ?? []);
    // No CloudWatch Logs emulator: the events each destination would receive go to files (see fileLogSender).
    const logGroups = logGroupDestinations(config).map((d) => d.name);
    const forwardDir = join(dir ? dir.root : claimsDir, "cloudwatch-logs");
    const messages = kept
      ? await kept.restoreMessages(sqs, {
          [config.queues.ingest]: provisioned.queues.ingest,
          [config.queues.dlq]: provisioned.queues.dlq,
        })
      : 0;
    let shards = 0;
    if (kept) {
      const positions = await kept.checkpoints.load();
      shards = Object.values(positions).filter((p) => p.checkpoint !== undefined).length;
      if (provisioned.stream.created && Object.keys(positions).length > 0) {
        // The stream is new (its folder was removed): sequence numbers from the old one mean nothing here.
        log.warn("stream created afresh; its kept checkpoints no longer apply and are dropped", {
          stream: provisioned.stream.name,
        });
        await kept.checkpoints.save({});
        shards = 0;
      }
    }

    const runtime = await createRuntime({
      config,
      aws: opts.handlerAws ? await opts.handlerAws(endpoint) : direct,
      log,
      ...(opts.sources ? { sources: opts.sources } : {}),
      assumeRoles: opts.assumeRoles ?? false,
      ...(logGroups.length > 0
        ? {
            forward: {
              sender: fileLogSender(forwardDir),
              claims: localAlertClaims(claimsDir),
              instance: instanceStreamName(config.env),
              now: Date.now,
            },
          }
        : {}),
      ...(detections.length > 0
        ? {
            alerts: {
              detections,
              claims: localAlertClaims(claimsDir),
              publisher: snsAlertPublisher(sns, alertTopic.topicArn),
            },
          }
        : {}),
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
      ...(kept ? { checkpoints: kept.checkpoints } : {}),
    });
    const notifier = new S3Notifier({
      s3,
      sqs,
      bucket: config.buckets.source,
      queueUrl: provisioned.queues.ingest,
      region: config.region,
      log,
      ...(opts.notifyIntervalMs !== undefined ? { intervalMs: opts.notifyIntervalMs } : {}),
      ...(kept ? { seen: kept.notified, onSeen: kept.saveNotified } : {}),
    });
    sqsSource.start();
    await kinesisSource.start();
    if (opts.notify !== false) notifier.start();

    const state: ReadyState = {
      dataDir: dir?.root ?? null,
      restored: { buckets: kept?.s3.buckets ?? 0, objects: kept?.s3.objects ?? 0, messages, shards },
      notKept: dir ? NOT_KEPT : IN_MEMORY_NOT_KEPT,
    };
    log.warn(dir ? `state kept in ${dir.root}; a restart loses only what notKept lists` : "state kept in memory only", {
      ...state,
    });
    const running = emulators;
    let stopping: Promise<void> | undefined;
    return {
      ready: {
        ready: true,
        endpoint,
        kinesisEndpoint: emulators.kinesisEndpoint,
        region: config.region,
        buckets: provisioned.buckets,
        queues: { ingest: provisioned.queues.ingest, dlq: provisioned.queues.dlq },
        stream: provisioned.stream.name,
        alerts: { topic: alertTopic.topicArn, inbox: alertTopic.inboxUrl, detections: detections.map((d) => d.id) },
        ...(logGroups.length > 0 ? { forward: { dir: forwardDir, destinations: logGroups } } : {}),
        state,
      },
      emulators,
      provisioned,
      runtime,
      notifier,
      sqsSource,
      kinesisSource,
      ...(kept ? { kept } : {}),
      stop() {
        stopping ??= (async () => {
          await notifier.stop();
          await Promise.all([sqsSource.stop(), kinesisSource.stop()]);
          runtime.db.closeSync();
          // Close pooled keep-alive sockets, so the process can exit as soon as the emulators are down.
          for (const c of [s3, sqs, sns, kinesis, runtime.s3, runtime.sqs]) c.destroy();
          if (!dir) await rm(claimsDir, { recursive: true, force: true });
          await kept?.close();
          await running.stop();
          await release();
        })();
        return stopping;
      },
    };
  } catch (e) {
    await kept?.close();
    await emulators?.stop();
    await release();
    throw e;
  }
}
