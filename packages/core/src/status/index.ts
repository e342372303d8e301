import { DEFAULT_COMPACTION } from "../compaction/plan.ts";
import { ConfigError } from "../errors.ts";
import { parsePartitionPath } from "../lake-layout.ts";
import { quoteIdent } from "../schema/sql.ts";
import { cloudtrailDigestLogFileTable } from "../sources/cloudtrail/schema.ts";
import { SOURCES, TABLES } from "../sources/index.ts";

/** How much a stream matters: critical gaps page someone, optional streams never raise more than a warning. */
export const CRITICALITIES = ["critical", "standard", "optional"] as const;
export type Criticality = (typeof CRITICALITIES)[number];

/** Health of a stream and of the lake, worst last. */
export const HEALTHS = ["Healthy", "Warning", "Critical"] as const;
export type Health = (typeof HEALTHS)[number];

/**
 * Criticality per stream unless configured otherwise. A stream is a table, or for `app_events` a table and event
 * type (`app_events.auth`): sign-in events are evidence an audit asks for, API request logs are nice to have.
 */
export const DEFAULT_CRITICALITY: Readonly<Record<string, Criticality>> = {
  cloudtrail: "critical",
  "app_events.auth": "critical",
  cloudfront: "standard",
  cloudtrail_digest: "standard",
  "app_events.api": "optional",
  "app_events.audit": "optional",
  cloudfront_realtime: "optional",
  cloudwatch_logs: "optional",
};

/**
 * Tables `loglake status` watches: every table a log source writes, except the digests' log-file list, which
 * arrives with its digest and so is as fresh as `cloudtrail_digest`. Findings and integrity results are the
 * reports' and checks' output, not log streams.
 */
export const STATUS_TABLES: readonly string[] = [
  ...new Set(SOURCES.flatMap((s) => s.tables).map((t) => t.name)),
].filter((name) => name !== cloudtrailDigestLogFileTable.name);
const TYPED_TABLE = "app_events";
// A CloudWatch Logs subscription writes CloudTrail and app rows as well as its own table's: its records are every row
// that arrived in a log event, whatever the table.
const LOG_EVENTS_TABLE = "cloudwatch_logs";

/** Thresholds; each has a default. */
export interface StatusThresholds {
  /** Hours since the last event after which a stream is stale (default 24). */
  staleHours: number;
  /** Share of a source's records quarantined that warns (default 0.01) or is critical (default 0.1). */
  quarantineWarn: number;
  quarantineCritical: number;
  /** Files in one partition-hour of a table above which compaction is behind (default 50). */
  maxFilesPerPartitionHour: number;
}

export const DEFAULT_THRESHOLDS: StatusThresholds = {
  staleHours: 24,
  quarantineWarn: 0.01,
  quarantineCritical: 0.1,
  maxFilesPerPartitionHour: DEFAULT_COMPACTION.maxFilesPerHour,
};

/** One Parquet file of the lake: its table, its path below the table folder and its size. */
export interface LakeFileObservation {
  table: string;
  /** `dt=YYYY-MM-DD/hour=HH/<file>.parquet` */
  path: string;
  bytes: number;
}

/** What small files cost a table: how many, how big, and how many share a partition-hour. */
export interface TableFiles {
  table: string;
  files: number;
  total_bytes: number;
  /** total_bytes / files, rounded; null with no files. */
  avg_file_bytes: number | null;
  partition_hours: number;
  max_files_per_partition_hour: number;
  /** files / partition_hours, to two decimals; null with no files. */
  avg_files_per_partition_hour: number | null;
  /** Partition-hours holding more files than the threshold (`YYYY-MM-DDTHH`): compaction is behind there. */
  over_threshold: string[];
}

/**
 * Files, bytes and files per partition-hour of every table (pure: the caller lists the lake). A table with no files
 * is listed with zeros, so a missing table shows.
 */
