import { type ChildProcess, spawn } from "node:child_process";
import { createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { verifyLake } from "../../../packages/core/src/integrity/lake.ts";
import { LOCAL_SIGNING_PUBLIC_KEY } from "../../../packages/core/src/lake-layout.ts";
import { SOURCES, TABLES } from "../../../packages/core/src/sources/index.ts";
import { COMPACT_STEPS, type CompactStep, compactLake } from "../../../packages/lake/src/compact.ts";
import { openDuckDb } from "../../../packages/lake/src/duckdb.ts";
import { ingestFiles } from "../../../packages/lake/src/ingest.ts";
import { openLake } from "../../../packages/lake/src/query.ts";
import { LocalLakeStore } from "../../../packages/lake/src/store.ts";
import { lakeStoreFiles } from "../../../packages/lake/src/trail-files.ts";
import { LOGLAKE_BIN } from "../../helpers/cli.ts";

const FIXTURES = join(import.meta.dirname, "../../fixtures/sources");
const CLOUDFRONT = readFileSync(join(FIXTURES, "cloudfront/aws-sample-33.log"), "utf8");
const APP = readFileSync(join(FIXTURES, "app_json/auth.jsonl"), "utf8");
const NOW = new Date("2030-01-01T00:00:00Z");
const SETTINGS = { settleHours: 2, targetFileBytes: 256 * 1024 ** 2 };

let dir: string;
let lake: string;
let store: LocalLakeStore;
let db: DuckDBConnection;
let inputs: string[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "lake-compact-"));
  lake = join(dir, "lake");
  store = new LocalLakeStore(lake);
  db = await openDuckDb();
  // Several small objects per hour: four CloudFront files over the same two hours, three app log files.
  inputs = [];
  for (const i of [1, 2, 3, 4]) {
    const p = join(dir, `E2EXAMPLE.2019-12-04-21.obj${i}`);
    await writeFile(p, CLOUDFRONT);
    inputs.push(p);
  }
  for (const i of [1, 2, 3]) {
    const p = join(dir, `app-${i}.jsonl`);
    await writeFile(p, APP);
    inputs.push(p);
  }
  await ingestFiles({
    db,
    store,
    sources: SOURCES,
    files: inputs,
    keys: Object.fromEntries(inputs.map((p) => [p, `app/${p.split("/").at(-1)}`])),
  });
});

afterEach(async () => {
  db.closeSync();
  await rm(dir, { recursive: true, force: true });
});

/** Parquet files per table and partition-hour. */
async function filesPerHour(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES)
    for (const f of await store.list(t.name)) {
      if (!f.endsWith(".parquet")) continue;
      const hour = f.split("/").slice(0, 3).join("/");
      out[hour] = (out[hour] ?? 0) + 1;
    }
  return out;
}

/** Every row of every table, sorted, as the lake's views read them. */
async function allRows(): Promise<Record<string, unknown[]>> {
  const conn = await openLake(store, await openDuckDb());
  try {
    const out: Record<string, unknown[]> = {};
    for (const t of TABLES)
      out[t.name] = (await conn.runAndReadAll(`SELECT * FROM "${t.name}" ORDER BY ALL`)).getRowsJson();
    return out;
  } finally {
    conn.closeSync();
  }
}

/** Rows in a partition folder read as a glob, as Athena reads it: every file there, whatever the manifests say. */
async function folderRows(partition: string): Promise<number> {
  const conn = await openDuckDb();
  try {
    const r = await conn.runAndReadAll(
      `SELECT count(*)::INTEGER AS n FROM read_parquet('${lake}/${partition}/*.parquet')`,
    );
    return Number(r.getRowObjects()[0]?.n);
  } finally {
    conn.closeSync();
  }
}

async function findings(): Promise<string[][]> {
  const publicKey = createPublicKey((await store.getText(LOCAL_SIGNING_PUBLIC_KEY)) as string);
  const v = await verifyLake({ files: lakeStoreFiles(store), publicKey });
  return v.results.filter((r) => r.verdict !== "valid").map((r) => [r.verdict, r.kind, r.object]);
}

const compact = (onStep?: (step: CompactStep) => void) =>
  compactLake({ store, now: NOW, settings: SETTINGS, ...(onStep ? { onStep } : {}) });

