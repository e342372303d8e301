import { closeSync, createReadStream, ftruncateSync, openSync, writeSync } from "node:fs";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { CorruptInputError, decodeBytes, decodeStats, Utf8Check } from "@app/core/ingest/decode";
import type { IngestSummary } from "@app/core/ingest/pipeline";
import { parsePartitionPath, partitionPath } from "@app/core/lake-layout";
import { toDuckDbColumns } from "@app/core/schema/duckdb";
import { quoteIdent, quoteLiteral } from "@app/core/schema/sql";
import { headerFields } from "@app/core/sources/cloudfront/detect";
import { parseCloudFront } from "@app/core/sources/cloudfront/parse";
import { linePlan, tableFields } from "@app/core/sources/cloudfront/plan";
import { cloudfrontTable } from "@app/core/sources/cloudfront/schema";
import type { ParseEvent, SkipKind, SourceOptions } from "@app/core/sources/types";
import type { DuckDBConnection } from "@duckdb/node-api";
import { ROW_GROUP_SIZE, runExclusive, strictReadCsv } from "./writer.ts";

const STANDARD = tableFields(cloudfrontTable);
/** The columns the fast path fills from the body: every field column but the unmodelled fields' (always null here). */
export const BODY_COLUMNS: readonly string[] = STANDARD.columns.filter((c) => c !== STANDARD.rest);
/** Longest header block (the `#` lines before the first record) read before the fast path gives the object up. */
const MAX_HEADER_BYTES = 1024 * 1024;
/**
 * Longest line DuckDB reads here. Far under the JavaScript parser's record limit, and short enough that no row
 * built from such a line reaches the writer's row limit, so neither limit can differ between the two paths.
 */
const MAX_LINE_BYTES = 256 * 1024;
/** The CSV reader's buffer: DuckDB's default took about 50 MB more of the peak (bench/RESULTS.md). */
const READ_BUFFER_BYTES = 4 * 1024 * 1024;
const WRITE_CHUNK = 1 << 20;
const NL = 10;
const CR = 13;
const TAB = 9;

/** What the fast path made of an object: its files are staged, or the JavaScript parser must read it. */
export type FastOutcome =
  | { kind: "staged"; summary: IngestSummary }
  | { kind: "fallback"; bytes: () => AsyncIterable<Uint8Array> };

/**
 * Reads a CloudFront W3C log with DuckDB's CSV reader instead of the JavaScript parser: JavaScript gunzips the object
 * to a staging file, reads only its `#` header, and builds one `COPY` from the `#Fields` list and the table schema.
 * DuckDB splits the tab-separated lines, URL-decodes, types and partitions them and writes the Parquet files.
 *
 * The result must equal the JavaScript parser's to the last value, so the fast path takes an object only when every
 * record line provably parses there to a row, and that row's values are exactly what DuckDB computes: valid UTF-8, no
 * CR, NUL or doubled trailing tab, every field in its typed form, percent-escapes that decode to UTF-8 other than
 * NUL, a field list with date and time and no unmodelled field. Escapes are checked while spooling, typed forms in
 * the query, and the rows written must equal the lines counted here; anything else (a bad line, a blank line, a
 * damaged gzip) hands the spooled object to the JavaScript parser, which quarantines what needs quarantining.
 */
