import { createHash } from "node:crypto";
import { columnsText } from "../alerts/alert.ts";
import type { SavedQuery } from "../queries/header.ts";
import type { Cell, QueryResult } from "../queries/result.ts";
import type { ReportPeriod } from "../reports/period.ts";
import { findingDay, TIME_COLUMNS } from "../reports/report.ts";
import type { FindingRow } from "./schema.ts";

/** Lineage id of a report run's findings: the report and its period. */
export function findingsLineage(report: string, period: Pick<ReportPeriod, "label">): string {
  return `report://${report}/${period.label}`;
}

/** The output name of a report's findings for a period: the same on every run, so a re-run replaces its files. */
export function findingsName(report: string, period: Pick<ReportPeriod, "label">): string {
  return `findings-${report}-${period.label}`.replace(/[^A-Za-z0-9._-]/g, "_");
}

function text(v: Cell | undefined): string | null {
  return v === null || v === undefined || v === "" ? null : String(v);
}

function timeOf(row: Record<string, Cell>, fallback: string): string {
  for (const c of TIME_COLUMNS) {
    const v = row[c];
    if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}T/.test(v)) return v;
    if (typeof v === "string" && findingDay({ [c]: v })) return `${v.slice(0, 10)}T00:00:00.000Z`;
  }
  return fallback;
}

/** A stable id of a finding: its detection and event (or, for rows naming no event, the whole row). */
export function findingId(detectionId: string, row: Record<string, Cell>): string {
  const event = text(row.event_id) ?? text(row.event_ids) ?? JSON.stringify(row);
  return createHash("sha256").update(`${detectionId}\n${event}`).digest("hex");
}

/**
 * The `findings` rows of a report run: one per row of every query whose severity makes its rows findings, with the
 * detection's ATT&CK ids and the values of its actor and target columns.
 */
export function findingRows(args: {
  report: string;
  period: ReportPeriod & { start: string };
  reportTime: string;
  results: readonly { query: SavedQuery; result: QueryResult }[];
}): FindingRow[] {
  const rows: FindingRow[] = [];
  const sourceObject = findingsLineage(args.report, args.period);
  for (const { query, result } of args.results) {
    if (query.severity === "info") continue;
    const meta = query.detection;
    for (const row of result.rows) {
      rows.push({
        event_time: timeOf(row, args.period.start),
        finding_id: findingId(query.id, row),
        detection_id: query.id,
        detection_name: query.name,
        severity: query.severity,
        outcome: text(row.outcome),
        tactic_ids: meta ? JSON.stringify(meta.tactics) : null,
        technique_ids: meta ? JSON.stringify(meta.techniques) : null,
        event_id: text(row.event_id),
        event_ids: text(row.event_ids),
        actor: columnsText(row, meta?.actor ?? []),
        target: columnsText(row, meta?.target ?? []),
        source_ip_address: text(row.source_ip_address),
        row_json: JSON.stringify(row),
        report: args.report,
        period_from: args.period.from,
        period_to: args.period.to,
        report_time: args.reportTime,
        source_object: sourceObject,
        source_line: rows.length + 1,
        ingest_time: args.reportTime,
        cwl_owner: null,
        cwl_log_group: null,
        cwl_log_stream: null,
        cwl_event_id: null,
      });
    }
  }
  return rows;
}
