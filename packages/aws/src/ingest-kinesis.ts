import { kinesisArchiveBody } from "@app/core/copy/kinesis-archive";
import { planCopies } from "@app/core/copy/plan";
import {
  type KinesisRecordRef,
  kinesisArrivalTime,
  kinesisDataBytes,
  kinesisOrigin,
} from "@app/core/envelopes/kinesis";
import { ParseError } from "@app/core/errors";
import { type IngestSummary, ingestObject, mergeSummary, type RowSink } from "@app/core/ingest/pipeline";
import {
  kinesisArchiveKey,
  kinesisBatchName,
  kinesisRecordLineage,
  kinesisRunLineage,
  quarantineRow,
} from "@app/core/lake-layout";
import type { TableDef } from "@app/core/schema/table";
import { quarantineTable } from "@app/core/sources/quarantine/schema";
import { writeManifest } from "@app/lake/ingest";
import { createLakeWriter } from "@app/lake/writer";
import type { PipelineRuntime } from "./runtime.ts";
import { putObject } from "./s3.ts";

/** The Kinesis record fields the pipeline reads (a subset of Lambda's KinesisStreamRecord). */
export interface KinesisInput {
  eventID: string;
  eventSourceARN: string;
  kinesis: KinesisRecordRef;
}

type Row = [TableDef, Record<string, unknown>];

/** What a committed run of records produced. */
export interface KinesisCommit {
  /** Records written (the run before the first failure). */
  records: number;
  files: string[];
  archive?: { bucket: string; key: string };
  summary: Omit<IngestSummary, "source">;
}

/**
 * One Lambda batch of Kinesis records. `parse` turns a record into rows held in memory (a batch is at most 6 MB
 * of payload); `commit` then writes the rows of every record before the first failure as one set of lake files
 * named by shard and first/last sequence number, and archives exactly those raw records to WORM. Records from the
 * first failure on are written by the retry that starts there, so a retry never duplicates rows.
 */
export class KinesisBatch {
  private readonly parsed = new Map<string, { rows: Row[]; summary: IngestSummary }>();

  constructor(
    private readonly rt: PipelineRuntime,
    private readonly records: readonly KinesisInput[],
  ) {}

  /** Parses one record. Bad content becomes quarantine rows; only unexpected (transient) errors throw. */
  async parse(record: KinesisInput): Promise<IngestSummary> {
    const { stream, shardId } = kinesisOrigin(record.eventSourceARN, record.eventID);
    const k = record.kinesis;
    const rows: Row[] = [];
    const sink: RowSink = { write: (table, row) => void rows.push([table, row]) };
    const sourceObject = kinesisRecordLineage(stream, shardId, k.sequenceNumber);
    const ingestTime = kinesisArrivalTime(k.approximateArrivalTimestamp);
    let summary: IngestSummary;
    try {
      const bytes = kinesisDataBytes(k.data);
      summary = await ingestObject({
        sources: this.rt.sources,
        bytes: (async function* () {
          yield bytes;
        })(),
        // The stream name is the only key a record has; a stream named for its source helps detection.
        context: { key: `kinesis/${stream}/${shardId}`, options: this.rt.sourceOptions },
        lineage: { sourceObject, ingestTime },
        sink,
      });
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      rows.push([
        quarantineTable,
        quarantineRow({
          sourceObject,
          ingestTime,
          line: 1,
          sourceKind: "unknown",
          reason: "bad_record",
          message: e.message,
          raw: k.data,
        }),
      ]);
      summary = { source: "unknown", records: 1, rows: {}, quarantined: { bad_record: 1 }, skipped: {} };
    }
    this.parsed.set(k.sequenceNumber, { rows, summary });
    return summary;
  }

  /** Writes and archives the records before the first failed sequence number (all of them when none failed). */
  async commit(failedSequenceNumbers: readonly string[]): Promise<KinesisCommit> {
    const failed = new Set(failedSequenceNumbers);
    const firstFailure = this.records.findIndex((r) => failed.has(r.kinesis.sequenceNumber));
    const run = firstFailure === -1 ? this.records : this.records.slice(0, firstFailure);
    const summary: Omit<IngestSummary, "source"> = { records: 0, rows: {}, quarantined: {}, skipped: {} };
    if (run.length === 0) return { records: 0, files: [], summary };
    const first = run[0] as KinesisInput;
    const last = run[run.length - 1] as KinesisInput;
    const { stream, shardId } = kinesisOrigin(first.eventSourceARN, first.eventID);
    const name = kinesisBatchName(stream, shardId, first.kinesis.sequenceNumber, last.kinesis.sequenceNumber);

    const writer = await createLakeWriter({
      db: this.rt.db,
      publish: (rel, local) => this.rt.lake.putFile(rel, local),
    });
    try {
      for (const r of run) {
        const p = this.parsed.get(r.kinesis.sequenceNumber);
        if (!p) throw new Error(`record ${r.kinesis.sequenceNumber} was committed without being parsed`);
        mergeSummary(summary, p.summary);
        for (const [table, row] of p.rows) await writer.sink.write(table, row);
      }
    } catch (e) {
      await writer.abort();
      throw e;
    }
    const { files } = await writer.finish(name);
    const firstArrival = kinesisArrivalTime(first.kinesis.approximateArrivalTimestamp);
    await writeManifest(this.rt.lake, {
      name,
      source_object: kinesisRunLineage(stream, shardId, first.kinesis.sequenceNumber, last.kinesis.sequenceNumber),
      ingest_time: firstArrival,
      summary: { source: "unknown", ...summary },
      files,
    });

    let archive: KinesisCommit["archive"];
    const key = kinesisArchiveKey({
      stream,
      shardId,
      firstSequence: first.kinesis.sequenceNumber,
      lastSequence: last.kinesis.sequenceNumber,
      firstArrival,
    });
    for (const t of planCopies(this.rt.config, { source: "kinesis", bucket: "", key, eventTime: firstArrival })) {
      if (t.kind !== "worm") continue;
      await putObject(this.rt.s3, {
        bucket: t.bucket,
        key: t.key,
        body: kinesisArchiveBody(
          stream,
          shardId,
          run.map((r) => r.kinesis),
        ),
        contentType: "application/x-ndjson",
        contentEncoding: "gzip",
        objectLock: t.objectLock,
      });
      archive = { bucket: t.bucket, key: t.key };
    }
    return { records: run.length, files, ...(archive ? { archive } : {}), summary };
  }
}
