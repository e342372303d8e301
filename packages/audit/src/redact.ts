import type { AuditRecord } from "./event.ts";

/**
 * Redaction applied to each validated record before it is sent: a function from record to record, or a redactor
 * object whose `redactRecord(record)` answers `{ value }`, the redacted record (the shape of loglake's shared
 * redactor, so one can be passed as it is).
 */
export type RedactOption =
  | ((record: AuditRecord) => AuditRecord)
  | { redactRecord(record: Record<string, unknown>): { value: Record<string, unknown> } };

/** The record after redaction; throws when the redactor does, or when it removed the time. */
export function applyRedaction(redact: RedactOption | undefined, record: AuditRecord): AuditRecord {
  if (!redact) return record;
  const out = typeof redact === "function" ? redact(record) : redact.redactRecord(record).value;
  if (typeof out?.timestamp !== "string") throw new Error("redaction removed the event's timestamp");
  return out as AuditRecord;
}
