import { SOURCES } from "@app/core/sources/index";
import {
  CRITICALITIES,
  type Criticality,
  computeStatus,
  criticalityMap,
  type HourObservation,
  QUARANTINE_STATUS_SQL,
  STATUS_TABLES,
  type StatusReport,
  statusSql,
  statusWindow,
} from "@app/core/status/index";
import { runPrepared } from "@app/lake/query";
import type { Command } from "commander";
import { EXIT, InputError } from "../errors.ts";
import { openLakeForQuery } from "./query.ts";

interface StatusOptions {
  lake: string;
  days: string;
  json?: boolean;
  staleHours: string;
  now?: string;
  endpoint?: string;
  critical?: string;
  standard?: string;
  optional?: string;
}

const list = (v: string | undefined) =>
  v
    ? v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

/** The status as an aligned table, one line per stream, problems below it. */
export function formatStatus(r: StatusReport): string {
  const head = [
    "STREAM",
    "CRITICALITY",
    "HEALTH",
    "LAST EVENT",
    "LAST INGEST",
    "ROWS",
    "MISS DAYS",
    "MISS HOURS",
    "QUARANTINE",
  ];
  const rows = r.streams.map((s) => [
    s.stream,
    s.criticality,
    s.health,
    s.last_event_time?.slice(0, 16).replace("T", " ") ?? "-",
    s.last_ingest_time?.slice(0, 16).replace("T", " ") ?? "-",
    String(s.rows),
    String(s.missing_days.length),
    String(s.missing_hours.length),
    s.quarantine_rate === null ? "-" : `${(s.quarantine_rate * 100).toFixed(2)}%`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  const out = [`lake health ${r.health} (days ${r.window.from}..${r.window.to}, as of ${r.generated_at})`, line(head)];
  out.push(...rows.map(line));
  for (const s of r.streams)
    for (const p of s.problems) out.push(`  ${s.stream}: ${p.level === "Healthy" ? "note" : p.level}: ${p.text}`);
  return `${out.join("\n")}\n`;
}

/** Registers `loglake status`: freshness, gaps and quarantine rate per stream; exit 1 when anything is Critical. */
export function registerStatus(program: Command): void {
  program
    .command("status")
    .description("Per source: last event and ingest time, missing days and hours, quarantine rate, health")
    .requiredOption("--lake <dir|s3://bucket/prefix>", "lake root")
    .option("--days <n>", "full UTC days to check before today", "7")
    .option("--json", "print the status as JSON")
    .option("--critical <streams>", "comma-separated streams whose gaps are Critical (e.g. cloudtrail,app_events.auth)")
    .option("--standard <streams>", "streams whose gaps are a Warning")
    .option("--optional <streams>", "streams whose gaps are only noted")
    .option("--stale-hours <n>", "hours without new events before a stream is stale", "24")
    .option("--now <iso>", "evaluate as of this instant instead of the clock (reproducible checks)")
    .option("--endpoint <url>", "S3 endpoint for an s3:// lake (local emulators)")
    .action(async (opts: StatusOptions) => {
      const now = opts.now ? new Date(opts.now) : new Date();
      if (Number.isNaN(now.getTime())) throw new InputError(`--now ${opts.now}: not an ISO-8601 instant`);
      const days = Number(opts.days);
      const staleHours = Number(opts.staleHours);
      if (!(staleHours > 0)) throw new InputError(`--stale-hours ${opts.staleHours}: use a positive number`);
      const overrides: Partial<Record<Criticality, string[]>> = {};
      for (const level of CRITICALITIES) overrides[level] = list(opts[level]);
      const criticality = criticalityMap(overrides);
      const window = statusWindow(now, days);

      const conn = await openLakeForQuery(opts);
      let report: StatusReport;
      try {
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
              lastEvent: String(row.last_event),
              lastIngest: String(row.last_ingest),
            });
        }
        const q = await runPrepared(conn, QUARANTINE_STATUS_SQL, [window.from, window.today]);
        report = computeStatus({
          now,
          days,
          hours,
          quarantine: q.rows.map((r) => ({ source_kind: String(r.source_kind), records: Number(r.records) })),
          sourcesOfTable: (table) => SOURCES.filter((s) => s.tables.some((t) => t.name === table)).map((s) => s.id),
          criticality,
          thresholds: { staleHours },
        });
      } finally {
        conn.closeSync();
      }
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report));
      if (report.health === "Critical") process.exitCode = EXIT.findings;
    });
}
