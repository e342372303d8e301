import { makeS3Client } from "@app/aws/clients";
import type { Log } from "@app/pipeline/log";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { type CheckpointStore, fileCheckpoints } from "./checkpoints.ts";
import { type DataDir, readJsonFile, writeFileAtomic } from "./data-dir.ts";
import type { Emulators } from "./emulators.ts";
import { type Change, type PersistingEndpoint, startPersistingEndpoint } from "./persisting-endpoint.ts";
import { S3Mirror, type S3RestoreSummary } from "./s3-mirror.ts";
import { SqsJournal } from "./sqs-journal.ts";

/** The state of `loglake dev` kept in a data directory, and the endpoint that keeps it. */
export interface KeptState {
  dir: DataDir;
  /** S3 and SQS endpoint for every client: changes are on disk before the client sees success. */
  endpoint: string;
  s3: S3RestoreSummary;
  checkpoints: CheckpointStore;
  /** Source objects announced by an earlier run. */
  notified: Record<string, string>;
  saveNotified(seen: Record<string, string>): Promise<void>;
  /** Puts the kept messages back into the (just provisioned) queues, then keeps every later change. */
  restoreMessages(sqs: SQSClient, urls: Record<string, string>): Promise<number>;
  close(): Promise<void>;
}

/**
 * Restores the buckets and objects of a data directory into the emulator, then serves it through an endpoint that
 * writes every change back. Kinesis needs nothing here: kinesalite keeps its own LevelDB in `dir.kinesis`.
 */
export async function openKeptState(opts: {
  dir: DataDir;
  emulators: Emulators;
  region: string;
  queues: readonly string[];
  stream: string;
  port?: number;
  log: Log;
}): Promise<KeptState> {
  const { dir, log } = opts;
  const direct = makeS3Client({ region: opts.region, endpoint: opts.emulators.endpoint });
  const mirror = new S3Mirror({ dir: dir.s3, s3: direct, log });
  const journal = new SqsJournal({ file: dir.sqs, queues: opts.queues, inspect: opts.emulators.inspectQueue });
  let front: PersistingEndpoint | undefined;
  try {
    const s3 = await mirror.restore();
    const apply = async (c: Change): Promise<void> => {
      switch (c.kind) {
        case "bucket-created":
          return mirror.bucketCreated(c.bucket);
        case "bucket-deleted":
          return mirror.bucketDeleted(c.bucket);
        case "objects-deleted":
          return mirror.reconcile(c.bucket);
        case "object-written":
          // Not found under the key read from the URL: bring the whole bucket in line instead.
          if (!(await mirror.objectChanged(c.bucket, c.key))) await mirror.reconcile(c.bucket);
          return;
        case "object-deleted":
          await mirror.objectDeleted(c.bucket, c.key);
          return;
        case "queue-changed":
          return journal.save();
      }
    };
    front = await startPersistingEndpoint({
      upstream: opts.emulators.endpoint,
      ...(opts.port !== undefined ? { port: opts.port } : {}),
      apply,
      log,
    });
    const endpoint = front.endpoint;
    const closeFront = front.close;
    return {
      dir,
      endpoint,
      s3,
      checkpoints: fileCheckpoints(dir.checkpoints, opts.stream),
      notified: (await readJsonFile<Record<string, string>>(dir.notifier)) ?? {},
      saveNotified: (seen) => writeFileAtomic(dir.notifier, JSON.stringify(seen)),
      async restoreMessages(sqs, urls) {
        const n = await journal.restore(sqs, urls);
        journal.arm();
        await journal.save();
        return n;
      },
      async close() {
        await closeFront();
        direct.destroy();
      },
    };
  } catch (e) {
    await front?.close();
    direct.destroy();
    throw e;
  }
}
