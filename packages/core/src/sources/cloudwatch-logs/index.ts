import { firstJsonRecord } from "../json-record.ts";
import type { LogSource } from "../types.ts";
import { isObject } from "../values.ts";
import { CWL_ARRAY_KEYS, type MessageKinds, parseCloudWatchLogs } from "./parse.ts";
import { cloudwatchLogsTable } from "./schema.ts";

// A CloudWatch Logs prefix as the first or second key segment (Firehose delivery names carry no extension).
const CWL_KEY = /^(?:[^/]+\/)?(?:cloudwatch-logs|cloudwatch_logs|cloudwatchlogs|CloudWatchLogs|cwl)\//;
const MESSAGE_TYPE = /(?<!\\)"messageType"\s*:\s*"(?:DATA|CONTROL)_MESSAGE"/;

/**
 * CloudWatch Logs subscription payloads (gzip bytes, base64 of gzip, Lambda `awslogs` events, Firehose
 * concatenations): messages that are CloudTrail records go to the CloudTrail kind's table, other JSON messages to
 * the app kind's, any other message to `cloudwatch_logs`; control messages are skipped and counted. Every row keeps
 * the log event's owner, group, stream and id.
 *
 * @example
 * createCloudWatchLogsSource(kinds).sniff('{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logEvents":[]}') // true
 */
export function createCloudWatchLogsSource(kinds: MessageKinds): LogSource<"cloudwatch_logs"> {
  return {
    id: "cloudwatch_logs",
    description: "CloudWatch Logs subscription payloads (CloudTrail, application JSON and plain-text log events)",
    tables: [cloudwatchLogsTable, kinds.cloudtrail.table, kinds.app.table],
    matchKey: (key) => CWL_KEY.test(key),
    sniff(head) {
      const trimmed = head.trimStart();
      if (trimmed.startsWith("H4sI")) return true;
      const first = firstJsonRecord(head, CWL_ARRAY_KEYS)?.value;
      if (first) {
        if (first.messageType === "DATA_MESSAGE" || first.messageType === "CONTROL_MESSAGE") return true;
        const envelope = isObject(first.awslogs) ? first.awslogs : isObject(first.kinesis) ? first.kinesis : undefined;
        return typeof envelope?.data === "string";
      }
      // The first payload is longer than the sniffed head.
      return trimmed.startsWith("{") && (MESSAGE_TYPE.test(head) || /^\{\s*"awslogs"\s*:/.test(trimmed));
    },
    parse: (text, ctx) => parseCloudWatchLogs(text, kinds, ctx.maxRecordChars),
  };
}
