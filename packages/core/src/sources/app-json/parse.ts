import { isTruncatedJson, JSON_LINE_RECORDS, type JsonElement, jsonElementBatches } from "../../ingest/json-stream.ts";
import { toIsoUtc } from "../../time.ts";
import type { ParseContext, ParseEvent } from "../types.ts";
import { asInt32, asNumber, isObject, type JsonObject, type MapResult } from "./coerce.ts";
import { type AppEventParsedRow, appEventsTable } from "./schema.ts";

/** Field names read as the event time, in order of preference. */
export const TIME_FIELDS = ["timestamp", "time", "@timestamp", "ts"] as const;

// Column -> accepted field names, first present (and usable) wins; the others stay in `attributes`.
const STRING_ALIASES = {
  level: ["level", "lvl", "severity", "log.level"],
  type: ["type", "event_type", "eventType", "event"],
  service: ["service", "service_name", "serviceName"],
  user_id: ["user_id", "userId", "user", "uid"],
  action: ["action"],
  result: ["result", "outcome"],
  ip_address: ["ip_address", "ipAddress", "ip", "client_ip", "clientIp", "source_ip", "sourceIp", "remote_addr"],
  user_agent: ["user_agent", "userAgent"],
  request_id: ["request_id", "requestId", "req_id", "correlation_id", "correlationId"],
  path: ["path", "uri"],
  message: ["message", "msg"],
} as const;
const METHOD_FIELDS = ["method", "http_method", "httpMethod"] as const;
const HTTP_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"]);
const STATUS_FIELDS = ["status_code", "statusCode", "status", "http_status"] as const;
const DURATION_FIELDS = ["duration_ms", "durationMs", "duration", "latency_ms", "latencyMs", "elapsed_ms"] as const;

// pino and bunyan write numeric levels.
const NUMERIC_LEVELS: Record<number, string> = {
  10: "trace",
  20: "debug",
  30: "info",
  40: "warn",
  50: "error",
  60: "fatal",
};

/** Extra context for events that arrive inside another envelope (CloudWatch Logs). */
export interface AppEventContext {
  /** Event time to use when the object has no usable time field of its own. */
  fallbackTime?: unknown;
  /** Added to `attributes` (lineage such as the CloudWatch Logs event id). */
  attributes?: JsonObject;
  /** Column values to use when the object has none (from Lambda's text log prefix). */
  defaults?: Partial<Pick<AppEventParsedRow, "level" | "request_id">>;
}

/**
 * Maps one application log object (auth, api or audit shape) to an `app_events` row. Known aliases fill the
 * columns; every field not used for a column is kept in `attributes`. Refuses only objects without a usable time.
 */
