import { JSON_LINE_RECORDS, splitJson } from "../../ingest/json-stream.ts";
import { JsonRecord } from "../json-record.ts";
import type { LogSource, RecordKind } from "../types.ts";
import { hasAppTime, parseAppJson } from "./parse.ts";
import { appEventsTable } from "./schema.ts";

// An app prefix as the first or second key segment (`app/…`, `raw/apps/…`), then a JSON-lines or log file.
// Absolute paths never match, so a local checkout under /app is not mistaken for app logs.
const APP_KEY =
  /^(?:[^/]+\/)?(?:app|apps|app-logs|app_logs|applogs)\/(?:[^/]+\/)*[^/]+\.(?:jsonl|ndjson|json|log)(?:\.gz)?$/;

// Fields that mark other sources' JSON: CloudWatch Logs payloads, wrappers, EventBridge, CloudFront v2 JSON.
const FOREIGN_FIELDS = ["messageType", "logEvents", "awslogs", "Records", "detail-type", "x-edge-location", "c-ip"];

// Records of the head weighed by the sniffer: enough to look past a damaged first few.
const SNIFF_RECORDS = 32;

/**
 * Application JSON lines (auth, api and audit events) into `app_events`. `others` are the record kinds other
 * sources own (CloudTrail records and digests): an object one of them recognises is not an app event.
 *
 * Keys match when their first or second segment is `app`, `apps`, `app-logs`, `app_logs` or `applogs` and the name
 * ends in `.jsonl`, `.ndjson`, `.json` or `.log` (optionally `.gz`); other objects are recognised by content: among
 * the first records of the head (lines, or pretty-printed objects), at least one JSON object with a `timestamp`,
 * `time`, `@timestamp` or `ts` field that is not CloudTrail, CloudWatch Logs or CloudFront JSON, and no more objects
 * of another kind than of this one. Lines that are not JSON objects (a damaged first line) do not count either way.
 *
 * @example
 * createAppJsonSource([]).matchKey("app/auth-service/2024/05/01/events-0001.jsonl.gz") // true
 */
export function createAppJsonSource(others: readonly RecordKind[]): LogSource<"app_json"> {
  const looksLikeAppEvent = (rec: JsonRecord): boolean =>
    hasAppTime(rec.value) &&
    !FOREIGN_FIELDS.some((f) => f in rec.value) &&
    !others.some((k) => k.find(rec) !== undefined);
  return {
    id: "app_json",
    description: "Application JSON lines (auth, api and audit events)",
    tables: [appEventsTable],
    matchKey: (key) => APP_KEY.test(key),
    sniff(head) {
      let app = 0;
      let other = 0;
      let seen = 0;
      for (const el of splitJson(head, JSON_LINE_RECORDS)) {
        if (el.status !== "complete" || !el.text.startsWith("{")) continue;
        const rec = JsonRecord.parse(el.text);
        if (rec === "bad_json") continue;
        if (rec !== "not_object" && looksLikeAppEvent(rec)) app++;
        else other++;
        if (++seen === SNIFF_RECORDS) break;
      }
      return app > 0 && app >= other;
    },
    parse: (text, ctx) => parseAppJson(text, ctx),
  };
}
