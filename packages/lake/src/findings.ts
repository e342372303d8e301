import { findingRows, findingsName } from "@app/core/findings/rows";
import type { FindingRow } from "@app/core/findings/schema";
import { findingsTable } from "@app/core/findings/schema";
import { securityHubExportDir, securityHubExportKey } from "@app/core/lake-layout";
import type { ReportData } from "@app/core/reports/report";
import type { DuckDBConnection } from "@duckdb/node-api";
import { readManifest, writeManifest, writeRows } from "./ingest.ts";
import type { LakeStore } from "./store.ts";

/**
 * Writes a report run's findings to the `findings` table under `name` (one per report and period), recorded by a
 * manifest of that name chained like an ingest's. Files an earlier run of the same name wrote that this one did not
 * rewrite are deleted after the new manifest, so the table holds each period's findings once, as the last run found
 * them. Returns the files written.
 */
export async function writeFindings(args: {
  db: DuckDBConnection;
  store: LakeStore;
  name: string;
  rows: readonly FindingRow[];
  reportTime: string;
}): Promise<string[]> {
  const earlier = await readManifest(args.store, args.name);
  const written = await writeRows({ ...args, rows: args.rows.map((r) => [findingsTable, r] as const) });
  await writeManifest(
    args.store,
    {
      name: args.name,
      source_object: `loglake-report://${args.name}`,
      ingest_time: args.reportTime,
      summary: {
        source: "unknown",
        records: args.rows.length,
        rows: { [findingsTable.name]: args.rows.length },
        quarantined: {},
        skipped: {},
      },
      files: written.files,
      file_sha256: written.sha256,
    },
    { earlier },
  );
  const keep = new Set(written.files);
  for (const old of earlier?.files ?? []) if (!keep.has(old)) await args.store.delete(old);
  return written.files;
}

/** Writes the findings of a finished report to the lake's `findings` table (see `writeFindings`). */
export async function writeReportFindings(args: {
  db: DuckDBConnection;
  store: LakeStore;
  data: ReportData;
}): Promise<{ rows: FindingRow[]; files: string[] }> {
  const s = args.data.summary;
  const rows = findingRows({
    report: s.report,
    period: s.period,
    reportTime: s.generated_at,
    results: args.data.results,
  });
  const files = await writeFindings({
    ...args,
    name: findingsName(s.report, s.period),
    rows,
    reportTime: s.generated_at,
  });
  return { rows, files };
}

const exportDay = (row: Pick<FindingRow, "event_time">) => row.event_time.slice(0, 10);

/**
 * The findings of `rows` not imported into Security Hub before (no export marker for their `finding_id`), each
 * once: a re-run of a period, or another report over the same events, sends only what is new.
 */
export async function unexportedFindings(store: LakeStore, rows: readonly FindingRow[]): Promise<FindingRow[]> {
  const exported = new Set<string>();
  for (const day of new Set(rows.map(exportDay)))
    for (const key of await store.list(securityHubExportDir(day))) exported.add(key);
  const out: FindingRow[] = [];
  for (const row of rows) {
    const key = securityHubExportKey(exportDay(row), row.finding_id);
    if (exported.has(key)) continue;
    exported.add(key);
    out.push(row);
  }
  return out;
}

/** Records that Security Hub took the findings `ids` of `rows` (one empty marker per finding, under its event day). */
export async function markExported(
  store: LakeStore,
  rows: readonly FindingRow[],
  ids: readonly string[],
): Promise<void> {
  const taken = new Set(ids);
  for (const row of rows)
    if (taken.has(row.finding_id)) await store.putText(securityHubExportKey(exportDay(row), row.finding_id), "");
}
