import { createHash } from "node:crypto";
import { CONFIG_TABLE_NAMES } from "../detections/allowlist.ts";
import { ATTACK_TACTICS, CIS_CONTROLS, type CisControl } from "../detections/frameworks.ts";
import { reportQueries } from "../queries/catalog.ts";
import { FINDING_SEVERITIES, type FindingSeverity, type SavedQuery, type Severity } from "../queries/header.ts";
import type { Cell, QueryResult, QueryRunner, ResultColumn } from "../queries/result.ts";
import { quoteIdent } from "../schema/sql.ts";
import { computeTableFiles, type LakeFileObservation, type TableFiles } from "../status/index.ts";
import { LOGLAKE_VERSION } from "../version.ts";
import { csvName, toCsv } from "./csv.ts";
import { renderReportHtml } from "./html.ts";
import { type ReportInfo, reportInfo } from "./info.ts";
import { paramValues, parseDay, type ReportPeriod } from "./period.ts";
import { runPlanned, type ScannedTotals, type ScanSummary } from "./run.ts";

/** Columns that date a finding, in the order they are looked for. */
export const TIME_COLUMNS = ["event_time", "hour_start", "first_seen", "day"] as const;

/** One query's part of a report. */
export interface QuerySummary {
  id: string;
  name: string;
  description: string;
  severity: Severity;
  section: string;
  rows: number;
  columns: ResultColumn[];
  /** File name of the query's CSV, next to `summary.json`. */
  csv: string;
  /** The statement exactly as it ran, its SHA-256 (hex, over the UTF-8 text) and the `?` values in order. */
  sql: string;
  sql_sha256: string;
  parameters: string[];
  /** `own`: the statement scanned the lake itself; else the table whose candidate scan its statement ran over. */
  ran_on: string;
  /** What its own scan read (null when it ran over a candidate scan's rows, or the engine gave no figure). */
  bytes_scanned: number | null;
  /** Detection metadata from the header, when the query is a detection. */
  kind?: "event" | "aggregate";
  tactics?: string[];
  techniques?: string[];
  cis?: string[];
  /** Rows whose `outcome` is `attempt`: counted one severity lower (`attempt_severity`). */
  attempts: number;
  attempt_severity?: FindingSeverity;
  /** Tables the query reads that had no rows in the period: it could not see anything there. */
  no_data: string[];
}

/** Rows a lake table holds in the report period; `no_data` when there are none. */
export interface TableCoverage {
  table: string;
  rows: number;
  no_data: boolean;
  /** Days of the period (UTC) on which the table has no rows: every day when `no_data`. */
  days_without_rows: string[];
}

/** Verdicts of a CIS control: `not covered` when no detection of the report implements it. */
export const CIS_VERDICTS = ["pass", "findings", "no data", "not covered"] as const;
export type CisVerdict = (typeof CIS_VERDICTS)[number];

/** One row of the CIS control table. */
export interface CisRow {
  control: CisControl;
  title: string;
  detections: string[];
  findings: number;
  verdict: CisVerdict;
}

/** The period as the report states it: its days, the time zone they are in, and the instants they span. */
export type StatedPeriod = ReportPeriod & {
  time_zone: "UTC";
  /** First instant covered, `YYYY-MM-DDT00:00:00.000Z`. */
  start: string;
  /** First instant after the period (exclusive). */
  end: string;
};

/**
 * `summary.json`: what ran, where and on which days, and how many findings of each severity it found. Each query
 * carries its SQL, the SQL's SHA-256 and the values it ran with, so an auditor can re-run exactly what was run.
 */
export interface ReportSummary {
  report: string;
  title: string;
  description: string;
  loglake_version: string;
  /** Where the data came from: the lake directory or bucket, or the Glue database and Athena workgroup. */
  lake: string;
  period: StatedPeriod;
  generated_at: string;
  engine: string;
  totals: {
    queries: number;
    queries_with_findings: number;
    findings: number;
    /** Findings that were attempts (a denied or failed call), included in `by_severity` one severity lower. */
    attempts: number;
    by_severity: Record<FindingSeverity, number>;
  };
  /** Every lake table the report's queries read, with its rows in the period. */
  tables: TableCoverage[];
  /** The tables among them with no rows in the period: an empty table is not an all-clear. */
  no_data: string[];
  /** CIS AWS Foundations Benchmark v1.5 monitoring controls, when the report holds detections implementing any. */
  cis: CisRow[];
  /** One entry per day of the period (zero-filled), findings per severity dated by their first time column. */
  findings_by_day: ({ day: string } & Record<FindingSeverity, number>)[];
  limits: string[];
  /** What the report's statements read from the lake, and how the figure was measured. */
  scanned: ScannedTotals & { measured_by: string };
  /**
   * What the lake's files cost, table by table, as listed when the report ran (the whole lake, not the period):
   * files, bytes, average file size and the partition-hours over the files-per-hour threshold, where compaction is
   * behind. Null when the report was not given a listing.
   */
  storage: { max_files_per_hour: number; tables: TableFiles[] } | null;
  /** The candidate scans, each reading the lake once for many `kind: event` detections. */
  scans: ScanSummary[];
  /** Event detections that ran on their own, and why they could not share a scan. */
  not_compiled: { id: string; why: string }[];
  queries: QuerySummary[];
}

