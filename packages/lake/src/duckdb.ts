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
    // Hand freed memory back to the system after each task instead of keeping up to 128 MB cached: the process's
    // peak is what a Lambda's memory size must cover (bench/RESULTS.md).
    allocator_flush_threshold: "8MB",
    // No extension downloads: this must work offline and in Lambda.
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
  });
  const connection = await instance.connect();
  instances.set(connection, instance);
  return connection;
}

const instances = new WeakMap<DuckDBConnection, DuckDBInstance>();

/** Another connection to the same database, for work that runs side by side with `connection`'s. */
export async function siblingConnection(connection: DuckDBConnection): Promise<DuckDBConnection> {
  const instance = instances.get(connection);
  if (!instance) throw new Error("siblingConnection needs a connection made by openDuckDb");
  const sibling = await instance.connect();
  instances.set(sibling, instance);
  return sibling;
}
