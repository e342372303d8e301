import type { Cell, QueryResult } from "@app/core/queries/result";
import { SOURCES, TABLES } from "@app/core/sources/index";
import {
  computeStatus,
  DEFAULT_THRESHOLDS,
  type HourObservation,
  QUARANTINE_STATUS_SQL,
  STATUS_TABLES,
  type StatusReport,
  statusSql,
  statusWindow,
} from "@app/core/status/index";
import type { Command } from "commander";
import { compactionConfig } from "../config-file.ts";
import { addCriticalityOptions, criticalityFromOptions, KNOWN_STREAMS } from "../criticality.ts";
import { EXIT, InputError } from "../errors.ts";
import { endpointOption, lakeOption, lakeParquetFiles, openLakeAt, queryableLakeRoot, resolveLake } from "../lake.ts";
import { chosenFormat, formatOptions, formatResult, formatTable, type OutputFormat } from "../output.ts";
import { colorFor, paint, type Style } from "../ui.ts";
import { integerIn, positiveNumber } from "../values.ts";

interface StatusOptions {
  lake?: string;
  days: number;
  format?: string;
  json?: boolean;
  staleHours: number;
  maxFilesPerHour?: number;
  now?: string;
  endpoint?: string;
  critical?: string;
  standard?: string;
  optional?: string;
}

const HEALTH_STYLE: Record<string, Style> = { Healthy: "green", Warning: "yellow", Critical: "red" };

/** ISO 8601 to the minute, like every timestamp loglake prints. */
const minute = (iso: string | null) => (iso ? `${iso.slice(0, 16)}Z` : "-");

function statusRows(r: StatusReport, format: OutputFormat): QueryResult {
  const text = format === "table";
  const columns = [
    ["stream", "string"],
    ["criticality", "string"],
    ["health", "string"],
    ["last_event_time", "timestamp"],
    ["last_ingest_time", "timestamp"],
    ["rows", "number"],
    ["missing_days", "number"],
    ["missing_hours", "number"],
    ["quarantine_rate", "number"],
  ] as const;
  const rows = r.streams.map(
    (s): Record<string, Cell> => ({
      stream: s.stream,
      criticality: s.criticality,
      health: s.health,
      last_event_time: text ? minute(s.last_event_time) : s.last_event_time,
      last_ingest_time: text ? minute(s.last_ingest_time) : s.last_ingest_time,
      rows: s.rows,
      missing_days: s.missing_days.length,
      missing_hours: s.missing_hours.length,
      quarantine_rate: text
        ? s.quarantine_rate === null
          ? "-"
          : `${(s.quarantine_rate * 100).toFixed(2)}%`
        : s.quarantine_rate,
    }),
  );
  return {
    columns: columns.map(([name, kind]) => ({ name: text ? name.toUpperCase().replaceAll("_", " ") : name, kind })),
    rows: text
      ? rows.map((row) =>
          Object.fromEntries(Object.entries(row).map(([k, v]) => [k.toUpperCase().replaceAll("_", " "), v])),
        )
      : rows,
  };
}

/** Bytes for people: B, KiB, MiB, GiB. */
function humanBytes(n: number | null): string {
  if (n === null) return "-";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

function fileRows(r: StatusReport, format: OutputFormat): QueryResult {
  const text = format === "table";
  const columns = [
    ["table", "string"],
    ["files", "number"],
    ["total_bytes", "number"],
    ["avg_file_bytes", "number"],
    ["partition_hours", "number"],
    ["max_files_per_hour", "number"],
    ["avg_files_per_hour", "number"],
    ["hours_over_threshold", "number"],
  ] as const;
  const rows = r.tables.map(
    (t): Record<string, Cell> => ({
      table: t.table,
      files: t.files,
      total_bytes: text ? humanBytes(t.total_bytes) : t.total_bytes,
      avg_file_bytes: text ? humanBytes(t.avg_file_bytes) : t.avg_file_bytes,
      partition_hours: t.partition_hours,
      max_files_per_hour: t.max_files_per_partition_hour,
      avg_files_per_hour: text ? (t.avg_files_per_partition_hour ?? "-") : t.avg_files_per_partition_hour,
      hours_over_threshold: t.over_threshold.length,
    }),
  );
  const label = (k: string) => (text ? k.toUpperCase().replaceAll("_", " ") : k);
  return {
    columns: columns.map(([name, kind]) => ({ name: label(name), kind })),
    rows: rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [label(k), v]))),
  };
}

