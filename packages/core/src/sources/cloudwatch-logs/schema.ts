import { column } from "../../schema/column.ts";
import { defineTable, type ParsedRowOf, type RowOf } from "../../schema/table.ts";

/**
 * CloudWatch Logs events whose message is no CloudTrail record and no JSON app event (VPC flow logs, Lambda
 * platform lines, any text): the message as sent. The log event's owner, group, stream and id are the lineage
 * columns every table has (`cwl_owner`, `cwl_log_group`, `cwl_log_stream`, `cwl_event_id`).
 */
export const cloudwatchLogsTable = defineTable({
  name: "cloudwatch_logs",
  description: "CloudWatch Logs events that are no CloudTrail or app JSON record, message kept exactly",
  referenceUrl: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html",
  timeColumn: "event_time",
  columns: {
    event_time: column.timestamp("Log event timestamp (epoch milliseconds in the payload), UTC", { nullable: false }),
    message: column.string("Log event message, exactly as sent", { nullable: false }),
    subscription_filters: column.json("Names of the subscription filters that delivered the event (JSON array)"),
  },
});
export type CloudWatchLogsRow = RowOf<typeof cloudwatchLogsTable>;
export type CloudWatchLogsParsedRow = ParsedRowOf<typeof cloudwatchLogsTable>;
