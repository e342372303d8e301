import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { SavedQuery } from "@app/core/queries/header";
import { paramValues } from "@app/core/reports/period";
import { TIME_COLUMNS } from "@app/core/reports/report";
import { duckDbRunner, openLake, runPrepared } from "@app/lake/query";
import { loadQueryDir } from "@app/lake/query-files";
import { buildFixtureLake } from "@app/samples/fixture-lake/build";
import { FIXTURE } from "@app/samples/fixture-lake/generate";
import type { DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const QUERIES_DIR = join(import.meta.dirname, "..", "..", "queries");
const EXPECTED_DIR = join(import.meta.dirname, "..", "fixtures", "lake", "expected");
const queries = await loadQueryDir(QUERIES_DIR);

const expectedFile = (q: SavedQuery) => join(EXPECTED_DIR, `${q.id.replace("/", ".")}.json`);
function expected(q: SavedQuery): unknown[] {
  return JSON.parse(readFileSync(expectedFile(q), "utf8")) as unknown[];
}
// Detections carry their own labelled evidence (test/integration/detections.test.ts); the fixture lake pins the rows
// of the queries that have an expected file here, and every other query must be such a detection.
const seeded = queries.filter((q) => existsSync(expectedFile(q)));

let conn: DuckDBConnection;
beforeAll(async () => {
  // Raw CloudTrail, CloudFront and app logs through the real pipeline into a fresh lake.
  const { store, totals } = await buildFixtureLake();
  expect(totals.rows).toStrictEqual({ cloudtrail: 1251, cloudtrail_digest: 24, cloudfront: 1166, app_events: 872 });
  expect(totals.quarantined).toStrictEqual({ bad_field_count: 1, bad_json: 1, truncated: 1 });
  conn = await openLake(store);
}, 120_000);
afterAll(() => conn?.closeSync());

describe("saved queries on the fixture lake", () => {
  it("has at least 25 queries covering every table the issue names", () => {
    expect(queries.length).toBeGreaterThanOrEqual(25);
    expect([...new Set(queries.flatMap((q) => q.tables))].sort()).toStrictEqual([
      "app_events",
      "cloudfront",
      "cloudfront_realtime",
      "cloudtrail",
      "cloudtrail_digest",
      "detection_allowlist",
      "integrity",
      "quarantine",
    ]);
  });

  it("pins the rows of every query that is not a detection with its own fixtures", () => {
    const unpinned = queries.filter((q) => !seeded.includes(q));
    expect(unpinned.filter((q) => q.detection === undefined).map((q) => q.id)).toStrictEqual([]);
  });

  describe.each(seeded.map((q) => [q.id, q] as const))("%s", (_id, q) => {
    it("finds exactly the seeded rows (true positives, and none of the look-alikes)", async () => {
      // Act
      const result = await duckDbRunner(conn).run(q, paramValues(q, FIXTURE));
      // Assess
      expect(result.rows.length).toBeGreaterThan(0);
      expect(result.rows).toStrictEqual(expected(q));
    });
  });

  describe.each(queries.map((q) => [q.id, q] as const))("%s", (_id, q) => {
    it("returns nothing for a period the lake holds no data for, so the dt filter bounds it", async () => {
      const result = await duckDbRunner(conn).run(q, paramValues(q, { from: "2023-01-01", to: "2023-01-02" }));
      // Completeness lists every source as missing and coverage lists every table with zero days: both are the point.
      const allowed = q.id === "compliance/completeness" ? 10 : q.id === "compliance/retention-coverage" ? 6 : 0;
      expect(result.rows.length).toBe(allowed);
    });
  });

  it("dates every finding row so the report can chart findings over time", () => {
    const undated = seeded
      .filter((q) => q.severity !== "info")
      .flatMap((q) => (expected(q) as Record<string, unknown>[]).map((row) => [q.id, row] as const))
      .filter(([, row]) => !TIME_COLUMNS.some((c) => typeof row[c] === "string"))
      .map(([id]) => id);
    expect(undated).toStrictEqual([]);
  });

  it("binds parameters as values, never as SQL", async () => {
    // A value shaped like an injection only fails to match; it cannot change the statement.
    const result = await runPrepared(conn, "SELECT count(*) AS n FROM cloudtrail WHERE dt = ?", [
      "2024-03-08' OR '1'='1",
    ]);
    expect(result.rows).toStrictEqual([{ n: 0 }]);
  });

  it("refuses a value count that does not match the placeholders", async () => {
    await expect(runPrepared(conn, "SELECT 1 WHERE ? = ?", ["a"])).rejects.toThrow(
      "the statement has 2 parameters but 1 values were given",
    );
  });
});
