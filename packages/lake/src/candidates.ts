import { PARTITION_KEYS } from "@app/core/lake-layout";
import type { QueryResult } from "@app/core/queries/result";
import { quoteIdent } from "@app/core/schema/sql";
import { TYPE_MAP } from "@app/core/schema/types";
import { tableByName } from "@app/core/sources/index";
import { installTrinoCompat } from "./compat.ts";
import { openDuckDb } from "./duckdb.ts";
import { runPrepared } from "./query.ts";

/** Rows another engine returned as text, for one table: its name, its column names and each row's values. */
export interface TextTable {
  name: string;
  columns: readonly string[];
  /** Undefined is NULL. */
  rows: readonly (readonly (string | undefined)[])[];
}

/** The DuckDB type of a column of a registered table (partition keys included); VARCHAR for anything else. */
function columnType(table: string, column: string): string {
  const def = tableByName(table)?.columns[column];
  if (def) return TYPE_MAP[def.type].duckdb;
  return PARTITION_KEYS.find((p) => p.name === column)?.duckdb ?? "VARCHAR";
}

/**
 * Loads text rows into tables of an embedded DuckDB, typed as the registry types them (so timestamps compare as
 * timestamps), and runs each statement over them with its values. The database lives only for the call.
 */
export async function runOverRows(args: {
  tables: readonly TextTable[];
  statements: readonly { sql: string; values: readonly string[] }[];
}): Promise<QueryResult[]> {
  const db = await openDuckDb({ threads: 1 });
  try {
    await installTrinoCompat(db);
    for (const t of args.tables) {
      const stage = `${t.name}__text`;
      await db.run(
        `CREATE TABLE ${quoteIdent(stage)} (${t.columns.map((c) => `${quoteIdent(c)} VARCHAR`).join(", ")})`,
      );
      const appender = await db.createAppender(stage);
      for (const row of t.rows) {
        for (const [i] of t.columns.entries()) {
          const v = row[i];
          if (v === undefined) appender.appendNull();
          else appender.appendVarchar(v);
        }
        appender.endRow();
      }
      appender.closeSync();
      const casts = t.columns.map((c) => `CAST(${quoteIdent(c)} AS ${columnType(t.name, c)}) AS ${quoteIdent(c)}`);
      await db.run(`CREATE TABLE ${quoteIdent(t.name)} AS SELECT ${casts.join(", ")} FROM ${quoteIdent(stage)}`);
      await db.run(`DROP TABLE ${quoteIdent(stage)}`);
    }
    const results: QueryResult[] = [];
    for (const s of args.statements) results.push(await runPrepared(db, s.sql, s.values));
    return results;
  } finally {
    db.closeSync();
  }
}
