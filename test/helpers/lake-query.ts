import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { syncLakeToCache } from "@app/aws/lake-cache";
import { openLake } from "@app/lake/query";
import { LocalLakeStore } from "@app/lake/store";

/** Rows of one SQL query over the lake bucket (mirrored to a temporary directory through the SDK), as JSON values. */
export async function lakeQuery(endpoint: string, bucket: string, sql: string): Promise<Record<string, unknown>[]> {
  const dir = await mkdtemp(join(tmpdir(), "loglake-e2e-cache-"));
  try {
    const root = await syncLakeToCache({ bucket, endpoint, cacheDir: dir });
    const conn = await openLake(new LocalLakeStore(root));
    try {
      return (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
    } finally {
      conn.closeSync();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
