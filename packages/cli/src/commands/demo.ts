import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { customPeriod } from "@app/core/reports/period";
import type { Command } from "commander";
import { openLakeForQuery } from "../lake.ts";
import { readSavedQueries } from "../saved-queries.ts";
import { formatTotals, runIngest } from "./ingest.ts";

/** The embedded main job: sample logs -> lake -> security and compliance reports. */
export async function runDemo(
  outDir: string,
  log: (line: string) => void,
): Promise<{ lake: string; reports: string[] }> {
  const out = resolve(outDir);
  const logs = join(out, "logs");
  const lake = join(out, "lake");
  const [
    { DEMO_DEFAULTS, demoFiles },
    { runReport },
    { duckDbRunner },
    { localReportSink, writeReport },
    { localScanMeter },
    { writeReportFindings },
    { openDuckDb },
    { LocalLakeStore },
  ] = await Promise.all([
    import("@app/samples/demo/index"),
    import("@app/core/reports/report"),
    import("@app/lake/query"),
    import("@app/lake/report"),
    import("@app/lake/scan-meter"),
    import("@app/lake/findings"),
    import("@app/lake/duckdb"),
    import("@app/lake/store"),
  ]);
  const files = demoFiles();
  for (const f of files) {
    const path = join(logs, f.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, f.gzip ? gzipSync(f.contents) : f.contents);
  }
  log(`wrote ${files.length} sample log files (${DEMO_DEFAULTS.days} days to ${DEMO_DEFAULTS.endDate}) to ${logs}`);
  const totals = await runIngest({ paths: [logs], lake });
  log(formatTotals(totals, lake));

  // The last day holds the incidents; the days before it are the baseline the anomaly queries compare against.
  const period = customPeriod(DEMO_DEFAULTS.endDate, DEMO_DEFAULTS.endDate);
  const queries = await readSavedQueries();
  const sink = localReportSink(out);
  const conn = await openLakeForQuery({ lake });
  const reports: string[] = [];
  try {
    for (const report of ["security", "compliance"]) {
      const runner = duckDbRunner(conn, { meter: localScanMeter(lake) });
      const data = await runReport({ runner, queries, report, period, lake, now: new Date() });
      const written = await writeReport(data, sink);
      const db = await openDuckDb();
      await writeReportFindings({ db, store: new LocalLakeStore(lake), data }).finally(() => db.closeSync());
      const html = written.find((f) => f.endsWith(".html"));
      const t = data.summary.totals;
      const bySeverity = Object.entries(t.by_severity)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ");
      const scanned = `${data.summary.scanned.bytes} bytes in ${data.summary.scanned.files} files scanned`;
      log(
        `${data.summary.title} ${period.label}: ${t.findings} findings (${bySeverity}), ${scanned} -> ${join(out, html ?? "")}`,
      );
      if (html) reports.push(join(out, html));
    }
  } finally {
    conn.closeSync();
  }
  log(
    `next: npx loglake query --lake ${lake} --sql "select event_name, count(*) n from cloudtrail group by 1 order by n desc limit 10"`,
  );
  return { lake, reports };
}

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description(
      "Generate realistic sample logs of every source (fixed seed), ingest them into a local lake, and write the " +
        "security and compliance reports",
    )
    .option("--out <dir>", "where to write logs/, lake/ and reports/", "demo")
    .action(async (opts: { out: string }) => {
      await runDemo(opts.out, (line) => process.stdout.write(`${line}\n`));
    });
}
