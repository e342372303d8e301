import { isCloudTrailDigest, unwrapCloudTrailRecord } from "../cloudtrail/parse.ts";
import type { LogSource } from "../types.ts";
import { isObject, type JsonObject } from "./coerce.ts";
import { parseAppJson, TIME_FIELDS } from "./parse.ts";
import { appEventsTable } from "./schema.ts";

// An app prefix as the first or second key segment (`app/…`, `raw/apps/…`), then a JSON-lines or log file.
// Absolute paths never match, so a local checkout under /app is not mistaken for app logs.
const APP_KEY =
  /^(?:[^/]+\/)?(?:app|apps|app-logs|app_logs|applogs)\/(?:[^/]+\/)*[^/]+\.(?:jsonl|ndjson|json|log)(?:\.gz)?$/;

// Fields that mark other sources' JSON: CloudWatch Logs payloads, wrappers, EventBridge, CloudFront v2 JSON.
const FOREIGN_FIELDS = ["messageType", "logEvents", "awslogs", "Records", "detail-type", "x-edge-location", "c-ip"];

/** True when a parsed object looks like an application event rather than another source's JSON. */
export function looksLikeAppEvent(o: JsonObject): boolean {
  if (!TIME_FIELDS.some((f) => f in o)) return false;
  if (FOREIGN_FIELDS.some((f) => f in o)) return false;
  return !isCloudTrailDigest(o) && unwrapCloudTrailRecord(o) === undefined;
}

/**
 * Application JSON lines (auth, api and audit events) into `app_events`.
 *
 * Keys match when their first or second segment is `app`, `apps`, `app-logs`, `app_logs` or `applogs` and the name
 * ends in `.jsonl`, `.ndjson`, `.json` or `.log` (optionally `.gz`); other objects are recognised by content: a
 * first line that is a JSON object with a `timestamp`, `time`, `@timestamp` or `ts` field and is not CloudTrail,
 * CloudWatch Logs or CloudFront JSON.
 *
 * @example
 * appJsonSource.matchKey("app/auth-service/2024/05/01/events-0001.jsonl.gz") // true
 */
export const appJsonSource: LogSource<"app_json"> = {
  id: "app_json",
  description: "Application JSON lines (auth, api and audit events)",
  tables: [appEventsTable],
  matchKey: (key) => APP_KEY.test(key),
  sniff(head) {
    const start = head.search(/\S/);
    if (start === -1) return false;
    const nl = head.indexOf("\n", start);
    const line = head.slice(start, nl === -1 ? head.length : nl).trim();
    if (!line.startsWith("{")) return false;
    try {
      const v: unknown = JSON.parse(line);
      return isObject(v) && looksLikeAppEvent(v);
    } catch {
      return false;
    }
  },
  parse: (text, ctx) => parseAppJson(text, ctx),
};