export function computeTableFiles(
  files: readonly LakeFileObservation[],
  tables: readonly string[],
  maxFilesPerPartitionHour: number,
): TableFiles[] {
  const byTable = new Map<string, Map<string, { files: number; bytes: number }>>();
  for (const f of files) {
    const dir = f.path.split("/").slice(0, 2).join("/");
    const p = parsePartitionPath(dir);
    const hourId = `${p.dt}T${p.hour}`;
    const hours = byTable.get(f.table) ?? new Map<string, { files: number; bytes: number }>();
    const h = hours.get(hourId) ?? { files: 0, bytes: 0 };
    h.files++;
    h.bytes += f.bytes;
    hours.set(hourId, h);
    byTable.set(f.table, hours);
  }
  return [...new Set([...tables, ...byTable.keys()])].sort().map((table) => {
    const hours = [...(byTable.get(table) ?? new Map<string, { files: number; bytes: number }>()).entries()].sort();
    const count = hours.reduce((s, [, h]) => s + h.files, 0);
    const bytes = hours.reduce((s, [, h]) => s + h.bytes, 0);
    return {
      table,
      files: count,
      total_bytes: bytes,
      avg_file_bytes: count > 0 ? Math.round(bytes / count) : null,
      partition_hours: hours.length,
      max_files_per_partition_hour: hours.reduce((m, [, h]) => Math.max(m, h.files), 0),
      avg_files_per_partition_hour: hours.length > 0 ? Math.round((count / hours.length) * 100) / 100 : null,
      over_threshold: hours.filter(([, h]) => h.files > maxFilesPerPartitionHour).map(([id]) => id),
    };
  });
}

/** One (day, hour) partition of one stream as the lake reports it. */
export interface HourObservation {
  stream: string;
  table: string;
  dt: string;
  hour: number;
  rows: number;
  /** ISO-8601 UTC. */
  lastEvent: string;
  lastIngest: string;
  /** Rows that arrived in a CloudWatch Logs event (`cwl_event_id` set). */
  viaLogEvents?: number;
}

/** What `loglake status` reports for one stream. */
export interface StreamStatus {
  stream: string;
  table: string;
  criticality: Criticality;
  health: Health;
  last_event_time: string | null;
  last_ingest_time: string | null;
  rows: number;
  quarantined: number;
  /**
   * quarantined / (rows of the table + quarantined), for the sources that write the table (for `cloudwatch_logs`,
   * every row that arrived in a log event); null with no records.
   */
  quarantine_rate: number | null;
  days_with_data: number;
  /** Full days of the window without a single row. */
  missing_days: string[];
  /** Hours without rows on days that do have rows, as `YYYY-MM-DDTHH`. */
  missing_hours: string[];
  /** What is wrong, each with the health it costs this stream (`Healthy` for a note). */
  problems: { level: Health; text: string }[];
}

/** The whole answer: the window, the worst health, and every stream. */
export interface StatusReport {
  generated_at: string;
  window: { from: string; to: string; days: number };
  health: Health;
  thresholds: StatusThresholds;
  streams: StreamStatus[];
  /** Files per table over the whole lake; a table with a partition-hour over the threshold makes the lake a Warning. */
  tables: TableFiles[];
}

const DAY_MS = 86_400_000;

/** The window: the `days` full UTC days before `now` (today, still filling, only counts for freshness). */
export function statusWindow(now: Date, days: number): { from: string; to: string; today: string } {
  if (!Number.isInteger(days) || days < 1 || days > 366) throw new ConfigError(`--days ${days}: use 1 to 366`);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
  return { from: iso(today - days * DAY_MS), to: iso(today - DAY_MS), today: iso(today) };
}

/** Reads `--critical a,b --standard c --optional d` into a criticality map over the defaults. */
export function criticalityMap(
  overrides: Partial<Record<Criticality, readonly string[]>>,
): Record<string, Criticality> {
  const map: Record<string, Criticality> = { ...DEFAULT_CRITICALITY };
  for (const level of CRITICALITIES)
    for (const stream of overrides[level] ?? []) {
      if (!/^[a-z_]+(\.[a-z0-9_-]+)?$/.test(stream))
        throw new ConfigError(`--${level} ${stream}: expected a table name or table.type, e.g. app_events.auth`);
      map[stream] = level;
    }
  return map;
}

