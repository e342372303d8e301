import type { LogSource } from "../types.ts";
import { isRealtimeKey, isStandardKey, sniffRealtime, sniffStandard } from "./detect.ts";
import { parseCloudFront, parseCloudFrontRealtime } from "./parse.ts";
import { cloudfrontRealtimeTable, cloudfrontTable } from "./schema.ts";

/**
 * CloudFront standard logs: legacy W3C files (`<prefix>/<distribution>.YYYY-MM-DD-HH.<id>.gz`) and standard
 * logging v2 (W3C or JSON lines, under `AWSLogs/<account>/CloudFront/` or any key when sniffed). v2 Parquet output
 * is not read here.
 *
 * @example
 * cloudfrontSource.matchKey("logs/E2QWRUHAPOMQZL.2019-12-04-21.6c8f2d1e.gz"); // true
 */
export const cloudfrontSource: LogSource<"cloudfront"> = {
  id: "cloudfront",
  description: "CloudFront standard access logs (legacy W3C and standard logging v2 W3C/JSON)",
  tables: [cloudfrontTable],
  matchKey: isStandardKey,
  sniff: sniffStandard,
  parse: parseCloudFront,
  delimitedLines: true,
};

/**
 * CloudFront real-time logs: tab-separated records from Kinesis Data Streams, mapped by the configured field list.
 * Kinesis records carry no key, so consumers force this source; S3 keys match when they mention
 * `cloudfront-realtime` (for example a Firehose prefix).
 *
 * @example
 * cloudfrontRealtimeSource.matchKey("firehose/cloudfront-realtime/2024/01/01/00/part-0001.gz"); // true
 */
export const cloudfrontRealtimeSource: LogSource<"cloudfront_realtime"> = {
  id: "cloudfront_realtime",
  description: "CloudFront real-time logs (Kinesis Data Streams records, tab-separated)",
  tables: [cloudfrontRealtimeTable],
  matchKey: isRealtimeKey,
  sniff: sniffRealtime,
  parse: parseCloudFrontRealtime,
  delimitedLines: true,
};