export async function stageCloudFrontFast(args: {
  db: DuckDBConnection;
  bytes: AsyncIterable<Uint8Array>;
  /** A private directory for the spooled object and the body; removed by the caller. */
  dir: string;
  /** Where the finished files go, laid out as `<table>/<partition>/part-<chunk>-<index>.parquet`. */
  outDir: string;
  key: string;
  sourceObject: string;
  ingestTime: string;
  keyDistribution: string | null;
  rowsPerFile: number;
  options: SourceOptions;
  /**
   * The redaction's screen of the CloudFront table (see `IngestRedaction.screen`): an object where it may find
   * something goes to the JavaScript parser, which redacts. Absent: nothing is redacted.
   */
  mayRedact?: (text: string, bytes?: Uint8Array) => boolean;
}): Promise<FastOutcome> {
  await mkdir(args.dir, { recursive: true });
  const rawPath = join(args.dir, "object");
  const bodyPath = join(args.dir, "body.tsv");
  const fallback: FastOutcome = { kind: "fallback", bytes: () => readFile(rawPath) };
  const kd = args.keyDistribution;
  const redactable = args.mayRedact && kd !== null && (kd.includes("\n") || args.mayRedact(kd));
  const spooled = await spool(args.bytes, rawPath, bodyPath, redactable ? undefined : args.mayRedact);
  if (!spooled || redactable) return fallback;
  const header = await readHeader(spooled.header, args);
  if (!header) return fallback;
  if (spooled.bodyLines === 0) return fallback;
  const sql = copySql(header.fields, {
    body: bodyPath,
    out: join(args.dir, "parquet"),
    firstLine: header.lines,
    escaped: spooled.escaped,
    sourceObject: args.sourceObject,
    ingestTime: args.ingestTime,
    keyDistribution: args.keyDistribution,
    rowsPerFile: args.rowsPerFile,
  });
  if (sql === undefined) return fallback;
  let written: number;
  try {
    written = await runCount(args.db, sql);
  } catch {
    // DuckDB refused a line (a missing or extra column, an over-long line): the JavaScript parser says why.
    await rm(join(args.dir, "parquet"), { recursive: true, force: true });
    return fallback;
  }
  if (written !== spooled.bodyLines) {
    await rm(join(args.dir, "parquet"), { recursive: true, force: true });
    return fallback;
  }
  await rm(bodyPath, { force: true });
  await moveOutputs(join(args.dir, "parquet"), join(args.outDir, cloudfrontTable.name));
  const summary: IngestSummary = {
    source: "cloudfront",
    records: header.lines + written,
    rows: { [cloudfrontTable.name]: written },
    quarantined: {},
    skipped: header.skipped,
  };
  return { kind: "staged", summary };
}

async function* readFile(path: string): AsyncIterable<Uint8Array> {
  for await (const chunk of createReadStream(path, { highWaterMark: WRITE_CHUNK })) yield chunk as Uint8Array;
}

interface Spooled {
  /** The bytes of the header block: every line before the first that starts with neither `#` nor whitespace. */
  header: Uint8Array;
  /** Lines after it, counted as the JavaScript line splitter counts them. */
  bodyLines: number;
  /** Field positions that hold a `%` in some line of the body. */
  escaped: ReadonlySet<number>;
}

/**
 * Copies the object to `rawPath` (for the fallback) and its decoded body to `bodyPath`, screening the body on the
 * way. Undefined when the object cannot take the fast path; the whole input is read and spooled either way.
 */
