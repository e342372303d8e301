import { reportQueries } from "@app/core/queries/catalog";
import { CONDITIONS_WITH_SUBQUERIES, planReport } from "@app/core/queries/compile";
import type { QueryRunner } from "@app/core/queries/result";
import { customPeriod } from "@app/core/reports/period";
import { runReport } from "@app/core/reports/report";
import { openDuckDb } from "@app/lake/duckdb";
import { writeReportFindings } from "@app/lake/findings";
import { duckDbRunner, openLake } from "@app/lake/query";
import { loadQueryDir } from "@app/lake/query-files";
import { localScanMeter } from "@app/lake/scan-meter";
import type { LocalLakeStore } from "@app/lake/store";
import { buildFixtureLake } from "@app/samples/fixture-lake/build";
import type { DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const period = customPeriod("2024-03-08", "2024-03-09");
const now = new Date("2024-03-10T06:00:00Z");
let root: string;
let store: LocalLakeStore;
let conn: DuckDBConnection;

beforeAll(async () => {
  ({ root, store } = await buildFixtureLake());
  conn = await openLake(store);
}, 180_000);

afterAll(() => {
  conn?.closeSync();
});

describe("security report with one scan per table", () => {
  it("finds exactly what each detection finds alone, reading the event detections' table in as few scans as the plan has", async () => {
    // Arrange
    const queries = await loadQueryDir("queries");
    const compiled = duckDbRunner(conn, { meter: localScanMeter(root) });
    const alone: QueryRunner = { engine: compiled.engine, run: compiled.run };
    const plan = planReport(reportQueries(queries, "security"));
    const events = plan.scans.flatMap((s) => s.detections.map((d) => d.id));
    // Act
    const before = await runReport({ runner: alone, queries, report: "security", period, lake: root, now });
    const after = await runReport({ runner: compiled, queries, report: "security", period, lake: root, now });
    // Assess
    expect(events.length).toBeGreaterThan(1);
    expect(after.results.map((r) => [r.query.id, r.result.rows])).toStrictEqual(
      before.results.map((r) => [r.query.id, r.result.rows]),
    );
    // Allow-list subqueries cap a scan at CONDITIONS_WITH_SUBQUERIES conditions, so the catalog needs a few scans.
    expect(plan.scans.length).toBeLessThanOrEqual(Math.ceil(events.length / CONDITIONS_WITH_SUBQUERIES) + 1);
    const byFirst = (a: [string, string[], string[]], b: [string, string[], string[]]) =>
      (a[1][0] ?? "").localeCompare(b[1][0] ?? "");
    expect(
      after.summary.scans
        .map((s): [string, string[], string[]] => [s.table, [...s.detections].sort(), s.parameters])
        .sort(byFirst),
    ).toStrictEqual(
      plan.scans
        .map((s): [string, string[], string[]] => [
          "cloudtrail",
          s.detections.map((d) => d.id).sort(),
          ["2024-03-08", "2024-03-09"],
        ])
        .sort(byFirst),
    );
    expect(after.summary.queries.filter((q) => q.ran_on === "cloudtrail").map((q) => q.id)).toStrictEqual(
      after.summary.queries.filter((q) => events.includes(q.id)).map((q) => q.id),
    );
    expect(after.summary.scanned.statements).toBe(
      before.summary.scanned.statements - events.length + plan.scans.length,
    );
    expect(after.summary.scanned.bytes).toBeLessThan(before.summary.scanned.bytes);
    expect(after.summary.scanned.unmeasured).toBe(0);
  }, 120_000);
});

describe("findings table", () => {
  it("holds a report run's findings once, also when the report runs again for the same period", async () => {
    // Arrange
    const queries = await loadQueryDir("queries");
    const runner = duckDbRunner(conn);
    const data = await runReport({ runner, queries, report: "security", period, lake: root, now });
    const db = await openDuckDb();
    // Act
    try {
      await writeReportFindings({ db, store, data });
      await writeReportFindings({ db, store, data });
    } finally {
      db.closeSync();
    }
    const view = await openLake(store);
    const counts = await view.runAndReadAll(
      "SELECT count(*)::INTEGER AS n, count(DISTINCT finding_id)::INTEGER AS ids, min(period_from) AS f, max(period_to) AS t FROM findings",
    );
    const rootUse = await view.runAndReadAll(
      "SELECT detection_id, severity, tactic_ids, event_id, actor, target, report, source_object FROM findings WHERE detection_id = 'cloudtrail/root-account-usage' ORDER BY event_time, event_id LIMIT 1",
    );
    view.closeSync();
    // Assess
    expect(counts.getRowObjectsJson()).toStrictEqual([
      { n: data.summary.totals.findings, ids: data.summary.totals.findings, f: "2024-03-08", t: "2024-03-09" },
    ]);
    const first = data.results.find((r) => r.query.id === "cloudtrail/root-account-usage")?.result.rows[0];
    expect(rootUse.getRowObjectsJson()).toStrictEqual([
      {
        detection_id: "cloudtrail/root-account-usage",
        severity: "high",
        tactic_ids: '["TA0004","TA0001","TA0003"]',
        event_id: first?.event_id ?? null,
        actor: first?.user_identity_arn ?? null,
        target: first?.recipient_account_id ?? null,
        report: "security",
        source_object: "report://security/2024-03-08_2024-03-09",
      },
    ]);
  }, 120_000);
});
