import { column } from "../../schema/column.ts";
import { defineTable, type ParsedRowOf, type RowOf } from "../../schema/table.ts";

/** Why a record was quarantined. */
export const REJECT_REASONS = [
  "bad_field_count",
  "bad_json",
  "bad_timestamp",
  "bad_value",
  "bad_record",
  "unknown_source",
  "truncated",
  "corrupt_gzip",
  "missing_header",
  "too_large",
  "write_failed",
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/**
 * What an object's ingest summary (kept in its manifest) flags about input that was read but was not clean, with
 * nothing lost: `invalid_utf8` counts byte sequences that were not UTF-8 and were kept as U+FFFD (the summary's
 * `flagged_lines` lists the records holding them), `trailing_bytes` counts bytes after the last gzip member that
 * start no member (ignored, as `gunzip` ignores them).
 */
export const INPUT_FLAGS = ["invalid_utf8", "trailing_bytes"] as const;
export type InputFlag = (typeof INPUT_FLAGS)[number];

/** Records that could not be parsed, with why and where, so nothing is lost silently. */
export const quarantineTable = defineTable({
  name: "quarantine",
  description: "Records that could not be parsed, with the reason and the raw text (up to 64 KiB)",
  timeColumn: "event_time",
  columns: {
    event_time: column.timestamp(
      "The bad record's own time when it could be read, else the time the object key names (CloudFront's DIST.YYYY-MM-DD-HH., CloudTrail's _YYYYMMDDTHHmmZ_, a /YYYY/MM/DD/ path), else the arrival time (ingest_time)",
      {
        nullable: false,
      },
    ),
    source_kind: column.string("Source the record was parsed as (cloudfront, cloudtrail, app_json, …) or unknown", {
      nullable: false,
    }),
    reason: column.string(`Reason code: ${REJECT_REASONS.join(", ")}`, { nullable: false }),
    message: column.string("Human-readable explanation", { nullable: false }),
    raw: column.string("The raw record text, cut to 64 KiB"),
    raw_truncated: column.boolean("True when raw was cut to 64 KiB", { nullable: false }),
  },
});
export type QuarantineRow = RowOf<typeof quarantineTable>;
export type QuarantineParsedRow = ParsedRowOf<typeof quarantineTable>;
