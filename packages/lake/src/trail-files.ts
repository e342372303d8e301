import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { gunzipSync } from "node:zlib";
import type { TrailObjects } from "@app/core/integrity/cloudtrail";
import type { LakeFiles } from "@app/core/integrity/lake";
import { type LakeStore, LocalLakeStore } from "./store.ts";

/**
 * Uncompressed bytes of a stored object: `.gz` objects are gunzipped, as the documented hashes cover the uncompressed
 * content. A `.gz` object that does not gunzip is returned as stored, so its hash shows it changed.
 */
export function uncompressed(key: string, bytes: Uint8Array): Uint8Array {
  if (!key.endsWith(".gz")) return bytes;
  try {
    return gunzipSync(bytes);
  } catch {
    return bytes;
  }
}

/** Looks a digest's signature up by its key, or by the part of the key from `AWSLogs/` on. */
export function signatureLookup(signatures: Readonly<Record<string, string>>): (key: string) => string | undefined {
  const byAwsLogs = new Map<string, string>();
  for (const [k, v] of Object.entries(signatures)) {
    const i = k.indexOf("AWSLogs/");
    if (i >= 0) byAwsLogs.set(k.slice(i), v);
  }
  return (key) => {
    const own = signatures[key];
    if (own !== undefined) return own;
    const i = key.indexOf("AWSLogs/");
    return i >= 0 ? byAwsLogs.get(key.slice(i)) : undefined;
  };
}

/**
 * A local copy of a trail bucket (`aws s3 sync` output, or the demo's logs). Local files carry no S3 metadata, so
 * digest signatures (`x-amz-meta-signature`) come from `signatures`: digest key (or its part from `AWSLogs/`) to hex.
 */
export function localTrailObjects(root: string, signatures: Readonly<Record<string, string>> = {}): TrailObjects {
  const lookup = signatureLookup(signatures);
  return {
    async keys() {
      const entries = await readdir(root, { recursive: true, withFileTypes: true });
      return entries
        .filter((e) => e.isFile())
        .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join("/"))
        .sort();
    },
    async read(key) {
      const bytes = await readFile(join(root, ...key.split("/"))).catch((e: NodeJS.ErrnoException) => {
        if (e.code === "ENOENT") return undefined;
        throw e;
      });
      return bytes === undefined ? undefined : uncompressed(key, bytes);
    },
    signature: async (key) => lookup(key),
    describe: (key) => join(root, ...key.split("/")),
  };
}

/** A lake's files as `verifyLake` reads them, through any `LakeStore` (a directory or an S3 bucket). */
export function lakeStoreFiles(store: LakeStore): LakeFiles {
  if (store instanceof LocalLakeStore) {
    const root = store.root;
    return {
      list: () => store.list(""),
      read: (key) =>
        readFile(join(root, ...key.split("/"))).catch((e: NodeJS.ErrnoException) => {
          if (e.code === "ENOENT") return undefined;
          throw e;
        }),
    };
  }
  return {
    list: () => store.list(""),
    async read(key) {
      const dir = await mkdtemp(join(tmpdir(), "loglake-verify-"));
      try {
        const local = join(dir, "f");
        await store.getToFile(key, local);
        return await readFile(local);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as Error).name === "NoSuchKey") return undefined;
        throw e;
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