async function spool(
  bytes: AsyncIterable<Uint8Array>,
  rawPath: string,
  bodyPath: string,
  mayRedact: ((text: string, bytes?: Uint8Array) => boolean) | undefined,
): Promise<Spooled | undefined> {
  const fields = new BodyScreen(mayRedact);
  const raw = openSync(rawPath, "w");
  const stats = decodeStats();
  let ok = true;
  async function* tee(): AsyncIterable<Uint8Array> {
    for await (const chunk of bytes) {
      writeAll(raw, chunk);
      yield chunk;
    }
  }
  const body = openSync(bodyPath, "w");
  const utf8 = new Utf8Check();
  let head: Uint8Array | undefined = new Uint8Array(0);
  let bomChecked = false;
  let header: Uint8Array | undefined;
  let lines = 0;
  // The last two bytes of the body screened so far (-1: none), to see line ends across chunk boundaries.
  let prev1 = -1;
  let prev2 = -1;
  const screen = (b: Uint8Array) => {
    if (b.length === 0) return;
    utf8.push(b);
    if (b.indexOf(CR) !== -1 || b.indexOf(0) !== -1) ok = false;
    const at = (j: number) => (j >= 0 ? b[j] : j === -1 ? prev1 : prev2);
    for (let i = b.indexOf(NL); i !== -1; i = b.indexOf(NL, i + 1)) {
      lines++;
      // Two or more tabs before a line end: DuckDB drops the empty fields, the JavaScript parser counts them.
      if (at(i - 1) === TAB && at(i - 2) === TAB) ok = false;
    }
    prev2 = b.length > 1 ? (b[b.length - 2] as number) : prev1;
    prev1 = b[b.length - 1] as number;
    if (!fields.push(b)) ok = false;
    try {
      writeAll(body, b);
    } catch (e) {
      // A full disk (a small Lambda /tmp) leaves the object to the JavaScript parser instead of failing it.
      if ((e as NodeJS.ErrnoException).code !== "ENOSPC") throw e;
      ok = false;
      ftruncateSync(body, 0);
    }
  };
  const takeHeader = (end: boolean) => {
    if (head === undefined) return;
    if (!bomChecked && (head.length >= 3 || end)) {
      bomChecked = true;
      if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) head = head.subarray(3);
    }
    if (!bomChecked) return;
    const at = headerEnd(head);
    if (at === undefined) {
      if (head.length > MAX_HEADER_BYTES) ok = false;
      return;
    }
    header = head.subarray(0, at);
    utf8.push(header);
    const rest = head.subarray(at);
    head = undefined;
    screen(rest);
  };
  try {
    try {
      for await (const chunk of decodeBytes(tee(), stats)) {
        if (!ok) continue;
        if (head === undefined) screen(chunk);
        else {
          head = concatBytes(head, chunk);
          takeHeader(false);
        }
      }
      if (ok) takeHeader(true);
      if (ok && !fields.end()) ok = false;
    } catch (e) {
      if (!(e instanceof CorruptInputError)) throw e;
      ok = false;
    }
  } finally {
    closeSync(raw);
    closeSync(body);
  }
  if (!ok || header === undefined || stats.trailingBytes > 0 || !utf8.valid()) return undefined;
  if (prev1 === TAB && prev2 === TAB) return undefined;
  return { header, bodyLines: lines + (prev1 === -1 || prev1 === NL ? 0 : 1), escaped: fields.escaped };
}

/** Body text handed to the redaction's screen at once, cut at a line end. */
const SCREEN_BATCH_BYTES = 1024 * 1024;
/** Distinct escaped fields remembered as checked (user agents repeat from line to line). */
const SCREENED_FIELDS = 4096;

/**
 * Checks the body in batches of whole lines, beside the byte screen. Every field holding a `%` must decode with
 * `decodeURIComponent` and hold no `%00`: exactly the fields whose `url_decode` in DuckDB gives the JavaScript
 * parser's value, so the query needs no check of its own for them. With redaction, every string value DuckDB reads
 * also stands whole in some text handed to the redaction's screen: a field without `%` in the lines as written
 * (between tabs or line ends), a field with one decoded, alone. `push` and `end` are false once a field fails or the
 * screen may find something.
 */
class BodyScreen {
  private parts: Uint8Array[] = [];
  private size = 0;
  private readonly decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  private readonly screened = new Set<string>();
  /** The columns (0-based field positions) where some line has a `%`: the only ones DuckDB must URL-decode. */
  readonly escaped = new Set<number>();
  constructor(private readonly mayRedact: ((text: string, bytes?: Uint8Array) => boolean) | undefined) {}

