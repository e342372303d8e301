import { readdir } from "node:fs/promises";
import { resolve } from "node:path";
import type { LakeFileObservation } from "@app/core/status/index";
import type { LakeStore } from "@app/lake/store";
import type { DuckDBConnection } from "@duckdb/node-api";
import { Option } from "commander";
import { configDefaults, configFile } from "./config-file.ts";
import { InputError } from "./errors.ts";
import { note } from "./ui.ts";

/** Options every lake-touching command takes. */
export interface LakeOptions {
  lake: string;
  endpoint?: string;
  region?: string;
}

/** `--lake`, with `LOGLAKE_LAKE` and then the config file's lake bucket as defaults. */
export function lakeOption(what = "lake root"): Option {
  return new Option(
    "--lake <dir|s3://bucket/prefix>",
    `${what} (default: LOGLAKE_LAKE, else the lake bucket of loglake.config.ts)`,
  ).env("LOGLAKE_LAKE");
}

/** `--endpoint`, with `LOGLAKE_ENDPOINT` as default. */
export function endpointOption(): Option {
  return new Option("--endpoint <url>", "S3 endpoint for s3:// locations (local emulators)").env("LOGLAKE_ENDPOINT");
}

/**
 * The lake a command works on: `--lake` (or `LOGLAKE_LAKE`), else the lake bucket the config file deploys
 * (`LOGLAKE_CONFIG`, else `./loglake.config.ts`), with the config's region. No lake at all is a usage error.
 */
export async function resolveLake(opts: { lake?: string; endpoint?: string; region?: string }): Promise<LakeOptions> {
  if (opts.endpoint !== undefined && !/^https?:\/\/[^/\s]+/.test(opts.endpoint))
    throw new InputError(`--endpoint ${opts.endpoint}: expected an http:// or https:// URL`);
  if (opts.lake) return { ...opts, lake: opts.lake };
  const file = configFile();
  if (!file)
    throw new InputError(
      "no lake given: use --lake <dir|s3://bucket/prefix>, set LOGLAKE_LAKE, or run where loglake.config.ts is",
    );
  const defaults = await configDefaults(file);
  note(`lake ${defaults.lake} (from ${file})`);
  return { ...opts, lake: defaults.lake, region: opts.region ?? defaults.region };
}

/** Parses `s3://bucket/prefix` into its parts, or undefined for a local path. */
export function parseS3Url(url: string): { bucket: string; prefix: string } | undefined {
  const m = /^s3:\/\/([^/]*)\/?(.*)$/.exec(url);
  if (!m) return undefined;
  return { bucket: m[1] as string, prefix: (m[2] ?? "").replace(/\/+$/, "") };
}

/** The store behind `--lake`: a local directory, or an S3 bucket through the AWS SDK. */
export async function lakeStore(opts: LakeOptions): Promise<LakeStore> {
  const s3 = parseS3Url(opts.lake);
  if (!s3) {
    const { LocalLakeStore } = await import("@app/lake/store");
    return new LocalLakeStore(opts.lake);
  }
  if (!s3.bucket) throw new InputError(`--lake ${opts.lake}: missing bucket name`);
  const { S3LakeStore } = await import("@app/aws/lake-store");
  return new S3LakeStore({ bucket: s3.bucket, prefix: s3.prefix, endpoint: opts.endpoint, region: opts.region });
}

/** True when a local lake directory exists and holds anything. */
export async function lakeExists(dir: string): Promise<boolean> {
  // Only the top level: listing every file here would repeat the per-table listing openLake does.
  return readdir(dir).then(
    (entries) => entries.length > 0,
    () => false,
  );
}

/** Refuses a local lake path that holds no lake, in one line; an s3:// lake is not checked here. */
export async function requireLocalLake(lake: string): Promise<void> {
  if (!parseS3Url(lake) && !(await lakeExists(lake)))
    throw new InputError(`--lake ${lake}: no lake found there (run \`loglake ingest\` or \`loglake demo\` first)`);
}

/**
 * Opens the lake for querying; an s3:// lake is first mirrored into a local cache through the SDK. A bucket with no
 * lake files yet answers every query with empty tables, and says so on stderr; a missing bucket is an input error.
 * Unless `unsafe`, SQL on the connection reads only the lake (or its cache): see `confineToDirectories`.
 */
export async function openLakeForQuery(
  opts: LakeOptions & { cache?: string; unsafe?: boolean },
): Promise<DuckDBConnection> {
  return openLakeAt(await queryableLakeRoot(opts), opts.unsafe);
}

/** The local directory queries read the lake from: the lake itself, or the cache an s3:// lake is mirrored into. */
export async function queryableLakeRoot(opts: LakeOptions & { cache?: string }): Promise<string> {
  const s3 = parseS3Url(opts.lake);
  let root: string;
  if (!s3) {
    await requireLocalLake(opts.lake);
    root = resolve(opts.lake);
  } else {
    if (!s3.bucket) throw new InputError(`--lake ${opts.lake}: missing bucket name`);
    const { syncLakeToCache } = await import("@app/aws/lake-cache");
    root = resolve(
      await syncLakeToCache({
        bucket: s3.bucket,
        prefix: s3.prefix,
        endpoint: opts.endpoint,
        region: opts.region,
        cacheDir: opts.cache,
      }).catch((e: unknown) => {
        if ((e as Error).name === "NoSuchBucket") throw new InputError(`--lake ${opts.lake}: no such bucket`);
        throw e;
      }),
    );
    // Table folders appear with their first file; the cache's own index is a dotfile.
    const tables = (await readdir(root)).filter((n) => !n.startsWith("."));
    if (tables.length === 0) note(`${opts.lake} holds no lake files yet; every table is empty`);
  }
  return root;
}

/** Opens the lake in a local directory for querying (`openLakeForQuery` once the directory is known). */
export async function openLakeAt(root: string, unsafe?: boolean): Promise<DuckDBConnection> {
  const [{ LocalLakeStore }, { openLake, confineToDirectories }] = await Promise.all([
    import("@app/lake/store"),
    import("@app/lake/query"),
  ]);
  const conn = await openLake(new LocalLakeStore(root));
  if (!unsafe) await confineToDirectories(conn, [root]);
  return conn;
}

/** Every Parquet file of `tables` under a local lake directory (or an S3 lake's cache), with its size. */
export async function lakeParquetFiles(root: string, tables: readonly string[]): Promise<LakeFileObservation[]> {
  const { readdir, stat } = await import("node:fs/promises");
  const { join, relative, sep } = await import("node:path");
  const out: LakeFileObservation[] = [];
  for (const table of tables) {
    const dir = join(root, table);
    const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (!e.isFile() || !e.name.endsWith(".parquet")) continue;
      const full = join(e.parentPath, e.name);
      out.push({ table, path: relative(dir, full).split(sep).join("/"), bytes: (await stat(full)).size });
    }
  }
  return out;
}
