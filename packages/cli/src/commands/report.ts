import { reportNames } from "@app/core/queries/catalog";
import { FINDING_SEVERITIES, type FindingSeverity } from "@app/core/queries/header";
import type { QueryResult } from "@app/core/queries/result";
import { customPeriod, PERIOD_KINDS, type PeriodKind, previousPeriod } from "@app/core/reports/period";
import { dayList, partialTables, type ReportData } from "@app/core/reports/report";
import { criticalStreams, criticalTables, DEFAULT_CRITICALITY } from "@app/core/status/index";
import type { ReportSink } from "@app/lake/report";
import { type Command, Option } from "commander";
import { compactionConfig, detectionSettings } from "../config-file.ts";
import { addCriticalityOptions, criticalityFromOptions } from "../criticality.ts";
import { EXIT, InputError } from "../errors.ts";
import {
  endpointOption,
  lakeExists,
  lakeOption,
  lakeParquetFiles,
  lakeStore,
  openLakeAt,
  parseS3Url,
  queryableLakeRoot,
  resolveLake,
} from "../lake.ts";
import { chosenFormat, formatOptions, formatResult, JSON_NUMBERS } from "../output.ts";
import { progressLine, queryLine } from "../progress.ts";
import { readSavedQueries } from "../saved-queries.ts";
import { DATE_FORMS, oneOf, parseDay } from "../values.ts";

interface ReportOptions {
  lake?: string;
  out: string;
  period?: string;
  from?: string;
  to?: string;
  queries?: string;
  endpoint?: string;
  format?: string;
  json?: boolean;
  oneScan: boolean;
  failOn?: string;
  critical?: string;
  standard?: string;
  optional?: string;
}

async function outputSink(out: string, endpoint?: string, region?: string): Promise<ReportSink> {
  const s3 = parseS3Url(out);
  if (!s3) {
    const { localReportSink } = await import("@app/lake/report");
    return localReportSink(out);
  }
  if (!s3.bucket) throw new InputError(`--out ${out}: missing bucket name`);
  const [{ s3ReportSink }, { makeS3Client }] = await Promise.all([
    import("@app/aws/athena"),
    import("@app/aws/clients"),
  ]);
  return s3ReportSink(
    makeS3Client({ ...(endpoint ? { endpoint } : {}), ...(region ? { region } : {}) }),
    s3.bucket,
    s3.prefix,
  );
}

/** One line per severity and the files written, for people. */
function describe(data: ReportData, files: readonly string[], location: string): string {
  const s = data.summary;
  const counts = Object.entries(s.totals.by_severity)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  return [
    `${s.title} ${s.period.from}..${s.period.to}: ${s.totals.findings} findings (${counts}) from ${s.totals.queries} queries`,
    ...(s.no_data.length > 0 ? [`no data in the period for ${s.no_data.join(", ")}: not an all-clear`] : []),
    ...partialTables(s).map(
      (t) =>
        `no rows on ${t.days_without_rows.length} of ${s.findings_by_day.length} days for ${t.table} (${dayList(t.days_without_rows)}): not an all-clear for them`,
    ),
    `wrote ${files.length} files to ${location}/${files[0]?.split("/").slice(0, -1).join("/") ?? ""}/`,
  ].join("\n");
}

/** One row per query, for CSV. */
function queryRows(data: ReportData): QueryResult {
  const names = ["id", "severity", "section", "rows", "csv", "sql_sha256"] as const;
  return {
    columns: names.map((name) => ({ name, kind: name === "rows" ? "number" : "string" })),
    rows: data.summary.queries.map((q) => Object.fromEntries(names.map((n) => [n, q[n]]))),
  };
}

/** Writes a report's findings to a local lake's `findings` table, on a connection of its own (the query one is confined). */
async function writeLocalFindings(root: string, data: ReportData): Promise<void> {
  const [{ openDuckDb }, { LocalLakeStore }, { writeReportFindings }] = await Promise.all([
    import("@app/lake/duckdb"),
    import("@app/lake/store"),
    import("@app/lake/findings"),
  ]);
  const db = await openDuckDb();
  try {
    await writeReportFindings({ db, store: new LocalLakeStore(root), data });
  } finally {
    db.closeSync();
  }
}

function failOnOption(): Option {
  const o = new Option(
    "--fail-on <severity>",
    "exit 1 when a finding at or above this severity exists (an attempt counts one severity lower)",
  );
  o.argChoices = [...FINDING_SEVERITIES];
  return o;
}

function periodOption(): Option {
  const o = new Option("--period <kind>", "the last complete period of this kind (UTC)");
  o.argChoices = [...PERIOD_KINDS];
  return o;
}

