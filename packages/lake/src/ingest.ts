import { createHash } from "node:crypto";
import { createReadStream, type Stats } from "node:fs";
import { readdir, realpath, rm, stat } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { type IngestSummary, ingestObject, mergeSummary, type RowSink } from "@app/core/ingest/pipeline";
import type { IngestRedaction } from "@app/core/ingest/redaction";
import {
  fileContentName,
  fileLineage,
  type IngestManifest,
  type InputVersion,
  isOlderS3Event,
  keyTimeHint,
  localFileName,
  manifestKey,
  parseManifest,
  quarantineRow,
  serializeManifest,
} from "@app/core/lake-layout";
import type { TableDef } from "@app/core/schema/table";
import { distributionIdFromKey } from "@app/core/sources/cloudfront/detect";
import { cloudfrontTable } from "@app/core/sources/cloudfront/schema";
import { type QuarantineRow, quarantineTable } from "@app/core/sources/quarantine/schema";
import type { LogSource, SourceId, SourceOptions } from "@app/core/sources/types";
import type { DuckDBConnection } from "@duckdb/node-api";
import { appendChainLinks } from "./chain.ts";
import { BODY_COLUMNS, type FastOutcome, stageCloudFrontFast } from "./cloudfront-fast.ts";
import { compactionsHolding, stageRowRemoval } from "./compaction-manifest.ts";
import { siblingConnection } from "./duckdb.ts";
import type { LakeStore } from "./store.ts";
import {
  createLakeWriter,
  DEFAULT_ROWS_PER_FILE,
  type LakeWriter,
  WriteFailedError,
  type WrittenFiles,
} from "./writer.ts";

/** Arguments of `ingestToLake` and `stageObject`. */
export interface IngestArgs {
  db: DuckDBConnection;
  store: LakeStore;
  sources: readonly LogSource[];
  bytes: AsyncIterable<Uint8Array>;
  key: string;
  sourceObject: string;
  ingestTime: string;
  /**
   * Output name: the input's identity (a local file's real path, an S3 object's bucket and key), so a newer version
   * of the input replaces the rows of the one before. A function when it is only known after the bytes were read.
   */
  name: string | ((contentSha256: string) => string);
  /** Which version of the input this is (S3), recorded in the manifest; an older `sequencer` is never published. */
  version?: InputVersion;
  forced?: SourceId;
  options?: SourceOptions;
  rowsPerFile?: number;
  /**
   * What to do with files an earlier ingest of the same input wrote and this one did not: `delete` them (default),
   * or `record` them in the manifest for the compactor, where the lake bucket lets only the compactor delete.
   */
  staleFiles?: "delete" | "record";
  /** Called for every record written to a table or to quarantine, for progress displays. */
  onRecord?: () => void;
  /** Called for every row the writer took, with the record's JSON text when the parser kept it (forwarding). */
  onRow?: (table: TableDef, row: Record<string, unknown>, text: string | undefined) => void;
  /**
   * Let DuckDB's CSV reader parse CloudFront W3C logs (default true); objects it cannot take exactly go to the
   * JavaScript parser either way (see `stageCloudFrontFast`).
   */
  fastPath?: boolean;
  /** Redaction of rows and quarantine text (see `ingestRedaction`); absent: none. */
  redaction?: IngestRedaction;
}

/** True when the JavaScript pipeline would read the object as a CloudFront standard log by its key alone. */
function cloudfrontByKey(args: IngestArgs): boolean {
  if (args.forced) return args.forced === "cloudfront";
  return args.sources.find((s) => s.matchKey(args.key))?.id === "cloudfront";
}

/**
 * Ingests one object into the lake under a deterministic `name`. Files of an earlier ingest of the same name that
 * this run did not rewrite are deleted, so ingesting the same input again replaces its rows instead of adding more.
 * Throws `SupersededError` when the lake already holds a later S3 event of the same object.
 */
export async function ingestToLake(args: IngestArgs): Promise<IngestManifest> {
  // Checked before reading a byte, and again before publishing (another consumer may have been faster).
  if (args.version?.sequencer !== undefined && typeof args.name === "string") {
    await refuseOlderEvent(args, await readManifest(args.store, args.name));
  }
  const staged = await stageObject(args);
  return staged.publish();
}

/** One object parsed into staged files, waiting to be published (or dropped). */
export interface StagedObject {
  summary: IngestSummary;
  /** Converts what is left to Parquet, moves the files into the lake and writes the manifest. */
  publish(): Promise<IngestManifest>;
  /** Drops the staged files without touching the lake. */
  discard(): Promise<void>;
}

