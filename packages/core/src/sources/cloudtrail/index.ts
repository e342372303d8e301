import { firstJsonRecord } from "../json-record.ts";
import type { LogSource } from "../types.ts";
import { CLOUDTRAIL_ARRAY_KEYS, findCloudTrailRecord, isCloudTrailDigest, parseCloudTrail } from "./parse.ts";
import { cloudtrailDigestLogFileTable, cloudtrailDigestTable, cloudtrailTable } from "./schema.ts";

// AWSLogs/[o-org/]<acct>/CloudTrail[-Insight]/<region>/YYYY/MM/DD/<file>.json[.gz], or the bare delivered file name.
const TRAIL_KEY =
  /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]{10,32}\/)?\d{12}\/CloudTrail(?:-Insight)?\/[a-z0-9-]+\/\d{4}\/\d{2}\/\d{2}\/[^/]+\.json(?:\.gz)?$/;
const TRAIL_FILE = /(?:^|\/)\d{12}_CloudTrail(?:-Insight)?_[a-z0-9-]+_\d{8}T\d{4}Z_[A-Za-z0-9]+\.json(?:\.gz)?$/;
const DIGEST_KEY = /(?:^|\/)CloudTrail-Digest\/|(?:^|\/)\d{12}_CloudTrail-Digest_[^/]+\.json(?:\.gz)?$/;

const RECORDS_PREFIX = /^\uFEFF?\s*\{\s*"Records"\s*:\s*\[/;
// Field names outside JSON strings: a quote not preceded by a backslash (CloudWatch Logs messages escape them).
const EVENT_VERSION_FIELD = /(?<!\\)"eventVersion"\s*:/;
const EVENT_TIME_FIELD = /(?<!\\)"(?:eventTime|@timestamp)"\s*:/;

/**
 * CloudTrail trail files (`{"Records":[…]}`, gz or not), Insights files, NDJSON and bare-array exports,
 * `lookup-events` output, single records and EventBridge CloudTrail events. Digest bodies met here still go to
 * `cloudtrail_digest`, never to `cloudtrail`.
 *
 * @example
 * cloudtrailSource.matchKey("AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/111122223333_CloudTrail_us-east-1_20240501T1005Z_Ab12Cd34Ef56Gh78.json.gz") // true
 */
export const cloudtrailSource: LogSource<"cloudtrail"> = {
  id: "cloudtrail",
  description: "CloudTrail log files, exports and EventBridge CloudTrail events",
  tables: [cloudtrailTable, cloudtrailDigestTable, cloudtrailDigestLogFileTable],
  matchKey: (key) => !DIGEST_KEY.test(key) && (TRAIL_KEY.test(key) || TRAIL_FILE.test(key)),
  sniff(head) {
    const first = firstJsonRecord(head, CLOUDTRAIL_ARRAY_KEYS);
    if (first) return !isCloudTrailDigest(first.value) && findCloudTrailRecord(first) !== undefined;
    // The first record is longer than the sniffed head: fall back to what its beginning shows.
    if (RECORDS_PREFIX.test(head)) return true;
    return /^\uFEFF?\s*[[{]/.test(head) && EVENT_VERSION_FIELD.test(head) && EVENT_TIME_FIELD.test(head);
  },
  parse: (text, ctx) => parseCloudTrail(text, "events", ctx.maxRecordChars),
};

/**
 * CloudTrail digest files (`CloudTrail-Digest/`): one `cloudtrail_digest` row per file, kept for log file
 * integrity validation.
 *
 * @example
 * cloudtrailDigestSource.matchKey("AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_trail_us-east-2_20150817T150131Z.json.gz") // true
 */
export const cloudtrailDigestSource: LogSource<"cloudtrail_digest"> = {
  id: "cloudtrail_digest",
  description: "CloudTrail digest files (log file integrity validation)",
  tables: [cloudtrailDigestTable, cloudtrailDigestLogFileTable],
  matchKey: (key) => DIGEST_KEY.test(key),
  sniff(head) {
    const first = firstJsonRecord(head, []);
    if (first) return isCloudTrailDigest(first.value);
    return /^\uFEFF?\s*\{/.test(head) && /"digestStartTime"\s*:/.test(head) && /"digestS3Object"\s*:/.test(head);
  },
  parse: (text, ctx) => parseCloudTrail(text, "digests", ctx.maxRecordChars),
};