/** The streams a criticality map makes critical. */
export function criticalStreams(criticality: Readonly<Record<string, Criticality>>): string[] {
  return Object.keys(criticality).filter((s) => criticality[s] === "critical");
}

/**
 * The tables among `tables` that hold a critical stream: the table itself, or for a table split by event type any of
 * its typed streams (`app_events.auth`). A report that saw no rows of such a table cannot pass as clean.
 */
export function criticalTables(
  tables: readonly string[],
  criticality: Readonly<Record<string, Criticality>>,
): string[] {
  const critical = criticalStreams(criticality);
  return tables.filter((t) => critical.some((s) => s === t || s.startsWith(`${t}.`)));
}

/**
 * SQL giving one row per partition hour of a table within `dt BETWEEN ? AND ?`: rows, rows that arrived in a
 * CloudWatch Logs event, newest event and newest ingest time, and for `app_events` the event type that names the stream.
 */
export function statusSql(table: string): string {
  const t = quoteIdent(table);
  const stream = table === TYPED_TABLE ? `'${table}.' || coalesce(lower("type"), 'other')` : `'${table}'`;
  return `SELECT ${stream} AS stream, dt, hour, count(*) AS row_count, count("cwl_event_id") AS via_log_events, max(event_time) AS last_event, max(ingest_time) AS last_ingest FROM ${t} WHERE dt BETWEEN ? AND ? GROUP BY 1, 2, 3`;
}

/** SQL giving quarantined records per source kind within `dt BETWEEN ? AND ?`. */
export const QUARANTINE_STATUS_SQL =
  "SELECT source_kind, count(*) AS records FROM quarantine WHERE dt BETWEEN ? AND ? GROUP BY source_kind";

function worst(a: Health, b: Health): Health {
  return HEALTHS.indexOf(a) >= HEALTHS.indexOf(b) ? a : b;
}

/**
 * Computes each stream's health from what the lake holds in the window (pure: the caller queries the lake).
 * `sourcesOfTable` names the source kinds that write a table, to charge quarantined records to it.
 */
