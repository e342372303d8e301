import { openDuckDb } from "@app/lake/duckdb";
import type { DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll } from "vitest";

type Open = () => Promise<DuckDBConnection>;

const inMemory: Open = () => openDuckDb();

/** Runs `use` on a fresh connection (in-memory DuckDB unless `open` makes another) and closes it however `use` ends. */
export async function withDuckDb<T>(use: (db: DuckDBConnection) => Promise<T>, open: Open = inMemory): Promise<T> {
  const db = await open();
  try {
    return await use(db);
  } finally {
    db.closeSync();
  }
}

/** One connection for the tests of a file: opened before they run, closed after. Returns its getter. */
export function useDuckDb(open: Open = inMemory, timeout?: number): () => DuckDBConnection {
  let db: DuckDBConnection | undefined;
  beforeAll(async () => {
    db = await open();
  }, timeout);
  afterAll(() => db?.closeSync());
  return () => {
    if (!db) throw new Error("the DuckDB connection is open only while the file's tests run");
    return db;
  };
}
