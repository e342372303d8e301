import { column } from "../../schema/column.ts";
import { defineTable, type ParsedRowOf, type RowOf } from "../../schema/table.ts";
import { columnsFor, REALTIME_FIELDS, STANDARD_FIELDS } from "./fields.ts";

/** CloudFront standard access logs (legacy W3C files and standard logging v2). */
export const cloudfrontTable = defineTable({
  name: "cloudfront",
  description: "CloudFront standard access logs, one row per viewer request",
  referenceUrl: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html",
  timeColumn: "event_time",
  columns: {
    event_time: column.timestamp("Request time in UTC (the log's date and time fields)", { nullable: false }),
    distribution_id: column.string("Distribution id, from the log file name or the v2 DistributionId field", {
      from: "DistributionId",
    }),
    ...columnsFor(STANDARD_FIELDS),
    extra: column.json(
      "Fields present in the log but not modelled as columns, as a JSON object of field name to value",
      { rest: true },
    ),
  },
});
export type CloudFrontRow = RowOf<typeof cloudfrontTable>;
export type CloudFrontParsedRow = ParsedRowOf<typeof cloudfrontTable>;

/** CloudFront real-time logs delivered through Kinesis Data Streams. */
export const cloudfrontRealtimeTable = defineTable({
  name: "cloudfront_realtime",
  description: "CloudFront real-time logs, one row per sampled viewer request",
  referenceUrl: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/real-time-logs.html",
  timeColumn: "event_time",
  columns: {
    event_time: column.timestamp("Request time in UTC (the timestamp field, epoch seconds with milliseconds)", {
      nullable: false,
    }),
    ...columnsFor(REALTIME_FIELDS),
    extra: column.json("Configured fields not modelled as columns, as a JSON object of field name to value", {
      rest: true,
    }),
  },
});
export type CloudFrontRealtimeRow = RowOf<typeof cloudfrontRealtimeTable>;
export type CloudFrontRealtimeParsedRow = ParsedRowOf<typeof cloudfrontRealtimeTable>;
