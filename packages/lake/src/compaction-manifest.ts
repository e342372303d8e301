import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type CompactionManifest,
  compactionManifestKey,
  compactionTableDir,
  type IngestManifest,
  lakeFileTableDay,
  type Partition,
  parseCompactionManifest,
  parsePartitionPath,
  serializeCompactionManifest,
} from "@app/core/lake-layout";
import { quoteLiteral } from "@app/core/schema/sql";
import { appendCompactionLink } from "./chain.ts";
import { openDuckDb } from "./duckdb.ts";
import type { LakeStore } from "./store.ts";

/** The compaction manifest of one table and partition-hour, or undefined. */
export async function readCompactionManifest(
  store: LakeStore,
  table: string,
  partition: Partition,
): Promise<CompactionManifest | undefined> {
  const key = compactionManifestKey(table, partition);
  const text = await store.getText(key);
  return text === undefined ? undefined : parseCompactionManifest(text, `${store.location}/${key}`);
}

/**
 * The Parquet files of a table a reader should read: the files present, less those a landed compaction replaced
 * (still there when a run stopped before deleting them) and the merged files of a compaction that has not landed.
 * Through it, a reader never counts a row twice, whatever point a compaction stopped at.
 */
export async function lakeReadFiles(store: LakeStore, table: string, present: readonly string[]): Promise<string[]> {
  const manifests = (await store.list(compactionTableDir(table))).filter((k) => k.endsWith(".json"));
  if (manifests.length === 0) return [...present];
  const have = new Set(present);
  const hidden = new Set<string>();
  for (const k of manifests) {
    const text = await store.getText(k);
    if (text === undefined) continue;
    const m = parseCompactionManifest(text, `${store.location}/${k}`);
    if (m.files.every((f) => have.has(f))) for (const f of m.replaces) hidden.add(f);
    else for (const f of m.files) hidden.add(f);
  }
  return present.filter((f) => !hidden.has(f));
}

/** The compaction manifests holding rows of the ingest `earlier` records, one per table and partition-hour. */
export async function compactionsHolding(store: LakeStore, earlier: IngestManifest): Promise<CompactionManifest[]> {
  const hours = new Map<string, { table: string; partition: Partition }>();
  for (const f of [...earlier.files, ...(earlier.stale_files ?? [])]) {
    const td = lakeFileTableDay(f);
    if (!td) continue;
    const partition = parsePartitionPath(f.split("/").slice(1, 3).join("/"));
    hours.set(`${td.table}/${partition.dt}/${partition.hour}`, { table: td.table, partition });
  }
  const out: CompactionManifest[] = [];
  for (const h of hours.values()) {
    const m = await readCompactionManifest(store, h.table, h.partition);
    if (m?.inputs[earlier.name] !== undefined) out.push(m);
  }
  return out;
}

const sha256File = async (path: string) => {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
};

/**
 * Takes an ingest's rows out of the merged files that hold them, before a re-ingest of a changed input writes its
 * new rows: each merged file is rewritten without the rows of `sourceObject` (under its own key), and its compaction
 * manifest no longer names the ingest or the files the re-ingest writes. Staged first, so the lake changes only in
 * `publish`: the rewritten files are put, then the manifests are committed with their chain links.
 */
export async function stageRowRemoval(args: {
  store: LakeStore;
  name: string;
  sourceObject: string;
  compactions: readonly CompactionManifest[];
}): Promise<{ publish(keep: readonly string[], at: string): Promise<void>; discard(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `loglake-stage-${process.pid}-uncompact-`));
  const db = await openDuckDb();
  const rewritten: {
    manifest: CompactionManifest;
    files: { key: string; path: string; sha: string; rows: number }[];
  }[] = [];
  try {
    let n = 0;
    for (const m of args.compactions) {
      const files = [];
      for (const key of m.files) {
        const src = join(dir, `${n}-in.parquet`);
        const out = join(dir, `${n++}.parquet`);
        await args.store.getToFile(key, src);
        await db.run(
          `COPY (SELECT * FROM read_parquet(${quoteLiteral(src)}) WHERE source_object IS DISTINCT FROM ${quoteLiteral(args.sourceObject)}) TO ${quoteLiteral(out)} (FORMAT parquet, COMPRESSION zstd)`,
        );
        const r = await db.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM read_parquet(${quoteLiteral(out)})`);
        files.push({ key, path: out, sha: await sha256File(out), rows: Number(r.getRowObjects()[0]?.n ?? 0) });
        await rm(src, { force: true });
      }
      rewritten.push({ manifest: m, files });
    }
  } catch (e) {
    db.closeSync();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  db.closeSync();
  return {
    async publish(keep, at) {
      try {
        for (const { manifest, files } of rewritten) {
          for (const f of files) await args.store.putFile(f.key, f.path);
          const { [args.name]: _gone, ...inputs } = manifest.inputs;
          const next: CompactionManifest = {
            ...manifest,
            compacted_at: at,
            file_sha256: Object.fromEntries(files.map((f) => [f.key, f.sha])),
            file_rows: Object.fromEntries(files.map((f) => [f.key, f.rows])),
            replaces: manifest.replaces.filter((f) => !keep.includes(f)),
            inputs,
          };
          const key = compactionManifestKey(manifest.table, { dt: manifest.dt, hour: manifest.hour });
          const text = serializeCompactionManifest(next);
          await args.store.putText(key, text);
          await appendCompactionLink(args.store, { key, text, manifest: next });
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    discard: () => rm(dir, { recursive: true, force: true }),
  };
}
