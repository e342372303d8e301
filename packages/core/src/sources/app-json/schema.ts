import { column } from "../../schema/column.ts";
import { defineTable, type ParsedRowOf, type RowOf } from "../../schema/table.ts";

/** Application audit, auth and API events logged as JSON lines. */
export const appEventsTable = defineTable({
  name: "app_events",
  description: "Application JSON logs (auth, api and audit events), one row per event",
  timeColumn: "event_time",
  columns: {
    event_time: column.timestamp("Event time in UTC (timestamp / time / @timestamp field)", { nullable: false }),
    level: column.string("Log level, lower case (info, warn, error, …)"),
    type: column.string("Event type: auth, api or audit (or the app's own value)"),
    service: column.string("Service that logged the event"),
    user_id: column.string("Acting user id"),
    action: column.string("Action, e.g. login, logout, role.grant, GET /orders"),
    result: column.string("Outcome, e.g. success, failure, denied"),
    ip_address: column.string("Client IP address"),
    user_agent: column.string("Client User-Agent"),
    request_id: column.string("Request or correlation id"),
    method: column.string("HTTP method (api events)"),
    path: column.string("HTTP path (api events)"),
    status_code: column.int32("HTTP status code (api events)"),
    duration_ms: column.double("Request duration in milliseconds (api events)"),
    message: column.string("Free-text message"),
    attributes: column.json("Every other field of the event, as a JSON object"),
  },
});
export type AppEventRow = RowOf<typeof appEventsTable>;
export type AppEventParsedRow = ParsedRowOf<typeof appEventsTable>;
