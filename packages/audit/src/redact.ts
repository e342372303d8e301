import type { AuditRecord } from "./event.ts";

/**
 * Redaction applied to each record before it is sent: a function from record to record, or an object with
 * `redactRecord` (the shape of a shared redactor). It must return a new record or the same one changed; it sees
 * only validated records.
 */
export type RedactOption =
  | ((record: AuditRecord) => AuditRecord)
  | { redactRecord(record: Record<string, unknown>): Record<string, unknown> };

/** The record after redaction; throws when the redactor does, or when it removed the time. */
export function applyRedaction(redact: RedactOption | undefined, record: AuditRecord): AuditRecord {
  if (!redact) return record;
  const out = typeof redact === "function" ? redact(record) : redact.redactRecord(record);
  if (typeof out?.timestamp !== "string") throw new Error("redaction removed the event's timestamp");
  return out as AuditRecord;
}
