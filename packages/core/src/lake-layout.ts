import { createHash } from "node:crypto";
import type { S3ObjectRef } from "./envelopes/s3-notification.ts";
import type { IngestSummary } from "./ingest/pipeline.ts";
import { clipRaw } from "./ingest/text.ts";
import type { QuarantineRow, RejectReason } from "./sources/quarantine/schema.ts";
import type { SourceId } from "./sources/types.ts";
import { isIsoUtc } from "./time.ts";

// The lake's layout: where every file, manifest, lineage id and archive key goes. Writers, IAM grants, Glue
// projection and readers all build keys here, so what is granted is what is written.

// ─── Partitions ────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * Hive-style partition keys shared by every table: event-time day and hour in UTC. `digits` is the zero-padded
 * width of the value in paths (Glue's `projection.<key>.digits`); the value itself has the `duckdb`/`glue` type.
 */
export const PARTITION_KEYS = [
  { name: "dt", glue: "string", duckdb: "VARCHAR", description: "Event date in UTC, YYYY-MM-DD" },
  { name: "hour", glue: "int", duckdb: "INTEGER", digits: 2, description: "Event hour in UTC, 00-23" },
] as const;

/** One partition, as its path segments spell the values. */
export interface Partition {
  /** `YYYY-MM-DD` */
  dt: string;
  /** `HH`, 00-23 */
  hour: string;
}

/** The partition of an ISO-8601 UTC instant: `dt=YYYY-MM-DD`, `hour=HH`. */
export function partitionFor(isoUtc: string): Partition {
  return { dt: isoUtc.slice(0, 10), hour: isoUtc.slice(11, 13) };
}

/** Instants with the same id fall in the same partition (`YYYY-MM-DDTHH`); cheap enough for every row. */
export function partitionId(isoUtc: string): string {
  return isoUtc.slice(0, 13);
}

/** Relative path of a partition directory, from an instant or a partition. */
export function partitionPath(at: string | Partition): string {
  const p = typeof at === "string" ? partitionFor(at) : at;
  return `dt=${p.dt}/hour=${p.hour}`;
}

/** Glue's `storage.location.template` suffix for the partition directories. */
export function partitionLocationTemplate(): string {
  return PARTITION_KEYS.map((k) => `${k.name}=\${${k.name}}`).join("/");
}

const PARTITION_DIR = /^dt=(\d{4}-\d{2}-\d{2})\/hour=(\d{1,2})$/;

/**
 * Reads a partition directory path back, whatever padding its writer used (DuckDB's partitioned COPY renders the
 * INTEGER hour unpadded): `dt=2024-01-01/hour=5` is hour `05`.
 */
export function parsePartitionPath(path: string): Partition {
  const m = PARTITION_DIR.exec(path);
  const hour = Number(m?.[2]);
  if (!m || hour > 23) throw new Error(`not a partition path: ${path}`);
  return { dt: m[1] as string, hour: String(hour).padStart(2, "0") };
}

// ─── Output names and lake files ────────────────────────────────────────────────────────────────────────────────

const OUTPUT_NAME = /^[A-Za-z0-9._-]+$/;

/** True when `name` can name an ingest's files and manifest. */
export function isOutputName(name: string): boolean {
  return OUTPUT_NAME.test(name) && name !== "." && name !== "..";
}

/**
 * Output name of one S3 object: its bucket and key, never its version, so a new version of a key replaces the rows of
 * the one before and a redelivered notification rewrites the same files. The version read is recorded in the
 * manifest (`s3ObjectVersion`).
 */
export function s3ObjectName(ref: Pick<S3ObjectRef, "bucket" | "key">): string {
  const digest = createHash("sha256").update(`${ref.bucket}\n${ref.key}`).digest("hex");
  return `s3-${digest.slice(0, 24)}`;
}

/** Which version of an S3 object an ingest read, as its manifest records it. */
export function s3ObjectVersion(ref: Pick<S3ObjectRef, "versionId" | "eTag" | "sequencer">): InputVersion {
  return {
    ...(ref.versionId !== undefined ? { version_id: ref.versionId } : {}),
    ...(ref.eTag !== undefined ? { etag: ref.eTag } : {}),
    ...(ref.sequencer !== undefined ? { sequencer: ref.sequencer } : {}),
  };
}

/**
 * Orders two S3 `sequencer` values of the same key (negative when `a` is older). S3 emits them as hex strings of
 * varying length: the shorter is left-padded with zeros, then they compare as strings.
 */
export function compareS3Sequencers(a: string, b: string): number {
  const width = Math.max(a.length, b.length);
  const pa = a.toUpperCase().padStart(width, "0");
  const pb = b.toUpperCase().padStart(width, "0");
  return pa < pb ? -1 : pa > pb ? 1 : 0;
}

/**
 * True when `earlier` (the manifest of the same input) was written from a later S3 event than the one carrying
 * `sequencer`: that event arrived late, and ingesting it would put older content over newer rows.
 */
export function isOlderS3Event(earlier: IngestManifest | undefined, sequencer: string | undefined): boolean {
  if (earlier?.sequencer === undefined || sequencer === undefined) return false;
  return compareS3Sequencers(sequencer, earlier.sequencer) < 0;
}

const KINESIS_SEQUENCE = /^(0|[1-9]\d{0,128})$/;

// A sequence number in a name: its digit count (3 digits, Kinesis allows up to 129) then its digits, so names sort
// as the numbers do.
const sequenceKey = (sequence: string) => `${String(sequence.length).padStart(3, "0")}${sequence}`;

/** The start of the output names of a shard's runs of Kinesis records. */
export function kinesisShardNamePrefix(stream: string, shardId: string): string {
  return `kinesis-${stream}-${shardId}-`;
}

/**
 * Output name of a run of Kinesis records: stream, shard, then the last and the first sequence numbers. The last
 * comes first so that manifest keys sort by where runs end: a listing after a sequence number finds every run that
 * ends at or after it (`kinesisRunAfter`), which is how a batch finds the records an earlier delivery already wrote.
 */
export function kinesisBatchName(stream: string, shardId: string, firstSequence: string, lastSequence: string): string {
  if (!KINESIS_SEQUENCE.test(firstSequence) || !KINESIS_SEQUENCE.test(lastSequence)) {
    throw new Error(`Kinesis sequence numbers are decimal digits: ${firstSequence}, ${lastSequence}`);
  }
  return `${kinesisShardNamePrefix(stream, shardId)}${sequenceKey(lastSequence)}-${sequenceKey(firstSequence)}`;
}

/** Lake-relative start of the manifest keys of a shard's runs. */
export function kinesisManifestPrefix(stream: string, shardId: string): string {
  return `${MANIFEST_DIR}${kinesisShardNamePrefix(stream, shardId)}`;
}

/** The key to list a shard's manifests after: every run listed after it ends at or after `sequence`. */
export function kinesisRunsEndingFrom(stream: string, shardId: string, sequence: string): string {
  return `${kinesisManifestPrefix(stream, shardId)}${sequenceKey(sequence)}`;
}

/** The sequence range a shard's manifest key names, or undefined when the key is no such manifest. */
export function kinesisRunOfManifest(
  stream: string,
  shardId: string,
  key: string,
): { first: bigint; last: bigint } | undefined {
  const start = kinesisManifestPrefix(stream, shardId);
  if (!key.startsWith(start) || !key.endsWith(".json")) return undefined;
  const m = /^(\d{3})(\d+)-(\d{3})(\d+)$/.exec(key.slice(start.length, -".json".length));
  if (!m) return undefined;
  const last = m[2] as string;
  const first = m[4] as string;
  if (Number(m[1]) !== last.length || Number(m[3]) !== first.length) return undefined;
  return { first: BigInt(first), last: BigInt(last) };
}

/** Output name of an SQS message that is no notification: queue and message id (the same on every delivery). */
export function sqsMessageName(queue: string, messageId: string): string {
  return `sqs-${createHash("sha256").update(`${queue}\n${messageId}`).digest("hex").slice(0, 24)}`;
}

/**
 * Output name of a local file: its real path (absolute, symbolic links resolved), so a file ingested again replaces
 * its own rows whatever changed in it, and the same bytes at two paths are two inputs.
 */
export function localFileName(realPath: string): string {
  return `file-${createHash("sha256").update(realPath).digest("hex").slice(0, 24)}`;
}

/** Output name of a local input that has no lasting path (a pipe): its content's SHA-256 (hex). */
export function fileContentName(sha256Hex: string): string {
  return sha256Hex.slice(0, 32);
}

/** File name of the `index`th Parquet file of chunk `chunk` of an ingest named `name`. */
export function parquetFileName(name: string, chunk: number, index: number): string {
  return `${name}-${chunk}-${index}.parquet`;
}

/** Lake-relative key of a Parquet file: `<table>/dt=YYYY-MM-DD/hour=HH/<name>-<chunk>-<i>.parquet`. */
export function lakeFileKey(args: {
  table: string;
  partition: Partition;
  name: string;
  chunk: number;
  index: number;
}): string {
  return `${tableDir(args.table)}${partitionPath(args.partition)}/${parquetFileName(args.name, args.chunk, args.index)}`;
}

/**
 * Lake-relative key of a table built from the config (`detection_allowlist`): one newline-delimited JSON object,
 * unpartitioned, replaced whole on every write, so removing a value from the config removes it from the lake.
 */
export function configTableKey(table: string): string {
  return `${tableDir(table)}${table}.json`;
}

/** Lake-relative folder of a table's files (with the trailing `/`). */
export function tableDir(table: string): string {
  return `${table}/`;
}

// ─── Manifests ──────────────────────────────────────────────────────────────────────────────────────────────────

/** Lake-relative folder of the manifests (with the trailing `/`). */
export const MANIFEST_DIR = "_ingest/";

/** Lake-relative key of the manifest of an ingest named `name`. */
export function manifestKey(name: string): string {
  return `${MANIFEST_DIR}${name}.json`;
}

/** Lake-relative key a writer puts once to prove it may write the lake before parsing anything. */
export const WRITE_CHECK_KEY = `${MANIFEST_DIR}.write-check`;

/**
 * Key prefixes (under a bucket's `lakePrefix`) a writer of `tables` puts objects under: each table, the manifests,
 * the manifest chains and the compaction manifests (an ingest that replaces compacted rows rewrites them).
 */
export function lakeWritePrefixes(lakePrefix: string, tables: readonly string[]): string[] {
  return [
    ...tables.map((t) => `${lakePrefix}${tableDir(t)}`),
    lakeManifestPrefix(lakePrefix),
    `${lakePrefix}${CHAIN_DIR}`,
    `${lakePrefix}${COMPACTION_DIR}`,
  ];
}

/** Key prefix of the manifests under a bucket's `lakePrefix`. */
export function lakeManifestPrefix(lakePrefix: string): string {
  return `${lakePrefix}${MANIFEST_DIR}`;
}

/** What the lake keeps about each ingested object, at `manifestKey(name)`. */
export interface IngestManifest {
  name: string;
  source_object: string;
  ingest_time: string;
  summary: IngestSummary;
  files: string[];
  /** SHA-256 (hex) of each Parquet file written, by lake-relative path, taken before it was published. */
  file_sha256?: Record<string, string>;
  /** Files of an earlier ingest of the same input that this one did not rewrite and could not delete. */
  stale_files?: string[];
  /** SHA-256 (hex) of the input's bytes as read (compressed, if it was); absent when reading stopped early. */
  content_sha256?: string;
  /** S3 inputs: the version id, ETag and notification sequencer of the version read, when S3 gave them. */
  version_id?: string;
  etag?: string;
  sequencer?: string;
  /** Each `loglake replay` that moved quarantined records of this input to their tables, oldest first. */
  replays?: ReplayRecord[];
}

/**
 * One replay of an input's quarantined records: when, the files it wrote (named `replayOutputName`), how many rows
 * it moved to each table (their `source_line`s listed), how many records it left quarantined under a new reason,
 * and the quarantine files it replaced (deleted after this manifest was written; a re-run deletes any left).
 */
export interface ReplayRecord {
  replay_time: string;
  files: string[];
  moved: Record<string, number>;
  moved_lines: number[];
  requarantined: number;
  replaced: string[];
}

/** Output name of the `k`th replay (from 1) of the input named `name`: its files sort beside the input's own. */
export function replayOutputName(name: string, k: number): string {
  return `${name}.replay${k}`;
}

/** The fields of a manifest that say which version of its input was read. */
export type InputVersion = Pick<IngestManifest, "version_id" | "etag" | "sequencer">;

/** The stored text of a manifest. */
export function serializeManifest(m: IngestManifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

/** A manifest read back; throws when the text is not one (a lake edited by hand, a foreign file). */
export function parseManifest(text: string, where = "manifest"): IngestManifest {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: not JSON (${(e as Error).message})`);
  }
  const m = v as Partial<IngestManifest> | null;
  const strings = (a: unknown) => Array.isArray(a) && a.every((x) => typeof x === "string");
  if (
    typeof m !== "object" ||
    m === null ||
    typeof m.name !== "string" ||
    typeof m.source_object !== "string" ||
    typeof m.ingest_time !== "string" ||
    typeof m.summary !== "object" ||
    m.summary === null ||
    !strings(m.files) ||
    (m.stale_files !== undefined && !strings(m.stale_files)) ||
    (m.file_sha256 !== undefined &&
      (typeof m.file_sha256 !== "object" ||
        m.file_sha256 === null ||
        Object.values(m.file_sha256).some((x) => typeof x !== "string"))) ||
    [m.content_sha256, m.version_id, m.etag, m.sequencer].some((x) => x !== undefined && typeof x !== "string") ||
    (m.replays !== undefined && !Array.isArray(m.replays))
  ) {
    throw new Error(`${where}: not an ingest manifest`);
  }
  return m as IngestManifest;
}

// ─── Alert claims, findings runs and exports ────────────────────────────────────────────────────────────────────

/** Lake-relative folder of the alert claims: one marker per (detection, event) an ingest consumer alerted on. */
export const ALERTS_DIR = "_alerts/";

/** Lake-relative key of the marker that claims the alert of one detection and event (`event` already key-safe). */
export function alertClaimPath(detectionId: string, event: string): string {
  return `${ALERTS_DIR}${detectionId}/${event}.json`;
}

/**
 * Lake-relative key prefix of the manifests of findings runs: each run's files are recorded by a manifest named
 * `findings-<report>-<period>` and chained like an ingest's, so `loglake verify --lake` checks them too.
 */
export const FINDINGS_MANIFEST_PREFIX = `${MANIFEST_DIR}findings-`;

/** Lake-relative folder of the markers of findings exported to AWS Security Hub. */
export const SECURITY_HUB_EXPORTS_DIR = "_exports/securityhub/";

/**
 * Lake-relative folder of the Security Hub export markers of the findings whose event falls on `day`: a run lists
 * only the days its findings fall on, however long the export has been running.
 */
export function securityHubExportDir(day: string): string {
  return `${SECURITY_HUB_EXPORTS_DIR}dt=${day}/`;
}

/** Lake-relative key of the marker saying a finding (its stable `finding_id`) was imported into Security Hub. */
export function securityHubExportKey(day: string, findingId: string): string {
  return `${securityHubExportDir(day)}${findingId}`;
}

// ─── Compaction ─────────────────────────────────────────────────────────────────────────────────────────────────

// The compactor merges the small files of a settled partition-hour into few large ones. One compaction manifest per
// table and partition-hour records the merged files, the files they replace and the ingests whose rows they hold;
// it is the commit point of a compaction and is chained like an ingest manifest.

/** Lake-relative folder of the compaction manifests (with the trailing `/`). */
export const COMPACTION_DIR = "_compact/";

/** Lake-relative folder of a table's compaction manifests (with the trailing `/`). */
export function compactionTableDir(table: string): string {
  return `${COMPACTION_DIR}${table}/`;
}

/** Lake-relative key of the compaction manifest of one table and partition-hour. */
export function compactionManifestKey(table: string, partition: Partition): string {
  return `${compactionTableDir(table)}${partitionPath(partition)}.json`;
}

/** The table and partition a compaction manifest key names, or undefined for another key. */
export function parseCompactionManifestKey(key: string): { table: string; partition: Partition } | undefined {
  const m = /^_compact\/([a-z][a-z0-9_]*)\/(dt=\d{4}-\d{2}-\d{2}\/hour=\d{2})\.json$/.exec(key);
  return m ? { table: m[1] as string, partition: parsePartitionPath(m[2] as string) } : undefined;
}

const COMPACTED_PREFIX = "compact-";

/** Output name of a compaction: a digest of the files it merges, so a re-run over the same files names the same. */
export function compactedName(inputDigestHex: string): string {
  return `${COMPACTED_PREFIX}${inputDigestHex.slice(0, 24)}`;
}

/** True when a lake file key names a compactor's output. */
export function isCompactedFile(key: string): boolean {
  return key.slice(key.lastIndexOf("/") + 1).startsWith(COMPACTED_PREFIX);
}

/** The ingest name a lake file key was written under (`<name>-<chunk>-<i>.parquet`), or undefined. */
export function outputNameOfFile(key: string): string | undefined {
  const m = /^(.+)-\d+-\d+\.parquet$/.exec(key.slice(key.lastIndexOf("/") + 1));
  return m ? (m[1] as string) : undefined;
}

/** What a compaction of one table and partition-hour committed, at `compactionManifestKey`. */
export interface CompactionManifest {
  kind: "compaction";
  table: string;
  dt: string;
  hour: string;
  compacted_at: string;
  /** The merged files, lake-relative, and the SHA-256 (hex) of each, taken before it was published. */
  files: string[];
  file_sha256: Record<string, string>;
  /** Rows in each merged file. */
  file_rows: Record<string, number>;
  /** Files whose rows the merged files hold: deleted once the merged files are in place. */
  replaces: string[];
  /** The ingests (by output name) whose rows the merged files hold, with each one's source object. */
  inputs: Record<string, { source_object: string }>;
}

/** The stored text of a compaction manifest. */
export function serializeCompactionManifest(m: CompactionManifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

/** A compaction manifest read back; throws when the text is not one. */
export function parseCompactionManifest(text: string, where = "compaction manifest"): CompactionManifest {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: not JSON (${(e as Error).message})`);
  }
  const m = v as Partial<CompactionManifest> | null;
  const strings = (a: unknown) => Array.isArray(a) && a.every((x) => typeof x === "string");
  const record = (r: unknown) => typeof r === "object" && r !== null && !Array.isArray(r);
  if (
    !record(m) ||
    m?.kind !== "compaction" ||
    typeof m.table !== "string" ||
    typeof m.dt !== "string" ||
    typeof m.hour !== "string" ||
    typeof m.compacted_at !== "string" ||
    !strings(m.files) ||
    !strings(m.replaces) ||
    !record(m.file_sha256) ||
    !record(m.file_rows) ||
    !record(m.inputs)
  ) {
    throw new Error(`${where}: not a compaction manifest`);
  }
  return m as CompactionManifest;
}

