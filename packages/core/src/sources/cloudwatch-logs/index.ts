import { isObject } from "../app-json/coerce.ts";
import { appEventsTable } from "../app-json/schema.ts";
import { firstJsonObject } from "../cloudtrail/parse.ts";
import { cloudtrailTable } from "../cloudtrail/schema.ts";
import type { LogSource } from "../types.ts";
import { CWL_ARRAY_KEYS, parseCloudWatchLogs } from "./parse.ts";

// A CloudWatch Logs prefix as the first or second key segment (Firehose delivery names carry no extension).
const CWL_KEY = /^(?:[^/]+\/)?(?:cloudwatch-logs|cloudwatch_logs|cloudwatchlogs|CloudWatchLogs|cwl)\//;
const MESSAGE_TYPE = /(?<!\\)"messageType"\s*:\s*"(?:DATA|CONTROL)_MESSAGE"/;

/**
 * CloudWatch Logs subscription payloads (gzip bytes, base64 of gzip, Lambda `awslogs` events, Firehose
 * concatenations): CloudTrail messages go to `cloudtrail`, other JSON messages to `app_events`, control messages
 * are skipped and counted.
 *
 * @example
 * cloudwatchLogsSource.sniff('{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logEvents":[]}') // true
 */
export const cloudwatchLogsSource: LogSource<"cloudwatch_logs"> = {
  id: "cloudwatch_logs",
  description: "CloudWatch Logs subscription payloads (CloudTrail and application log events)",
  tables: [cloudtrailTable, appEventsTable],
  matchKey: (key) => CWL_KEY.test(key),
  sniff(head) {
    const trimmed = head.trimStart();
    if (trimmed.startsWith("H4sI")) return true;
    const first = firstJsonObject(head, CWL_ARRAY_KEYS);
    if (first) {
      if (first.messageType === "DATA_MESSAGE" || first.messageType === "CONTROL_MESSAGE") return true;
      const envelope = isObject(first.awslogs) ? first.awslogs : isObject(first.kinesis) ? first.kinesis : undefined;
      return typeof envelope?.data === "string";
    }
    // The first payload is longer than the sniffed head.
    return trimmed.startsWith("{") && (MESSAGE_TYPE.test(head) || /^\{\s*"awslogs"\s*:/.test(trimmed));
  },
  parse: (text, ctx) => parseCloudWatchLogs(text, ctx.maxRecordChars),
};
