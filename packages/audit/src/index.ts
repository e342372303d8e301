export {
  CREDENTIAL_RULES,
  compileRedaction,
  type RedactionCounts,
  type RedactionRule,
  RedactionRuleError,
  type Redactor,
} from "@loglake/redact";
export { type BackoffOptions, backoffDelay } from "./backoff.ts";
export { type CrossAccountRole, crossAccountCredentials } from "./credentials.ts";
export {
  AuditEventError,
  type AuditEventInput,
  AuditEventSchema,
  type AuditRecord,
  COLUMN_FIELDS,
  RESERVED_FIELDS,
  toAuditRecord,
} from "./event.ts";
export { type AuditHealth, type AuditLogger, type AuditLoggerOptions, createAuditLogger } from "./logger.ts";
export { type DeliveryOptions, type OverflowPolicy, PRESETS, type PresetName } from "./presets.ts";
export type { SinkHealth } from "./queue.ts";
export type { RedactOption } from "./redact.ts";
export type { AuditSink, DropReason, EncodedEvent, SendOutcome } from "./sink.ts";
export { checkWormBucket, type WormBucketCheck } from "./worm-check.ts";