/**
 * Parses one object into staged files; `publish` finishes it. Splitting the two lets the next object be parsed
 * while this one is converted.
 */
export async function stageObject(args: IngestArgs): Promise<StagedObject> {
  const writer = await createLakeWriter({
    db: args.db,
    publish: (rel, local) => args.store.putFile(rel, local),
    rowsPerFile: args.rowsPerFile,
  });
  let summary: IngestSummary;
  const { onRecord, onRow } = args;
  const counted: RowSink = onRecord
    ? {
        write(table, row) {
          onRecord();
          return writer.sink.write(table, row);
        },
      }
    : writer.sink;
  const sink: RowSink = onRow
    ? {
        async write(table, row, text) {
          await counted.write(table, row);
          // Only once the writer took it: a row it refuses is quarantined instead.
          onRow(table, row, text);
        },
      }
    : counted;
  const hash = createHash("sha256");
  let readToEnd = false;
  async function* hashed(): AsyncIterable<Uint8Array> {
    for await (const chunk of args.bytes) {
      hash.update(chunk);
      yield chunk;
    }
    readToEnd = true;
  }
  try {
    let fast: FastOutcome | undefined;
    // DuckDB's reader writes rows no redaction sees: it takes an object only when the redaction's screen proves
    // that redaction would change none of its rows, and only under rules such a screen can tell.
    const mayRedact = args.redaction?.screen("cloudfront", cloudfrontTable, BODY_COLUMNS);
    if (args.fastPath !== false && (args.redaction === undefined || mayRedact !== undefined) && cloudfrontByKey(args)) {
      fast = await stageCloudFrontFast({
        db: args.db,
        bytes: hashed(),
        dir: writer.scratchDir,
        outDir: writer.outDir,
        key: args.key,
        sourceObject: args.sourceObject,
        ingestTime: args.ingestTime,
        keyDistribution: distributionIdFromKey(args.key),
        rowsPerFile: args.rowsPerFile ?? DEFAULT_ROWS_PER_FILE,
        options: args.options ?? {},
        ...(mayRedact ? { mayRedact } : {}),
      });
    }
    if (fast?.kind === "staged") {
      summary = fast.summary;
      if (onRecord) for (const n of Object.values(summary.rows)) for (let i = 0; i < n; i++) onRecord();
    } else {
      summary = await ingestObject({
        sources: args.sources,
        bytes: fast ? fast.bytes() : hashed(),
        context: { key: args.key, options: args.options ?? {} },
        lineage: { sourceObject: args.sourceObject, ingestTime: args.ingestTime },
        sink,
        forced: args.forced,
        ...(args.redaction ? { redaction: args.redaction } : {}),
      });
    }
    await rm(writer.scratchDir, { recursive: true, force: true });
  } catch (e) {
    await writer.abort();
    throw e;
  }
  const digest = hash.digest("hex");
  const name = typeof args.name === "function" ? args.name(digest) : args.name;
  const contentSha256 = readToEnd ? digest : undefined;
  return {
    summary,
    publish: () => publishStaged(args, writer, name, summary, contentSha256),
    discard: () => writer.abort(),
  };
}

/**
 * Summary of an object whose rows could not be written: every record that was not skipped is quarantined as
 * `write_failed` (one quarantine row stands for them all, see `unwritableRow`), so records still add up.
 */
export function unwritableSummary(s: IngestSummary): IngestSummary {
  const skipped = Object.values(s.skipped).reduce((a, b) => a + b, 0);
  const lost = s.records - skipped;
  return { ...s, rows: {}, quarantined: lost > 0 ? { write_failed: lost } : {}, skipped: { ...s.skipped } };
}

/** The one quarantine row that stands for an object (or Kinesis record) whose rows could not be written. */
export function unwritableRow(args: {
  sourceObject: string;
  ingestTime: string;
  summary: IngestSummary;
  error: WriteFailedError;
  raw: string | null;
  /** The object's key, whose time (`keyTimeHint`) dates the row when it names one. */
  key?: string;
}): QuarantineRow {
  const lost = unwritableSummary(args.summary).quarantined.write_failed ?? 0;
  return quarantineRow({
    sourceObject: args.sourceObject,
    ingestTime: args.ingestTime,
    eventTime: args.key === undefined ? undefined : keyTimeHint(args.key),
    line: 1,
    sourceKind: args.summary.source,
    reason: "write_failed",
    message: `${args.sourceObject}: its rows could not be written to Parquet (${args.error.message}); none of its ${lost} record(s) are in the lake`,
    raw: args.raw,
  });
}