// ─── Manifest chains ────────────────────────────────────────────────────────────────────────────────────────────

// Every table and day has a chain of links, one per manifest written with files there: each link names its manifest's
// SHA-256, the SHA-256 of every file that manifest put in that table and day, and the SHA-256 of the link before it.
// The head names the last link and is signed, so a changed, removed or added file and a rewritten manifest show.

/**
 * Lake-relative folder of the forward claims: one marker per (log group destination, ingested input, PutLogEvents
 * call), written after the call succeeded, so a redelivery of the same input sends only what has no marker.
 */
export const FORWARD_DIR = "_forward/";

/**
 * Lake-relative key of the claim of one PutLogEvents call: `input` names what was ingested (an S3 object's lineage
 * and version, or a Kinesis run's lineage), `call` which of its calls (source and index) it is.
 */
export function forwardClaimKey(destination: string, input: string, call: string): string {
  const digest = createHash("sha256").update(input).digest("hex").slice(0, 32);
  return `${FORWARD_DIR}${destination}/${digest}/${call}.json`;
}

/** Key prefixes (under a bucket's `lakePrefix`) the forward claims are written under and read back from. */
export function forwardClaimPrefix(lakePrefix: string): string {
  return `${lakePrefix}${FORWARD_DIR}`;
}

/** Lake-relative folder of the manifest chains (with the trailing `/`). */
export const CHAIN_DIR = "_chain/";

