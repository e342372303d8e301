import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_DETECTION_SETTINGS } from "@app/core/detections/allowlist";
import type { SavedQuery } from "@app/core/queries/header";
import type { QueryResult } from "@app/core/queries/result";
import { paramValues } from "@app/core/reports/period";
import { SOURCES } from "@app/core/sources/index";
import { writeConfigTables } from "@app/lake/config-tables";
import { openDuckDb } from "@app/lake/duckdb";
import { ingestFiles } from "@app/lake/ingest";
import { duckDbRunner, openLake } from "@app/lake/query";
import { loadQueryDir } from "@app/lake/query-files";
import { LocalLakeStore } from "@app/lake/store";
import type { DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Labelled evidence for every detection: each fixture folder holds CloudTrail log files whose events a detection
// must flag (positive.json) and the near misses it must leave alone (negative.json).
const ROOT = join(import.meta.dirname, "..", "..");
const FIXTURES = join(ROOT, "test", "fixtures", "detections");
const DAY = "2025-07-01";
/** Baseline detections may put history on the week before the day the harness runs. */
const BASELINE_FROM = "2025-06-24";
const SETTINGS = { ...DEFAULT_DETECTION_SETTINGS, approvedAccounts: ["999988887777"] };
const LABELS = ["positive", "negative"] as const;
type Label = (typeof LABELS)[number];

/** Columns every CloudTrail detection outputs, beside its actor and target columns and its event id(s). */
const REQUIRED_COLUMNS = [
  "event_time",
  "event_name",
  "outcome",
  "source_ip_address",
  "aws_region",
  "recipient_account_id",
];

interface FixtureEvent {
  eventID: string;
  eventTime: string;
}

const queries = await loadQueryDir(join(ROOT, "queries"));
const detections = queries.filter((q) => q.id.startsWith("cloudtrail/") && q.detection !== undefined);

async function fixtureDirs(): Promise<string[]> {
  const areas = await readdir(FIXTURES, { withFileTypes: true });
  const ids: string[] = [];
  for (const area of areas.filter((e) => e.isDirectory())) {
    const names = await readdir(join(FIXTURES, area.name), { withFileTypes: true });
    for (const n of names.filter((e) => e.isDirectory())) ids.push(`${area.name}/${n.name}`);
  }
  return ids.sort();
}

async function readEvents(id: string, label: Label): Promise<FixtureEvent[] | undefined> {
  const text = await readFile(join(FIXTURES, id, `${label}.json`), "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  return (JSON.parse(text) as { Records: FixtureEvent[] }).Records;
}

/** The event ids a detection's rows name: `event_id` for event detections, `event_ids` for aggregates. */
function flagged(result: QueryResult): Set<string> {
  const ids = new Set<string>();
  for (const row of result.rows) {
    if (typeof row.event_id === "string") ids.add(row.event_id);
    if (typeof row.event_ids === "string") for (const id of JSON.parse(row.event_ids) as string[]) ids.add(id);
  }
  return ids;
}

const dirs = await fixtureDirs();
const evidence = new Map<string, Record<Label, FixtureEvent[]>>();
for (const id of dirs) {
  const [positive, negative] = await Promise.all(LABELS.map((l) => readEvents(id, l)));
  evidence.set(id, { positive: positive ?? [], negative: negative ?? [] });
}

let work: string;
let conn: DuckDBConnection;
const results = new Map<string, QueryResult>();
const failures = new Map<string, string>();
beforeAll(async () => {
  // Every fixture through the real pipeline into one lake, the allow-lists written as the CLI writes them.
  work = await mkdtemp(join(tmpdir(), "loglake-detections-"));
  const store = new LocalLakeStore(join(work, "lake"));
  await writeConfigTables(store, SETTINGS);
  const files = dirs.flatMap((id) => LABELS.map((l) => join(FIXTURES, id, `${l}.json`)));
  const db = await openDuckDb();
  try {
    const totals = await ingestFiles({ db, store, sources: SOURCES, files, forced: "cloudtrail" });
    expect(totals.quarantined).toStrictEqual({});
  } finally {
    db.closeSync();
  }
  conn = await openLake(store);
  const runner = duckDbRunner(conn);
  for (const q of detections) {
    await runner
      .run(q, paramValues(q, { from: DAY, to: DAY }))
      .then((r) => results.set(q.id, r))
      .catch((e: unknown) => failures.set(q.id, String((e as Error).message).split("\n")[0] as string));
  }
  // Ingesting every fixture and running the catalog took over 300 s on the shared 2-core machine (2026-12-01).
}, 600_000);
afterAll(async () => {
  conn?.closeSync();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("detection fixtures", () => {
  it("has a fixture folder for every detection and a detection for every fixture folder", () => {
    expect(detections.length).toBeGreaterThan(0);
    expect(dirs).toStrictEqual(detections.map((q) => q.id).sort());
  });

  it("gives every eventID once across all fixtures, every event on the harness day or its baseline week", () => {
    const all = [...evidence.values()].flatMap((e) => [...e.positive, ...e.negative]);
    const seen = new Map<string, number>();
    for (const ev of all) seen.set(ev.eventID, (seen.get(ev.eventID) ?? 0) + 1);
    expect([...seen].filter(([, n]) => n > 1)).toStrictEqual([]);
    const outside = all.filter(
      (ev) => !(ev.eventTime.slice(0, 10) >= BASELINE_FROM && ev.eventTime.slice(0, 10) <= DAY),
    );
    expect(outside.map((ev) => ev.eventID)).toStrictEqual([]);
  });

  describe.each(detections.map((q) => [q.id, q] as const))("%s", (id: string, q: SavedQuery) => {
    it("runs, and outputs the shared columns, its actor and target columns and its event ids", () => {
      expect(failures.get(id)).toBeUndefined();
      const meta = q.detection;
      const idColumn = meta?.kind === "aggregate" ? "event_ids" : "event_id";
      const wanted = [...REQUIRED_COLUMNS, ...(meta?.actor ?? []), ...(meta?.target ?? []), idColumn];
      const columns = (results.get(id)?.columns ?? []).map((c) => c.name);
      expect(wanted.filter((c) => !columns.includes(c))).toStrictEqual([]);
    });

    it("flags every positive event and none of the negative ones", () => {
      // Prepare
      const labelled = evidence.get(id) ?? { positive: [], negative: [] };
      const found = flagged(results.get(id) ?? { columns: [], rows: [] });
      const onDay = (evs: FixtureEvent[]) => evs.filter((e) => e.eventTime.startsWith(DAY)).map((e) => e.eventID);
      // Assess
      expect(failures.get(id)).toBeUndefined();
      expect(onDay(labelled.positive).length).toBeGreaterThan(0);
      expect(labelled.negative.length).toBeGreaterThan(0);
      expect(onDay(labelled.positive).filter((e) => !found.has(e))).toStrictEqual([]);
      expect(labelled.negative.map((e) => e.eventID).filter((e) => found.has(e))).toStrictEqual([]);
    });

    it("marks each row's outcome as success or attempt", () => {
      const outcomes = new Set((results.get(id)?.rows ?? []).map((r) => r.outcome));
      expect([...outcomes].filter((o) => o !== "success" && o !== "attempt")).toStrictEqual([]);
    });
  });
});