/** Writes rows through a fresh writer under `name` and returns the files; used for quarantine-only results. */
export async function writeRows(args: {
  db: DuckDBConnection;
  store: LakeStore;
  name: string;
  rows: readonly [TableDef, Record<string, unknown>][];
}): Promise<WrittenFiles> {
  const writer = await createLakeWriter({ db: args.db, publish: (rel, local) => args.store.putFile(rel, local) });
  try {
    for (const [table, row] of args.rows) await writer.sink.write(table, row);
  } catch (e) {
    await writer.abort();
    throw e;
  }
  return writer.finish(args.name);
}

async function publishStaged(
  args: IngestArgs,
  writer: LakeWriter,
  name: string,
  parsed: IngestSummary,
  contentSha256: string | undefined,
): Promise<IngestManifest> {
  // Read before any file is put: the files of an older event have the same names as the newer rows they would replace.
  const earlier = await readManifest(args.store, name);
  await refuseOlderEvent(args, earlier).catch(async (e) => {
    await writer.abort();
    throw e;
  });
  // After a compaction the input's rows live in merged files: the same content again adds nothing, and changed
  // content takes its old rows out of them before its new rows go in.
  const compactions = earlier ? await compactionsHolding(args.store, earlier) : [];
  if (earlier && compactions.length > 0 && sameInput(earlier, parsed, contentSha256, args.version)) {
    await writer.abort();
    return earlier;
  }
  const removal =
    earlier && compactions.length > 0
      ? await stageRowRemoval({
          store: args.store,
          name,
          sourceObject: earlier.source_object,
          compactions,
        }).catch(async (e: unknown) => {
          await writer.abort();
          throw e;
        })
      : undefined;
  let written: WrittenFiles;
  let summary = parsed;
  try {
    written = await writer.finish(name);
  } catch (e) {
    if (!(e instanceof WriteFailedError)) throw e;
    // The object is quarantined as a whole, under the same name, so a retry or re-ingest converges.
    summary = unwritableSummary(parsed);
    const row = unwritableRow({ ...args, summary: parsed, error: e, raw: null });
    written = await writeRows({ db: args.db, store: args.store, name, rows: [[quarantineTable, row]] });
  }
  const { files } = written;
  await removal?.publish(files, args.ingestTime);
  const keep = new Set(files);
  const stale = [...(earlier?.files ?? []), ...(earlier?.stale_files ?? [])].filter((f) => !keep.has(f));
  if (args.staleFiles !== "record") for (const old of stale) await args.store.delete(old);
  const manifest: IngestManifest = {
    name,
    source_object: args.sourceObject,
    ingest_time: args.ingestTime,
    summary,
    files,
    file_sha256: written.sha256,
    ...(args.staleFiles === "record" && stale.length > 0 ? { stale_files: [...new Set(stale)].sort() } : {}),
    ...(contentSha256 !== undefined ? { content_sha256: contentSha256 } : {}),
    ...args.version,
  };
  await writeManifest(args.store, manifest);
  return manifest;
}

/** True when an ingest read the same bytes of the same version with the same outcome as the one `earlier` records. */
function sameInput(
  earlier: IngestManifest,
  summary: IngestSummary,
  contentSha256: string | undefined,
  version: InputVersion | undefined,
): boolean {
  const v = version ?? {};
  return (
    contentSha256 !== undefined &&
    earlier.content_sha256 === contentSha256 &&
    earlier.version_id === v.version_id &&
    earlier.etag === v.etag &&
    JSON.stringify(earlier.summary) === JSON.stringify(summary)
  );
}

/**
 * An S3 event older (by S3's `sequencer`, which orders the events of one key) than the one the lake holds rows from:
 * delivered late, it is acknowledged, never ingested, so older content never overwrites newer rows.
 */
export class SupersededError extends Error {
  override name = "SupersededError";
}

async function refuseOlderEvent(args: IngestArgs, earlier: IngestManifest | undefined): Promise<void> {
  if (isOlderS3Event(earlier, args.version?.sequencer)) {
    throw new SupersededError(
      `${args.sourceObject}: S3 event ${args.version?.sequencer} is older than the ingested ${earlier?.sequencer}`,
    );
  }
}

/** The manifest of the ingest named `name`, or undefined when there is none. */
export async function readManifest(store: LakeStore, name: string): Promise<IngestManifest | undefined> {
  const key = manifestKey(name);
  const text = await store.getText(key);
  return text === undefined ? undefined : parseManifest(text, `${store.location}/${key}`);
}

