import { type NotCompiled, planReport } from "../queries/compile.ts";
import type { SavedQuery } from "../queries/header.ts";
import type { QueryResult, QueryRunner, ScanStats } from "../queries/result.ts";
import { paramValues, type ReportPeriod } from "./period.ts";
import { sqlSha256 } from "./report.ts";

/** One candidate scan as the report states it: what it read and which detections it served. */
export interface ScanSummary {
  table: string;
  /** Ids of the detections whose statements ran over its rows, in report order. */
  detections: string[];
  candidate_rows: number;
  sql: string;
  sql_sha256: string;
  parameters: string[];
  bytes_scanned: number | null;
  files_scanned: number | null;
}

/** What every statement of a report read from the lake, added up. */
export interface ScannedTotals {
  /** Sum over the statements that were measured. */
  bytes: number;
  files: number;
  /** Statements that read the lake: candidate scans and queries run on their own. */
  statements: number;
  /** Statements the engine gave no figure for (their bytes are not in `bytes`). */
  unmeasured: number;
}

/** The results of a report's queries, in report order, with how each ran and what the lake scans cost. */
export interface PlannedRun {
  results: { query: SavedQuery; result: QueryResult; scan?: string }[];
  scans: ScanSummary[];
  notCompiled: NotCompiled[];
  scanned: ScannedTotals;
}

/**
 * Runs a report's queries (already in report order) with one lake scan per table for the `kind: event` detections
 * (see `planReport`) when the runner supports candidate scans, and every other query on its own, one statement at
 * a time. A failing statement fails the report, naming it.
 */
export async function runPlanned(args: {
  runner: QueryRunner;
  queries: readonly SavedQuery[];
  period: ReportPeriod;
  onQuery?: (query: SavedQuery, result: QueryResult, index: number, total: number) => void;
}): Promise<PlannedRun> {
  const { runner, period } = args;
  const plan = args.runner.runScan
    ? planReport(args.queries)
    : { scans: [], standalone: [...args.queries], notCompiled: [] };
  const byId = new Map<string, { result: QueryResult; scan?: string }>();
  const scans: ScanSummary[] = [];
  const measured: (ScanStats | undefined)[] = [];
  let done = 0;
  const report = (query: SavedQuery, result: QueryResult) => args.onQuery?.(query, result, done++, args.queries.length);
  for (const scan of plan.scans) {
    const values = scan.params.map((p) => (p === "from" ? period.from : period.to));
    let ran: Awaited<ReturnType<NonNullable<QueryRunner["runScan"]>>>;
    try {
      ran = await (runner.runScan as NonNullable<QueryRunner["runScan"]>)(
        scan,
        values,
        scan.detections.map((d) => paramValues(d, period)),
      );
    } catch (e) {
      const ids = scan.detections.map((d) => d.id).join(", ");
      throw new Error(`the ${scan.table} candidate scan (${ids}) failed on ${runner.engine}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    measured.push(ran.scanned);
    scans.push({
      table: scan.table,
      detections: scan.detections.map((d) => d.id),
      candidate_rows: ran.candidates,
      sql: scan.sql,
      sql_sha256: sqlSha256(scan.sql),
      parameters: values,
      bytes_scanned: ran.scanned?.bytes ?? null,
      files_scanned: ran.scanned?.files ?? null,
    });
    scan.detections.forEach((d, i) => {
      const result = ran.results[i] as QueryResult;
      byId.set(d.id, { result, scan: scan.table });
      report(d, result);
    });
  }
  for (const query of plan.standalone) {
    let result: QueryResult;
    try {
      result = await runner.run(query, paramValues(query, period));
    } catch (e) {
      throw new Error(`query ${query.id} failed on ${runner.engine}: ${(e as Error).message}`, { cause: e });
    }
    measured.push(result.scanned);
    byId.set(query.id, { result });
    report(query, result);
  }
  const results = args.queries.map((query) => {
    const r = byId.get(query.id) as { result: QueryResult; scan?: string };
    return { query, result: r.result, ...(r.scan ? { scan: r.scan } : {}) };
  });
  const scanned: ScannedTotals = { bytes: 0, files: 0, statements: measured.length, unmeasured: 0 };
  for (const m of measured) {
    if (!m) scanned.unmeasured++;
    else {
      scanned.bytes += m.bytes;
      scanned.files += m.files ?? 0;
    }
  }
  return { results, scans, notCompiled: plan.notCompiled, scanned };
}