export function toAppEventRow(obj: JsonObject, context: AppEventContext = {}): MapResult<AppEventParsedRow> {
  const used = new Set<string>();
  let eventTime: string | null = null;
  for (const f of TIME_FIELDS) {
    if (!(f in obj)) continue;
    eventTime = toIsoUtc(obj[f]);
    if (eventTime !== null) {
      used.add(f);
      break;
    }
  }
  eventTime ??= context.fallbackTime === undefined ? null : toIsoUtc(context.fallbackTime);
  if (eventTime === null) {
    const present = TIME_FIELDS.filter((f) => f in obj);
    return {
      ok: false,
      reason: "bad_timestamp",
      message:
        present.length === 0
          ? `no time field (${TIME_FIELDS.join(", ")})`
          : `unusable time in ${present.map((f) => `${f}=${JSON.stringify(obj[f])}`).join(", ")}`,
    };
  }

  const pick = (names: readonly string[]): string | null => {
    for (const n of names) {
      const v = obj[n];
      if (typeof v === "string" || (typeof v === "number" && Number.isFinite(v)) || typeof v === "boolean") {
        used.add(n);
        return String(v);
      }
    }
    return null;
  };
  const pickNumber = (names: readonly string[], convert: (v: unknown) => number | null): number | null => {
    for (const n of names) {
      const v = convert(obj[n]);
      if (v !== null) {
        used.add(n);
        return v;
      }
    }
    return null;
  };

  let level: string | null = null;
  for (const n of STRING_ALIASES.level) {
    const v = obj[n];
    const named = typeof v === "number" ? NUMERIC_LEVELS[v] : typeof v === "string" ? v.toLowerCase() : undefined;
    if (named !== undefined) {
      used.add(n);
      level = named;
      break;
    }
  }
  // Only HTTP verbs: auth events use "method" for the sign-in method ("password", "totp").
  let method: string | null = null;
  for (const n of METHOD_FIELDS) {
    const v = obj[n];
    if (typeof v === "string" && HTTP_METHODS.has(v.toUpperCase())) {
      used.add(n);
      method = v;
      break;
    }
  }
  const statusCode = pickNumber(STATUS_FIELDS, asInt32);
  // A textual status ("success", "denied") is an outcome, not an HTTP code.
  let result = pick(STRING_ALIASES.result);
  if (result === null && typeof obj.status === "string" && !used.has("status") && asNumber(obj.status) === null) {
    result = obj.status;
    used.add("status");
  }

  const row: AppEventParsedRow = {
    event_time: eventTime,
    level,
    type: pick(STRING_ALIASES.type),
    service: pick(STRING_ALIASES.service),
    user_id: pick(STRING_ALIASES.user_id),
    action: pick(STRING_ALIASES.action),
    result,
    ip_address: pick(STRING_ALIASES.ip_address),
    user_agent: pick(STRING_ALIASES.user_agent),
    request_id: pick(STRING_ALIASES.request_id),
    method,
    path: pick(STRING_ALIASES.path),
    status_code: statusCode,
    duration_ms: pickNumber(DURATION_FIELDS, asNumber),
    message: pick(STRING_ALIASES.message),
    attributes: null,
  };
  row.level ??= context.defaults?.level ?? null;
  row.request_id ??= context.defaults?.request_id ?? null;
  let attributes: JsonObject | undefined;
  for (const key of Object.keys(obj)) {
    if (used.has(key)) continue;
    attributes ??= {};
    attributes[key] = obj[key];
  }
  if (context.attributes) attributes = { ...attributes, ...context.attributes };
  row.attributes = attributes === undefined ? null : JSON.stringify(attributes);
  return { ok: true, row };
}

/** Turns one line of application JSON into exactly one parse event. */
export function appLineEvent(line: number, text: string): ParseEvent {
  const trimmed = text.trim();
  if (trimmed.length === 0) return { kind: "skip", line, skip: "blank" };
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return isTruncatedJson(trimmed)
      ? { kind: "reject", line, reason: "truncated", message: "line ends inside a JSON value", raw: text }
      : { kind: "reject", line, reason: "bad_json", message: "line is not JSON", raw: text };
  }
  if (!isObject(value)) {
    return { kind: "reject", line, reason: "bad_record", message: "line is JSON but not an object", raw: text };
  }
  const mapped = toAppEventRow(value);
  return mapped.ok
    ? { kind: "row", line, table: appEventsTable, row: mapped.row }
    : { kind: "reject", line, reason: mapped.reason, message: mapped.message, raw: text };
}

/** Turns one record of the splitter into exactly one parse event, numbered by the line it starts on. */
export function appRecordEvent(el: JsonElement): ParseEvent {
  if (el.status === "too_large") {
    return {
      kind: "reject",
      line: el.line,
      reason: "too_large",
      message: "record exceeds the size limit",
      raw: el.text,
    };
  }
  if (el.status === "truncated") {
    return {
      kind: "reject",
      line: el.line,
      reason: "truncated",
      message: "line ends inside a JSON value",
      raw: el.text,
    };
  }
  return appLineEvent(el.line, el.text);
}

/**
 * Streams application JSON: one object per line, or pretty-printed objects spanning lines, each numbered by the line
 * it starts on.
 */
export async function* parseAppJson(
  text: AsyncIterable<string>,
  ctx?: Pick<ParseContext, "maxRecordChars">,
): AsyncIterable<ParseEvent> {
  const options = { ...JSON_LINE_RECORDS, maxElementChars: ctx?.maxRecordChars };
  for await (const batch of jsonElementBatches(text, options)) for (const el of batch) yield appRecordEvent(el);
}