  push(b: Uint8Array): boolean {
    this.parts.push(b);
    this.size += b.length;
    if (this.size < SCREEN_BATCH_BYTES) return true;
    const all = this.parts.length === 1 ? (this.parts[0] as Uint8Array) : Buffer.concat(this.parts);
    const cut = all.lastIndexOf(NL) + 1;
    // A line longer than DuckDB reads here fails the read anyway.
    if (cut === 0) return all.length <= MAX_LINE_BYTES + SCREEN_BATCH_BYTES && this.keep(all);
    const rest = all.subarray(cut);
    return this.clean(all.subarray(0, cut)) && this.keep(rest.length === 0 ? rest : rest.slice());
  }

  end(): boolean {
    const all = Buffer.concat(this.parts);
    this.parts = [];
    this.size = 0;
    return this.clean(all);
  }

  private keep(rest: Uint8Array): true {
    this.parts = rest.length === 0 ? [] : [rest];
    this.size = rest.length;
    return true;
  }

  private clean(bytes: Uint8Array): boolean {
    if (bytes.length === 0) return true;
    const text = this.decoder.decode(bytes);
    // Walked forward only (`lastIndexOf` costs more than the rest of the loop): the end of the line holding the
    // current `%`, the column and start of its field, and the first tab not yet counted on that line.
    let lineEnd = -1;
    let column = 0;
    let fieldStart = 0;
    let tab = -1;
    for (let p = text.indexOf("%"); p !== -1; ) {
      if (p > lineEnd) {
        let ls = lineEnd + 1;
        let nl = text.indexOf("\n", ls);
        while (nl !== -1 && nl < p) {
          ls = nl + 1;
          nl = text.indexOf("\n", ls);
        }
        lineEnd = nl === -1 ? text.length : nl;
        column = 0;
        fieldStart = ls;
        tab = text.indexOf("\t", ls);
      }
      while (tab !== -1 && tab < p) {
        column++;
        fieldStart = tab + 1;
        tab = text.indexOf("\t", tab + 1);
      }
      this.escaped.add(column);
      const end = tab === -1 || tab > lineEnd ? lineEnd : tab;
      const field = text.slice(fieldStart, end);
      if (!this.screened.has(field)) {
        // DuckDB's `url_decode` turns `%00` into NUL, which the JavaScript parser's value keeps as an escape.
        if (field.includes("%00")) return false;
        let value: string;
        try {
          value = decodeURIComponent(field);
        } catch {
          return false;
        }
        // The screen takes values without a line end.
        if (this.mayRedact && (value.includes("\n") || this.mayRedact(value))) return false;
        if (this.screened.size >= SCREENED_FIELDS) this.screened.clear();
        // A copy: a slice would keep the whole batch text alive.
        this.screened.add(Buffer.from(field, "utf16le").toString("utf16le"));
      }
      p = text.indexOf("%", end);
    }
    return this.mayRedact === undefined || !this.mayRedact(text, bytes);
  }
}

/**
 * Where the header block of `head` ends: the start of its first line that starts with neither `#` nor a space or
 * control character. Undefined while that line has not been read whole.
 */
function headerEnd(head: Uint8Array): number | undefined {
  let start = 0;
  for (;;) {
    if (start >= head.length) return undefined;
    const first = head[start] as number;
    if (first !== 35 && first > 32) return start;
    const nl = head.indexOf(NL, start);
    if (nl === -1) return undefined;
    start = nl + 1;
  }
}

/** The `#Fields` list of the header block, its line count and what the JavaScript parser skips in it. */
async function readHeader(
  bytes: Uint8Array,
  args: { key: string; sourceObject: string; options: SourceOptions },
): Promise<{ fields: readonly string[]; lines: number; skipped: Partial<Record<SkipKind, number>> } | undefined> {
  const text = new TextDecoder("utf-8", { ignoreBOM: true, fatal: true }).decode(bytes);
  const skipped: Partial<Record<SkipKind, number>> = {};
  let lines = 0;
  const events = parseCloudFront(one(text), {
    key: args.key,
    sourceObject: args.sourceObject,
    options: args.options,
    maxRecordChars: MAX_LINE_BYTES,
  }) as AsyncIterable<ParseEvent>;
  for await (const ev of events) {
    if (ev.kind !== "skip") return undefined;
    skipped[ev.skip] = (skipped[ev.skip] ?? 0) + 1;
    lines++;
  }
  let fields: string[] | undefined;
  for (const [i, line] of text.split("\n").entries()) {
    const l = i === 0 && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
    if (l.slice(0, 9).toLowerCase().startsWith("#fields:")) fields = headerFields(l);
  }
  return fields === undefined ? undefined : { fields, lines, skipped };
}

