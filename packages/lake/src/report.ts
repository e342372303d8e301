import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type ReportData, type ReportFile, reportFiles, reportPrefix } from "@app/core/reports/report";

/** Where report files are written: a local folder, or an object store through an adapter. */
export interface ReportSink {
  readonly location: string;
  put(relPath: string, body: string, contentType: string): Promise<void>;
}

/** A report sink on the local file system. */
export function localReportSink(root: string): ReportSink {
  return {
    location: root,
    async put(relPath, body) {
      const target = join(root, ...relPath.split("/"));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, body);
    },
  };
}

/** Writes every file of a report under `reports/<report>/<period label>/` and returns their relative paths. */
export async function writeReport(data: ReportData, sink: ReportSink): Promise<string[]> {
  const prefix = reportPrefix(data.summary.report, data.summary.period);
  const written: string[] = [];
  const files: ReportFile[] = reportFiles(data);
  for (const f of files) {
    const rel = `${prefix}/${f.name}`;
    await sink.put(rel, f.body, f.contentType);
    written.push(rel);
  }
  return written;
}
