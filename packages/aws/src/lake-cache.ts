import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { TABLES } from "@app/core/sources/index";
import type { AwsClientOptions } from "./clients.ts";
import { S3LakeStore } from "./lake-store.ts";

const INDEX_FILE = ".loglake-sync.json";

/** Default cache directory for a lake: `$XDG_CACHE_HOME/loglake/<host>/<bucket>/<prefix>`. */
export function defaultCacheDir(bucket: string, prefix: string, endpoint?: string): string {
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache");
  const host = endpoint ? new URL(endpoint).host.replace(/[^A-Za-z0-9.-]/g, "_") : "aws";
  return join(base, "loglake", host, bucket, ...prefix.split("/").filter(Boolean));
}

/**
 * Mirrors the Parquet files of an S3 lake into a local directory through the SDK (DuckDB's httpfs cannot be
 * downloaded offline), fetching only objects whose ETag changed and removing files no longer in the bucket.
 * Returns the local root, ready for `openLake(new LocalLakeStore(root))`; an empty lake gives an empty root.
 */
export async function syncLakeToCache(
  args: { bucket: string; prefix?: string; cacheDir?: string } & AwsClientOptions,
): Promise<string> {
  const store = new S3LakeStore(args);
  const root = args.cacheDir ?? defaultCacheDir(args.bucket, store.prefix, args.endpoint);
  const indexPath = join(root, INDEX_FILE);
  const previous: Record<string, string> = await readFile(indexPath, "utf8")
    .then((t) => JSON.parse(t) as Record<string, string>)
    .catch(() => ({}));
  const remote = (await Promise.all(TABLES.map((t) => store.listObjects(t.name))))
    .flat()
    .filter((o) => o.relPath.endsWith(".parquet"));
  const next: Record<string, string> = {};
  const todo = remote.filter((o) => previous[o.relPath] !== o.eTag);
  let i = 0;
  const worker = async () => {
    for (let o = todo[i++]; o; o = todo[i++]) await store.getToFile(o.relPath, join(root, ...o.relPath.split("/")));
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  for (const o of remote) next[o.relPath] = o.eTag;
  // A lake with nothing in it yet downloads nothing, so nothing else has made the folder.
  await mkdir(root, { recursive: true });
  for (const rel of Object.keys(previous)) {
    if (!(rel in next)) await rm(join(root, ...rel.split("/")), { force: true });
  }
  await writeFile(indexPath, JSON.stringify(next));
  return root;
}
