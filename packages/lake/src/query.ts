import { toDuckDbEmptyView, toDuckDbView } from "@app/core/schema/duckdb";
import { TABLES } from "@app/core/sources/index";
import type { DuckDBConnection } from "@duckdb/node-api";
import { installTrinoCompat } from "./compat.ts";
import { openDuckDb } from "./duckdb.ts";
import type { LakeStore } from "./store.ts";

/**
 * Opens DuckDB over a local lake directory with one view per table, named exactly as the table.
 * Tables without files get an empty view of the same shape, so every saved query runs on any lake; the Trino
 * compatibility macros are installed so saved queries run unchanged.
 */
export async function openLake(store: LakeStore & { root: string }, db?: DuckDBConnection): Promise<DuckDBConnection> {
  const conn = db ?? (await openDuckDb({ threads: 2 }));
  await installTrinoCompat(conn);
  for (const table of TABLES) {
    const files = await store.list(table.name);
    const hasParquet = files.some((f) => f.endsWith(".parquet"));
    await conn.run(hasParquet ? toDuckDbView(table, store.root) : toDuckDbEmptyView(table));
  }
  return conn;
}
