import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  COMPACTED_TABLES,
  type CompactionSettings,
  type HourFile,
  type HourPlan,
  isSettled,
  planHour,
} from "@app/core/compaction/plan";
import {
  type CompactionManifest,
  compactedName,
  compactionManifestKey,
  type IngestManifest,
  isCompactedFile,
  lakeFileKey,
  outputNameOfFile,
  parsePartitionPath,
  partitionPath,
  serializeCompactionManifest,
  tableDir,
} from "@app/core/lake-layout";
import { quoteIdent, quoteLiteral } from "@app/core/schema/sql";
import type { TableDef } from "@app/core/schema/table";
import type { LakeFileObservation } from "@app/core/status/index";
import type { DuckDBConnection } from "@duckdb/node-api";
import { appendCompactionLink } from "./chain.ts";
import { readCompactionManifest } from "./compaction-manifest.ts";
import { openDuckDb } from "./duckdb.ts";
import { readManifest } from "./ingest.ts";
import type { LakeStore } from "./store.ts";

/** A store that can list files with their sizes (the compactor packs by size). */
export interface SizedListing {
  listSized(prefix: string): Promise<HourFile[]>;
}

/**
 * Where a compaction of one partition-hour has got to, in commit order: `merged` (new files staged locally,
 * nothing in the lake changed), `committed` (the compaction manifest and its chain link written: the commit point),
 * `published` (every merged file in the lake), `deleted` (the replaced files gone).
 */
export const COMPACT_STEPS = ["merged", "committed", "published", "deleted"] as const;
export type CompactStep = (typeof COMPACT_STEPS)[number];

/** What the compactor did with one partition-hour. */
export interface HourResult {
  table: string;
  /** `YYYY-MM-DDTHH` */
  hour: string;
  action: HourPlan["action"];
  files_before: number;
  files_after: number;
  rows: number;
  /**
   * Milliseconds during which a reader of the partition's folder (Athena, a glob) could see both the merged files and
   * the files they replace: from the first merged file put to the last replaced file deleted. Readers through the
   * compaction manifest (`lakeReadFiles`) see no overlap.
   */
  overlap_ms: number;
}

/** One run of the compactor. */
export interface CompactResult {
  /** The settled partition-hours, whatever was done with them. */
  hours: HourResult[];
  /** Parquet files of the tables compacted, every partition-hour counted, before and after the run. */
  files_before: number;
  files_after: number;
  /** The longest overlap of any partition-hour compacted in this run (see `HourResult.overlap_ms`). */
  max_overlap_ms: number;
  /** True when `shouldStop` ended the run before every partition-hour was seen. */
  stopped_early: boolean;
}

const sha256File = async (path: string) => {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
};

/** Every Parquet file of `tables` with its size, as the store lists them (status and the compliance report). */
export async function lakeFileSizes(store: SizedListing, tables: readonly TableDef[]): Promise<LakeFileObservation[]> {
  const out: LakeFileObservation[] = [];
  for (const t of tables)
    for (const f of await store.listSized(tableDir(t.name)))
      if (f.key.endsWith(".parquet"))
        out.push({ table: t.name, path: f.key.slice(tableDir(t.name).length), bytes: f.bytes });
  return out;
}

/** Every partition-hour of a table with files, and their files, as the store lists them. */
async function tableHours(store: SizedListing, table: string): Promise<Map<string, HourFile[]>> {
  const hours = new Map<string, HourFile[]>();
  for (const f of await store.listSized(tableDir(table))) {
    if (!f.key.endsWith(".parquet")) continue;
    const parts = f.key.split("/");
    if (parts.length !== 4) continue;
    const dir = partitionPath(parsePartitionPath(`${parts[1]}/${parts[2]}`));
    hours.set(dir, [...(hours.get(dir) ?? []), f]);
  }
  return hours;
}

/**
 * Merges the small files of every settled partition-hour into as few files as `targetFileBytes` allows (ZSTD, rows
 * sorted by event time), in a commit order that is safe to stop at any point: merged files are staged locally; the
 * compaction manifest and its signed chain link are written (the commit); the merged files are put; the replaced
 * files are deleted. A run that stopped is converged by the next one (see `planHour`). `onStep` is called after each
 * step of each hour.
 */