describe("compactLake", () => {
  it("merges each hour's files into one, keeps every row, verifies, and a re-run does nothing", async () => {
    // Prepare
    const before = await filesPerHour();
    const rows = await allRows();
    // Act
    const first = await compact();
    const after = await filesPerHour();
    const again = await compact();
    // Assess
    expect(before).toStrictEqual({
      "app_events/dt=2024-05-01/hour=10": 3,
      "cloudfront/dt=2019-12-04/hour=21": 4,
      "cloudfront/dt=2019-12-13/hour=22": 4,
    });
    expect(after).toStrictEqual({
      "app_events/dt=2024-05-01/hour=10": 1,
      "cloudfront/dt=2019-12-04/hour=21": 1,
      "cloudfront/dt=2019-12-13/hour=22": 1,
    });
    expect([first.files_before, first.files_after]).toStrictEqual([11, 3]);
    expect(await allRows()).toStrictEqual(rows);
    expect(await findings()).toStrictEqual([]);
    expect([again.hours.map((h) => h.action), again.files_after]).toStrictEqual([["done", "done", "done"], 3]);
  });

  it("adds no row when an original input is ingested again after compaction, and a changed one replaces its rows", async () => {
    // Prepare
    await compact();
    const rows = await allRows();
    // Act: the same bytes again, then one CloudFront input cut to its first record.
    await ingestFiles({ db, store, sources: SOURCES, files: inputs });
    const same = await allRows();
    const lines = CLOUDFRONT.split("\n");
    await writeFile(inputs[0] as string, `${lines.slice(0, 3).join("\n")}\n`);
    await ingestFiles({ db, store, sources: SOURCES, files: [inputs[0] as string] });
    const changed = await allRows();
    // Assess
    expect(same).toStrictEqual(rows);
    expect([rows.cloudfront?.length, changed.cloudfront?.length]).toStrictEqual([24, 19]);
    expect(changed.app_events).toStrictEqual(rows.app_events);
    expect(await findings()).toStrictEqual([]);
    // The next compaction folds the re-ingested file back in.
    await compact();
    expect([await allRows(), await findings()]).toStrictEqual([changed, []]);
  });

  it("still detects a changed merged file and an original put back after compaction", async () => {
    // Prepare
    const original = (await store.list("cloudfront")).find((f) => f.includes("hour=21")) as string;
    const saved = await readFile(join(lake, original));
    await compact();
    const merged = (await store.list("cloudfront")).find((f) => f.includes("hour=21")) as string;
    const bytes = await readFile(join(lake, merged));
    bytes[10] = (bytes[10] as number) ^ 0xff;
    await writeFile(join(lake, merged), bytes);
    await writeFile(join(lake, original), saved);
    // Act / Assess
    expect(await findings()).toStrictEqual([
      ["modified", "parquet_file", merged],
      ["added", "parquet_file", original],
    ]);
  });

  it.each(COMPACT_STEPS)(
    "never counts a row twice or misses one when a run stops after %s, and a re-run converges",
    async (step) => {
      // Prepare
      const rows = await allRows();
      // Act
      await expect(
        compact((s) => {
          if (s === step) throw new Error(`stopped after ${s}`);
        }),
      ).rejects.toThrow(`stopped after ${step}`);
      const stopped = await allRows();
      const folder = await folderRows("cloudfront/dt=2019-12-04/hour=21");
      const rerun = await compact();
      // Assess
      expect(stopped).toStrictEqual(rows);
      // A reader of the folder itself (Athena) sees the overlap: the merged file beside its inputs until they go.
      expect(folder).toStrictEqual(step === "published" ? 24 : 12);
      expect(await allRows()).toStrictEqual(rows);
      expect(rerun.files_after).toStrictEqual(3);
      expect(await filesPerHour()).toStrictEqual({
        "app_events/dt=2024-05-01/hour=10": 1,
        "cloudfront/dt=2019-12-04/hour=21": 1,
        "cloudfront/dt=2019-12-13/hour=22": 1,
      });
      expect(await findings()).toStrictEqual([]);
    },
  );
});

/** Runs `loglake compact` until it pauses after `step`, then kills it with SIGKILL. */
async function killAfter(root: string, step: string): Promise<string> {
  const child: ChildProcess = spawn(
    process.execPath,
    [LOGLAKE_BIN, "compact", "--lake", root, "--now", NOW.toISOString(), "--settle-hours", "2"],
    { env: { ...process.env, LOGLAKE_COMPACT_PAUSE_AT: step, LOGLAKE_CONFIG: "" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes("compact paused after")) resolve();
    });
    child.on("exit", () => reject(new Error(`loglake compact ended before pausing: ${stderr}`)));
  });
  child.kill("SIGKILL");
  return `${stderr.trim()} / ${await exited}`;
}

describe("loglake compact killed with SIGKILL", () => {
  it("leaves a lake that reads the same after every step, and a re-run converges", async () => {
    // Prepare
    const rows = await allRows();
    const seen: string[] = [];
    // Act: kill after each step in turn on the same lake, reading it between kills; then run to the end.
    for (const step of ["merged", "committed", "published"]) {
      seen.push(await killAfter(lake, step));
      expect(await allRows()).toStrictEqual(rows);
    }
    const rerun = await compact();
    const last = await compact();
    // Assess
    expect(seen).toStrictEqual([
      "loglake: compact paused after merged (cloudfront 2019-12-04T21) / SIGKILL",
      "loglake: compact paused after committed (cloudfront 2019-12-04T21) / SIGKILL",
      "loglake: compact paused after published (cloudfront 2019-12-04T21) / SIGKILL",
    ]);
    expect(rerun.files_after).toStrictEqual(3);
    expect(last.hours.map((h) => h.action)).toStrictEqual(["done", "done", "done"]);
    expect(await allRows()).toStrictEqual(rows);
    expect(await findings()).toStrictEqual([]);
  });
});
