import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ingestObject, type RowSink } from "@app/core/ingest/pipeline";
import { cloudfrontFieldsAt, type NotReplayable, replayInput } from "@app/core/ingest/replay";
import {
  type IngestManifest,
  MANIFEST_DIR,
  parseManifest,
  parsePartitionPath,
  type ReplayRecord,
  replayOutputName,
  tableDir,
} from "@app/core/lake-layout";
import { quoteIdent, quoteLiteral } from "@app/core/schema/sql";
import type { TableDef } from "@app/core/schema/table";
import { type QuarantineRow, quarantineTable, type RejectReason } from "@app/core/sources/quarantine/schema";
import type { LogSource, SourceId, SourceOptions } from "@app/core/sources/types";
import type { DuckDBConnection } from "@duckdb/node-api";
import { writeManifest } from "./ingest.ts";
import type { LakeStore } from "./store.ts";
import { createLakeWriter } from "./writer.ts";

/** Which quarantined records a replay takes up; every criterion given must hold. */
export interface ReplaySelection {
  reasons?: readonly RejectReason[];
  sources?: readonly (SourceId | "unknown")[];
  /** Records of sources that write this table; a record that now parses into another table stays quarantined. */
  table?: string;
  /** Event time range `[from, to)`, ISO-8601 UTC. */
  from?: string;
  to?: string;
}

/** What a replay did: `selected` = sum(moved) + sum(still_quarantined) + sum(not_replayable). */
export interface ReplaySummary {
  /** Inputs whose quarantine was rewritten. */
  inputs: number;
  selected: number;
  moved: Record<string, number>;
  /** Selected records that still do not parse, by their (possibly new) reason. */
  still_quarantined: Record<string, number>;
  not_replayable: Partial<Record<NotReplayable, number>>;
}

/** Arguments of `replayQuarantine`. */
export interface ReplayArgs {
  db: DuckDBConnection;
  store: LakeStore;
  /** The parsers to run: the registry (`SOURCES`) the ingest uses, or one a caller built with a changed parser. */
  sources: readonly LogSource[];
  options?: SourceOptions;
  select?: ReplaySelection;
  replayTime: string;
  /** The bytes of a source object when they can still be read (a local file), for what a record alone lacks. */
  readSource?: (sourceObject: string) => AsyncIterable<Uint8Array> | undefined;
}

const QUARANTINE_DIR = tableDir(quarantineTable.name);

function isoOf(column: string): string {
  const c = quoteIdent(column);
  return `CASE WHEN microsecond(${c}) % 1000 = 0 THEN strftime(${c}, '%Y-%m-%dT%H:%M:%S.%gZ') ELSE strftime(${c}, '%Y-%m-%dT%H:%M:%S.%fZ') END AS ${c}`;
}

