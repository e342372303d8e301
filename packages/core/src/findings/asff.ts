import { ATTACK_TACTICS, isTacticId } from "../detections/frameworks.ts";
import type { FindingRow } from "./schema.ts";

/** The ASFF fields loglake sets (AWS Security Finding Format 2018-10-08), as `BatchImportFindings` takes them. */
export interface AsffFinding {
  SchemaVersion: "2018-10-08";
  Id: string;
  ProductArn: string;
  GeneratorId: string;
  AwsAccountId: string;
  Types: string[];
  CreatedAt: string;
  UpdatedAt: string;
  FirstObservedAt: string;
  Severity: { Label: "CRITICAL" | "HIGH" | "MEDIUM" | "LOW" };
  Title: string;
  Description: string;
  Resources: { Type: string; Id: string; Region: string }[];
  ProductFields: Record<string, string>;
}

/** Security Hub's limit on findings per `BatchImportFindings` call. */
export const ASFF_BATCH = 100;

function cut(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 3)}...` : s;
}

/** The product ARN of findings an account imports itself (`product/<account>/default`). */
export function defaultProductArn(region: string, accountId: string): string {
  return `arn:aws:securityhub:${region}:${accountId}:product/${accountId}/default`;
}

/**
 * One `findings` row as an ASFF finding: its stable `finding_id` as `Id` (a re-import updates rather than adds),
 * the detection as generator, ATT&CK tactics as `TTPs/<tactic>` types, the event time as first observed.
 */
export function toAsff(row: FindingRow, ctx: { region: string; accountId: string }): AsffFinding {
  const tactics = (row.tactic_ids ? (JSON.parse(row.tactic_ids) as string[]) : []).filter(isTacticId);
  const what = [
    row.actor ? `actor ${row.actor}` : undefined,
    row.target ? `target ${row.target}` : undefined,
    row.source_ip_address ? `from ${row.source_ip_address}` : undefined,
    row.event_id ? `event ${row.event_id}` : undefined,
    row.outcome ? row.outcome : undefined,
  ].filter((x) => x !== undefined);
  return {
    SchemaVersion: "2018-10-08",
    Id: row.finding_id,
    ProductArn: defaultProductArn(ctx.region, ctx.accountId),
    GeneratorId: `loglake/${row.detection_id}`,
    AwsAccountId: ctx.accountId,
    Types: tactics.length > 0 ? tactics.map((t) => `TTPs/${ATTACK_TACTICS[t]}`) : ["Unusual Behaviors"],
    CreatedAt: row.report_time,
    UpdatedAt: row.report_time,
    FirstObservedAt: row.event_time,
    Severity: { Label: row.severity.toUpperCase() as AsffFinding["Severity"]["Label"] },
    Title: cut(row.detection_name, 256),
    Description: cut(`${row.detection_name}: ${what.join(", ") || "see the report"}`, 1024),
    Resources: [{ Type: "Other", Id: cut(row.target ?? row.detection_id, 512), Region: ctx.region }],
    ProductFields: {
      "loglake/detection_id": row.detection_id,
      "loglake/report": `${row.report} ${row.period_from}..${row.period_to}`,
      ...(row.technique_ids ? { "loglake/techniques": (JSON.parse(row.technique_ids) as string[]).join(",") } : {}),
      ...(row.event_id ? { "loglake/event_id": row.event_id } : {}),
    },
  };
}
