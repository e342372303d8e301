import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type IngestSummary, ingestObject, mergeSummary } from "@app/core/ingest/pipeline";
import {
  fileContentName,
  fileLineage,
  type IngestManifest,
  manifestKey,
  parseManifest,
  serializeManifest,
} from "@app/core/lake-layout";
import type { LogSource, SourceId, SourceOptions } from "@app/core/sources/types";
import type { DuckDBConnection } from "@duckdb/node-api";
import { siblingConnection } from "./duckdb.ts";
import type { LakeStore } from "./store.ts";
import { createLakeWriter, type LakeWriter } from "./writer.ts";

/** Arguments of `ingestToLake` and `stageObject`. */
export interface IngestArgs {
  db: DuckDBConnection;
  store: LakeStore;
  sources: readonly LogSource[];
  bytes: AsyncIterable<Uint8Array>;
  key: string;
  sourceObject: string;
  ingestTime: string;
  /** Output name; a function when it is only known after the bytes were read (a content hash). */
  name: string | (() => string);
  forced?: SourceId;
  options?: SourceOptions;
  rowsPerFile?: number;
  /**
   * What to do with files an earlier ingest of the same input wrote and this one did not: `delete` them (default),
   * or `record` them in the manifest for the compactor, where the lake bucket lets only the compactor delete.
   */
  staleFiles?: "delete" | "record";
}

/**
 * Ingests one object into the lake under a deterministic `name`. Files of an earlier ingest of the same name that
 * this run did not rewrite are deleted, so ingesting the same input again replaces its rows instead of adding more.
 */
export async function ingestToLake(args: IngestArgs): Promise<IngestManifest> {
  const staged = await stageObject(args);
  return staged.publish();
}

/**
 * Parses one object into staged files; `publish` converts what is left to Parquet, moves the files into the lake and
 * writes the manifest. Splitting the two lets the next object be parsed while this one is converted.
 */
export async function stageObject(
  args: IngestArgs,
): Promise<{ summary: IngestSummary; publish(): Promise<IngestManifest> }> {
  const writer = await createLakeWriter({
    db: args.db,
    publish: (rel, local) => args.store.putFile(rel, local),
    rowsPerFile: args.rowsPerFile,
  });
  let summary: IngestSummary;
  try {
    summary = await ingestObject({
      sources: args.sources,
      bytes: args.bytes,
      context: { key: args.key, options: args.options ?? {} },
      lineage: { sourceObject: args.sourceObject, ingestTime: args.ingestTime },
      sink: writer.sink,
      forced: args.forced,
    });
  } catch (e) {
    await writer.abort();
    throw e;
  }
  const name = typeof args.name === "function" ? args.name() : args.name;
  return { summary, publish: () => publishStaged(args, writer, name, summary) };
}

async function publishStaged(
  args: IngestArgs,
  writer: LakeWriter,
  name: string,
  summary: IngestSummary,
): Promise<IngestManifest> {
  const { files } = await writer.finish(name);
  const earlier = await readManifest(args.store, name);
  const keep = new Set(files);
  const stale = [...(earlier?.files ?? []), ...(earlier?.stale_files ?? [])].filter((f) => !keep.has(f));
  if (args.staleFiles !== "record") for (const old of stale) await args.store.delete(old);
  const manifest: IngestManifest = {
    name,
    source_object: args.sourceObject,
    ingest_time: args.ingestTime,
    summary,
    files,
    ...(args.staleFiles === "record" && stale.length > 0 ? { stale_files: [...new Set(stale)].sort() } : {}),
  };
  await writeManifest(args.store, manifest);
  return manifest;
}

/** The manifest of the ingest named `name`, or undefined when there is none. */
export async function readManifest(store: LakeStore, name: string): Promise<IngestManifest | undefined> {
  const key = manifestKey(name);
  const text = await store.getText(key);
  return text === undefined ? undefined : parseManifest(text, `${store.location}/${key}`);
}

/** Writes an ingest's manifest: the last step of an ingest, after every file it names is in place. */
export async function writeManifest(store: LakeStore, manifest: IngestManifest): Promise<void> {
  await store.putText(manifestKey(manifest.name), serializeManifest(manifest));
}

/** Every regular file under the given paths (directories walked recursively), sorted for a stable order. */
export async function expandPaths(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    const st = await stat(abs).catch(() => undefined);
    if (!st) throw new InputError(`no such file or directory: ${p}`);
    if (st.isDirectory()) {
      const entries = await readdir(abs, { recursive: true, withFileTypes: true });
      for (const e of entries) if (e.isFile() && !e.name.startsWith(".")) out.push(join(e.parentPath, e.name));
    } else out.push(abs);
  }
  return [...new Set(out)].sort();
}

/** Bad command-line input: a clear message and exit code 2. */
export class InputError extends Error {
  override name = "InputError";
}

/** Totals over many objects, in the CLI's `--json` shape. */
export interface IngestTotals {
  files: number;
  records: number;
  rows: Record<string, number>;
  quarantined: Record<string, number>;
  skipped: Record<string, number>;
}

/**
 * Ingests local files. Each file's output name is the SHA-256 of its bytes, so the same file ingested again (from
 * any path) replaces its own rows. Lineage: the absolute path and the file's mtime.
 */
export async function ingestFiles(args: {
  db: DuckDBConnection;
  store: LakeStore;
  sources: readonly LogSource[];
  files: readonly string[];
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
}): Promise<IngestTotals> {
  const totals: IngestTotals = { files: 0, records: 0, rows: {}, quarantined: {}, skipped: {} };
  const lanes = Math.max(1, Math.min(args.lanes ?? (await defaultLanes(args.files)), args.files.length));
  const connections = [args.db];
  for (let i = 1; i < lanes; i++) connections.push(await siblingConnection(args.db));
  let next = 0;
  // Each lane parses its next file while the previous one is converted to Parquet on the lane's connection.
  const lane = async (db: DuckDBConnection) => {
    let publishing: Promise<void> = Promise.resolve();
    for (let i = next++; i < args.files.length; i = next++) {
      const file = args.files[i] as string;
      const staged = await stageLocalFile({ ...args, db, file });
      await publishing;
      publishing = staged.publish().then((manifest) => {
        totals.files++;
        mergeSummary(totals, manifest.summary);
        args.onFile?.(file, manifest, totals.files);
      });
    }
    await publishing;
  };
  try {
    await Promise.all(connections.map(lane));
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
  forced?: SourceId;
  options?: SourceOptions;
  rowsPerFile?: number;
}): ReturnType<typeof stageObject> {
  const { file } = args;
  const st = await stat(file);
  const hash = createHash("sha256");
  async function* read(): AsyncIterable<Uint8Array> {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
      hash.update(chunk as Uint8Array);
      yield chunk as Uint8Array;
    }
  }
  return stageObject({
    ...args,
    bytes: read(),
    key: file,
    sourceObject: fileLineage(file),
    ingestTime: st.mtime.toISOString(),
    name: () => fileContentName(hash.digest("hex")),
  });
}

async function defaultLanes(files: readonly string[]): Promise<number> {
  if (files.length < 2) return 1;
  let bytes = 0;
  for (const f of files) bytes += (await stat(f)).size;
  return bytes / files.length < 1024 * 1024 ? 2 : 1;
}
