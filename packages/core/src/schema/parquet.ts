import type { TableDef } from "./table.ts";
import { TYPE_MAP } from "./types.ts";

/** Expected physical/logical Parquet type per column, as the round-trip test reads it back from file metadata. */
export function toParquetSchema(table: TableDef): { name: string; type: string; nullable: boolean }[] {
  return Object.entries(table.columns).map(([name, col]) => ({
    name,
    type: TYPE_MAP[col.type].parquet,
    nullable: col.nullable,
  }));
}
