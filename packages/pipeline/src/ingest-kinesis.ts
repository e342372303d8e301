import { rm } from "node:fs/promises";
import { kinesisArchiveBody } from "@app/core/copy/kinesis-archive";
import { planCopies } from "@app/core/copy/plan";
import {
  type KinesisRecordRef,
  kinesisArrivalTime,
  kinesisDataBytes,
  kinesisOrigin,
} from "@app/core/envelopes/kinesis";
import { ParseError } from "@app/core/errors";
import { type AppEventText, appEventText } from "@app/core/forward/cloudwatch-logs";
import { type IngestSummary, ingestObject, mergeSummary, type RowSink } from "@app/core/ingest/pipeline";
import {
  kinesisArchiveKey,
  kinesisBatchName,
  kinesisManifestPrefix,
  kinesisRecordLineage,
  kinesisRunLineage,
  kinesisRunOfManifest,
  kinesisRunsEndingFrom,
  quarantineRow,
} from "@app/core/lake-layout";
import type { TableDef } from "@app/core/schema/table";
import { quarantineTable } from "@app/core/sources/quarantine/schema";
import type { SourceId } from "@app/core/sources/types";
import { unwritableRow, unwritableSummary, writeManifest, writeRows } from "@app/lake/ingest";
import { createLakeWriter, WriteFailedError } from "@app/lake/writer";
import { alertOnRows } from "./alerts.ts";
import { type ForwardCounts, forwardAppEvents, mergeForwardCounts } from "./forward.ts";
import type { PipelineRuntime } from "./runtime.ts";

/** The Kinesis record fields the pipeline reads (a subset of Lambda's KinesisStreamRecord). */
export interface KinesisInput {
  eventID: string;
  eventSourceARN: string;
  kinesis: KinesisRecordRef;
}

type Row = [TableDef, Record<string, unknown>];

/** What a committed batch produced. */
export interface KinesisCommit {
  /** Records written now (of the run before the first failure). */
  records: number;
  /** Records of that run an earlier delivery had written and archived: left as they are. */
  alreadyWritten: number;
  files: string[];
  archives: { bucket: string; key: string }[];
  /** What the records written now produced. */
  summary: Omit<IngestSummary, "source">;
  /** What forwarding their app events to CloudWatch Logs did, by destination. */
  forwarded: ForwardCounts;
}

/**
 * One Lambda batch of Kinesis records. `parse` turns a record into rows held in memory (a batch is at most 6 MB
 * of payload); `commit` then writes the rows of every record before the first failure that no earlier delivery
 * wrote as one set of lake files named by shard and last/first sequence number, and archives exactly those raw
 * records to WORM. Records from the first failure on are written by the retry that starts there. A shard's batches
 * are processed one at a time, in order (the event source mapping's parallelization factor is 1), so the manifests
 * of a shard cover disjoint sequence ranges.
 */
export class KinesisBatch {
  private readonly parsed = new Map<string, { rows: Row[]; summary: IngestSummary; events: AppEventText[] }>();

  constructor(
    private readonly rt: PipelineRuntime,
    private readonly records: readonly KinesisInput[],
  ) {}

  /**
   * The records whose rows DuckDB refuses, found by bisection (a trial conversion per half, published nowhere), so
   * one bad record costs about log2(records) trial conversions and never takes a neighbour with it.
   */
  private async unwritable(
    parsed: readonly { record: KinesisInput; rows: Row[] }[],
    whole: WriteFailedError,
  ): Promise<Map<string, WriteFailedError>> {
    const bad = new Map<string, WriteFailedError>();
    const search = async (part: readonly { record: KinesisInput; rows: Row[] }[], error: WriteFailedError) => {
      if (part.length === 1) {
        bad.set((part[0] as { record: KinesisInput }).record.kinesis.sequenceNumber, error);
        return;
      }
      const mid = part.length >> 1;
      for (const half of [part.slice(0, mid), part.slice(mid)]) {
        const e = await this.refused(half.flatMap((p) => p.rows));
        if (e) await search(half, e);
      }
    };
    await search(parsed, whole);
    return bad;
  }

  /** Converts rows without publishing them; the error when DuckDB refuses them. */
  private async refused(rows: readonly Row[]): Promise<WriteFailedError | undefined> {
    const writer = await createLakeWriter({ db: this.rt.db, publish: (_rel, local) => rm(local, { force: true }) });
    try {
      for (const [table, row] of rows) await writer.sink.write(table, row);
    } catch (e) {
      await writer.abort();
      throw e;
    }
    try {
      await writer.finish("trial");
      return undefined;
    } catch (e) {
      if (e instanceof WriteFailedError) return e;
      throw e;
    }
  }