/**
 * Writes an ingest's manifest: the last step of an ingest, after every file it names is in place. Then each table and
 * day it touches (or touched before a re-ingest) gets a chain link recording the manifest's and its files' hashes,
 * and a newly signed head. A caller that has read the manifest this one replaces passes it as `known.earlier`
 * (undefined: there was none), so it is not read twice.
 */
export async function writeManifest(
  store: LakeStore,
  manifest: IngestManifest,
  known?: { earlier: IngestManifest | undefined },
): Promise<void> {
  const key = manifestKey(manifest.name);
  const earlier = known ? known.earlier : await readEarlierManifest(store, key);
  const text = serializeManifest(manifest);
  await store.putText(key, text);
  await appendChainLinks(store, { key, text, manifest, earlier });
}

async function readEarlierManifest(store: LakeStore, key: string): Promise<IngestManifest | undefined> {
  const text = await store.getText(key);
  return text === undefined ? undefined : tryParse(text);
}

function tryParse(text: string): IngestManifest | undefined {
  try {
    return parseManifest(text);
  } catch {
    return undefined;
  }
}

/** Why a path met while walking directories was not ingested. */
export type PathSkipReason =
  | "vcs_folder"
  | "symlink_loop"
  | "broken_symlink"
  | "duplicate"
  | "not_a_file"
  | "unreadable";

/** The files to ingest, and a count of the paths left out, by reason. */
export interface PathWalk {
  files: string[];
  /**
   * The key each walked file is detected by: its path below the directory named on the command line, so a
   * directory laid out like a bucket (`AWSLogs/…`, `app/…`, `cwl/…`) is read as that bucket would be. A file named
   * directly keeps its path.
   */
  keys: Record<string, string>;
  skipped: Partial<Record<PathSkipReason, number>>;
}

/** Version-control folders hold object stores and history, never logs; walks leave them out. */
const VCS_FOLDERS = new Set([".git", ".hg", ".svn"]);

/**
 * Every file under the given paths, sorted for a stable order. Directories are walked recursively, hidden files
 * included; symbolic links are followed, each real directory and file at most once (so a link cycle ends), and
 * version-control folders are left out. What is left out is counted by reason, never dropped silently.
 */
export async function expandPaths(paths: readonly string[]): Promise<PathWalk> {
  const files: string[] = [];
  const skipped: PathWalk["skipped"] = {};
  const skip = (reason: PathSkipReason) => {
    skipped[reason] = (skipped[reason] ?? 0) + 1;
  };
  const seenFiles = new Set<string>();
  const seenDirs = new Set<string>();
  const keys: Record<string, string> = {};
  const addFile = (path: string, st: Stats, root?: string) => {
    const id = `${st.dev}:${st.ino}`;
    if (seenFiles.has(id)) return skip("duplicate");
    seenFiles.add(id);
    files.push(path);
    keys[path] = root === undefined ? path : relative(root, path).split(sep).join("/");
  };
  // `chain` holds the real paths of the directories being walked, to tell a cycle from a second link to a folder.
  const walk = async (dir: string, real: string, chain: readonly string[], root: string): Promise<void> => {
    seenDirs.add(real);
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
    if (!entries) return skip("unreadable");
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(dir, e.name);
      const st = await stat(path).catch(() => undefined);
      if (!st) {
        skip(e.isSymbolicLink() ? "broken_symlink" : "unreadable");
        continue;
      }
      if (st.isDirectory()) {
        if (VCS_FOLDERS.has(e.name)) {
          skip("vcs_folder");
          continue;
        }
        const target = await realpath(path);
        if (chain.includes(target)) skip("symlink_loop");
        else if (seenDirs.has(target)) skip("duplicate");
        else await walk(path, target, [...chain, target], root);
      } else if (st.isFile()) addFile(path, st, root);
      else skip("not_a_file");
    }
  };
  for (const p of paths) {
    const abs = resolve(p);
    const st = await stat(abs).catch(() => undefined);
    if (!st) throw new MissingPathError(`no such file or directory: ${p}`);
    if (st.isDirectory()) {
      const real = await realpath(abs);
      if (seenDirs.has(real)) skip("duplicate");
      else await walk(abs, real, [real], abs);
      // A path named on the command line is read whatever it is (a FIFO from `<(zcat …)` included).
    } else addFile(abs, st);
  }
  return { files: files.sort(), keys, skipped };
}

/** A path given to ingest that does not exist. */
export class MissingPathError extends Error {
  override name = "MissingPathError";
}