export async function compactLake(args: {
  store: LakeStore & SizedListing;
  now: Date;
  settings: CompactionSettings;
  tables?: readonly TableDef[];
  onStep?: (step: CompactStep, table: string, hour: string) => Promise<void> | void;
  onHour?: (result: HourResult) => void;
  /** Asked before each partition-hour: true ends the run there (a function about to time out), to go on next run. */
  shouldStop?: () => boolean;
}): Promise<CompactResult> {
  const staging = await mkdtemp(join(tmpdir(), `loglake-stage-${process.pid}-compact-`));
  const db = await openDuckDb({ threads: 1, memoryLimit: "1GB" });
  const result: CompactResult = { hours: [], files_before: 0, files_after: 0, max_overlap_ms: 0, stopped_early: false };
  const manifests = new Map<string, Promise<IngestManifest | undefined>>();
  const owners = (name: string) => {
    const m = manifests.get(name) ?? readManifest(args.store, name);
    manifests.set(name, m);
    return m;
  };
  try {
    await db.run(`SET temp_directory = ${quoteLiteral(join(staging, "spill"))}`);
    await db.run("SET preserve_insertion_order = true");
    for (const table of args.tables ?? COMPACTED_TABLES) {
      for (const [dir, files] of [...(await tableHours(args.store, table.name))].sort(([a], [b]) => (a < b ? -1 : 1))) {
        if (args.shouldStop?.()) {
          result.stopped_early = true;
          return result;
        }
        const partition = parsePartitionPath(dir);
        if (!isSettled(partition, args.now, args.settings.settleHours)) {
          result.files_before += files.length;
          result.files_after += files.length;
          continue;
        }
        const manifest = await readCompactionManifest(args.store, table.name, partition);
        const stale: string[] = [];
        const unowned: string[] = [];
        for (const f of files) {
          if (isCompactedFile(f.key)) continue;
          const name = outputNameOfFile(f.key);
          const m = name === undefined ? undefined : await owners(name);
          if (m === undefined) unowned.push(f.key);
          else if (!m.files.includes(f.key)) stale.push(f.key);
        }
        const plan = planHour(
          { table: table.name, partition, files, stale, unowned, ...(manifest ? { manifest } : {}) },
          args.now,
          args.settings,
        );
        const hour = await runPlan({ ...args, db, staging, table, plan, files, earlier: manifest });
        result.hours.push(hour);
        result.files_before += hour.files_before;
        result.files_after += hour.files_after;
        result.max_overlap_ms = Math.max(result.max_overlap_ms, hour.overlap_ms);
        args.onHour?.(hour);
      }
    }
  } finally {
    db.closeSync();
    await rm(staging, { recursive: true, force: true });
  }
  return result;
}

async function deleteAll(store: LakeStore, keys: readonly string[]): Promise<void> {
  let i = 0;
  const worker = async () => {
    for (let k = keys[i++]; k !== undefined; k = keys[i++]) await store.delete(k);
  };
  await Promise.all(Array.from({ length: Math.min(16, keys.length) }, worker));
}

