import { createHash } from "node:crypto";
import { closeSync, createReadStream, openSync, rmSync, writeSync, writevSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { asError } from "@app/core/errors";
import { RowRejectedError, type RowSink } from "@app/core/ingest/pipeline";
import { isOutputName, lakeFileKey, parsePartitionPath, partitionId, partitionPath } from "@app/core/lake-layout";
import { toDuckDbColumns } from "@app/core/schema/duckdb";
import { escapeGlob, quoteIdent, quoteLiteral } from "@app/core/schema/sql";
import type { TableDef } from "@app/core/schema/table";
import type { DuckDBConnection } from "@duckdb/node-api";

/** Rows per Parquet file: bounds file size and the memory DuckDB needs while writing. */
export const DEFAULT_ROWS_PER_FILE = 500_000;
/**
 * Parquet row group size. DuckDB holds a whole row group in memory before it encodes it: 8,192 rows instead of
 * its default 32,768 took about 70 MB off the peak of an ingest for 4.5 % more Parquet bytes (bench/RESULTS.md).
 */
export const ROW_GROUP_SIZE = 8_192;
/** Longest staged row DuckDB's CSV reader accepts; longer rows are refused to the pipeline, which quarantines them. */
export const MAX_ROW_CHARS = 1 * 1024 * 1024;
const MAX_LINE_BYTES = 3 * MAX_ROW_CHARS;
const CSV_BUFFER_BYTES = 2 * MAX_LINE_BYTES;
/** Bytes of staged rows held in memory, over all partitions, before they are appended to the staging files. */
const STAGE_BUFFER_BYTES = 4 * 1024 * 1024;
/**
 * Session settings of a writer's connection. Without insertion order DuckDB streams `COPY` straight to Parquet
 * instead of buffering row groups to keep their order; one thread keeps the order anyway. Measured in
 * bench/RESULTS.md.
 */
const WRITER_SESSION = ["SET SESSION preserve_insertion_order = false"];

/**
 * DuckDB refused to convert a writer's staged rows. The cause is in the rows (a value no parser should have let
 * through), not in the machine, so retrying cannot help: the object is quarantined as a whole instead.
 */
export class WriteFailedError extends Error {
  override name = "WriteFailedError";
}

/** Resource trouble (memory, disk, interruption) may pass on a retry; anything else DuckDB refuses is the rows. */
function conversionError(e: unknown, table: string): Error {
  const err = asError(e);
  if (/^(Out of Memory|IO|Interrupt) Error/.test(err.message)) return err;
  // DuckDB's CSV errors span many lines, one of them the whole offending row: keep the kind and the reason only.
  const lines = err.message.split("\n");
  const why = [lines[0], ...lines.filter((l) => l.startsWith("Error when converting"))].join(": ").slice(0, 500);
  return new WriteFailedError(`${table}: ${why}`, { cause: err });
}

// Staging directories carry their owner's pid, so a later process can tell the litter of dead ones from live work.
const STAGING_PREFIX = "loglake-stage-";
const STAGING_DIR = /^loglake-stage-(\d+)-/;
const liveStaging = new Set<string>();
let swept: Promise<void> | undefined;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes staging directories left by processes that died without cleaning up (killed, out of memory, a Lambda
 * sandbox restarted). A directory bearing this process's own pid is stale only when it is older than this process
 * (pids are reused, as in a container restarted under the same pid). Runs once per process, before its first writer.
 */
async function sweepStaleStaging(): Promise<void> {
  const root = tmpdir();
  const started = Date.now() - process.uptime() * 1000;
  const names = await readdir(root).catch(() => []);
  for (const name of names) {
    const pid = Number(STAGING_DIR.exec(name)?.[1] ?? Number.NaN);
    if (!Number.isInteger(pid)) continue;
    const dir = join(root, name);
    if (pid === process.pid) {
      const st = await stat(dir).catch(() => undefined);
      if (!st || st.mtimeMs >= started) continue;
    } else if (isAlive(pid)) continue;
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Removes this process's staging directories at once; for signal and exit handlers, where nothing can be awaited. */
export function removeStagingSync(): void {
  for (const dir of liveStaging) {
    rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
    liveStaging.delete(dir);
  }
}

async function createStaging(): Promise<string> {
  swept ??= sweepStaleStaging();
  await swept;
  const dir = await mkdtemp(join(tmpdir(), `${STAGING_PREFIX}${process.pid}-`));
  liveStaging.add(dir);
  return dir;
}

async function removeStaging(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  liveStaging.delete(dir);
}

/** Result of a finished write: lake-relative paths of the files written, and each file's SHA-256 (hex). */
export interface WrittenFiles {
  files: string[];
  sha256: Record<string, string>;
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Streams rows into partitioned Parquet (one writer per input object). */
export interface LakeWriter {
  sink: RowSink;
  /**
   * Where files converted elsewhere can be put to be published with the writer's own:
   * `<table>/<partition path>/part-<chunk>-<index>.parquet`.
   */
  outDir: string;
  /** A directory of the writer's staging area for other work on the same object; removed with it. */
  scratchDir: string;
  /**
   * Flushes everything, names files `<name>-<chunk>-<i>.parquet` and hands them to the store; returns their paths.
   * Throws `WriteFailedError` (publishing nothing) when DuckDB refused some rows; the sink then drops every later
   * row, so the caller still reads its input to the end and counts every record.
   */
  finish(name: string): Promise<WrittenFiles>;
  /** Drops staged files without publishing anything. */
  abort(): Promise<void>;
}

// Staged fields are separated by U+001F and quoted with U+001E, characters that JSON text holds only escaped, so
// JSON columns (the longest values) and text with commas or quotes are written as they are. DuckDB reads the
// quote doubled inside a quoted field as one.
const DELIM = "\x1f";
const QUOTE = "\x1e";
/** True when a text value holds the delimiter, the quote or a line break; four `indexOf` scans beat one regex. */
function needsQuote(v: string): boolean {
  return v.indexOf("\n") !== -1 || v.indexOf(DELIM) !== -1 || v.indexOf(QUOTE) !== -1 || v.indexOf("\r") !== -1;
}

function quoted(v: string): string {
  return `${QUOTE}${v.replaceAll(QUOTE, QUOTE + QUOTE)}${QUOTE}`;
}

/** A row's staged line; `q` quotes a text value that holds a delimiter, quote or line break. */
type Serializer = (
  row: Record<string, unknown>,
  needsQuote: (v: string) => boolean,
  q: (v: string) => string,
) => string;

/**
 * Builds the staged line writer of a table from its schema: one unrolled expression per column, so each row costs a
 * few property reads and concatenations. Only schema column names (checked snake_case) enter the generated code.
 * An empty unquoted field is NULL; an empty string is written as a quoted empty field.
 */
function compileSerializer(table: TableDef): Serializer {
  const parts = Object.entries(table.columns).map(([name, col]) => {
    const v = `r.${name}`;
    // Timestamps are validated ISO-8601 text and numbers never contain a delimiter, so only text needs quoting.
    if (col.type === "string" || col.type === "json")
      return `(${v} == null ? "" : ${v} === "" ? ${JSON.stringify(QUOTE + QUOTE)} : n(${v}) ? q(${v}) : ${v})`;
    return `(${v} == null ? "" : ${v})`;
  });
  return new Function("r", "n", "q", `return ${parts.join(` + ${JSON.stringify(DELIM)} + `)};`) as Serializer;
}

const CSV_NEEDS_QUOTE = /[",\n\r]/;
// The comma-separated line's `,dt,hour` tail: `,` + YYYY-MM-DD + `,` + HH.
const CSV_PARTITION_CHARS = 14;

/**
 * The row's length as the limit counts it: the characters of its comma-separated line (quotes doubled in quoted
 * text, the `dt` and `hour` partition fields after the columns). Computed only for rows that may reach the limit.
 */
function limitChars(table: TableDef, row: Record<string, unknown>): number {
  let n = CSV_PARTITION_CHARS;
  for (const [name, col] of Object.entries(table.columns)) {
    const v = row[name];
    n++;
    if (v == null) continue;
    if (col.type !== "string" && col.type !== "json") n += String(v).length;
    else if (typeof v === "string" && v.length === 0) n += 2;
    else if (typeof v === "string" && CSV_NEEDS_QUOTE.test(v))
      n += v.length + 2 + (v.length - v.replaceAll('"', "").length);
    else n += String(v).length;
  }
  return n - 1;
}

interface TableBuffer {
  table: TableDef;
  serialize: Serializer;
  /** Number of columns, for the row limit's bound. */
  columns: number;
  timeColumn: string;
  chunk: number;
  rows: number;
  /** The chunk's staging file of each partition (by partition id), and the one the last row went to. */
  stages: Map<string, Stage>;
  last?: { id: string; stage: Stage };
}

/**
 * Parquet writer that hands the heavy lifting to DuckDB: rows are appended to a typed CSV staging file per
 * partition, and each full chunk is converted partition by partition with a plain `COPY … TO … (FORMAT parquet)`
 * while JavaScript keeps parsing the next one, so parsing and encoding run on separate cores. One partition is
 * encoded at a time, so memory stays bounded however many hours an object spans (DuckDB's `PARTITION_BY` writer
 * keeps a row group open per partition). Types come from the table schema, never from inference.
 */
export async function createLakeWriter(args: {
  db: DuckDBConnection;
  publish: (relPath: string, localPath: string) => Promise<void>;
  rowsPerFile?: number;
}): Promise<LakeWriter> {
  const rowsPerFile = args.rowsPerFile ?? DEFAULT_ROWS_PER_FILE;
  const staging = await createStaging();
  const buffers = new Map<string, TableBuffer>();
  // Conversions run one after another on this chain, which never rejects: the first failure is kept in `failed`.
  let pending: Promise<void> = Promise.resolve();
  let failed: Error | undefined;
  const rejected = () => failed instanceof WriteFailedError;

  const staged = new StageBuffer();

  const convert = async (b: TableBuffer) => {
    if (b.stages.size === 0) return;
    const chunk = b.chunk;
    const stages = [...b.stages].sort(([x], [y]) => (x < y ? -1 : 1));
    for (const [, stage] of stages) staged.close(stage);
    b.stages = new Map();
    b.last = undefined;
    b.chunk++;
    b.rows = 0;
    const tableDir = join(staging, "out", b.table.name);
    const copies = stages.map(([id, stage]) => {
      const target = join(tableDir, ...partitionPath(id).split("/"));
      return { target, csv: stage.path, sql: copySql(b.table, stage.path, join(target, `part-${chunk}-0.parquet`)) };
    });
    // One chunk's conversion in flight: it overlaps with parsing, and memory stays bounded.
    const prev = pending;
    pending = prev
      .then(async () => {
        for (const c of copies) {
          if (failed) return;
          await mkdir(c.target, { recursive: true });
          await runExclusive(args.db, c.sql).catch((e: unknown) => {
            throw conversionError(e, b.table.name);
          });
          await rm(c.csv, { force: true });
        }
      })
      .catch((e: unknown) => {
        failed ??= asError(e);
      });
    await prev;
    if (failed && !rejected()) throw failed;
  };

  const sink: RowSink = {
    write(table, row) {
      if (failed) {
        if (rejected()) return;
        throw failed;
      }
      let b = buffers.get(table.name);
      if (!b) {
        b = {
          table,
          serialize: compileSerializer(table),
          columns: Object.keys(table.columns).length,
          timeColumn: table.timeColumn,
          chunk: 0,
          rows: 0,
          stages: new Map(),
        };
        buffers.set(table.name, b);
      }
      const line = b.serialize(row, needsQuote, quoted);
      // The staged line is at least half as long as the counted one, less its quotes and partition fields.
      if (line.length * 2 + 2 * b.columns + CSV_PARTITION_CHARS > MAX_ROW_CHARS) {
        const chars = limitChars(b.table, row);
        if (chars > MAX_ROW_CHARS)
          throw new RowRejectedError("too_large", `row is ${chars} characters, over the ${MAX_ROW_CHARS} limit`);
      }
      const id = partitionId(row[b.timeColumn] as string);
      let stage = b.last?.id === id ? b.last.stage : b.stages.get(id);
      if (!stage) {
        stage = new Stage(join(staging, `${b.table.name}-${b.chunk}-${b.stages.size}.csv`));
        b.stages.set(id, stage);
      }
      b.last = { id, stage };
      staged.line(stage, line);
      b.rows++;
      return b.rows >= rowsPerFile ? convert(b) : undefined;
    },
  };

  const closeStages = () => {
    for (const b of buffers.values()) for (const stage of b.stages.values()) staged.close(stage);
  };

  return {
    sink,
    outDir: join(staging, "out"),
    scratchDir: join(staging, "scratch"),
    async finish(name) {
      try {
        if (!isOutputName(name)) throw new Error(`output name must be [A-Za-z0-9._-]+, got "${name}"`);
        for (const b of buffers.values()) await convert(b);
        await pending;
        if (failed) throw failed;
        const outRoot = join(staging, "out");
        const staged = (await readdir(outRoot, { recursive: true, withFileTypes: true }).catch(() => []))
          .filter((e) => e.isFile() && e.name.endsWith(".parquet"))
          .map((e) => join(e.parentPath, e.name));
        const files: string[] = [];
        const sha256: Record<string, string> = {};
        for (const local of staged.sort()) {
          const rel = lakeKeyOfStaged(relative(outRoot, local).split(sep).join("/"), name);
          // Hashed before publishing: an uploaded file is gone from disk, and this is the hash the chain records.
          sha256[rel] = await fileSha256(local);
          await args.publish(rel, local);
          files.push(rel);
        }
        return { files, sha256 };
      } finally {
        await pending;
        closeStages();
        await removeStaging(staging);
      }
    },
    async abort() {
      await pending;
      closeStages();
      await removeStaging(staging);
    },
  };
}

const queues = new WeakMap<DuckDBConnection, Promise<unknown>>();
const configured = new WeakSet<DuckDBConnection>();

/** Runs SQL on a connection after whatever else was queued on it: writers of several objects may share one. */
export function runExclusive(
  db: DuckDBConnection,
  work: string | ((db: DuckDBConnection) => Promise<unknown>),
): Promise<void> {
  const prev = queues.get(db) ?? Promise.resolve();
  const next = prev
    .catch(() => undefined)
    .then(async () => {
      if (!configured.has(db)) {
        for (const setting of WRITER_SESSION) await db.run(setting);
        configured.add(db);
      }
      return typeof work === "string" ? db.run(work) : work(db);
    });
  queues.set(db, next);
  return next.then(() => undefined);
}

/** A staging CSV file of one partition: where its rows wait in the shared buffer, and whether it exists yet. */
class Stage {
  /** Byte ranges [start, end) of the shared buffer holding this file's rows not yet written. */
  runs: number[] = [];
  created = false;
  closed = false;
  pending = false;

  constructor(readonly path: string) {}
}

/**
 * Rows of every staging file go through one reusable buffer, flushed with synchronous writes when full: rows are
 * short-lived strings copied straight into it, so nothing accumulates on the heap, the parser never waits for a
 * stream, and an object spanning a month of hours holds no buffer or file descriptor per hour.
 */
class StageBuffer {
  private readonly buf = Buffer.allocUnsafe(STAGE_BUFFER_BYTES);
  private pos = 0;
  private readonly pending: Stage[] = [];

  line(stage: Stage, text: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    if (this.pos + text.length * 3 + 1 > this.buf.length) this.flush();
    if (text.length * 3 + 1 > this.buf.length) {
      this.write(stage, [Buffer.from(`${text}\n`)]);
      return;
    }
    const start = this.pos;
    this.pos += this.buf.write(text, this.pos);
    this.buf[this.pos++] = 10;
    const runs = stage.runs;
    if (runs.length > 0 && runs[runs.length - 1] === start) runs[runs.length - 1] = this.pos;
    else runs.push(start, this.pos);
    if (!stage.pending) {
      stage.pending = true;
      this.pending.push(stage);
    }
  }

  close(stage: Stage): void {
    if (stage.closed) return;
    stage.closed = true;
    if (stage.pending) this.flush();
    else if (!stage.created) this.write(stage, []);
  }

  private flush(): void {
    for (const stage of this.pending) {
      const parts: Buffer[] = [];
      for (let i = 0; i < stage.runs.length; i += 2) parts.push(this.buf.subarray(stage.runs[i], stage.runs[i + 1]));
      stage.runs = [];
      stage.pending = false;
      this.write(stage, parts);
    }
    this.pending.length = 0;
    this.pos = 0;
  }

  private write(stage: Stage, parts: Buffer[]): void {
    const fd = openSync(stage.path, stage.created ? "a" : "w");
    stage.created = true;
    try {
      // writev may write less than asked (at most IOV_MAX parts, say): write what is left part by part.
      let skip = parts.length > 0 ? writevSync(fd, parts) : 0;
      for (const p of parts) {
        if (skip >= p.length) {
          skip -= p.length;
          continue;
        }
        let off = skip;
        skip = 0;
        while (off < p.length) off += writeSync(fd, p, off, p.length - off);
      }
    } finally {
      closeSync(fd);
    }
  }
}

/** Staged files are `<table>/dt=…/hour=…/part-<chunk>-<i>.parquet`; the lake key comes from the lake layout. */
function lakeKeyOfStaged(staged: string, name: string): string {
  const m = /^([^/]+)\/([^/]+\/[^/]+)\/part-(\d+)-(\d+)\.parquet$/.exec(staged);
  if (!m) throw new Error(`unexpected staged file ${staged}`);
  return lakeFileKey({
    table: m[1] as string,
    partition: parsePartitionPath(m[2] as string),
    name,
    chunk: Number(m[3]),
    index: Number(m[4]),
  });
}

function copySql(table: TableDef, csv: string, out: string): string {
  // Timestamps are read as text and cast in SQL, so no date or time format of the reader is left to detect.
  // Partition values live in the path (Hive style), not in the file, and are not staged.
  const all = toDuckDbColumns(table);
  const staged = (type: string) => (type === "TIMESTAMP" ? "VARCHAR" : type);
  const cols = all.map((c) => `${quoteLiteral(c.name)}: ${quoteLiteral(staged(c.type))}`).join(", ");
  const select = () =>
    all
      .map((c) =>
        c.type === "TIMESTAMP"
          ? `CAST(${quoteIdent(c.name)} AS TIMESTAMP) AS ${quoteIdent(c.name)}`
          : quoteIdent(c.name),
      )
      .join(", ");
  const read = strictReadCsv(csv, {
    dialect: [
      `delim = '${DELIM}'`,
      `quote = '${QUOTE}'`,
      `escape = '${QUOTE}'`,
      "nullstr = ''",
      "allow_quoted_nulls = false",
    ],
    columns: cols,
    maxLineBytes: MAX_LINE_BYTES,
    bufferBytes: CSV_BUFFER_BYTES,
  });
  const parquet = `FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${ROW_GROUP_SIZE}`;
  return `COPY (SELECT ${select()} FROM ${read}) TO ${quoteLiteral(out)} (${parquet})`;
}

/**
 * A `read_csv` of `path` with every reader option given: DuckDB sniffs whatever is left open (the line ending, say)
 * from the data, and a bare CR in the first value would then decide how the whole file is read. `dialect` holds
 * the delimiter, quoting and null options of the text; `columns` the DuckDB struct body of the column types.
 */
export function strictReadCsv(
  path: string,
  o: { dialect: readonly string[]; columns: string; maxLineBytes: number; bufferBytes: number },
): string {
  const options = [
    "auto_detect = false",
    "header = false",
    ...o.dialect,
    "new_line = '\\n'",
    "skip = 0",
    "comment = ''",
    "strict_mode = true",
    "null_padding = false",
    "ignore_errors = false",
    "encoding = 'utf-8'",
    "hive_partitioning = false",
    "union_by_name = false",
    "filename = false",
    `max_line_size = ${o.maxLineBytes}`,
    `buffer_size = ${o.bufferBytes}`,
    `columns = {${o.columns}}`,
  ];
  return `read_csv(${quoteLiteral(escapeGlob(path))}, ${options.join(", ")})`;
}
