import { readFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { DuckDBConnection } from "@duckdb/node-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type IngestManifest,
  localFileName,
  parseManifest,
  s3ObjectName,
  s3ObjectVersion,
} from "../../../packages/core/src/lake-layout.ts";
import { SOURCES } from "../../../packages/core/src/sources/index.ts";
import { openDuckDb } from "../../../packages/lake/src/duckdb.ts";
import { ingestFiles, ingestToLake, SupersededError } from "../../../packages/lake/src/ingest.ts";
import { openLake } from "../../../packages/lake/src/query.ts";
import { LocalLakeStore } from "../../../packages/lake/src/store.ts";

// A real CloudFront standard log: two header lines and six requests.
const LOG = readFileSync(join(import.meta.dirname, "../../fixtures/sources/cloudfront/aws-sample-33.log"), "utf8");
const REQUESTS = 6;

let dir: string;
let store: LocalLakeStore;
let db: DuckDBConnection;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "identity-"));
  store = new LocalLakeStore(join(dir, "lake"));
  db = await openDuckDb();
});

afterEach(() => {
  db.closeSync();
});

async function ingest(...files: string[]): Promise<IngestManifest[]> {
  const manifests: IngestManifest[] = [];
  await ingestFiles({ db, store, sources: SOURCES, files, onFile: (_f, m) => manifests.push(m) });
  return manifests;
}

/** Rows per source object and method, as the lake's views read them. */
async function rows(): Promise<Record<string, unknown>[]> {
  await openLake(store, db);
  const r = await db.runAndReadAll(
    "SELECT replace(source_object, $dir, '') AS object, cs_method AS method, count(*)::INTEGER AS n FROM cloudfront GROUP BY ALL ORDER BY ALL",
    { dir: `${dir}/` },
  );
  return r.getRowObjectsJson();
}

describe("a local file's identity is its path", () => {
  const name = "E2EXAMPLE.2019-12-04-21.a1b2c3d4.gz";

  it("replaces the rows of a file one field of which was edited", async () => {
    // Prepare
    const file = join(dir, name);
    await writeFile(file, gzipSync(LOG));
    const [first] = await ingest(file);
    await writeFile(file, gzipSync(LOG.replace("\tGET\t", "\tPOST\t")));
    // Act
    const [second] = await ingest(file);
    // Assess
    expect(await rows()).toStrictEqual([
      { object: name, method: "GET", n: REQUESTS - 1 },
      { object: name, method: "POST", n: 1 },
    ]);
    expect(second?.name).toBe(first?.name);
    expect(second?.content_sha256).not.toBe(first?.content_sha256);
  });

  it("replaces the rows of a file a line was appended to", async () => {
    // Prepare
    const file = join(dir, name);
    await writeFile(file, gzipSync(LOG));
    await ingest(file);
    const last = LOG.trimEnd().split("\n").at(-1) as string;
    await writeFile(file, gzipSync(`${LOG}${last}\n`));
    // Act
    await ingest(file);
    // Assess
    expect(await rows()).toStrictEqual([{ object: name, method: "GET", n: REQUESTS + 1 }]);
  });

  it("replaces the rows of the same text recompressed, and ingesting the same bytes again changes nothing", async () => {
    // Prepare
    const file = join(dir, name);
    await writeFile(file, gzipSync(LOG, { level: 1 }));
    await ingest(file);
    await writeFile(file, gzipSync(LOG, { level: 9 }));
    // Act
    const [second] = await ingest(file);
    const [third] = await ingest(file);
    // Assess
    expect(await rows()).toStrictEqual([{ object: name, method: "GET", n: REQUESTS }]);
    expect(third).toStrictEqual(second);
    expect(await store.list("cloudfront")).toStrictEqual(third?.files);
  });

  it("keeps the same bytes at two paths as two inputs, each with its own lineage", async () => {
    // Prepare
    const a = join(dir, "a", name);
    const b = join(dir, "b", name);
    await mkdir(join(dir, "a"));
    await mkdir(join(dir, "b"));
    await writeFile(a, gzipSync(LOG));
    await copyFile(a, b);
    // Act
    const [ma] = await ingest(a);
    const [mb] = await ingest(b);
    // Assess
    expect(await rows()).toStrictEqual([
      { object: `a/${name}`, method: "GET", n: REQUESTS },
      { object: `b/${name}`, method: "GET", n: REQUESTS },
    ]);
    expect([ma?.name, mb?.name]).toStrictEqual([localFileName(a), localFileName(b)]);
    expect(ma?.content_sha256).toBe(mb?.content_sha256);
  });

  it("is the real path, so a file reached through a symbolic link is the same input", async () => {
    // Prepare
    const real = join(dir, name);
    const link = join(dir, "link.gz");
    await writeFile(real, gzipSync(LOG));
    await symlink(real, link);
    await ingest(real);
    // Act
    const [viaLink] = await ingest(link);
    // Assess
    expect(await rows()).toStrictEqual([{ object: name, method: "GET", n: REQUESTS }]);
    expect(viaLink?.source_object).toBe(real);
  });
});