/** The lake's files as a report is given them: every Parquet file with its size, and the threshold to judge by. */
export interface ReportStorage {
  files: readonly LakeFileObservation[];
  /** Tables listed even without files. */
  tables?: readonly string[];
  maxFilesPerHour: number;
}

/** A finished report: its summary and every query's rows. */
export interface ReportData {
  summary: ReportSummary;
  results: { query: SavedQuery; result: QueryResult }[];
  info: ReportInfo;
}

/** A file of the report, relative to `reports/<report>/<period label>/`. */
export interface ReportFile {
  name: string;
  contentType: string;
  body: string;
}

/** Where a report's files go below the output root: `reports/<report>/<period label>`. */
export function reportPrefix(report: string, period: Pick<ReportPeriod, "label">): string {
  return `reports/${report}/${period.label}`;
}

/** The day a finding row belongs to: the date part of its first time column, if any. */
export function findingDay(row: Record<string, Cell>): string | undefined {
  for (const c of TIME_COLUMNS) {
    const v = row[c];
    if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}/.test(v)) return v.slice(0, 10);
  }
  return undefined;
}

/** Tables with rows on some days of the period but none on others: what the report saw only in part. */
export function partialTables(summary: Pick<ReportSummary, "tables">): TableCoverage[] {
  return summary.tables.filter((t) => !t.no_data && t.days_without_rows.length > 0);
}

/** Days as a short list: the first few, then how many more. */
export function dayList(days: readonly string[], shown = 5): string {
  return days.length <= shown ? days.join(", ") : `${days.slice(0, shown).join(", ")} and ${days.length - shown} more`;
}

