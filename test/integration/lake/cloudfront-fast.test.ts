import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { IngestManifest } from "@app/core/lake-layout";
import { SOURCES } from "@app/core/sources/index";
import { stageCloudFrontFast } from "@app/lake/cloudfront-fast";
import { ingestToLake } from "@app/lake/ingest";
import { LocalLakeStore } from "@app/lake/store";
import { benchCloudFront } from "@app/samples/bench";
import type { DuckDBConnection } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { useDuckDb } from "../../helpers/duckdb.ts";
import { fuzzInputs, loadFuzzFixtures } from "../../helpers/fuzz-inputs.ts";

const db = useDuckDb();
const FIXTURES = join(import.meta.dirname, "../../fixtures/sources");
const INGEST_TIME = "2024-05-02T00:00:00Z";

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  // Small chunks, so header, lines and gzip members are cut at awkward places.
  for (let i = 0; i < bytes.length; i += 4096) yield bytes.subarray(i, i + 4096);
}

/**
 * What a lake holds after one ingest: the manifest without file hashes (the encoders differ), and every row of every
 * file by line. DuckDB's partitioned writer may put a file's rows in another order than the lines.
 */
async function lakeContent(conn: DuckDBConnection, store: LocalLakeStore, manifest: IngestManifest) {
  const files: Record<string, unknown[]> = {};
  for (const f of manifest.files) {
    const path = join(store.location, f).replaceAll("'", "''");
    const reader = await conn.runAndReadAll(`SELECT * FROM read_parquet('${path}') ORDER BY source_line`);
    files[f] = reader.getRowObjectsJson();
  }
  const { file_sha256: _, ...rest } = manifest;
  return { manifest: rest, files };
}

async function ingestBoth(bytes: Uint8Array, key: string, rowsPerFile?: number) {
  const out = [];
  for (const fastPath of [false, true]) {
    const store = new LocalLakeStore(await mkdtemp(join(tmpdir(), "lake-fast-")));
    const manifest = await ingestToLake({
      db: db(),
      store,
      sources: SOURCES,
      bytes: once(bytes),
      key,
      sourceObject: `s3://bucket/${key}`,
      ingestTime: INGEST_TIME,
      name: "obj",
      fastPath,
      ...(rowsPerFile ? { rowsPerFile } : {}),
    });
    out.push(await lakeContent(db(), store, manifest));
  }
  return { js: out[0], fast: out[1] };
}

async function benchBytes(lines: number, hoursPerFile: number): Promise<{ key: string; bytes: Uint8Array }> {
  const [file] = benchCloudFront({ lines, files: 1, hoursPerFile, seed: 7 });
  if (!file) throw new Error("no bench file");
  const parts: string[] = [];
  for await (const c of file.chunks()) parts.push(c);
  return { key: file.path, bytes: gzipSync(parts.join("")) };
}

describe("CloudFront through DuckDB's CSV reader", () => {
  it("stages a clean object itself, with the same files, rows, lines and summary as the JavaScript parser", async () => {
    const { key, bytes } = await benchBytes(3000, 3);
    const dir = await mkdtemp(join(tmpdir(), "fast-"));
    const outcome = await stageCloudFrontFast({
      db: db(),
      bytes: once(bytes),
      dir: join(dir, "scratch"),
      outDir: join(dir, "out"),
      key,
      sourceObject: "s3://bucket/x",
      ingestTime: INGEST_TIME,
      keyDistribution: null,
      rowsPerFile: 1000,
      options: {},
    });
    expect(outcome.kind).toBe("staged");
    const { js, fast } = await ingestBoth(bytes, key, 1000);
    expect(fast).toStrictEqual(js);
    // Three hours, three chunks of 1,000 rows: every chunk writes into each hour.
    expect(js?.manifest.files.length).toBe(9);
    expect(js?.manifest.summary).toStrictEqual({
      source: "cloudfront",
      records: 3002,
      rows: { cloudfront: 3000 },
      quarantined: {},
      skipped: { header: 2 },
    });
  });

  it("hands an object it cannot read exactly to the JavaScript parser, bytes and all", async () => {
    const text = await readFile(join(FIXTURES, "cloudfront/bad-lines.log"));
    const dir = await mkdtemp(join(tmpdir(), "fast-"));
    const outcome = await stageCloudFrontFast({
      db: db(),
      bytes: once(text),
      dir: join(dir, "scratch"),
      outDir: join(dir, "out"),
      key: "cf/E2QWRUHAPOMQZL.2019-12-04-21.6c8f2d1e",
      sourceObject: "s3://bucket/x",
      ingestTime: INGEST_TIME,
      keyDistribution: null,
      rowsPerFile: 1000,
      options: {},
    });
    expect(outcome.kind).toBe("fallback");
    if (outcome.kind !== "fallback") return;
    const replayed: Uint8Array[] = [];
    for await (const c of outcome.bytes()) replayed.push(c);
    expect(Buffer.concat(replayed)).toStrictEqual(text);
  });

  // Mutations splice in lines of other sources' fixtures, so all are loaded; only inputs named as CloudFront are run.
  const inputs = fuzzInputs(loadFuzzFixtures(FIXTURES), {
    seed: 20240501,
    perFixture: 1,
    positions: "rotate",
    bombBytes: 1024 * 1024,
  }).filter((i) => i.source === "cloudfront");

  it("equals the JavaScript parser on every CloudFront fixture and fuzz case", { timeout: 300_000 }, async () => {
    expect(inputs.length).toBeGreaterThan(40);
    const differing: string[] = [];
    for (const input of inputs) {
      const { js, fast } = await ingestBoth(input.bytes, input.key);
      try {
        expect(fast).toStrictEqual(js);
      } catch {
        differing.push(`${input.fixture} ${input.mutation}`);
      }
    }
    expect(differing).toStrictEqual([]);
  });
});
