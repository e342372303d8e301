import { column, field } from "../../schema/column.ts";
import { defineTable, type ParsedRowOf, type RowOf } from "../../schema/table.ts";
import { readHttpMethod, readLevel, readSuccessFlag, readTextualStatus } from "./readers.ts";

/**
 * Application audit, auth and API events logged as JSON. Each column lists the fields it is read from, in order of
 * preference; the first usable one wins and every field no column used is kept in `attributes`.
 */
export const appEventsTable = defineTable({
  name: "app_events",
  description: "Application JSON logs (auth, api and audit events), one row per event",
  timeColumn: "event_time",
  columns: {
    event_time: column.timestamp("Event time in UTC (timestamp / time / @timestamp field)", {
      nullable: false,
      from: ["timestamp", "time", "@timestamp", "ts"],
    }),
    level: column.string("Log level, lower case (info, warn, error, …)", {
      from: ["level", "lvl", "severity", "log.level"],
      read: readLevel,
    }),
    type: column.string("Event type: auth, api or audit (or the app's own value)", {
      from: ["type", "event_type", "eventType", "event"],
    }),
    service: column.string("Service that logged the event", { from: ["service", "service_name", "serviceName"] }),
    user_id: column.string("Acting user id", { from: ["user_id", "userId", "user"] }),
    action: column.string("Action, e.g. login, logout, role.grant, GET /orders", { from: "action" }),
    result: column.string("Outcome, e.g. success, failure, denied", {
      from: [
        "result",
        "outcome",
        field("success", readSuccessFlag, "boolean: true → success, false → failure"),
        field("status", readTextualStatus, "text only; a numeric status is status_code"),
      ],
    }),
    ip_address: column.string("Client IP address", {
      from: ["ip_address", "ipAddress", "ip", "client_ip", "clientIp", "source_ip", "sourceIp", "remote_addr"],
    }),
    user_agent: column.string("Client User-Agent", { from: ["user_agent", "userAgent"] }),
    request_id: column.string("Request or correlation id", {
      from: ["request_id", "requestId", "req_id", "correlation_id", "correlationId"],
    }),
    method: column.string("HTTP method (api events)", {
      from: ["method", "http_method", "httpMethod"],
      read: readHttpMethod,
    }),
    path: column.string("HTTP path (api events)", { from: ["path", "uri"] }),
    status_code: column.int32("HTTP status code (api events)", {
      from: ["status_code", "statusCode", "status", "http_status"],
    }),
    duration_ms: column.double("Request duration in milliseconds (api events)", {
      from: ["duration_ms", "durationMs", "duration", "latency_ms", "latencyMs", "elapsed_ms"],
    }),
    message: column.string("Free-text message", { from: ["message", "msg"] }),
    attributes: column.json("Every other field of the event, as a JSON object", { rest: true }),
  },
});
export type AppEventRow = RowOf<typeof appEventsTable>;
export type AppEventParsedRow = ParsedRowOf<typeof appEventsTable>;
