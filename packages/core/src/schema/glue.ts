import { PARTITION_KEYS, partitionLocationTemplate } from "../lake-layout.ts";
import type { TableDef } from "./table.ts";
import { TYPE_MAP } from "./types.ts";

export interface GlueColumn {
  name: string;
  type: string;
  comment: string;
}

const GLUE_COMMENT_MAX = 255;
const HOUR_KEY = PARTITION_KEYS[1];

function comment(text: string): string {
  return text.length <= GLUE_COMMENT_MAX ? text : `${text.slice(0, GLUE_COMMENT_MAX - 1)}…`;
}

/** Glue (Hive) columns of a table, with comments cut to Glue's 255-character limit. */
export function toGlueColumns(table: TableDef): GlueColumn[] {
  return Object.entries(table.columns).map(([name, col]) => ({
    name,
    type: TYPE_MAP[col.type].glue,
    comment: comment(col.description),
  }));
}

/** Glue partition keys: `dt` (string date) and `hour` (int). */
export function toGluePartitionKeys(): GlueColumn[] {
  return PARTITION_KEYS.map((p) => ({ name: p.name, type: p.glue, comment: p.description }));
}

/**
 * Partition projection parameters for a table stored at `location` (an `s3://bucket/prefix/<table>/` URL).
 * `dt` is a date from `startDate` to NOW; `hour` is 00-23 with two digits, so no hour is ever left unprojected.
 */
export function toGlueProjection(location: string, startDate: string): Record<string, string> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(startDate))
    throw new Error(`projection start date must be YYYY-MM-DD, got "${startDate}"`);
  const base = location.endsWith("/") ? location : `${location}/`;
  return {
    "projection.enabled": "true",
    "projection.dt.type": "date",
    "projection.dt.format": "yyyy-MM-dd",
    "projection.dt.range": `${startDate},NOW`,
    "projection.dt.interval": "1",
    "projection.dt.interval.unit": "DAYS",
    "projection.hour.type": "integer",
    "projection.hour.range": "0,23",
    "projection.hour.digits": String(HOUR_KEY.digits),
    "storage.location.template": `${base}${partitionLocationTemplate()}/`,
    classification: "parquet",
    "parquet.compression": "ZSTD",
  };
}
