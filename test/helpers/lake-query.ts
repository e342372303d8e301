import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { syncLakeToCache } from "@app/aws/lake-cache";
import { openLake } from "@app/lake/query";
import { LocalLakeStore } from "@app/lake/store";
import type { DuckDBConnection } from "@duckdb/node-api";

/**
 * Runs `read` on DuckDB over the lake bucket, mirrored to a temporary directory through the SDK; the connection and
 * the mirror are gone when it returns.
 */
export async function withLakeMirror<T>(
  endpoint: string,
  bucket: string,
  read: (conn: DuckDBConnection) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "loglake-e2e-cache-"));
  try {
    const root = await syncLakeToCache({ bucket, endpoint, cacheDir: dir });
    const conn = await openLake(new LocalLakeStore(root));
    try {
      return await read(conn);
    } finally {
      conn.closeSync();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Rows of one SQL query over the lake bucket, as JSON values. */
export function lakeQuery(endpoint: string, bucket: string, sql: string): Promise<Record<string, unknown>[]> {
  return withLakeMirror(
    endpoint,
    bucket,
    async (conn) => (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[],
  );
}