export function computeStatus(args: {
  now: Date;
  days: number;
  hours: readonly HourObservation[];
  quarantine: readonly { source_kind: string; records: number }[];
  sourcesOfTable: (table: string) => readonly string[];
  criticality?: Readonly<Record<string, Criticality>>;
  thresholds?: Partial<StatusThresholds>;
  /** The lake's Parquet files; none when omitted. */
  files?: readonly LakeFileObservation[];
}): StatusReport {
  const window = statusWindow(args.now, args.days);
  const thresholds = { ...DEFAULT_THRESHOLDS, ...args.thresholds };
  const criticality = args.criticality ?? DEFAULT_CRITICALITY;
  const fullDays: string[] = [];
  for (let t = Date.parse(`${window.from}T00:00:00Z`); t <= Date.parse(`${window.to}T00:00:00Z`); t += DAY_MS)
    fullDays.push(new Date(t).toISOString().slice(0, 10));

  const byStream = new Map<string, HourObservation[]>();
  for (const h of args.hours) byStream.set(h.stream, [...(byStream.get(h.stream) ?? []), h]);
  const streams = new Set<string>([
    ...STATUS_TABLES.filter((t) => t !== TYPED_TABLE),
    ...Object.keys(criticality),
    ...byStream.keys(),
  ]);
  const tableRows = new Map<string, number>();
  for (const h of args.hours) tableRows.set(h.table, (tableRows.get(h.table) ?? 0) + h.rows);
  const viaLogEvents = args.hours.reduce((s, h) => s + (h.viaLogEvents ?? 0), 0);
  const quarantinedBy = new Map(args.quarantine.map((q) => [q.source_kind, q.records]));

  const out: StreamStatus[] = [...streams].sort().map((stream) => {
    const table = stream.split(".")[0] as string;
    const level: Criticality = criticality[stream] ?? "standard";
    const obs = byStream.get(stream) ?? [];
    const rows = obs.reduce((s, h) => s + h.rows, 0);
    const max = (k: "lastEvent" | "lastIngest") =>
      obs.reduce<string | null>((m, h) => (m === null || h[k] > m ? h[k] : m), null);
    const lastEvent = max("lastEvent");
    const lastIngest = max("lastIngest");
    const hoursByDay = new Map<string, Set<number>>();
    for (const h of obs) hoursByDay.set(h.dt, (hoursByDay.get(h.dt) ?? new Set()).add(h.hour));
    const missingDays = fullDays.filter((d) => !hoursByDay.has(d));
    const missingHours = fullDays.flatMap((d) => {
      const present = hoursByDay.get(d);
      if (!present) return [];
      return Array.from({ length: 24 }, (_, h) => h)
        .filter((h) => !present.has(h))
        .map((h) => `${d}T${String(h).padStart(2, "0")}`);
    });
    const quarantined = args.sourcesOfTable(table).reduce((s, k) => s + (quarantinedBy.get(k) ?? 0), 0);
    const total = (table === LOG_EVENTS_TABLE ? viaLogEvents : (tableRows.get(table) ?? 0)) + quarantined;
    const rate = total > 0 ? quarantined / total : null;

    let health: Health = "Healthy";
    const problems: StreamStatus["problems"] = [];
    const raise = (h: Record<Criticality, Health>, text: string) => {
      health = worst(health, h[level]);
      problems.push({ level: h[level], text });
    };
    // Event-driven streams (sign-ins, audit actions) are quiet for hours; only a stream that normally fills
    // nearly every hour makes an empty hour suspicious.
    const hoursPerDay = hoursByDay.size > 0 ? obs.length / hoursByDay.size : 0;
    const dense = hoursPerDay >= 20;
    if (rows === 0) {
      raise(
        { critical: "Critical", standard: "Warning", optional: "Healthy" },
        `no data in the last ${args.days} days`,
      );
    } else {
      if (missingDays.length > 0)
        raise(
          { critical: "Critical", standard: "Warning", optional: "Healthy" },
          `${missingDays.length} missing day${missingDays.length === 1 ? "" : "s"}: ${missingDays.join(", ")}`,
        );
      const ageHours = lastEvent ? (args.now.getTime() - Date.parse(lastEvent)) / 3_600_000 : Number.POSITIVE_INFINITY;
      if (ageHours > thresholds.staleHours)
        raise(
          { critical: "Critical", standard: "Warning", optional: "Healthy" },
          `last event ${Math.floor(ageHours)} h ago (over ${thresholds.staleHours} h)`,
        );
      if (missingHours.length > 0)
        raise(
          dense
            ? { critical: "Warning", standard: "Warning", optional: "Healthy" }
            : { critical: "Healthy", standard: "Healthy", optional: "Healthy" },
          `${missingHours.length} hour${missingHours.length === 1 ? "" : "s"} without data on days with data` +
            (dense ? "" : " (the stream is quiet for hours on most days)"),
        );
    }
    if (rate !== null && rate >= thresholds.quarantineCritical)
      raise(
        { critical: "Critical", standard: "Critical", optional: "Warning" },
        `${(rate * 100).toFixed(1)}% of records quarantined`,
      );
    else if (rate !== null && rate >= thresholds.quarantineWarn)
      raise(
        { critical: "Warning", standard: "Warning", optional: "Warning" },
        `${(rate * 100).toFixed(1)}% of records quarantined`,
      );
    return {
      stream,
      table,
      criticality: level,
      health,
      last_event_time: lastEvent,
      last_ingest_time: lastIngest,
      rows,
      quarantined,
      quarantine_rate: rate === null ? null : Math.round(rate * 10_000) / 10_000,
      days_with_data: fullDays.filter((d) => hoursByDay.has(d)).length,
      missing_days: missingDays,
      missing_hours: missingHours,
      problems,
    };
  });
  const tables = computeTableFiles(
    args.files ?? [],
    TABLES.map((t) => t.name),
    thresholds.maxFilesPerPartitionHour,
  );
  const behind = tables.some((t) => t.over_threshold.length > 0);
  return {
    generated_at: args.now.toISOString(),
    window: { from: window.from, to: window.to, days: args.days },
    health: out.reduce<Health>((h, s) => worst(h, s.health), behind ? "Warning" : "Healthy"),
    thresholds,
    streams: out,
    tables,
  };
}
