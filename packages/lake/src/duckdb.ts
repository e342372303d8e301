import { setFlagsFromString } from "node:v8";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";

let youngGenerationKept = false;

/**
 * Keeps V8's young generation at its starting size instead of letting it grow to 32 MB (2 x 16 MB semi-spaces)
 * while rows are parsed: with DuckDB converting beside the parser, that growth was the difference between a
 * daily log's peak over 256 MB and under it, at no measurable CPU cost (bench/evidence/mem.md). In-process, so it
 * holds for the CLI and every Lambda handler alike; unlike `--max-semi-space-size`, V8 reads this flag each time
 * the young generation would grow, so setting it after start-up takes effect.
 */
function keepYoungGenerationSmall(): void {
  if (youngGenerationKept) return;
  youngGenerationKept = true;
  setFlagsFromString("--semi-space-growth-factor=1");
}

/** Settings for an embedded DuckDB: one thread keeps memory low and output order deterministic. */
export interface DuckDbOptions {
  threads?: number;
  memoryLimit?: string;
}

/** Opens an in-memory DuckDB and one connection on it. */
export async function openDuckDb(options: DuckDbOptions = {}): Promise<DuckDBConnection> {
  keepYoungGenerationSmall();
  const instance = await DuckDBInstance.create(":memory:", {
    threads: String(options.threads ?? 1),
    memory_limit: options.memoryLimit ?? "512MB",
    // Hand freed memory back to the system after each task instead of keeping up to 128 MB cached: the process's
    // peak is what a Lambda's memory size must cover (bench/RESULTS.md).
    allocator_flush_threshold: "8MB",
    // The same for memory freed in bulk (a finished `COPY`'s buffers): at the default of 512 MB each conversion
    // left about 60 MB behind, which the next one did not reuse (bench/evidence/mem.md).
    allocator_bulk_deallocation_flush_threshold: "1MB",
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