async function* one(text: string): AsyncIterable<string> {
  yield text;
}

interface CopyArgs {
  body: string;
  out: string;
  /** Lines before the body. */
  firstLine: number;
  /** Field positions that hold a `%` in some line: fields elsewhere are their own decoding. */
  escaped: ReadonlySet<number>;
  sourceObject: string;
  ingestTime: string;
  keyDistribution: string | null;
  rowsPerFile: number;
}

const INT_MAX: Record<string, number> = { int32: 2147483647, int64: Number.MAX_SAFE_INTEGER };

/**
 * The `COPY` that turns the body into partitioned Parquet, or undefined when the field list needs what only the
 * JavaScript parser does (a field without a column, a field listed twice, a time that is not date and time). Every
 * value expression is guarded by a condition under which it equals the JavaScript converter's result; a line failing
 * any condition is left out, and the caller sees the shortfall.
 */
export function copySql(fields: readonly string[], a: CopyArgs): string | undefined {
  const plan = linePlan(fields, STANDARD);
  if (plan.time.kind !== "datetime" || plan.extras.length > 0 || plan.width < 2) return undefined;
  const { date, time } = plan.time;
  const times = fields.filter((f) => STANDARD.resolve(f).kind === "time");
  const columns = new Set(plan.slots.map((s) => s.column));
  if (times.length !== 2 || columns.size !== plan.slots.length) return undefined;
  const c = (i: number) => quoteIdent(`c${i}`);
  const clean: string[] = [
    // A line the JavaScript parser reads as a comment or a JSON record (the date check covers a first date field).
    ...(date === 0 ? [] : [`coalesce(left(${c(0)}, 1), '') NOT IN ('#', '{', '[')`]),
    `regexp_full_match(${c(date)}, '\\d{4}-\\d{2}-\\d{2}')`,
    `TRY_CAST(${c(date)} AS DATE) IS NOT NULL`,
    `regexp_full_match(${c(time)}, '([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(\\.\\d{1,6})?')`,
  ];
  const value = new Map<string, string>();
  // `-` and the empty field are read as NULL (`nullstr`), as the JavaScript converters read them for every type.
  for (const s of plan.slots) {
    const v = c(s.index);
    switch (s.type) {
      case "int32":
      case "int64":
        clean.push(
          `(${v} IS NULL OR (regexp_full_match(${v}, '\\d{1,16}') AND TRY_CAST(${v} AS BIGINT) <= ${INT_MAX[s.type]}))`,
        );
        value.set(s.column, `CAST(${v} AS BIGINT)`);
        break;
      case "double":
        clean.push(`(${v} IS NULL OR (length(${v}) <= 30 AND regexp_full_match(${v}, '-?(\\d+\\.?\\d*|\\.\\d+)')))`);
        // The JavaScript writer stages -0 as "0".
        value.set(s.column, `CASE WHEN CAST(${v} AS DOUBLE) = 0 THEN 0.0 ELSE CAST(${v} AS DOUBLE) END`);
        break;
      case "string": {
        // Every escaped field decodes as the JavaScript parser decodes it: `spool` checked (`BodyScreen`).
        const decoded = a.escaped.has(s.index)
          ? `CASE WHEN contains(${v}, '%') THEN url_decode(${v}) ELSE ${v} END`
          : v;
        value.set(
          s.column,
          s.column === "distribution_id" ? `coalesce(${decoded}, ${literal(a.keyDistribution)})` : decoded,
        );
        break;
      }
      default:
        return undefined;
    }
  }
  const iso = `${c(date)} || 'T' || ${c(time)} || 'Z'`;
  const select = toDuckDbColumns(cloudfrontTable).map(({ name, type }) => {
    let expr: string;
    if (name === cloudfrontTable.timeColumn) expr = iso;
    else if (value.has(name)) expr = value.get(name) as string;
    else if (name === "distribution_id") expr = literal(a.keyDistribution);
    else if (name === "source_object") expr = quoteLiteral(a.sourceObject);
    else if (name === "source_line") expr = `k + ${a.firstLine}`;
    else if (name === "ingest_time") expr = quoteLiteral(a.ingestTime);
    else expr = "NULL";
    return `CAST(${expr} AS ${type}) AS ${quoteIdent(name)}`;
  });
  const cols = fields.map((_, i) => `${quoteLiteral(`c${i}`)}: 'VARCHAR'`).join(", ");
  // CloudFront logs have no quoting: a tab ends every field, "-" and empty are null.
  const read = strictReadCsv(a.body, {
    dialect: ["delim = '\t'", "quote = ''", "escape = ''", "nullstr = ['-', '']"],
    columns: cols,
    maxLineBytes: MAX_LINE_BYTES,
    bufferBytes: READ_BUFFER_BYTES,
  });
  const numbered = `SELECT row_number() OVER () AS k, * FROM ${read}`;
  const partitions = [
    `CAST((k - 1) // ${a.rowsPerFile} AS BIGINT) AS chunk`,
    `${c(date)} AS dt`,
    `CAST(substr(${c(time)}, 1, 2) AS INTEGER) AS hour`,
  ];
  const query = `SELECT ${[...select, ...partitions].join(", ")} FROM (${numbered}) WHERE ${clean.join(" AND ")}`;
  const parquet = `FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${ROW_GROUP_SIZE}, PARTITION_BY (chunk, dt, hour)`;
  return `COPY (${query}) TO ${quoteLiteral(a.out)} (${parquet})`;
}