/** Registers `loglake report`: runs a report's saved queries on the lake and writes CSV, JSON and HTML. */
export function registerReport(program: Command): void {
  const cmd = program
    .command("report")
    .description(
      "Run a report's saved queries (security, compliance) over the lake; write CSVs, summary.json, report.html",
    )
    .argument("<report>", "report name, as the query headers declare it (security, compliance)")
    .addOption(lakeOption())
    .requiredOption("--out <dir|s3://bucket/prefix>", "output root; files go to reports/<report>/<period>/")
    .addOption(periodOption())
    .option("--from <day>", `first day (with --to, instead of --period): ${DATE_FORMS}`)
    .option("--to <day>", "last day, inclusive")
    .option("--queries <dir>", "saved queries folder (default: the repository's queries/)")
    .option("--no-one-scan", "run every detection on its own instead of one candidate scan per table (to compare)")
    .addOption(failOnOption());
  addCriticalityOptions(cmd, {
    critical: `with --fail-on: streams whose table has no rows on a day of the period fail it too (default: ${criticalStreams(DEFAULT_CRITICALITY).join(", ")})`,
    standard: "streams whose missing data is reported but does not fail --fail-on",
    optional: "the same as --standard here",
  }).addOption(endpointOption());
  for (const o of formatOptions()) cmd.addOption(o);
  cmd.addHelpText(
    "after",
    `
--format table prints a two-line summary, csv one row per query, json the report's summary.json. ${JSON_NUMBERS}.
Each report names the loglake version, the lake, the period in UTC, and every query's SQL with its SHA-256.`,
  );
  cmd.action(async (report: string, opts: ReportOptions) => {
    const format = chosenFormat(opts);
    const failOn = opts.failOn
      ? (oneOf("--fail-on", opts.failOn, FINDING_SEVERITIES, "severity") as FindingSeverity)
      : undefined;
    const criticality = criticalityFromOptions(opts);
    const now = new Date();
    if (opts.period && (opts.from || opts.to)) throw new InputError("give --period or --from/--to, not both");
    const queries = await readSavedQueries(opts.queries);
    oneOf("report", report, reportNames(queries), "report");
    let period: ReturnType<typeof previousPeriod>;
    if (opts.period) period = previousPeriod(oneOf("--period", opts.period, PERIOD_KINDS, "period") as PeriodKind, now);
    else if (opts.from && opts.to)
      period = customPeriod(parseDay("--from", opts.from, now), parseDay("--to", opts.to, now));
    else throw new InputError("give --period <kind>, or both --from and --to");

    const lake = await resolveLake(opts);
    // A local lake gets the config's allow-lists now; a deployed lake's are written by the deployment.
    if (!parseS3Url(lake.lake) && (await lakeExists(lake.lake))) {
      const [{ writeConfigTables }, store] = await Promise.all([import("@app/lake/config-tables"), lakeStore(lake)]);
      await writeConfigTables(store, await detectionSettings());
    }
    const sink = await outputSink(opts.out, opts.endpoint, lake.region);
    const root = await queryableLakeRoot(lake);
    const conn = await openLakeAt(root);
    const { TABLES } = await import("@app/core/sources/index");
    const tableNames = TABLES.map((t) => t.name);
    // The compliance report states what the lake's files cost, and where compaction is behind.
    const storage =
      report === "compliance"
        ? {
            files: await lakeParquetFiles(root, tableNames),
            tables: tableNames,
            maxFilesPerHour: (await compactionConfig()).maxFilesPerHour,
          }
        : undefined;
    const [{ runReport, findingsAtOrAbove }, { duckDbRunner }, { writeReport }, { localScanMeter }] = await Promise.all(
      [
        import("@app/core/reports/report"),
        import("@app/lake/query"),
        import("@app/lake/report"),
        import("@app/lake/scan-meter"),
      ],
    );
    // A lake on S3 is read through a cache of what the period needs, so only a local lake's files are measured.
    const meter = parseS3Url(lake.lake) ? undefined : localScanMeter(lake.lake);
    const runner = duckDbRunner(conn, meter ? { meter } : {});
    const measure = runner.scanMeasure ? { scanMeasure: runner.scanMeasure } : {};
    const total = queries.filter((q) => q.report === report).length;
    let done = 0;
    let current = "";
    const line = progressLine(
      (ms, width) => queryLine(done, total, current, ms, width),
      format === "table" ? {} : { enabled: false },
    );
    try {
      const data = await runReport({
        runner: opts.oneScan ? runner : { engine: runner.engine, run: runner.run, ...measure },
        queries,
        report,
        period,
        lake: lake.lake,
        now,
        ...(storage ? { storage } : {}),
        onQuery: (q, _r, i) => {
          done = i + 1;
          current = q.id;
          line.draw();
        },
      });
      line.stop();
      const files = await writeReport(data, sink);
      if (!parseS3Url(lake.lake)) await writeLocalFindings(lake.lake, data);
      process.stdout.write(
        format === "json"
          ? `${JSON.stringify(data.summary, null, 2)}\n`
          : format === "csv"
            ? formatResult(queryRows(data), "csv")
            : `${describe(data, files, sink.location)}\n`,
      );
      if (failOn && findingsAtOrAbove(data.summary, failOn) > 0) process.exitCode = EXIT.findings;
      // "0 findings" over a critical table with no rows is nothing seen, not a pass: on any day of the period.
      const critical = new Set(
        failOn
          ? criticalTables(
              data.summary.tables.map((t) => t.table),
              criticality,
            )
          : [],
      );
      const unseen = data.summary.tables.filter((t) => critical.has(t.table) && t.days_without_rows.length > 0);
      if (unseen.length > 0) {
        const where = unseen.map((t) =>
          t.no_data ? `${t.table} in the whole period` : `${t.table} on ${dayList(t.days_without_rows)}`,
        );
        process.stderr.write(
          `--fail-on: no rows for ${where.join(", ")} (critical; --standard to accept): a period the report could not see does not pass\n`,
        );
        process.exitCode = EXIT.findings;
      }
    } finally {
      line.stop();
      conn.closeSync();
    }
  });
}