/** Lake-relative folder of the chain of one table and day. */
export function chainDir(table: string, dt: string): string {
  return `${CHAIN_DIR}${table}/dt=${dt}/`;
}

/** Lake-relative key of link `seq` (from 0) of a table and day's chain. */
export function chainLinkKey(table: string, dt: string, seq: number): string {
  return `${chainDir(table, dt)}${String(seq).padStart(10, "0")}.json`;
}

/** Lake-relative key of the signed head of a table and day's chain. */
export function chainHeadKey(table: string, dt: string): string {
  return `${chainDir(table, dt)}head.json`;
}

/** Reads `_chain/<table>/dt=<day>/<file>` back into its parts, or undefined for another key. */
export function parseChainKey(key: string): { table: string; dt: string; seq?: number; head?: true } | undefined {
  const m = /^_chain\/([^/]+)\/dt=(\d{4}-\d{2}-\d{2})\/(?:(\d{10})\.json|(head)\.json)$/.exec(key);
  if (!m) return undefined;
  return { table: m[1] as string, dt: m[2] as string, ...(m[3] ? { seq: Number(m[3]) } : { head: true as const }) };
}

/** The table and day of a lake file key (`<table>/dt=YYYY-MM-DD/hour=HH/<file>.parquet`), or undefined. */
export function lakeFileTableDay(key: string): { table: string; dt: string } | undefined {
  const m = /^([a-z][a-z0-9_]*)\/dt=(\d{4}-\d{2}-\d{2})\/hour=\d{1,2}\/[^/]+\.parquet$/.exec(key);
  return m ? { table: m[1] as string, dt: m[2] as string } : undefined;
}