function literal(v: string | null): string {
  return v === null ? "NULL" : quoteLiteral(v);
}

async function runCount(db: DuckDBConnection, sql: string): Promise<number> {
  let count = 0;
  await runExclusive(db, async (conn) => {
    await conn.run(`SET partitioned_write_flush_threshold = ${ROW_GROUP_SIZE}`);
    try {
      const reader = await conn.runAndReadAll(sql);
      count = Number(reader.getRows()[0]?.[0] ?? 0);
    } finally {
      await conn.run("RESET partitioned_write_flush_threshold");
    }
  });
  return count;
}

/**
 * Moves DuckDB's `chunk=<c>/dt=<d>/hour=<h>/data_<i>.parquet` files to the writer's layout,
 * `<partition>/part-<c>-<i>.parquet`.
 */
async function moveOutputs(from: string, to: string): Promise<void> {
  const entries = await readdir(from, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (!e.isFile()) continue;
    const rel = join(e.parentPath, e.name).slice(from.length + 1);
    const m = /^chunk=(\d+)\/(dt=[^/]+\/hour=\d+)\/data_(\d+)\.parquet$/.exec(rel);
    if (!m) throw new Error(`unexpected file ${rel} from DuckDB's partitioned write`);
    const dir = join(to, ...partitionPath(parsePartitionPath(m[2] as string)).split("/"));
    await mkdir(dir, { recursive: true });
    await rename(join(from, rel), join(dir, `part-${m[1]}-${m[3]}.parquet`));
  }
  await rm(from, { recursive: true, force: true });
}

function writeAll(fd: number, b: Uint8Array): void {
  let off = 0;
  while (off < b.length) off += writeSync(fd, b, off, b.length - off);
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
