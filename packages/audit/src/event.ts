import * as v from "valibot";

/**
 * The fields loglake reads into the `app_events` columns, by the name each column reads first. Free attributes
 * may not use any name a column reads (its aliases too), or loglake would take them for that column.
 */
export const COLUMN_FIELDS = [
  "timestamp",
  "level",
  "type",
  "service",
  "user_id",
  "action",
  "result",
  "ip_address",
  "user_agent",
  "request_id",
  "method",
  "path",
  "status_code",
  "duration_ms",
  "message",
] as const;

/** Every field name an `app_events` column reads, aliases included: free attributes must avoid them. */
export const RESERVED_FIELDS: ReadonlySet<string> = new Set([
  ...COLUMN_FIELDS,
  ...["time", "@timestamp", "ts", "lvl", "severity", "log.level", "event_type", "eventType", "event"],
  ...["service_name", "serviceName", "userId", "user", "outcome", "success", "status"],
  ...["ipAddress", "ip", "client_ip", "clientIp", "source_ip", "sourceIp", "remote_addr", "userAgent"],
  ...["requestId", "req_id", "correlation_id", "correlationId", "http_method", "httpMethod", "uri"],
  ...["statusCode", "http_status", "durationMs", "duration", "latency_ms", "latencyMs", "elapsed_ms", "msg"],
]);

// The instant form `app_events.event_time` keeps: UTC, at most microseconds (a longer fraction would be cut).
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?Z$/;
const STATUS = "must be an HTTP status code (an integer from 100 to 599)";
const DURATION = "must be a finite number of milliseconds, at least 0";
const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"] as const;

const text = v.pipe(v.string(), v.nonEmpty("must not be empty"), v.maxLength(4096, "must be at most 4096 characters"));

const timestamp = v.union(
  [
    v.pipe(
      v.date(),
      v.check((d) => Number.isFinite(d.getTime()), "is an invalid Date"),
    ),
    v.pipe(
      v.string(),
      v.regex(ISO_UTC, "must be ISO-8601 UTC (YYYY-MM-DDTHH:MM:SS[.ffffff]Z)"),
      v.check((s) => Number.isFinite(Date.parse(s)), "is not a real instant"),
    ),
  ],
  "must be a Date or an ISO-8601 UTC string",
);

const attributes = v.pipe(
  v.record(v.string(), v.unknown()),
  v.check(
    (o) => Object.keys(o).every((k) => !RESERVED_FIELDS.has(k)),
    (issue) =>
      `may not use a field name an app_events column reads (${Object.keys(issue.input as object)
        .filter((k) => RESERVED_FIELDS.has(k))
        .join(", ")})`,
  ),
  v.check((o) => {
    try {
      return JSON.stringify(o) !== undefined;
    } catch {
      return false;
    }
  }, "must be JSON-serialisable (no cycles or BigInt)"),
);

/** The event a caller logs; `service`, `timestamp` and `level` (info) default from the logger and the clock. */
export const AuditEventSchema = v.strictObject(
  {
    type: v.picklist(["auth", "api", "audit"], 'must be "auth", "api" or "audit"'),
    action: text,
    timestamp: v.optional(timestamp),
    level: v.optional(v.picklist(["trace", "debug", "info", "warn", "error", "fatal"], "must be a lower-case level")),
    service: v.optional(text),
    user_id: v.optional(text),
    result: v.optional(text),
    ip_address: v.optional(v.pipe(v.string(), v.ip("must be an IPv4 or IPv6 address"))),
    user_agent: v.optional(text),
    request_id: v.optional(text),
    method: v.optional(v.picklist(HTTP_METHODS, "must be an upper-case HTTP method")),
    path: v.optional(text),
    status_code: v.optional(v.pipe(v.number(), v.integer(STATUS), v.minValue(100, STATUS), v.maxValue(599, STATUS))),
    duration_ms: v.optional(v.pipe(v.number(), v.finite(DURATION), v.minValue(0, DURATION))),
    message: v.optional(v.pipe(v.string(), v.maxLength(65_536, "must be at most 65536 characters"))),
    attributes: v.optional(attributes),
  },
  (issue) =>
    issue.expected === "never"
      ? "unknown field (free fields go in attributes)"
      : issue.path
        ? "is required"
        : "must be an object",
);

/** An audit, auth or API event as the caller gives it. */
export type AuditEventInput = v.InferInput<typeof AuditEventSchema>;

/** One event on the wire: the JSON object loglake parses into one `app_events` row. */
export type AuditRecord = {
  timestamp: string;
  type: "auth" | "api" | "audit";
  action: string;
  service: string;
} & Partial<Record<(typeof COLUMN_FIELDS)[number], string | number>> &
  Record<string, unknown>;

/** An event that failed validation at the call site; `message` names every bad field. */
export class AuditEventError extends Error {
  override readonly name = "AuditEventError";
  constructor(
    message: string,
    readonly issues: readonly string[],
  ) {
    super(message);
  }
}

/**
 * Validates one event and builds its wire record: the columns' own field names first, then the free attributes at
 * the top level (loglake keeps every field no column reads in `attributes`, as written). Throws `AuditEventError`.
 */
export function toAuditRecord(input: unknown, defaults: { service: string; now: () => Date }): AuditRecord {
  const parsed = v.safeParse(AuditEventSchema, input);
  if (!parsed.success) {
    const issues = parsed.issues.map((i) => `${v.getDotPath(i) ?? "event"}: ${i.message}`);
    throw new AuditEventError(`invalid audit event: ${issues.join("; ")}`, issues);
  }
  const { attributes: free, timestamp: at, ...fields } = parsed.output;
  const time = at ?? defaults.now();
  const record: Record<string, unknown> = {
    timestamp: typeof time === "string" ? time : time.toISOString(),
    service: defaults.service,
    level: "info",
    ...fields,
  };
  return { ...record, ...free } as AuditRecord;
}
