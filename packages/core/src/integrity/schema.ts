import { logEventLineageColumns } from "../lake-layout.ts";
import { column } from "../schema/column.ts";
import { defineTable, type ParsedRowOf } from "../schema/table.ts";
import type { IntegrityResult } from "./results.ts";

/** Results of `loglake verify` and the scheduled integrity check, one row per checked object and check. */
export const integrityTable = defineTable({
  name: "integrity",
  description:
    "Integrity checks: CloudTrail digests and log files, lake manifests, chains and Parquet files, one row per checked object",
  timeColumn: "event_time",
  columns: {
    event_time: column.timestamp(
      "The hour the checked object's data belongs to (a digest's end, a log file's delivery), else the check time, UTC",
      { nullable: false },
    ),
    checked_object: column.string("What was checked: s3://bucket/key, a file path or a lake key", { nullable: false }),
    kind: column.string("log_file, digest, parquet_file, manifest or lake_chain", { nullable: false }),
    verdict: column.string(
      "valid, modified, missing, not_covered, added, chain_break, started, stopped or unchecked (see the README)",
      { nullable: false },
    ),
    detail: column.string("Why, in one line: which hash, key or neighbour", { nullable: false }),
    checked_at: column.timestamp("When the check ran, UTC", { nullable: false }),
  },
});
export type IntegrityParsedRow = ParsedRowOf<typeof integrityTable>;

/** The `integrity` rows of a run's results, lineage included (`source_object` names the run). */
export function integrityRows(
  results: readonly IntegrityResult[],
  checkedAt: string,
  run: string,
): Record<string, unknown>[] {
  return results.map((r, i) => ({
    event_time: r.hour === undefined ? checkedAt : `${r.hour}:00:00Z`,
    checked_object: r.object,
    kind: r.kind,
    verdict: r.verdict,
    detail: r.detail,
    checked_at: checkedAt,
    source_object: run,
    source_line: i + 1,
    ingest_time: checkedAt,
    ...logEventLineageColumns(undefined),
  }));
}