async function runPlan(args: {
  store: LakeStore;
  db: DuckDBConnection;
  staging: string;
  now: Date;
  table: TableDef;
  plan: HourPlan;
  files: readonly HourFile[];
  earlier: CompactionManifest | undefined;
  onStep?: (step: CompactStep, table: string, hour: string) => Promise<void> | void;
}): Promise<HourResult> {
  const { plan, store, table } = args;
  const hourId = `${plan.partition.dt}T${plan.partition.hour}`;
  const base = {
    table: table.name,
    hour: hourId,
    action: plan.action,
    files_before: args.files.length,
    files_after: args.files.length,
    rows: 0,
    overlap_ms: 0,
  };
  if (plan.action === "finish") {
    await deleteAll(store, plan.leftovers);
    return { ...base, files_after: args.files.length - plan.leftovers.length };
  }
  if (plan.action !== "compact") return base;
  // Files the landed compaction already replaced go first; until the new commit that compaction stays current.
  await deleteAll(store, plan.leftovers);

  // Merge: every input is fetched (a local lake copies, S3 downloads), hashed, and each group written sorted.
  const dir = join(args.staging, table.name, hourId);
  const inputs = plan.groups.flat();
  const local = new Map<string, string>();
  const digest = createHash("sha256");
  for (const [i, f] of inputs.entries()) {
    const path = join(dir, "in", `${i}.parquet`);
    await store.getToFile(f.key, path);
    local.set(f.key, path);
    digest.update(`${f.key}\n${await sha256File(path)}\n`);
  }
  const name = compactedName(digest.digest("hex"));
  const outputs: { key: string; path: string; sha: string; rows: number }[] = [];
  await mkdir(join(dir, "out"), { recursive: true });
  for (const [i, group] of plan.groups.entries()) {
    const key = lakeFileKey({ table: table.name, partition: plan.partition, name, chunk: 0, index: i });
    const path = join(dir, "out", `${i}.parquet`);
    const rows = await mergeGroup(
      args.db,
      table,
      group.map((f) => local.get(f.key) as string),
      path,
    );
    outputs.push({ key, path, sha: await sha256File(path), rows });
  }
  await args.onStep?.("merged", table.name, hourId);

  // Commit: the manifest names the merged files (with their hashes) and every file they replace.
  const manifest: CompactionManifest = {
    kind: "compaction",
    table: table.name,
    dt: plan.partition.dt,
    hour: plan.partition.hour,
    compacted_at: args.now.toISOString(),
    files: outputs.map((o) => o.key),
    file_sha256: Object.fromEntries(outputs.map((o) => [o.key, o.sha])),
    file_rows: Object.fromEntries(outputs.map((o) => [o.key, o.rows])),
    replaces: plan.replaces.filter((k) => !outputs.some((o) => o.key === k)),
    inputs: await compactedInputs(store, inputs, args.earlier),
  };
  const key = compactionManifestKey(table.name, plan.partition);
  const text = serializeCompactionManifest(manifest);
  await store.putText(key, text);
  await appendCompactionLink(store, { key, text, manifest });
  await args.onStep?.("committed", table.name, hourId);

  // Publish, then delete: a reader of the folder sees both from the first put to the last delete.
  let firstPut: number | undefined;
  for (const o of outputs) {
    await store.putFile(o.key, o.path);
    firstPut ??= performance.now();
  }
  await args.onStep?.("published", table.name, hourId);
  const overlapStart = performance.now();
  await deleteAll(store, manifest.replaces);
  const overlapMs = performance.now() - (firstPut ?? overlapStart);
  await args.onStep?.("deleted", table.name, hourId);
  await rm(dir, { recursive: true, force: true });
  const rows = outputs.reduce((n, o) => n + o.rows, 0);
  return {
    ...base,
    files_after: args.files.length - plan.leftovers.length - manifest.replaces.length + outputs.length,
    rows,
    overlap_ms: Math.round(overlapMs * 10) / 10,
  };
}

/** The ingests whose rows the merged files hold: those the earlier compaction's files held, and each original's. */
async function compactedInputs(
  store: LakeStore,
  inputs: readonly HourFile[],
  earlier: CompactionManifest | undefined,
): Promise<CompactionManifest["inputs"]> {
  const out: CompactionManifest["inputs"] = { ...(earlier?.inputs ?? {}) };
  for (const f of inputs) {
    if (isCompactedFile(f.key)) continue;
    const name = outputNameOfFile(f.key);
    if (name === undefined || out[name] !== undefined) continue;
    const m = await readManifest(store, name);
    out[name] = { source_object: m?.source_object ?? "" };
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Writes one group's rows, sorted by event time, to one ZSTD Parquet file; returns its rows, checked against the inputs. */
async function mergeGroup(db: DuckDBConnection, table: TableDef, paths: readonly string[], out: string) {
  const list = `[${paths.map((p) => quoteLiteral(p)).join(", ")}]`;
  const read = `read_parquet(${list}, union_by_name = true, hive_partitioning = false)`;
  const order = [table.timeColumn, "source_object", "source_line"].map(quoteIdent).join(", ");
  await db.run(
    `COPY (SELECT * FROM ${read} ORDER BY ${order}) TO ${quoteLiteral(out)} (FORMAT parquet, COMPRESSION zstd)`,
  );
  const count = async (from: string) => {
    const r = await db.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM ${from}`);
    return Number(r.getRowObjects()[0]?.n ?? 0);
  };
  const [want, got] = [await count(read), await count(`read_parquet(${quoteLiteral(out)})`)];
  if (want !== got) throw new Error(`${table.name}: merged file holds ${got} rows, its inputs ${want}`);
  return got;
}
