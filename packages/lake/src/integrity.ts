import type { IntegrityResult } from "@app/core/integrity/results";
import { integrityRows, integrityTable } from "@app/core/integrity/schema";
import { openDuckDb } from "./duckdb.ts";
import { writeManifest, writeRows } from "./ingest.ts";
import type { LakeStore } from "./store.ts";

/**
 * Writes a verify run's results to the lake's `integrity` table under their own manifest (chained like any other),
 * named by the check time so each run adds rows and a re-run at the same second replaces its own.
 */
export async function recordIntegrity(
  store: LakeStore,
  results: readonly IntegrityResult[],
  checkedAt: string,
): Promise<number> {
  if (results.length === 0) return 0;
  const name = `verify-${checkedAt.replace(/[^0-9]/g, "")}`;
  const run = `loglake-verify://${checkedAt}`;
  const rows = integrityRows(results, checkedAt, run);
  const db = await openDuckDb();
  try {
    const written = await writeRows({ db, store, name, rows: rows.map((r) => [integrityTable, r] as const) });
    await writeManifest(store, {
      name,
      source_object: run,
      ingest_time: checkedAt,
      summary: {
        source: "unknown",
        records: rows.length,
        rows: { integrity: rows.length },
        quarantined: {},
        skipped: {},
      },
      files: written.files,
      file_sha256: written.sha256,
    });
  } finally {
    db.closeSync();
  }
  return rows.length;
}