/** One link of a manifest chain. */
export interface ChainLink {
  table: string;
  dt: string;
  seq: number;
  /** SHA-256 (hex) of the previous link's text; null for the first. */
  previous_sha256: string | null;
  /** Lake-relative key of the manifest this link records. */
  manifest: string;
  /** SHA-256 (hex) of the manifest's text. */
  manifest_sha256: string;
  /** The manifest's files in this table and day, with their SHA-256 (empty when a re-ingest moved them away). */
  files: Record<string, string>;
  /** Compactions: the files in this table and day whose rows the link's files now hold. */
  replaces?: string[];
}

/** The signed head of a chain: its last link and the signature over `chainHeadMessage`. */
export interface ChainHead {
  table: string;
  dt: string;
  seq: number;
  link_sha256: string;
  /** `ECDSA_SHA_256` over the head message, DER, hex. */
  signature: string;
  /** Which key signed: a KMS key ARN, or `local:<SHA-256 of the public key>`. */
  key_id: string;
}

/** What a chain head's signature covers. */
export function chainHeadMessage(h: Pick<ChainHead, "table" | "dt" | "seq" | "link_sha256">): string {
  return `loglake-chain-head\n${h.table}\n${h.dt}\n${h.seq}\n${h.link_sha256}`;
}

/** The stored text of a chain link or head. */
export function serializeChainRecord(r: ChainLink | ChainHead): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