/** The status as an aligned table, one line per stream, problems below it. */
export function formatStatus(r: StatusReport, width?: number): string {
  const color = colorFor(process.stdout);
  const head = `lake health ${paint(r.health, HEALTH_STYLE[r.health], color)} (days ${r.window.from}..${r.window.to}, as of ${r.generated_at})`;
  const table = formatTable(statusRows(r, "table"), {
    rule: false,
    count: false,
    color,
    ...(width ? { width } : {}),
    style: (column, value) => (column === "HEALTH" ? HEALTH_STYLE[String(value)] : undefined),
  });
  const problems: string[] = [];
  for (const s of r.streams)
    for (const p of s.problems) problems.push(`  ${s.stream}: ${p.level === "Healthy" ? "note" : p.level}: ${p.text}`);
  const files = formatTable(fileRows(r, "table"), { rule: false, count: false, color, ...(width ? { width } : {}) });
  const behind = r.tables
    .filter((t) => t.over_threshold.length > 0)
    .map(
      (t) =>
        `  ${t.table}: Warning: compaction is behind: ${t.over_threshold.length} partition-hour${t.over_threshold.length === 1 ? "" : "s"} with more than ${r.thresholds.maxFilesPerPartitionHour} files (${t.over_threshold.slice(0, 3).join(", ")}${t.over_threshold.length > 3 ? ", …" : ""})`,
    );
  return `${head}\n${table}${problems.map((p) => `${p}\n`).join("")}\nfiles (whole lake)\n${files}${behind.map((b) => `${b}\n`).join("")}`;
}

/** Registers `loglake status`: freshness, gaps and quarantine rate per stream; exit 1 when anything is Critical. */
export function registerStatus(program: Command): void {
  const cmd = addCriticalityOptions(
    program
      .command("status")
      .description(
        "Per source: last event and ingest time, missing days and hours, quarantine rate, health; per table: files, bytes, files per partition-hour",
      )
      .addOption(lakeOption())
      .option("--days <n>", "full UTC days to check before today (1 to 366)", integerIn("--days", 1, 366), 7),
    {
      critical: "comma-separated streams whose gaps are Critical (e.g. cloudtrail,app_events.auth)",
      standard: "streams whose gaps are a Warning",
      optional: "streams whose gaps are only noted",
    },
  )
    .option(
      "--stale-hours <n>",
      "hours without new events before a stream is stale",
      positiveNumber("--stale-hours", "hours"),
      24,
    )
    .option(
      "--max-files-per-hour <n>",
      `files in one partition-hour of a table above which compaction is behind, a Warning (default: compaction.maxFilesPerHour of the config, else ${DEFAULT_THRESHOLDS.maxFilesPerPartitionHour})`,
      integerIn("--max-files-per-hour", 1, 1_000_000),
    )
    .option("--now <iso>", "evaluate as of this instant instead of the clock (reproducible checks)")
    .addOption(endpointOption());
  for (const o of formatOptions()) cmd.addOption(o);
  cmd.addHelpText(
    "after",
    `\nStreams: ${KNOWN_STREAMS.join(", ")}, or app_events.<type>.\nExit code 1 when any stream is Critical.`,
  );
  cmd.action(async (opts: StatusOptions) => {
    const format = chosenFormat(opts);
    const now = opts.now ? new Date(opts.now) : new Date();
    if (opts.now !== undefined && (!/^\d{4}-\d{2}-\d{2}T/.test(opts.now) || Number.isNaN(now.getTime())))
      throw new InputError(`--now ${opts.now}: not an ISO-8601 instant (e.g. 2025-06-13T00:00:00Z)`);
    const criticality = criticalityFromOptions(opts);
    const window = statusWindow(now, opts.days);

    const root = await queryableLakeRoot(await resolveLake(opts));
    const files = await lakeParquetFiles(
      root,
      TABLES.map((t) => t.name),
    );
    const maxFilesPerHour = opts.maxFilesPerHour ?? (await compactionConfig()).maxFilesPerHour;
    const conn = await openLakeAt(root);
    let report: StatusReport;
    try {
      const { runPrepared } = await import("@app/lake/query");
      const hours: HourObservation[] = [];
      for (const table of STATUS_TABLES) {
        const r = await runPrepared(conn, statusSql(table), [window.from, window.today]);
        for (const row of r.rows)
          hours.push({
            stream: String(row.stream),
            table,
            dt: String(row.dt),
            hour: Number(row.hour),
            rows: Number(row.row_count),
            viaLogEvents: Number(row.via_log_events),
            lastEvent: String(row.last_event),
            lastIngest: String(row.last_ingest),
          });
      }
      const q = await runPrepared(conn, QUARANTINE_STATUS_SQL, [window.from, window.today]);
      report = computeStatus({
        now,
        days: opts.days,
        hours,
        quarantine: q.rows.map((r) => ({ source_kind: String(r.source_kind), records: Number(r.records) })),
        sourcesOfTable: (table) => SOURCES.filter((s) => s.tables.some((t) => t.name === table)).map((s) => s.id),
        criticality,
        thresholds: { staleHours: opts.staleHours, maxFilesPerPartitionHour: maxFilesPerHour },
        files,
      });
    } finally {
      conn.closeSync();
    }
    process.stdout.write(
      format === "json"
        ? `${JSON.stringify(report, null, 2)}\n`
        : format === "csv"
          ? formatResult(statusRows(report, "csv"), "csv")
          : formatStatus(report),
    );
    if (report.health === "Critical") process.exitCode = EXIT.findings;
  });
}
