import type { Log } from "@app/pipeline/log";
import {
  type _Record,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from "@aws-sdk/client-kinesis";
import type { KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";
import { type CheckpointStore, memoryCheckpoints, type ShardPosition } from "./checkpoints.ts";

/** Counters of the stream source, for logs and tests. */
export interface KinesisSourceStats {
  batches: number;
  records: number;
  retries: number;
  discarded: number;
  handlerErrors: number;
}

interface Shard extends ShardPosition {
  id: string;
  iterator?: string;
  /** Batch limit; halved after a handler error (bisect on error), reset after a success. */
  limit: number;
  /** Attempts of the batch that starts at `attemptsFor`. */
  attempts: number;
  attemptsFor?: string;
}

/**
 * Reads every shard of a stream and invokes a handler the way a Lambda Kinesis event source mapping does:
 * batches of up to `batchSize` gathered for at most `batchingWindowSeconds` from a checkpointed iterator,
 * `ReportBatchItemFailures` (the checkpoint moves to just before the lowest failed sequence number and the rest is
 * delivered again), bisect on a thrown error, a retry limit after which the failing batch is discarded (logged, as
 * an on-failure destination would receive it), and a maximum record age. Positions are saved in `checkpoints` before
 * and after every batch, so a consumer started again (in this process or, with a file store, after a crash) neither
 * skips nor re-reads a committed record, and delivers a batch that was in flight with the same boundaries, so its
 * files are replaced rather than duplicated.
 */
export class KinesisEventSource {
  readonly stats: KinesisSourceStats = { batches: 0, records: 0, retries: 0, discarded: 0, handlerErrors: 0 };
  private running = false;
  private loop: Promise<void> | undefined;
  private shards: Shard[] = [];
  private readonly checkpoints: CheckpointStore;

  constructor(
    private readonly opts: {
      kinesis: KinesisClient;
      streamName: string;
      streamArn: string;
      region: string;
      batchSize: number;
      batchingWindowSeconds: number;
      maxRetryAttempts: number;
      maxRecordAgeSeconds: number;
      handler: (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse>;
      log: Log;
      /** Pause when a shard has nothing new. */
      idleMs?: number;
      /** Where positions are kept (default: in memory, for the life of the process). */
      checkpoints?: CheckpointStore;
    },
  ) {
    this.checkpoints = opts.checkpoints ?? memoryCheckpoints();
  }

  async start(): Promise<void> {
    if (this.running) return;
    const res = await this.opts.kinesis.send(new ListShardsCommand({ StreamName: this.opts.streamName }));
    const kept = await this.checkpoints.load();
    this.shards = (res.Shards ?? []).map((s) => ({
      ...kept[s.ShardId as string],
      id: s.ShardId as string,
      limit: this.opts.batchSize,
      attempts: 0,
    }));
    this.running = true;
    this.loop = this.run();
  }

  /** Stops reading and waits for the batch in flight to finish (drain). */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** The position of every shard, as last saved. */
  positions(): Record<string, ShardPosition> {
    const out: Record<string, ShardPosition> = {};
    for (const s of this.shards) {
      out[s.id] = {
        ...(s.checkpoint ? { checkpoint: s.checkpoint } : {}),
        ...(s.pending ? { pending: { ...s.pending } } : {}),
      };
    }
    return out;
  }

  private save(): Promise<void> {
    return this.checkpoints.save(this.positions());
  }

  private async run(): Promise<void> {
    while (this.running) {
      let delivered = false;
      for (const shard of this.shards) {
        if (!this.running) break;
        delivered =
          (await this.poll(shard).catch((e: unknown) => {
            this.opts.log.warn("shard read failed", { shard: shard.id, error: String(e) });
            shard.iterator = undefined;
            return false;
          })) || delivered;
      }
      if (!delivered) await new Promise((r) => setTimeout(r, this.opts.idleMs ?? 200));
    }
  }

  private async poll(shard: Shard): Promise<boolean> {
    if (!shard.iterator) {
      const it = await this.opts.kinesis.send(
        new GetShardIteratorCommand({
          StreamName: this.opts.streamName,
          ShardId: shard.id,
          ...(shard.checkpoint
            ? { ShardIteratorType: "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber: shard.checkpoint }
            : { ShardIteratorType: "TRIM_HORIZON" }),
        }),
      );
      shard.iterator = it.ShardIterator;
    }
    let records = await this.read(shard, shard.limit);
    if (records.length === 0) return false;
    const replay = shard.pending?.first === records[0]?.SequenceNumber ? shard.pending : undefined;
    if (replay) {
      // The batch in flight when the consumer stopped: the same records again, up to the same last one.
      const has = () => records.findIndex((r) => r.SequenceNumber === replay.last);
      while (has() < 0 && records.length < shard.limit && this.running) {
        const more = await this.read(shard, shard.limit - records.length);
        if (more.length === 0) break;
        records = records.concat(more);
      }
      const last = has();
      if (last >= 0 && last < records.length - 1) {
        records = records.slice(0, last + 1);
        // The iterator is past what was cut off: read again from the checkpoint once this batch is done.
        shard.iterator = undefined;
      }
    } else {
      // Batching window: keep reading until the batch is full or the window has passed since the first record.
      const windowEnds = Date.now() + this.opts.batchingWindowSeconds * 1000;
      while (records.length < shard.limit && Date.now() < windowEnds && this.running) {
        await new Promise((r) => setTimeout(r, Math.min(200, Math.max(0, windowEnds - Date.now()))));
        records = records.concat(await this.read(shard, shard.limit - records.length));
      }
    }
    // Records older than the maximum age are dropped, as the event source mapping does.
    const minArrival = Date.now() - this.opts.maxRecordAgeSeconds * 1000;
    const stale = records.filter((r) => (r.ApproximateArrivalTimestamp?.getTime() ?? 0) < minArrival);
    if (stale.length > 0) {
      this.stats.discarded += stale.length;
      this.opts.log.warn("records older than the maximum age discarded", { shard: shard.id, records: stale.length });
      records = records.filter((r) => !stale.includes(r));
      shard.checkpoint = stale[stale.length - 1]?.SequenceNumber ?? shard.checkpoint;
      shard.pending = undefined;
      await this.save();
      if (records.length === 0) return true;
    }
    await this.deliver(shard, records);
    return true;
  }

  private async read(shard: Shard, limit: number): Promise<_Record[]> {
    const res = await this.opts.kinesis.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: limit }));
    shard.iterator = res.NextShardIterator;
    return res.Records ?? [];
  }

  private async deliver(shard: Shard, records: _Record[]): Promise<void> {
    this.stats.batches++;
    this.stats.records += records.length;
    const first = records[0]?.SequenceNumber as string;
    if (shard.attemptsFor !== first) {
      shard.attemptsFor = first;
      shard.attempts = 0;
    }
    shard.attempts++;
    shard.pending = { first, last: records[records.length - 1]?.SequenceNumber as string };
    await this.save();
    const event: KinesisStreamEvent = {
      Records: records.map((r) => kinesisLambdaRecord(r, { shardId: shard.id, ...this.opts })),
    };
    let failedAt = -1;
    let thrown = false;
    try {
      const res = await this.opts.handler(event);
      const failed = new Set(res.batchItemFailures.map((f) => f.itemIdentifier));
      failedAt = records.findIndex((r) => failed.has(r.SequenceNumber as string));
    } catch (e) {
      thrown = true;
      failedAt = 0;
      this.stats.handlerErrors++;
      this.opts.log.error("handler failed the whole batch", {
        shard: shard.id,
        records: records.length,
        error: String(e),
      });
    }
    if (failedAt === -1) {
      shard.checkpoint = records[records.length - 1]?.SequenceNumber;
      shard.pending = undefined;
      shard.limit = this.opts.batchSize;
      await this.save();
      return;
    }
    // Everything before the lowest failure is done; delivery resumes at the failure.
    if (failedAt > 0) shard.checkpoint = records[failedAt - 1]?.SequenceNumber;
    const failedSeq = records[failedAt]?.SequenceNumber as string;
    if (failedSeq !== first) {
      shard.attemptsFor = failedSeq;
      shard.attempts = 1;
    }
    if (shard.attempts > this.opts.maxRetryAttempts) {
      const rest = records.slice(failedAt);
      this.stats.discarded += rest.length;
      this.opts.log.error("retries exhausted; batch sent to the on-failure destination", {
        shard: shard.id,
        first: failedSeq,
        last: rest[rest.length - 1]?.SequenceNumber,
      });
      shard.checkpoint = rest[rest.length - 1]?.SequenceNumber;
      shard.limit = this.opts.batchSize;
    } else {
      this.stats.retries++;
      if (thrown && records.length > 1) shard.limit = Math.max(1, Math.ceil(records.length / 2));
    }
    // What failed is read again from the checkpoint, in batches of the current limit.
    shard.pending = undefined;
    await this.save();
    if (shard.attempts <= this.opts.maxRetryAttempts) await new Promise((r) => setTimeout(r, 100 * shard.attempts));
    shard.iterator = undefined;
  }
}

/** A record from GetRecords in the shape Lambda hands to a Kinesis consumer (data base64, arrival in seconds). */
export function kinesisLambdaRecord(
  r: _Record,
  at: { shardId: string; region: string; streamArn: string },
): KinesisStreamRecord {
  const seq = r.SequenceNumber as string;
  return {
    kinesis: {
      kinesisSchemaVersion: "1.0",
      partitionKey: r.PartitionKey as string,
      sequenceNumber: seq,
      data: Buffer.from(r.Data ?? new Uint8Array()).toString("base64"),
      approximateArrivalTimestamp: (r.ApproximateArrivalTimestamp?.getTime() ?? 0) / 1000,
    },
    eventSource: "aws:kinesis",
    eventVersion: "1.0",
    eventID: `${at.shardId}:${seq}`,
    eventName: "aws:kinesis:record",
    invokeIdentityArn: "arn:aws:iam::000000000000:role/loglake-dev",
    awsRegion: at.region,
    eventSourceARN: at.streamArn,
  };
}