  /** Parses one record. Bad content becomes quarantine rows; only unexpected (transient) errors throw. */
  async parse(record: KinesisInput): Promise<IngestSummary> {
    const { stream, shardId } = kinesisOrigin(record.eventSourceARN, record.eventID);
    const k = record.kinesis;
    const rows: Row[] = [];
    // App events' texts are kept only when something forwards them.
    const events: AppEventText[] = [];
    const forwarding = this.rt.forward !== undefined;
    const sink: RowSink = {
      write: (table, row, text) => {
        rows.push([table, row]);
        const e = forwarding ? appEventText(table, row, text) : undefined;
        if (e) events.push(e);
      },
    };
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
        ...(this.rt.redaction ? { redaction: this.rt.redaction } : {}),
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
          raw: this.rt.redaction ? this.rt.redaction.text("unknown", k.data, {}) : k.data,
        }),
      ]);
      summary = { source: "unknown", records: 1, rows: {}, quarantined: { bad_record: 1 }, skipped: {} };
    }
    this.parsed.set(k.sequenceNumber, { rows, summary, events });
    return summary;
  }

  /**
   * Writes and archives the records before the first failed sequence number (all of them when none failed), except
   * those an earlier delivery already wrote: a retry or a bisected half of a batch that crashed after writing finds
   * their manifests and leaves them as they are, so a record's rows land once whatever the batch boundaries.
   */
  async commit(failedSequenceNumbers: readonly string[]): Promise<KinesisCommit> {
    const failed = new Set(failedSequenceNumbers);
    const firstFailure = this.records.findIndex((r) => failed.has(r.kinesis.sequenceNumber));
    const run = firstFailure === -1 ? this.records : this.records.slice(0, firstFailure);
    const summary: Omit<IngestSummary, "source"> = { records: 0, rows: {}, quarantined: {}, skipped: {} };
    const commit: KinesisCommit = {
      records: 0,
      alreadyWritten: 0,
      files: [],
      archives: [],
      summary,
      forwarded: new Map(),
    };
    if (run.length === 0) return commit;
    const first = run[0] as KinesisInput;
    const origin = kinesisOrigin(first.eventSourceARN, first.eventID);
    const written = await this.writtenRuns(origin, first.kinesis.sequenceNumber);
    // The records no manifest covers, as runs of neighbours: each run is one set of files and one manifest.
    const todo: KinesisInput[][] = [];
    let open = false;
    for (const r of run) {
      const seq = BigInt(r.kinesis.sequenceNumber);
      if (written.some((w) => w.first <= seq && seq <= w.last)) {
        commit.alreadyWritten++;
        open = false;
      } else if (open) (todo[todo.length - 1] as KinesisInput[]).push(r);
      else {
        todo.push([r]);
        open = true;
      }
    }
    for (const part of todo) {
      const out = await this.writeRun(origin, part);
      commit.records += part.length;
      commit.files.push(...out.files);
      commit.archives.push(...out.archives);
      mergeSummary(summary, out.summary);
      mergeForwardCounts(commit.forwarded, out.forwarded);
    }
    return commit;
  }

  /** The sequence ranges of this shard's manifests that end at or after `from`. */
  private async writtenRuns(
    origin: { stream: string; shardId: string },
    from: string,
  ): Promise<{ first: bigint; last: bigint }[]> {
    const keys = await this.rt.lake.listAfter(
      kinesisManifestPrefix(origin.stream, origin.shardId),
      kinesisRunsEndingFrom(origin.stream, origin.shardId, from),
    );
    return keys.flatMap((k) => kinesisRunOfManifest(origin.stream, origin.shardId, k) ?? []);
  }

  /**
   * Writes one run of neighbouring records: lake files, then the WORM archive, then its alerts, then the manifest. The
   * manifest comes last because it is what later deliveries take as proof that the run is written, archived and
   * alerted on.
   */
  private async writeRun(
    { stream, shardId }: { stream: string; shardId: string },
    run: readonly KinesisInput[],
  ): Promise<{
    files: string[];
    archives: { bucket: string; key: string }[];
    summary: Omit<IngestSummary, "source">;
    forwarded: ForwardCounts;
  }> {
    const summary: Omit<IngestSummary, "source"> = { records: 0, rows: {}, quarantined: {}, skipped: {} };
    const first = run[0] as KinesisInput;
    const last = run[run.length - 1] as KinesisInput;
    const name = kinesisBatchName(stream, shardId, first.kinesis.sequenceNumber, last.kinesis.sequenceNumber);

    const parsed = run.map((r) => {
      const p = this.parsed.get(r.kinesis.sequenceNumber);
      if (!p) throw new Error(`record ${r.kinesis.sequenceNumber} was committed without being parsed`);
      return { record: r, ...p };
    });
    const write = () => writeRows({ db: this.rt.db, store: this.rt.lake, name, rows: parsed.flatMap((p) => p.rows) });
    let written: Awaited<ReturnType<typeof write>>;
    try {
      written = await write();
    } catch (e) {
      if (!(e instanceof WriteFailedError)) throw e;
      // Some record's rows cannot be written: find which, quarantine each of those as a whole and write the others
      // as usual. The same records fail the same way on a retry, so the files and their names stay the same.
      const bad = await this.unwritable(parsed, e);
      if (bad.size === 0) throw e;
      for (const p of parsed) {
        const error = bad.get(p.record.kinesis.sequenceNumber);
        if (!error) continue;
        const k = p.record.kinesis;
        const sourceObject = kinesisRecordLineage(stream, shardId, k.sequenceNumber);
        const ingestTime = kinesisArrivalTime(k.approximateArrivalTimestamp);
        // The record's base64 data cannot be redacted; with redaction on it is left to the WORM archive of the run.
        const raw = this.rt.redaction ? null : k.data;
        p.rows = [[quarantineTable, unwritableRow({ sourceObject, ingestTime, summary: p.summary, error, raw })]];
        p.summary = unwritableSummary(p.summary);
        p.events = [];
      }
      written = await write();
    }
    for (const p of parsed) mergeSummary(summary, p.summary);
    const firstArrival = kinesisArrivalTime(first.kinesis.approximateArrivalTimestamp);

    const archives: { bucket: string; key: string }[] = [];
    const key = kinesisArchiveKey({
      stream,
      shardId,
      firstSequence: first.kinesis.sequenceNumber,
      lastSequence: last.kinesis.sequenceNumber,
      firstArrival,
    });
    for (const t of planCopies(this.rt.config, { source: "kinesis", bucket: "", key, eventTime: firstArrival })) {
      if (t.kind !== "worm") continue;
      await this.rt.writer.put({
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
      archives.push({ bucket: t.bucket, key: t.key });
    }

    const lineage = kinesisRunLineage(stream, shardId, first.kinesis.sequenceNumber, last.kinesis.sequenceNumber);
    // Before the manifest, which later deliveries take as proof the run is done: a crash in between forwards the run
    // again, and its claims keep what was sent from being sent twice.
    const forwarded = this.rt.forward
      ? await forwardAppEvents({
          forward: this.rt.forward,
          config: this.rt.config,
          input: lineage,
          groups: appEventGroups(parsed),
          log: this.rt.log,
        })
      : new Map();
    // Before the manifest: a delivery that fails to publish is retried, and a retry skips every run that has a
    // manifest, so an alert published after it would be lost. The claims keep a retry from publishing twice.
    if (this.rt.alerts)
      await alertOnRows({
        alerts: this.rt.alerts,
        lake: this.rt.lake,
        db: this.rt.db,
        files: written.files,
        log: this.rt.log,
      });
    await writeManifest(this.rt.lake, {
      name,
      source_object: lineage,
      ingest_time: firstArrival,
      summary: { source: "unknown", ...summary },
      files: written.files,
      file_sha256: written.sha256,
    });
    return { files: written.files, archives, summary, forwarded };
  }
}

/** A run's app events grouped by the source each record was read as, in record order. */
function appEventGroups(
  parsed: readonly { summary: IngestSummary; events: AppEventText[] }[],
): { source: SourceId; events: AppEventText[] }[] {
  const bySource = new Map<SourceId, AppEventText[]>();
  for (const p of parsed) {
    if (p.summary.source === "unknown" || p.events.length === 0) continue;
    const list = bySource.get(p.summary.source) ?? [];
    list.push(...p.events);
    bySource.set(p.summary.source, list);
  }
  return [...bySource].map(([source, events]) => ({ source, events }));
}