describe("an S3 object's identity is its bucket and key", () => {
  const key = "cf/E2EXAMPLE.2019-12-04-21.a1b2c3d4.gz";
  const object = `s3://logs/${key}`;

  function ingestVersion(text: string, version: { versionId: string; sequencer: string }, read?: () => void) {
    const ref = { bucket: "logs", key, eTag: `etag-${version.versionId}`, ...version };
    return ingestToLake({
      db,
      store,
      sources: SOURCES,
      bytes: (async function* () {
        read?.();
        yield gzipSync(text);
      })(),
      key,
      sourceObject: object,
      ingestTime: "2019-12-04T21:10:00Z",
      name: s3ObjectName(ref),
      version: s3ObjectVersion(ref),
      staleFiles: "record",
    });
  }

  it("replaces the rows of the version before and records the version read", async () => {
    // Prepare
    await ingestVersion(LOG, { versionId: "v1", sequencer: "0062E99A88DC407460" });
    // Act
    const second = await ingestVersion(LOG.replace("\tGET\t", "\tPOST\t"), {
      versionId: "v2",
      sequencer: "0062E99A88DC407461",
    });
    // Assess
    expect(await rows()).toStrictEqual([
      { object, method: "GET", n: REQUESTS - 1 },
      { object, method: "POST", n: 1 },
    ]);
    const stored = parseManifest((await store.getText(`_ingest/${s3ObjectName({ bucket: "logs", key })}.json`)) ?? "");
    const fileHashes = Object.entries(stored.file_sha256 ?? {}).map(([f, h]) => [f, /^[0-9a-f]{64}$/.test(h)]);
    expect({
      ...stored,
      summary: undefined,
      content_sha256: stored.content_sha256?.length,
      file_sha256: fileHashes,
    }).toStrictEqual({
      name: s3ObjectName({ bucket: "logs", key }),
      source_object: object,
      ingest_time: "2019-12-04T21:10:00Z",
      summary: undefined,
      files: second.files,
      file_sha256: second.files.map((f) => [f, true]),
      content_sha256: 64,
      version_id: "v2",
      etag: "etag-v2",
      sequencer: "0062E99A88DC407461",
    });
  });

  it("refuses an older event delivered after a newer one, before reading it, leaving the newer rows", async () => {
    // Prepare
    await ingestVersion(LOG.replace("\tGET\t", "\tPOST\t"), { versionId: "v2", sequencer: "0062E99A88DC407461" });
    const before = await readFile(join(store.root, "_ingest", `${s3ObjectName({ bucket: "logs", key })}.json`), "utf8");
    let read = false;
    // Act
    const late = ingestVersion(LOG, { versionId: "v1", sequencer: "62E99A88DC407460" }, () => {
      read = true;
    });
    // Assess
    await expect(late).rejects.toThrow(SupersededError);
    await expect(late).rejects.toThrow(
      `${object}: S3 event 62E99A88DC407460 is older than the ingested 0062E99A88DC407461`,
    );
    expect(read).toBe(false);
    expect(await rows()).toStrictEqual([
      { object, method: "GET", n: REQUESTS - 1 },
      { object, method: "POST", n: 1 },
    ]);
    expect(await readFile(join(store.root, "_ingest", `${s3ObjectName({ bucket: "logs", key })}.json`), "utf8")).toBe(
      before,
    );
  });

  it("ingests a redelivery of the same event again, adding nothing", async () => {
    // Prepare
    const first = await ingestVersion(LOG, { versionId: "v1", sequencer: "0062E99A88DC407460" });
    // Act
    const again = await ingestVersion(LOG, { versionId: "v1", sequencer: "0062E99A88DC407460" });
    // Assess
    expect(again).toStrictEqual(first);
    expect(await rows()).toStrictEqual([{ object, method: "GET", n: REQUESTS }]);
  });
});
