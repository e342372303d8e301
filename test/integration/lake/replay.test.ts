import { createPublicKey } from "node:crypto";
import { createReadStream, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verifyLake } from "@app/core/integrity/lake";
import { type IngestManifest, LOCAL_SIGNING_PUBLIC_KEY } from "@app/core/lake-layout";
import { SOURCES } from "@app/core/sources/index";
import type { LogSource } from "@app/core/sources/types";
import { openDuckDb } from "@app/lake/duckdb";
import { expandPaths, ingestFiles } from "@app/lake/ingest";
import { type ReplaySummary, replayQuarantine } from "@app/lake/replay";
import { LocalLakeStore } from "@app/lake/store";
import { lakeStoreFiles } from "@app/lake/trail-files";
import type { DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { byteSuffixCloudFront, plainTextAppLines, withChangedSource } from "../../helpers/changed-parsers.ts";

const FIXTURES = join(import.meta.dirname, "../../fixtures/sources");
const APP = readFileSync(join(FIXTURES, "app_json/malformed.jsonl"), "utf8");
const CLOUDFRONT = readFileSync(join(FIXTURES, "cloudfront/aws-sample-33.log"), "utf8").split("\n");
// Two header lines, two good requests, then one whose sc-bytes carries a unit the registered parser refuses.
const CF_TEXT = [
  ...CLOUDFRONT.slice(0, 4),
  (CLOUDFRONT[3] as string).replace("\tLAX1\t392\t", "\tLAX1\t392B\t"),
  "",
].join("\n");

/** The parsers after the change the test makes: plain-text app lines and `B`-suffixed CloudFront byte counts. */
const CHANGED: readonly LogSource[] = withChangedSource(
  withChangedSource(SOURCES, "app_json", plainTextAppLines),
  "cloudfront",
  byteSuffixCloudFront,
);

let dir: string;
let lake: string;
let store: LocalLakeStore;
let db: DuckDBConnection;
let appPath: string;
let cfPath: string;

const readSource = (object: string) => (object.startsWith("/") ? createReadStream(object) : undefined);

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const r = await db.runAndReadAll(sql);
  return r
    .getRowObjectsJS()
    .map((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v])));
}

const quarantine = () =>
  rows(
    `SELECT source_object, source_line, reason FROM read_parquet('${lake}/quarantine/**/*.parquet') ORDER BY source_object, source_line`,
  );

async function findings() {
  const publicKey = createPublicKey((await store.getText(LOCAL_SIGNING_PUBLIC_KEY)) as string);
  const v = await verifyLake({ files: lakeStoreFiles(store), publicKey });
  return v.results.filter((r) => r.verdict !== "valid").map((r) => [r.verdict, r.kind, r.object]);
}

async function replay(sources: readonly LogSource[]): Promise<ReplaySummary> {
  return replayQuarantine({ db, store, sources, replayTime: "2024-06-01T00:00:00.000Z", readSource });
}

async function ingest(sources: readonly LogSource[]) {
  const walk = await expandPaths([join(dir, "in")]);
  return ingestFiles({ db, store, sources, files: walk.files, keys: walk.keys });
}

beforeAll(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), "lake-replay-")));
  lake = join(dir, "lake");
  store = new LocalLakeStore(lake);
  db = await openDuckDb();
  appPath = join(dir, "in/app/auth-service/2024/05/01/malformed.jsonl");
  cfPath = join(dir, "in/cloudfront/E2EXAMPLE.2019-12-04-21.aaaa1111");
  await mkdir(join(dir, "in/app/auth-service/2024/05/01"), { recursive: true });
  await mkdir(join(dir, "in/cloudfront"), { recursive: true });
  await writeFile(appPath, APP);
  await writeFile(cfPath, CF_TEXT);
});

afterAll(async () => {
  db.closeSync();
  await rm(dir, { recursive: true, force: true });
});

