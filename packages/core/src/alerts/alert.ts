import { createHash } from "node:crypto";
import { alertClaimPath } from "../lake-layout.ts";
import type { SavedQuery } from "../queries/header.ts";
import type { Cell } from "../queries/result.ts";

/** One near-real-time alert: a row an `alert: true` detection returned over rows just ingested. */
export interface Alert {
  detection_id: string;
  name: string;
  severity: string;
  /** The event the row stands for (`event_id`), or a digest of the row when it names none. */
  event_id: string;
  event_time: string | null;
  actor: string | null;
  target: string | null;
  source_ip_address: string | null;
  runbook: string | null;
  /** The detection's output row as it came. */
  row: Record<string, Cell>;
}

/** The detections evaluated on ingest: those whose header says `alert: true`. */
export function alertDetections(queries: readonly SavedQuery[]): SavedQuery[] {
  return queries.filter((q) => q.detection?.alert === true);
}

function text(v: Cell | undefined): string | null {
  return v === null || v === undefined ? null : String(v);
}

/** The values of the named output columns, joined by `, `; null when none has a value. */
export function columnsText(row: Record<string, Cell>, columns: readonly string[]): string | null {
  const values = columns.map((c) => text(row[c])).filter((v): v is string => v !== null && v !== "");
  return values.length > 0 ? values.join(", ") : null;
}

/** The alert a detection's output row raises. */
export function alertOf(query: SavedQuery, row: Record<string, Cell>): Alert {
  const eventId = text(row.event_id) ?? createHash("sha256").update(JSON.stringify(row)).digest("hex");
  return {
    detection_id: query.id,
    name: query.name,
    severity: query.severity,
    event_id: eventId,
    event_time: text(row.event_time),
    actor: columnsText(row, query.detection?.actor ?? []),
    target: columnsText(row, query.detection?.target ?? []),
    source_ip_address: text(row.source_ip_address),
    runbook: query.detection?.runbook ?? null,
    row,
  };
}

const SAFE_ID = /^[A-Za-z0-9._-]{1,200}$/;

/**
 * Lake-relative key of the marker that claims an alert, one per (detection, event): whoever creates it first
 * publishes the alert, so a redelivered message or a second consumer never publishes it again.
 */
export function alertClaimKey(alert: Pick<Alert, "detection_id" | "event_id">): string {
  const event = SAFE_ID.test(alert.event_id)
    ? alert.event_id
    : createHash("sha256").update(alert.event_id).digest("hex");
  return alertClaimPath(alert.detection_id, event);
}

/**
 * The alert as published: a subject as SNS takes one (printable ASCII, under 100 characters) and the alert as
 * JSON.
 */
export function alertMessage(alert: Alert): { subject: string; message: string } {
  const subject = `[loglake ${alert.severity}] ${alert.name}`.replace(/[^\x20-\x7E]+/g, " ");
  return {
    subject: subject.length > 99 ? `${subject.slice(0, 96)}...` : subject,
    message: JSON.stringify(alert, null, 2),
  };
}
