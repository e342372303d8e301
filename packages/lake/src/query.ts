import { type Cell, kindOfType, type QueryResult, type QueryRunner, toCell } from "@app/core/queries/result";
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

/**
 * Runs one statement on DuckDB as a prepared statement with positional `?` values bound as VARCHAR (never spliced
 * into the SQL), and normalises the result the way the Athena runner does.
 */
export async function runPrepared(
  connection: DuckDBConnection,
  sql: string,
  values: readonly string[],
): Promise<QueryResult> {
  const prepared = await connection.prepare(sql);
  try {
    if (prepared.parameterCount !== values.length)
      throw new Error(`the statement has ${prepared.parameterCount} parameters but ${values.length} values were given`);
    values.forEach((v, i) => {
      prepared.bindVarchar(i + 1, v);
    });
    const reader = await prepared.runAndReadAll();
    const names = reader.columnNames();
    const kinds = reader.columnTypes().map((t) => kindOfType(t.toString()));
    const columns = names.map((name, i) => ({ name, kind: kinds[i] ?? "string" }));
    const rows = reader.getRowsJson().map((r) => {
      const row: Record<string, Cell> = {};
      columns.forEach((c, i) => {
        row[c.name] = toCell(r[i], c.kind);
      });
      return row;
    });
    return { columns, rows };
  } finally {
    prepared.destroySync();
  }
}

/** Runs saved queries on a DuckDB connection opened with `openLake` (Trino compatibility macros installed). */
export function duckDbRunner(connection: DuckDBConnection): QueryRunner {
  return {
    engine: "duckdb",
    run: (query, values) => runPrepared(connection, query.sql, values),
  };
}