describe("replayQuarantine", () => {
  it("moves records a changed parser now reads to their tables, with their lineage, exactly once", async () => {
    // Prepare
    const ingested = await ingest(SOURCES);
    const before = await quarantine();
    // Act
    const first = await replay(CHANGED);
    const after = await quarantine();
    const moved = await rows(
      `SELECT source_object, source_line, strftime(ingest_time, '%Y-%m-%dT%H:%M:%SZ') ingest_time, cwl_event_id, level, message, strftime(event_time, '%Y-%m-%dT%H:%M:%SZ') event_time FROM read_parquet('${lake}/app_events/**/*.parquet', filename = true) WHERE filename LIKE '%.replay1-%'`,
    );
    const cf = await rows(
      `SELECT source_object, source_line, sc_bytes, x_edge_location, count(*) OVER () n FROM read_parquet('${lake}/cloudfront/**/*.parquet') WHERE source_line = 5`,
    );
    const second = await replay(CHANGED);
    const verified = await findings();
    // Assess
    expect(ingested.quarantined).toStrictEqual({
      bad_json: 1,
      bad_record: 2,
      bad_timestamp: 2,
      truncated: 1,
      bad_value: 1,
    });
    expect(before.length).toBe(7);
    expect(first).toStrictEqual({
      inputs: 2,
      selected: 7,
      moved: { app_events: 1, cloudfront: 1 },
      still_quarantined: { bad_record: 2, bad_timestamp: 2, truncated: 1 },
      not_replayable: {},
    });
    const mtime = (await import("node:fs"))
      .statSync(appPath)
      .mtime.toISOString()
      .replace(/\.\d{3}Z$/, "Z");
    expect(moved).toStrictEqual([
      {
        source_object: appPath,
        source_line: 4,
        ingest_time: mtime,
        cwl_event_id: null,
        level: "error",
        message: "this is not json",
        event_time: "2024-05-01T00:00:00Z",
      },
    ]);
    expect(cf).toStrictEqual([{ source_object: cfPath, source_line: 5, sc_bytes: 392, x_edge_location: "LAX1", n: 1 }]);
    expect(after).toStrictEqual(
      before.filter(
        (q) =>
          !(q.source_object === appPath && q.source_line === 4) && !(q.source_object === cfPath && q.source_line === 5),
      ),
    );
    expect(second).toStrictEqual({
      inputs: 0,
      selected: 5,
      moved: {},
      still_quarantined: { bad_record: 2, bad_timestamp: 2, truncated: 1 },
      not_replayable: {},
    });
    expect(verified).toStrictEqual([]);
  });

  it("keeps each input's manifest adding up, and a re-ingest with the registered parsers restores the quarantine", async () => {
    // Prepare
    const manifests = await Promise.all(
      (await store.list("_ingest"))
        .filter((k) => k.endsWith(".json"))
        .map(async (k) => JSON.parse((await store.getText(k)) as string) as IngestManifest),
    );
    const sums = manifests.map((m) => {
      const total = (r: Record<string, number | undefined>) =>
        Object.values(r).reduce<number>((a, b) => a + (b ?? 0), 0);
      return [m.summary.records, total(m.summary.rows) + total(m.summary.quarantined) + total(m.summary.skipped)];
    });
    // Act
    await ingest(SOURCES);
    const restored = await quarantine();
    const cfRows = await rows(`SELECT count(*) n FROM read_parquet('${lake}/cloudfront/**/*.parquet')`);
    // Assess
    expect(sums.every(([a, b]) => a === b)).toBe(true);
    const replays = manifests
      .map((m) => [m.source_object, m.replays?.map((r) => [r.moved, r.moved_lines, r.requarantined])])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(replays).toStrictEqual([
      [appPath, [[{ app_events: 1 }, [4], 0]]],
      [cfPath, [[{ cloudfront: 1 }, [5], 0]]],
    ]);
    expect(restored.length).toBe(7);
    expect(cfRows).toStrictEqual([{ n: 2 }]);
    expect(await findings()).toStrictEqual([]);
  });

  it("leaves the lake with the rows an ingest with the changed parsers writes, column for column", async () => {
    // Prepare
    const replayed = join(dir, "replayed");
    const direct = join(dir, "direct");
    const walk = await expandPaths([join(dir, "in")]);
    const replayedStore = new LocalLakeStore(replayed);
    await ingestFiles({ db, store: replayedStore, sources: SOURCES, files: walk.files, keys: walk.keys });
    await ingestFiles({ db, store: new LocalLakeStore(direct), sources: CHANGED, files: walk.files, keys: walk.keys });
    // Act
    await replayQuarantine({
      db,
      store: replayedStore,
      sources: CHANGED,
      replayTime: "2024-06-01T00:00:00.000Z",
      readSource,
    });
    const tables = async (root: string) => {
      const out: Record<string, unknown[]> = {};
      for (const t of ["app_events", "cloudfront", "quarantine"]) {
        out[t] = await rows(
          `SELECT * FROM read_parquet('${root}/${t}/**/*.parquet', hive_partitioning = true) ORDER BY source_object, source_line`,
        );
      }
      return out;
    };
    // Assess
    expect(await tables(replayed)).toStrictEqual(await tables(direct));
  });

  it("deletes on the next run a replaced quarantine file a replay was stopped before deleting", async () => {
    // Prepare: a replay that stopped after its manifest is one whose replaced files are back in place.
    const root = join(dir, "stopped");
    const stopped = new LocalLakeStore(root);
    const walk = await expandPaths([join(dir, "in")]);
    await ingestFiles({ db, store: stopped, sources: SOURCES, files: walk.files, keys: walk.keys });
    const old = (await stopped.list("quarantine")).filter((f) => f.endsWith(".parquet"));
    const saved = await Promise.all(old.map((f) => readFile(join(root, f))));
    await replayQuarantine({
      db,
      store: stopped,
      sources: CHANGED,
      replayTime: "2024-06-01T00:00:00.000Z",
      readSource,
    });
    await Promise.all(old.map((f, i) => writeFile(join(root, f), saved[i] as Buffer)));
    // Act
    const again = await replayQuarantine({
      db,
      store: stopped,
      sources: CHANGED,
      replayTime: "2024-06-02T00:00:00.000Z",
      readSource,
    });
    const left = (await stopped.list("quarantine")).filter((f) => f.endsWith(".parquet"));
    const publicKey = createPublicKey((await stopped.getText(LOCAL_SIGNING_PUBLIC_KEY)) as string);
    const verified = await verifyLake({ files: lakeStoreFiles(stopped), publicKey });
    // Assess
    expect(again.moved).toStrictEqual({});
    // The CloudFront input has no quarantine left; the app input's is the file its replay wrote.
    expect([left.filter((f) => old.includes(f)), left.map((f) => /\.replay\d+-/.exec(f)?.[0])]).toStrictEqual([
      [],
      [".replay1-"],
    ]);
    expect(verified.results.filter((r) => r.verdict !== "valid")).toStrictEqual([]);
  });
});
