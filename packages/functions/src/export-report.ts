import { type ExportReportEvent, exportReport, reportRuntime } from "./lib/report-export.ts";

export type { ExportReportEvent } from "./lib/report-export.ts";

// Cold start: missing settings fail here, before the first event.
const runtime = await reportRuntime();

/** Runs one report on Athena and writes its CSVs, summary.json and report.html to the reports bucket. */
export async function handler(event: ExportReportEvent): Promise<{ files: string[]; findings: number }> {
  return exportReport(runtime, event);
}