/** Lake-relative key of the embedded lake's signing key when the config names no other path. */
export const LOCAL_SIGNING_KEY = "_integrity/lake-signing-key.pem";
/** Lake-relative key of its public half, which `loglake verify --lake` checks heads with. */
export const LOCAL_SIGNING_PUBLIC_KEY = "_integrity/lake-signing-key.pub.pem";

// ─── Lineage ────────────────────────────────────────────────────────────────────────────────────────────────────

/** Lineage id of an S3 object. */
export function s3Lineage(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** Lineage id of a local file: its real path (absolute, symbolic links resolved), or the path given for a pipe. */
export function fileLineage(path: string): string {
  return path;
}

/** Lineage id of one Kinesis record. */
export function kinesisRecordLineage(stream: string, shardId: string, sequenceNumber: string): string {
  return `kinesis://${stream}/${shardId}/${sequenceNumber}`;
}

/** Lineage id of a run of Kinesis records (a manifest's source object). */
export function kinesisRunLineage(
  stream: string,
  shardId: string,
  firstSequence: string,
  lastSequence: string,
): string {
  return `kinesis://${stream}/${shardId}/${firstSequence}-${lastSequence}`;
}

/** Where in a CloudWatch Logs subscription payload a record arrived: the payload's owner, group, stream and the event id. */
export interface LogEventLineage {
  owner: string | null;
  logGroup: string | null;
  logStream: string | null;
  eventId: string | null;
}

/** The lineage columns of a record that arrived in a CloudWatch Logs event, all null for any other record. */
export function logEventLineageColumns(
  l: LogEventLineage | undefined,
): Pick<QuarantineRow, "cwl_owner" | "cwl_log_group" | "cwl_log_stream" | "cwl_event_id"> {
  return {
    cwl_owner: l?.owner ?? null,
    cwl_log_group: l?.logGroup ?? null,
    cwl_log_stream: l?.logStream ?? null,
    cwl_event_id: l?.eventId ?? null,
  };
}

/** `logEventLineageColumns` set on a row in place, in the same order: no object per row to copy them from. */
export function setLogEventLineage<R extends Record<string, unknown>>(row: R, l: LogEventLineage | undefined): R {
  const r: Record<string, unknown> = row;
  r.cwl_owner = l?.owner ?? null;
  r.cwl_log_group = l?.logGroup ?? null;
  r.cwl_log_stream = l?.logStream ?? null;
  r.cwl_event_id = l?.eventId ?? null;
  return row;
}

/** Lineage id of an SQS message. */
export function sqsMessageLineage(queue: string, messageId: string): string {
  return `sqs://${queue}/${messageId}`;
}

// ─── Quarantine rows ────────────────────────────────────────────────────────────────────────────────────────────

// Key patterns that name the time of an object's records, most specific first; each builds an ISO instant.
const KEY_TIMES: readonly [RegExp, (m: RegExpExecArray) => string][] = [
  // CloudFront standard logs: `<distribution>.YYYY-MM-DD-HH.<id>[.gz]`
  [/(?:^|\/)[A-Z0-9]+\.(\d{4})-(\d{2})-(\d{2})-(\d{2})\.[^/]*$/, (m) => `${m[1]}-${m[2]}-${m[3]}T${m[4]}:00:00.000Z`],
  // CloudTrail: `<account>_CloudTrail_<region>_YYYYMMDDTHHmmZ_<id>.json.gz`
  [/_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_[^/]*$/, (m) => `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:00.000Z`],
  // CloudTrail digests: `…_YYYYMMDDTHHmmssZ.json.gz`
  [
    /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z\.[^/]*$/,
    (m) => `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z`,
  ],
  // Dated folders: `…/YYYY/MM/DD/[HH(/|.)]`
  [
    /(?:^|\/)(\d{4})\/(\d{2})\/(\d{2})\/(?:(\d{2})(?=[/.]))?/,
    (m) => `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? "00"}:00:00.000Z`,
  ],
];

/**
 * The time an object's key names, when it names one (ISO-8601 UTC): CloudFront's `DIST.YYYY-MM-DD-HH.`,
 * CloudTrail's `_YYYYMMDDTHHmmZ_` (a digest's `_YYYYMMDDTHHmmssZ.`), else a `/YYYY/MM/DD/` folder (with an `HH` folder or file name after it).
 * Bad records whose own time cannot be read are dated by it: they belong to the time of their object.
 */
export function keyTimeHint(key: string): string | undefined {
  for (const [pattern, build] of KEY_TIMES) {
    const m = pattern.exec(key);
    if (!m) continue;
    const iso = build(m);
    return isIsoUtc(iso) ? iso : undefined;
  }
  return undefined;
}

/**
 * A quarantine row, lineage included. Its event time is `eventTime` (the record's own time, or the time its
 * object's key names) when known, else the object's arrival time; the raw text is cut to the quarantine limit.
 */
export function quarantineRow(args: {
  sourceObject: string;
  ingestTime: string;
  /** The record's own time, or its object's key time (`keyTimeHint`); the arrival time when absent. */
  eventTime?: string;
  line: number;
  sourceKind: SourceId | "unknown";
  reason: RejectReason;
  message: string;
  raw: string | null;
  /** Set when the record arrived in a CloudWatch Logs event. */
  logEvent?: LogEventLineage;
}): QuarantineRow {
  const clipped = args.raw === null ? { raw: null, truncated: false } : clipRaw(args.raw);
  return {
    event_time: args.eventTime ?? args.ingestTime,
    source_kind: args.sourceKind,
    reason: args.reason,
    message: args.message,
    raw: clipped.raw,
    raw_truncated: clipped.truncated,
    source_object: args.sourceObject,
    source_line: args.line,
    ingest_time: args.ingestTime,
    ...logEventLineageColumns(args.logEvent),
  };
}

// ─── WORM archive ───────────────────────────────────────────────────────────────────────────────────────────────

/**
 * WORM archive key (before the key template) of a run of Kinesis records, dated by the first record's arrival:
 * `<stream>/<yyyy>/<mm>/<dd>/<shard>-<first>-<last>.ndjson.gz`.
 */
export function kinesisArchiveKey(args: {
  stream: string;
  shardId: string;
  firstSequence: string;
  lastSequence: string;
  firstArrival: string;
}): string {
  const d = args.firstArrival;
  const date = `${d.slice(0, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)}`;
  return `${args.stream}/${date}/${args.shardId}-${args.firstSequence}-${args.lastSequence}.ndjson.gz`;
}