/** Totals over many objects, in the CLI's `--json` shape. */
export interface IngestTotals {
  files: number;
  records: number;
  rows: Record<string, number>;
  /** Rows records added to child tables (a digest's listed log files), when there were some. */
  child_rows?: Record<string, number>;
  quarantined: Record<string, number>;
  skipped: Record<string, number>;
  /** What redaction changed, by detector and action, when it changed something. */
  redacted?: IngestSummary["redacted"];
}

/**
 * Ingests local files. A file's identity is its real path (absolute, symbolic links resolved, as the walk follows
 * them): ingested again, edited, grown or recompressed, it replaces its own rows; the same bytes at another path are
 * another input. A pipe has no lasting path and is named by its content's SHA-256. Lineage: the real path and the
 * file's mtime. When a file fails (an I/O
 * error: bad content is quarantined instead), no lane starts another file, every lane finishes or drops what it
 * holds, and only then are connections closed and the first error thrown, so nothing is left running.
 */
export async function ingestFiles(args: {
  db: DuckDBConnection;
  store: LakeStore;
  sources: readonly LogSource[];
  files: readonly string[];
  /** Detection keys by file (`PathWalk.keys`); a file without one is detected by its path. */
  keys?: Readonly<Record<string, string>>;
  forced?: SourceId;
  options?: SourceOptions;
  rowsPerFile?: number;
  /**
   * Files ingested side by side. Default: 2 when files average under 1 MiB (fixed per-file costs then dominate and
   * overlap well), else 1, since one lane already parses a file while the previous one is converted, and a second
   * lane of large files only adds memory.
   */
  lanes?: number;
  onFile?: (file: string, manifest: IngestManifest, done: number) => void;
  /** Progress within a file: bytes read from disk (called per chunk) and each record written. */
  onRead?: (file: string, bytes: number) => void;
  onRecord?: (file: string) => void;
  redaction?: IngestRedaction;
}): Promise<IngestTotals> {
  const totals: IngestTotals = { files: 0, records: 0, rows: {}, quarantined: {}, skipped: {} };
  const lanes = Math.max(1, Math.min(args.lanes ?? (await defaultLanes(args.files)), args.files.length));
  const connections = [args.db];
  let next = 0;
  let stopped = false;
  // Each lane parses its next file while the previous one is converted to Parquet on the lane's connection.
  const lane = async (db: DuckDBConnection) => {
    let publishing: Promise<void> = Promise.resolve();
    try {
      for (let i = next++; !stopped && i < args.files.length; i = next++) {
        const file = args.files[i] as string;
        const staged = await stageLocalFile({ ...args, db, file });
        try {
          await publishing;
        } catch (e) {
          await staged.discard();
          throw e;
        }
        publishing = staged.publish().then((manifest) => {
          totals.files++;
          mergeSummary(totals, manifest.summary);
          args.onFile?.(file, manifest, totals.files);
        });
      }
      await publishing;
    } catch (e) {
      stopped = true;
      await publishing.catch(() => undefined);
      throw e;
    }
  };
  try {
    for (let i = 1; i < lanes; i++) connections.push(await siblingConnection(args.db));
    const settled = await Promise.allSettled(connections.map(lane));
    const failure = settled.find((r) => r.status === "rejected");
    if (failure) throw failure.reason;
  } finally {
    for (const c of connections.slice(1)) c.closeSync();
  }
  return totals;
}

async function stageLocalFile(args: {
  db: DuckDBConnection;
  store: LakeStore;
  sources: readonly LogSource[];
  file: string;
  keys?: Readonly<Record<string, string>>;
  forced?: SourceId;
  options?: SourceOptions;
  rowsPerFile?: number;
  onRead?: (file: string, bytes: number) => void;
  onRecord?: (file: string) => void;
  redaction?: IngestRedaction;
}): Promise<StagedObject> {
  const { file, keys, onRead, onRecord, ...rest } = args;
  const st = await stat(file);
  const real = st.isFile() ? await realpath(file) : undefined;
  async function* read(): AsyncIterable<Uint8Array> {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
      onRead?.(file, (chunk as Uint8Array).length);
      yield chunk as Uint8Array;
    }
  }
  return stageObject({
    ...rest,
    bytes: read(),
    key: keys?.[file] ?? file,
    sourceObject: fileLineage(real ?? file),
    ingestTime: st.mtime.toISOString(),
    name: real !== undefined ? localFileName(real) : fileContentName,
    ...(onRecord ? { onRecord: () => onRecord(file) } : {}),
  });
}

async function defaultLanes(files: readonly string[]): Promise<number> {
  if (files.length < 2) return 1;
  let bytes = 0;
  for (const f of files) bytes += (await stat(f)).size;
  return bytes / files.length < 1024 * 1024 ? 2 : 1;
}