/** The quarantine rows of lake files, in `source_line` order, values as the writer took them. */
async function readQuarantine(db: DuckDBConnection, store: LakeStore, files: readonly string[]) {
  const dir = await mkdtemp(join(tmpdir(), "loglake-replay-"));
  try {
    const locals: string[] = [];
    for (const [i, f] of files.entries()) {
      const local = join(dir, `${i}.parquet`);
      await store.getToFile(f, local);
      locals.push(local);
    }
    const columns = Object.entries(quarantineTable.columns).map(([name, c]) =>
      c.type === "timestamp" ? isoOf(name) : quoteIdent(name),
    );
    const list = locals.map(quoteLiteral).join(", ");
    const reader = await db.runAndReadAll(
      `SELECT ${columns.join(", ")} FROM read_parquet([${list}]) ORDER BY source_line, reason`,
    );
    return reader.getRowObjectsJS().map((r) => ({ ...r, source_line: Number(r.source_line) }) as QuarantineRow);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function inPeriod(files: readonly string[], from?: string, to?: string): boolean {
  if (from === undefined && to === undefined) return true;
  return files.some((f) => {
    const m = /^[^/]+\/(dt=[^/]+\/hour=[^/]+)\//.exec(f);
    if (!m) return true;
    const p = parsePartitionPath(m[1] as string);
    const start = Date.parse(`${p.dt}T${p.hour}:00:00Z`);
    return (from === undefined || start + 3_600_000 > Date.parse(from)) && (to === undefined || start < Date.parse(to));
  });
}

type Outcome =
  | { kind: "keep" }
  | { kind: "not_replayable"; why: NotReplayable }
  | { kind: "moved"; rows: [TableDef, Record<string, unknown>][] }
  | { kind: "requarantined"; row: QuarantineRow };

/**
 * Runs quarantined records through the given parsers again. Records that now parse move to their tables with their
 * original lineage, the rest stay quarantined under the reason the parsers give now. Each input is rewritten as a
 * whole: the moved rows and its remaining quarantine rows are written under the input's next replay name, its
 * manifest (with a `replays` entry, a new chain link) names them instead of the quarantine files they replace, and
 * only then are those deleted. A replay that would change nothing writes nothing, so a second replay moves 0.
 */
export async function replayQuarantine(args: ReplayArgs): Promise<ReplaySummary> {
  const summary: ReplaySummary = { inputs: 0, selected: 0, moved: {}, still_quarantined: {}, not_replayable: {} };
  const keys = (await args.store.list(MANIFEST_DIR)).filter((k) => k.endsWith(".json"));
  for (const key of keys) {
    const text = await args.store.getText(key);
    if (text === undefined) continue;
    const manifest = parseManifest(text, `${args.store.location}/${key}`);
    await replayInputOf(args, manifest, summary);
  }
  return summary;
}

function selected(q: QuarantineRow, sources: readonly LogSource[], s: ReplaySelection): boolean {
  if (s.reasons && !s.reasons.includes(q.reason as RejectReason)) return false;
  if (s.sources && !s.sources.includes(q.source_kind as SourceId)) return false;
  const t = Date.parse(q.event_time);
  if (s.from !== undefined && t < Date.parse(s.from)) return false;
  if (s.to !== undefined && t >= Date.parse(s.to)) return false;
  if (s.table !== undefined) {
    const source = sources.find((x) => x.id === q.source_kind);
    if (!source?.tables.some((x) => x.name === s.table)) return false;
  }
  return true;
}

async function replayInputOf(args: ReplayArgs, manifest: IngestManifest, summary: ReplaySummary): Promise<void> {
  // Quarantine files an interrupted replay already replaced but did not get to delete.
  for (const f of manifest.replays?.at(-1)?.replaced ?? []) {
    if (!manifest.files.includes(f)) await args.store.delete(f);
  }
  const select = args.select ?? {};
  const qfiles = manifest.files.filter((f) => f.startsWith(QUARANTINE_DIR));
  if (qfiles.length === 0 || !inPeriod(qfiles, select.from, select.to)) return;
  // The summary says which reasons an input quarantined: an input without a chosen one is not read.
  const reasons = Object.keys(manifest.summary.quarantined) as RejectReason[];
  if (select.reasons && !reasons.some((r) => select.reasons?.includes(r))) return;
  const rows = await readQuarantine(args.db, args.store, qfiles);
  const outcomes: Outcome[] = [];
  const headers = await cloudfrontHeaders(args, rows, select);
  for (const q of rows) {
    if (!selected(q, args.sources, select)) {
      outcomes.push({ kind: "keep" });
      continue;
    }
    summary.selected++;
    const outcome = await replayRow(args, q, headers.get(lineId(q)));
    outcomes.push(outcome);
    if (outcome.kind === "not_replayable") {
      summary.not_replayable[outcome.why] = (summary.not_replayable[outcome.why] ?? 0) + 1;
    } else if (outcome.kind === "moved") {
      const table = (outcome.rows[0] as [TableDef, unknown])[0].name;
      summary.moved[table] = (summary.moved[table] ?? 0) + 1;
    } else {
      const reason = outcome.kind === "requarantined" ? outcome.row.reason : q.reason;
      summary.still_quarantined[reason] = (summary.still_quarantined[reason] ?? 0) + 1;
    }
  }
  if (!outcomes.some((o) => o.kind === "moved" || o.kind === "requarantined")) return;
  await rewriteInput(args, manifest, qfiles, rows, outcomes);
  summary.inputs++;
}

/** The `#Fields` line in force at each selected CloudFront W3C line, read again from its object when it can be. */
async function cloudfrontHeaders(
  args: ReplayArgs,
  rows: readonly QuarantineRow[],
  select: ReplaySelection,
): Promise<Map<string, string>> {
  const wanted = new Map<string, Map<number, string>>();
  for (const q of rows) {
    if (q.source_kind !== "cloudfront" || q.raw === null || q.raw_truncated || /^\s*[[{]/.test(q.raw)) continue;
    if (!selected(q, args.sources, select)) continue;
    const lines = wanted.get(q.source_object) ?? new Map<number, string>();
    lines.set(q.source_line, q.raw);
    wanted.set(q.source_object, lines);
  }
  const found = new Map<string, string>();
  for (const [object, lines] of wanted) {
    const bytes = args.readSource?.(object);
    if (!bytes) continue;
    // An object that cannot be read again (gone, damaged) lends no header: its lines stay `no_context`.
    const at = await cloudfrontFieldsAt(bytes, lines).catch(() => new Map<number, string>());
    for (const [n, fields] of at) found.set(`${object}\n${n}`, fields);
  }
  return found;
}

const lineId = (q: QuarantineRow) => `${q.source_object}\n${q.source_line}`;

async function replayRow(args: ReplayArgs, q: QuarantineRow, cloudfrontFields: string | undefined): Promise<Outcome> {
  const framing = replayInput(q, cloudfrontFields === undefined ? {} : { cloudfrontFields });
  if (!framing.ok) return { kind: "not_replayable", why: framing.why };
  const written: [TableDef, Record<string, unknown>][] = [];
  const sink: RowSink = { write: (table, row) => void written.push([table, row]) };
  const { input } = framing;
  const parsed = await ingestObject({
    sources: args.sources,
    bytes: (async function* () {
      yield new TextEncoder().encode(input.text);
    })(),
    context: { key: input.key, options: args.options ?? {} },
    lineage: { sourceObject: q.source_object, ingestTime: q.ingest_time },
    sink,
    forced: input.forced,
  });
  const [first] = written;
  // The framing holds one record besides headers; anything else means it was not read as the original was.
  const skipped = Object.values(parsed.skipped).reduce((a, b) => a + b, 0);
  if (parsed.records - skipped !== 1 || !first) return { kind: "keep" };
  if (first[0].name === quarantineTable.name) {
    const again = first[1] as QuarantineRow;
    if (again.reason === q.reason) return { kind: "keep" };
    return { kind: "requarantined", row: { ...q, reason: again.reason, message: again.message } };
  }
  if (args.select?.table !== undefined && first[0].name !== args.select.table) return { kind: "keep" };
  // A quarantine row keeps no payload's subscription filters: a row that would carry them cannot be rebuilt whole.
  if (q.source_kind === "cloudwatch_logs" && "subscription_filters" in first[1]) {
    return { kind: "not_replayable", why: "no_context" };
  }
  const lineage = {
    source_object: q.source_object,
    source_line: q.source_line,
    ingest_time: q.ingest_time,
    cwl_owner: q.cwl_owner,
    cwl_log_group: q.cwl_log_group,
    cwl_log_stream: q.cwl_log_stream,
    cwl_event_id: q.cwl_event_id,
  };
  return { kind: "moved", rows: written.map(([t, r]) => [t, { ...r, ...lineage }]) };
}

async function rewriteInput(
  args: ReplayArgs,
  manifest: IngestManifest,
  qfiles: readonly string[],
  rows: readonly QuarantineRow[],
  outcomes: readonly Outcome[],
): Promise<void> {
  const k = (manifest.replays?.length ?? 0) + 1;
  const name = replayOutputName(manifest.name, k);
  const writer = await createLakeWriter({ db: args.db, publish: (rel, local) => args.store.putFile(rel, local) });
  const summary = structuredClone(manifest.summary);
  const moved: Record<string, number> = {};
  const movedLines: number[] = [];
  let requarantined = 0;
  const count = (into: Record<string, number>, key: string, by: number) => {
    into[key] = (into[key] ?? 0) + by;
    if (into[key] === 0) delete into[key];
  };
  try {
    for (const [i, q] of rows.entries()) {
      const o = outcomes[i] as Outcome;
      if (o.kind === "moved") {
        count(summary.quarantined, q.reason, -1);
        const [[table], ...children] = o.rows as [[TableDef, unknown], ...[TableDef, unknown][]];
        count(summary.rows, table.name, 1);
        count(moved, table.name, 1);
        movedLines.push(q.source_line);
        for (const [child] of children) {
          summary.child_rows ??= {};
          count(summary.child_rows, child.name, 1);
        }
        for (const [t, r] of o.rows) await writer.sink.write(t, r);
      } else if (o.kind === "requarantined") {
        count(summary.quarantined, q.reason, -1);
        count(summary.quarantined, o.row.reason, 1);
        requarantined++;
        await writer.sink.write(quarantineTable, o.row);
      } else {
        await writer.sink.write(quarantineTable, q);
      }
    }
  } catch (e) {
    await writer.abort();
    throw e;
  }
  const written = await writer.finish(name);
  const replaced = new Set(qfiles);
  const hashes = Object.fromEntries(Object.entries(manifest.file_sha256 ?? {}).filter(([f]) => !replaced.has(f)));
  const record: ReplayRecord = {
    replay_time: args.replayTime,
    files: written.files,
    moved,
    moved_lines: movedLines,
    requarantined,
    replaced: [...qfiles],
  };
  const next: IngestManifest = {
    ...manifest,
    summary,
    files: [...manifest.files.filter((f) => !replaced.has(f)), ...written.files].sort(),
    ...(manifest.file_sha256 !== undefined ? { file_sha256: { ...hashes, ...written.sha256 } } : {}),
    replays: [...(manifest.replays ?? []), record],
  };
  await writeManifest(args.store, next);
  for (const f of qfiles) if (!written.files.includes(f)) await args.store.delete(f);
}
