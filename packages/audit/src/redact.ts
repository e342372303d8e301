import {
  CREDENTIAL_RULES,
  compileRedaction,
  type RedactionCounts,
  type RedactionRule,
  type Redactor,
} from "@loglake/redact";
import type { AuditRecord } from "./event.ts";

/**
 * Redaction applied to each validated record before it is sent. Default (`undefined`): credentials are masked by
 * `@loglake/redact`'s `CREDENTIAL_RULES`, the detectors loglake's ingest applies. `false`: nothing is redacted.
 * `{ rules, hmac? }`: the credential rules and these rules after them (PII: `email`, `ip_address`, `hash`, …).
 * A function from record to record, or a redactor object whose `redactRecord(record)` answers `{ value, counts? }`
 * (a compiled `@loglake/redact` redactor as it is), replaces the default.
 */
export type RedactOption =
  | false
  | { rules: readonly RedactionRule[]; hmac?: (text: string) => string }
  | ((record: AuditRecord) => AuditRecord)
  | {
      redactRecord(record: Record<string, unknown>): { value: Record<string, unknown>; counts?: RedactionCounts };
    };

/** A record's redaction; `counts` (what was changed) when the redactor tells. */
export type RecordRedaction = (record: AuditRecord) => { record: AuditRecord; counts?: RedactionCounts };

type RecordRedactor = Exclude<RedactOption, false | ((record: AuditRecord) => AuditRecord) | { rules: unknown }>;

// Compiled once per process, on the first logger that uses it.
let credentials: Redactor | undefined;

/** Resolves the option once per logger; compiling rules throws `RedactionRuleError` for a bad rule. */
export function recordRedaction(option: RedactOption | undefined): RecordRedaction | undefined {
  if (option === false) return undefined;
  if (typeof option === "function") return (record) => ({ record: checked(option(record)) });
  let redactor: RecordRedactor;
  if (option === undefined) {
    credentials ??= compileRedaction(CREDENTIAL_RULES);
    redactor = credentials;
  } else if ("rules" in option)
    redactor = compileRedaction([...CREDENTIAL_RULES, ...option.rules], option.hmac ? { hmac: option.hmac } : {});
  else redactor = option;
  return (record) => {
    const out = redactor.redactRecord(record);
    return { record: checked(out?.value), counts: out.counts };
  };
}

/** The record a redactor returned; throws when it removed the time. */
function checked(out: Record<string, unknown> | undefined): AuditRecord {
  if (typeof out?.timestamp !== "string") throw new Error("redaction removed the event's timestamp");
  return out as AuditRecord;
}
