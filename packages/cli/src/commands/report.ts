import { customPeriod, PERIOD_KINDS, type PeriodKind, previousPeriod } from "@app/core/reports/period";
import { type ReportData, runReport } from "@app/core/reports/report";
import { duckDbRunner } from "@app/lake/query";
import { localReportSink, type ReportSink, writeReport } from "@app/lake/report";
import type { Command } from "commander";
import { InputError } from "../errors.ts";
import { parseS3Url } from "../lake.ts";
import { progress } from "../progress.ts";
import { readSavedQueries } from "../saved-queries.ts";
import { openLakeForQuery } from "./query.ts";

interface ReportOptions {
  lake: string;
  out: string;
  period?: string;
  from?: string;
  to?: string;
  queries?: string;
  endpoint?: string;
  json?: boolean;
}

async function outputSink(out: string, endpoint?: string): Promise<ReportSink> {
  const s3 = parseS3Url(out);
  if (!s3) return localReportSink(out);
  if (!s3.bucket) throw new InputError(`--out ${out}: missing bucket name`);
  const [{ s3ReportSink }, { makeS3Client }] = await Promise.all([
    import("@app/aws/athena"),
    import("@app/aws/clients"),
  ]);
  return s3ReportSink(makeS3Client(endpoint ? { endpoint } : {}), s3.bucket, s3.prefix);
}

/** One line per severity and the files written, for people. */
function describe(data: ReportData, files: readonly string[], location: string): string {
  const s = data.summary;
  const counts = Object.entries(s.totals.by_severity)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  return [
    `${s.title} ${s.period.from}..${s.period.to}: ${s.totals.findings} findings (${counts}) from ${s.totals.queries} queries`,
    `wrote ${files.length} files to ${location}/${files[0]?.split("/").slice(0, -1).join("/") ?? ""}/`,
  ].join("\n");
}

/** Registers `loglake report`: runs a report's saved queries on the lake and writes CSV, JSON and HTML. */
export function registerReport(program: Command): void {
  program
    .command("report")
    .description(
      "Run a report's saved queries (security, compliance) over the lake; write CSVs, summary.json, report.html",
    )
    .argument("<report>", "report name, as the query headers declare it (security, compliance)")
    .requiredOption("--lake <dir|s3://bucket/prefix>", "lake root")
    .requiredOption("--out <dir|s3://bucket/prefix>", "output root; files go to reports/<report>/<period>/")
    .option("--period <kind>", `the last complete ${PERIOD_KINDS.join(", ")} period (UTC)`)
    .option("--from <YYYY-MM-DD>", "first day (with --to, instead of --period)")
    .option("--to <YYYY-MM-DD>", "last day, inclusive")
    .option("--queries <dir>", "saved queries folder (default: the repository's queries/)")
    .option("--endpoint <url>", "S3 endpoint for s3:// locations (local emulators)")
    .option("--json", "print summary.json instead of the text summary")
    .action(async (report: string, opts: ReportOptions) => {
      const now = new Date();
      if (opts.period && (opts.from || opts.to)) throw new InputError("give --period or --from/--to, not both");
      let period: ReturnType<typeof previousPeriod>;
      if (opts.period) {
        if (!(PERIOD_KINDS as readonly string[]).includes(opts.period))
          throw new InputError(`--period ${opts.period}: use one of ${PERIOD_KINDS.join(", ")}`);
        period = previousPeriod(opts.period as PeriodKind, now);
      } else if (opts.from && opts.to) period = customPeriod(opts.from, opts.to);
      else throw new InputError("give --period <kind>, or both --from and --to");

      const queries = await readSavedQueries(opts.queries);
      const sink = await outputSink(opts.out, opts.endpoint);
      const conn = await openLakeForQuery(opts);
      const bar = opts.json ? undefined : progress(queries.filter((q) => q.report === report).length);
      try {
        const data = await runReport({
          runner: duckDbRunner(conn),
          queries,
          report,
          period,
          now,
          onQuery: (q, _r, i) => bar?.tick(i + 1, q.id),
        });
        bar?.done();
        const files = await writeReport(data, sink);
        process.stdout.write(
          opts.json ? `${JSON.stringify(data.summary, null, 2)}\n` : `${describe(data, files, sink.location)}\n`,
        );
      } finally {
        conn.closeSync();
      }
    });
}
