import { createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { verifyLake } from "../../../packages/core/src/integrity/lake.ts";
import { LOCAL_SIGNING_PUBLIC_KEY } from "../../../packages/core/src/lake-layout.ts";
import { SOURCES } from "../../../packages/core/src/sources/index.ts";
import { openDuckDb } from "../../../packages/lake/src/duckdb.ts";
import { ingestFiles } from "../../../packages/lake/src/ingest.ts";
import { LocalLakeStore } from "../../../packages/lake/src/store.ts";
import { lakeStoreFiles } from "../../../packages/lake/src/trail-files.ts";

const LOG = readFileSync(join(import.meta.dirname, "../../fixtures/sources/cloudfront/aws-sample-33.log"), "utf8");

let dir: string;
let lake: string;
let store: LocalLakeStore;
let db: DuckDBConnection;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "lake-verify-"));
  lake = join(dir, "lake");
  store = new LocalLakeStore(lake);
  db = await openDuckDb();
  const a = join(dir, "E2EXAMPLE.2024-05-01-10.aaaa1111");
  const b = join(dir, "E2EXAMPLE.2024-05-01-11.bbbb2222");
  await writeFile(a, LOG);
  await writeFile(b, LOG);
  await ingestFiles({ db, store, sources: SOURCES, files: [a, b] });
});

afterEach(async () => {
  db.closeSync();
  await rm(dir, { recursive: true, force: true });
});

async function findings() {
  const publicKey = createPublicKey((await store.getText(LOCAL_SIGNING_PUBLIC_KEY)) as string);
  const v = await verifyLake({ files: lakeStoreFiles(store), publicKey });
  return v.results.filter((r) => r.verdict !== "valid").map((r) => [r.verdict, r.kind, r.object]);
}

async function parquetFiles(): Promise<string[]> {
  const all = await store.list("cloudfront");
  return all.filter((f) => f.endsWith(".parquet"));
}

describe("verifyLake", () => {
  it("finds a freshly ingested lake valid, and stays valid when the same files are ingested again", async () => {
    // Act
    const first = await findings();
    await ingestFiles({
      db,
      store,
      sources: SOURCES,
      files: (await readdir(dir)).filter((f) => f.startsWith("E2")).map((f) => join(dir, f)),
    });
    // Assess
    expect([first, await findings()]).toStrictEqual([[], []]);
  });

  it("names a Parquet file with one byte changed", async () => {
    // Prepare
    const [file] = await parquetFiles();
    const bytes = await readFile(join(lake, file as string));
    bytes[10] = (bytes[10] as number) ^ 0xff;
    await writeFile(join(lake, file as string), bytes);
    // Act / Assess
    expect(await findings()).toStrictEqual([["modified", "parquet_file", file]]);
  });

  it("names a deleted Parquet file and an added one", async () => {
    // Prepare
    const [first, second] = await parquetFiles();
    await rm(join(lake, first as string));
    const added = (second as string).replace(/[^/]+\.parquet$/, "extra-0-0.parquet");
    await writeFile(join(lake, added), await readFile(join(lake, second as string)));
    // Act / Assess
    expect(await findings()).toStrictEqual([
      ["added", "parquet_file", added],
      ["missing", "parquet_file", first],
    ]);
  });

  it("names a rewritten manifest", async () => {
    // Prepare
    const [manifest] = await store.list("_ingest");
    const text = (await store.getText(manifest as string)) as string;
    await store.putText(manifest as string, text.replace(/"records": \d+/, '"records": 0'));
    // Act / Assess
    expect(await findings()).toStrictEqual([["chain_break", "manifest", manifest]]);
  });

  it("breaks the chain after a link whose file hash was forged, and names the file", async () => {
    // Prepare
    const [link] = (await store.list("_chain/cloudfront")).filter((k) => !k.endsWith("head.json"));
    const text = (await store.getText(link as string)) as string;
    const [file] = Object.keys((JSON.parse(text) as { files: Record<string, string> }).files);
    await store.putText(link as string, text.replace(/"[0-9a-f]{64}"\n {2}}/, `"${"0".repeat(64)}"\n  }`));
    // Act
    const got = await findings();
    // Assess
    expect(got).toStrictEqual([
      ["chain_break", "lake_chain", (link as string).replace("0000000000", "0000000001")],
      ["chain_break", "lake_chain", (link as string).replace("0000000000.json", "head.json")],
      ["modified", "parquet_file", file],
    ]);
  });
});
