import { readdir, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { parsePartitionPath } from "@app/core/lake-layout";
import { lookbackDays } from "@app/core/queries/compile";
import type { ParamName } from "@app/core/queries/header";
import type { ScanStats } from "@app/core/queries/result";

/** Measures what a statement reads from a local lake: the Parquet files under the partitions it selects. */
export type ScanMeter = (args: {
  sql: string;
  tables: readonly string[];
  params: readonly ParamName[];
  values: readonly string[];
}) => Promise<ScanStats>;

/** What a local lake's scan figures mean, as reports state it. */
export const LOCAL_SCAN_MEASURE =
  "DuckDB: size of the whole Parquet files under the dt partitions each statement's filters select (all columns; Athena counts only the columns it reads)";

const DAY = 86_400_000;

function daysBefore(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - days * DAY).toISOString().slice(0, 10);
}

function partitionDay(dir: string): string | undefined {
  try {
    return parsePartitionPath(dir).dt;
  } catch {
    return undefined;
  }
}

/**
 * A scan meter over a lake directory. A statement's days are the period's (its `from` and `to` values) widened by
 * its `date_add('day', -N, …)` look-back; a table it reads without such a window, or without `dt` partitions,
 * counts whole.
 */
export function localScanMeter(root: string): ScanMeter {
  return async ({ sql, tables, params, values }) => {
    const from = values[params.indexOf("from")];
    const to = values[params.indexOf("to")];
    const back = lookbackDays(sql);
    const window = from !== undefined && to !== undefined && back !== undefined ? [daysBefore(from, back), to] : [];
    const [first, last] = window;
    let bytes = 0;
    let files = 0;
    for (const table of new Set(tables)) {
      const dir = join(root, table);
      const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        if (!e.isFile() || !e.name.endsWith(".parquet")) continue;
        const day = partitionDay(relative(dir, e.parentPath).split(sep).join("/"));
        if (first && last && day !== undefined && (day < first || day > last)) continue;
        bytes += (await stat(join(e.parentPath, e.name))).size;
        files++;
      }
    }
    return { bytes, files };
  };
}
