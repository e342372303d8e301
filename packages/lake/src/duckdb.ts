import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";

/** Settings for an embedded DuckDB: one thread keeps memory low and output order deterministic. */
export interface DuckDbOptions {
  threads?: number;
  memoryLimit?: string;
}

/** Opens an in-memory DuckDB and one connection on it. */
export async function openDuckDb(options: DuckDbOptions = {}): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(":memory:", {
    threads: String(options.threads ?? 1),
    memory_limit: options.memoryLimit ?? "512MB",
    // No extension downloads: this must work offline and in Lambda.
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
  });
  return instance.connect();
}
