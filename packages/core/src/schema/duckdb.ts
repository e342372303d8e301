import { PARTITION_KEYS } from "../lake-layout.ts";
import { escapeGlob, quoteIdent, quoteLiteral } from "./sql.ts";
import type { TableDef } from "./table.ts";
import { TYPE_MAP } from "./types.ts";

/** DuckDB column types of a table in storage order. */
export function toDuckDbColumns(table: TableDef): { name: string; type: string }[] {
  return Object.entries(table.columns).map(([name, col]) => ({ name, type: TYPE_MAP[col.type].duckdb }));
}

function selectList(table: TableDef): string {
  const cols = toDuckDbColumns(table).map((c) => `CAST(${quoteIdent(c.name)} AS ${c.type}) AS ${quoteIdent(c.name)}`);
  const parts = PARTITION_KEYS.map((p) => `CAST(${quoteIdent(p.name)} AS ${p.duckdb}) AS ${quoteIdent(p.name)}`);
  return [...cols, ...parts].join(",\n  ");
}

/**
 * `CREATE VIEW` over the table's Parquet files under `root` (`<root>/<table>/dt=…/hour=…/*.parquet`).
 * `union_by_name` lets files written before an additive column change be read with NULLs for the new column.
 */
export function toDuckDbView(table: TableDef, root: string, files?: readonly string[]): string {
  const base = escapeGlob(root.replace(/\/+$/, ""));
  // With `files` (lake-relative), exactly those are read: a compaction stopped halfway leaves files no reader may count.
  const glob =
    files === undefined
      ? quoteLiteral(`${base}/${escapeGlob(table.name)}/*/*/*.parquet`)
      : `[${files.map((f) => quoteLiteral(`${base}/${escapeGlob(f)}`)).join(", ")}]`;
  const hiveTypes = PARTITION_KEYS.map((p) => `${quoteIdent(p.name)}: ${p.duckdb}`).join(", ");
  return `CREATE OR REPLACE VIEW ${quoteIdent(table.name)} AS SELECT\n  ${selectList(table)}\nFROM read_parquet(${glob}, hive_partitioning = true, hive_types = {${hiveTypes}}, union_by_name = true)`;
}

/** The same view over no files, for a lake where the table has no data yet. */
export function toDuckDbEmptyView(table: TableDef): string {
  const cols = toDuckDbColumns(table).map((c) => `CAST(NULL AS ${c.type}) AS ${quoteIdent(c.name)}`);
  const parts = PARTITION_KEYS.map((p) => `CAST(NULL AS ${p.duckdb}) AS ${quoteIdent(p.name)}`);
  return `CREATE OR REPLACE VIEW ${quoteIdent(table.name)} AS SELECT\n  ${[...cols, ...parts].join(",\n  ")}\nWHERE false`;
}
