import { column } from "../schema/column.ts";
import { defineTable, type RowOf } from "../schema/table.ts";

/**
 * Findings of the reports, one row per detection output row, so trends, deduplication and exports read one
 * place. A report run writes the rows of its period under names derived from the report and the period, so running
 * it again for the same period replaces them.
 */
export const findingsTable = defineTable({
  name: "findings",
  description: "Report findings: one row per row a detection returned, with the report run that found it",
  timeColumn: "event_time",
  columns: {
    event_time: column.timestamp(
      "When the event happened (the row's event_time, else its first time column, else the period's start), UTC",
      { nullable: false },
    ),
    finding_id: column.string(
      "SHA-256 (hex) of the detection id and the event id (or the row, for rows naming no event): stable across runs",
      { nullable: false },
    ),
    detection_id: column.string("The detection's id, its path below queries/ (cloudtrail/root-account-usage)", {
      nullable: false,
    }),
    detection_name: column.string("The detection's name", { nullable: false }),
    severity: column.string("critical, high, medium or low, as the detection declares it", { nullable: false }),
    outcome: column.string("success or attempt, when the detection outputs it"),
    tactic_ids: column.json("MITRE ATT&CK tactic ids, a JSON array"),
    technique_ids: column.json("MITRE ATT&CK technique ids, a JSON array"),
    event_id: column.string("The event's id (CloudTrail eventID), for one-event findings"),
    event_ids: column.json("The contributing events' ids, a JSON array, for aggregate findings"),
    actor: column.string("Who acted: the detection's actor columns, comma-separated"),
    target: column.string("What was acted on: the detection's target columns, comma-separated"),
    source_ip_address: column.string("The caller's IP address, when the row names one"),
    row_json: column.json("The detection's output row as JSON"),
    report: column.string("The report that ran the detection (security, compliance)", { nullable: false }),
    period_from: column.string("First day of the report period, YYYY-MM-DD (UTC)", { nullable: false }),
    period_to: column.string("Last day of the report period, YYYY-MM-DD (UTC)", { nullable: false }),
    report_time: column.timestamp("When the report run that wrote the row started, UTC", { nullable: false }),
  },
});
export type FindingRow = RowOf<typeof findingsTable>;