function daysOf(period: ReportPeriod): string[] {
  const days: string[] = [];
  const end = parseDay(period.to, "period end");
  for (let t = parseDay(period.from, "period start"); t <= end; t += 86_400_000)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** SHA-256 of a statement's UTF-8 text, hex. */
export function sqlSha256(sql: string): string {
  return createHash("sha256").update(sql, "utf8").digest("hex");
}

/** The period with its time zone and the instants it spans (`end` exclusive). */
export function statePeriod(period: ReportPeriod): StatedPeriod {
  const start = parseDay(period.from, "period start");
  const end = parseDay(period.to, "period end") + 86_400_000;
  return {
    ...period,
    time_zone: "UTC",
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
  };
}

/** The severity an attempt is counted at: one lower than the detection's, never below `low`. */
export function attemptSeverity(severity: FindingSeverity): FindingSeverity {
  return FINDING_SEVERITIES[
    Math.min(FINDING_SEVERITIES.indexOf(severity) + 1, FINDING_SEVERITIES.length - 1)
  ] as FindingSeverity;
}

/** The severity one finding row counts at: the query's, or one lower when the row's `outcome` is `attempt`. */
export function rowSeverity(severity: FindingSeverity, row: Record<string, Cell>): FindingSeverity {
  return row.outcome === "attempt" ? attemptSeverity(severity) : severity;
}

/** The lake tables a set of queries reads (config tables excluded), sorted. */
export function lakeTablesRead(queries: readonly SavedQuery[]): string[] {
  return [...new Set(queries.flatMap((q) => q.tables))].filter((t) => !CONFIG_TABLE_NAMES.includes(t)).sort();
}

/** The statement that counts a table's rows in the period, as a query the runners take. */
export function rowCountQuery(table: string): SavedQuery {
  return {
    id: `coverage/${table.replaceAll("_", "-")}`,
    name: `Rows of ${table}`,
    description: `Rows ${table} holds in the report period`,
    tables: [table],
    params: ["from", "to"],
    severity: "info",
    output: "csv",
    sql: `SELECT CAST(dt AS VARCHAR) AS dt, count(*) AS n FROM ${quoteIdent(table)} WHERE dt BETWEEN ? AND ? GROUP BY dt`,
  };
}

/** Findings at or above `severity` (attempts counted one lower), for `--fail-on`. */
export function findingsAtOrAbove(summary: Pick<ReportSummary, "totals">, severity: FindingSeverity): number {
  const rank = FINDING_SEVERITIES.indexOf(severity);
  return FINDING_SEVERITIES.filter((_, i) => i <= rank).reduce((n, s) => n + summary.totals.by_severity[s], 0);
}

function cisTable(
  results: readonly { query: SavedQuery; result: QueryResult }[],
  noData: ReadonlySet<string>,
): CisRow[] {
  if (!results.some(({ query }) => (query.detection?.cis.length ?? 0) > 0)) return [];
  return (Object.keys(CIS_CONTROLS) as CisControl[]).map((control) => {
    const mapped = results.filter(({ query }) => query.detection?.cis.includes(control));
    const findings = mapped.reduce((n, { result }) => n + result.rows.length, 0);
    const blind = mapped.some(({ query }) => query.tables.some((t) => noData.has(t)));
    const verdict: CisVerdict =
      mapped.length === 0 ? "not covered" : findings > 0 ? "findings" : blind ? "no data" : "pass";
    return {
      control,
      title: CIS_CONTROLS[control],
      detections: mapped.map(({ query }) => query.id),
      findings,
      verdict,
    };
  });
}

/** Builds the summary from query results (pure: no engine, no clock). */
export function summarize(args: {
  report: string;
  period: ReportPeriod;
  lake: string;
  generatedAt: string;
  engine: string;
  results: readonly { query: SavedQuery; result: QueryResult; scan?: string }[];
  /** Rows per lake table in the period; tables missing here are not judged. */
  tables?: readonly TableCoverage[];
  scans?: ScanSummary[];
  notCompiled?: { id: string; why: string }[];
  scanned?: ScannedTotals;
  measuredBy?: string;
  storage?: ReportStorage;
}): ReportSummary {
  const tables = [...(args.tables ?? [])];
  const noData = new Set(tables.filter((t) => t.no_data).map((t) => t.table));
  const info = reportInfo(args.report);
  const bySeverity = Object.fromEntries(FINDING_SEVERITIES.map((s) => [s, 0])) as Record<FindingSeverity, number>;
  const byDay = new Map(
    daysOf(args.period).map((d) => [d, Object.fromEntries(FINDING_SEVERITIES.map((s) => [s, 0]))] as const),
  );
  let findings = 0;
  let attempts = 0;
  let withFindings = 0;
  for (const { query, result } of args.results) {
    if (query.severity === "info") continue;
    findings += result.rows.length;
    if (result.rows.length > 0) withFindings++;
    for (const row of result.rows) {
      const severity = rowSeverity(query.severity as FindingSeverity, row);
      if (row.outcome === "attempt") attempts++;
      bySeverity[severity] += 1;
      const day = findingDay(row);
      const counts = day ? byDay.get(day) : undefined;
      if (counts) counts[severity] = (counts[severity] ?? 0) + 1;
    }
  }
  return {
    report: args.report,
    title: info.title,
    description: info.description,
    loglake_version: LOGLAKE_VERSION,
    lake: args.lake,
    period: statePeriod(args.period),
    generated_at: args.generatedAt,
    engine: args.engine,
    totals: {
      queries: args.results.length,
      queries_with_findings: withFindings,
      findings,
      attempts,
      by_severity: bySeverity,
    },
    tables,
    no_data: [...noData].sort(),
    cis: cisTable(args.results, noData),
    findings_by_day: [...byDay.entries()].map(([day, counts]) => ({
      day,
      ...(counts as Record<FindingSeverity, number>),
    })),
    limits: info.limits,
    scanned: {
      ...(args.scanned ?? { bytes: 0, files: 0, statements: args.results.length, unmeasured: args.results.length }),
      measured_by: args.measuredBy ?? "not measured",
    },
    storage: args.storage
      ? {
          max_files_per_hour: args.storage.maxFilesPerHour,
          tables: computeTableFiles(args.storage.files, args.storage.tables ?? [], args.storage.maxFilesPerHour),
        }
      : null,
    scans: args.scans ?? [],
    not_compiled: args.notCompiled ?? [],
    queries: args.results.map(({ query, result, scan }) => ({
      id: query.id,
      name: query.name,
      description: query.description,
      severity: query.severity,
      section: query.section ?? "Other",
      rows: result.rows.length,
      columns: result.columns,
      csv: csvName(query),
      sql: query.sql,
      sql_sha256: sqlSha256(query.sql),
      parameters: paramValues(query, args.period),
      ran_on: scan ?? "own",
      bytes_scanned: scan ? null : (result.scanned?.bytes ?? null),
      ...(query.detection
        ? {
            kind: query.detection.kind,
            tactics: query.detection.tactics,
            techniques: query.detection.techniques,
            cis: query.detection.cis,
          }
        : {}),
      attempts: result.rows.filter((r) => r.outcome === "attempt").length,
      ...(query.severity !== "info" ? { attempt_severity: attemptSeverity(query.severity as FindingSeverity) } : {}),
      no_data: query.tables.filter((t) => noData.has(t)),
    })),
  };
}

const TACTIC_ORDER: readonly string[] = Object.values(ATTACK_TACTICS);

/** Sections named after an ATT&CK tactic come first, in the matrix's order; the others keep their order after. */
function byTactic(queries: readonly SavedQuery[]): SavedQuery[] {
  const rank = (q: SavedQuery) => {
    const i = TACTIC_ORDER.indexOf(q.section ?? "");
    return i < 0 ? TACTIC_ORDER.length : i;
  };
  return queries
    .map((q, i) => [q, i] as const)
    .sort(([a, i], [b, j]) => rank(a) - rank(b) || i - j)
    .map(([q]) => q);
}

/**
 * Runs every query of a report for the period, one statement after another (Athena workgroups limit concurrency,
 * and DuckDB uses its threads per query): the `kind: event` detections through one candidate scan per table, the
 * rest on their own (see `runPlanned`), and assembles the summary. A failing statement fails the report: a
 * scheduled export must not look complete when part of it is missing.
 */
export async function runReport(args: {
  runner: QueryRunner;
  queries: readonly SavedQuery[];
  report: string;
  period: ReportPeriod;
  /** Where the data comes from, named in the report (see `ReportSummary.lake`). */
  lake: string;
  now: Date;
  onQuery?: (query: SavedQuery, result: QueryResult, index: number, total: number) => void;
  /** The lake's Parquet files, for the storage figures (see `ReportSummary.storage`). */
  storage?: ReportStorage;
}): Promise<ReportData> {
  const selected = byTactic(reportQueries(args.queries, args.report));
  const tables: TableCoverage[] = [];
  const counted: QueryResult[] = [];
  const days = daysOf(args.period);
  for (const table of lakeTablesRead(selected)) {
    const q = rowCountQuery(table);
    const r = await args.runner.run(q, paramValues(q, args.period)).catch((e: unknown) => {
      throw new Error(`counting ${table} rows failed on ${args.runner.engine}: ${(e as Error).message}`, { cause: e });
    });
    counted.push(r);
    const seen = new Set<string>();
    let rows = 0;
    for (const row of r.rows) {
      const n = Number(row.n ?? 0);
      rows += n;
      if (n > 0) seen.add(String(row.dt).slice(0, 10));
    }
    const days_without_rows = days.filter((d) => !seen.has(d));
    tables.push({ table, rows, no_data: rows === 0, days_without_rows });
  }
  const run = await runPlanned({
    runner: args.runner,
    queries: selected,
    period: args.period,
    ...(args.onQuery ? { onQuery: args.onQuery } : {}),
  });
  // The row counts behind the no-data banners read the lake too.
  const scanned = { ...run.scanned, statements: run.scanned.statements + counted.length };
  for (const r of counted) {
    if (!r.scanned) scanned.unmeasured++;
    else {
      scanned.bytes += r.scanned.bytes;
      scanned.files += r.scanned.files ?? 0;
    }
  }
  const summary = summarize({
    report: args.report,
    period: args.period,
    lake: args.lake,
    generatedAt: args.now.toISOString(),
    engine: args.runner.engine,
    results: run.results,
    tables,
    scans: run.scans,
    notCompiled: run.notCompiled,
    scanned,
    ...(args.runner.scanMeasure ? { measuredBy: args.runner.scanMeasure } : {}),
    ...(args.storage ? { storage: args.storage } : {}),
  });
  const results = run.results.map(({ query, result }) => ({ query, result }));
  return { summary, results, info: reportInfo(args.report) };
}

/** The files of a report: one CSV per query, `summary.json` and the self-contained `report.html`. */
export function reportFiles(data: ReportData): ReportFile[] {
  const csvs = data.results.map(({ query, result }) => ({
    name: csvName(query),
    contentType: "text/csv; charset=utf-8",
    body: toCsv(result),
  }));
  return [
    ...csvs,
    { name: "summary.json", contentType: "application/json", body: `${JSON.stringify(data.summary, null, 2)}\n` },
    { name: "report.html", contentType: "text/html; charset=utf-8", body: renderReportHtml(data) },
  ];
}
