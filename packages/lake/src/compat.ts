import type { DuckDBConnection } from "@duckdb/node-api";

/** One Trino function given to DuckDB as a macro, with the Trino signature it stands for. */
export interface CompatMacro {
  /** Trino signature as the Trino documentation writes it. */
  trino: string;
  /** How the DuckDB version differs from Trino, if at all. */
  note: string;
  /** `CREATE OR REPLACE TEMP MACRO …` statement. */
  sql: string;
}

const DATE_UNITS = `CASE lower(unit)
      WHEN 'day' THEN to_days(n)
      WHEN 'week' THEN to_days(7 * n)
      WHEN 'month' THEN to_months(n)
      WHEN 'quarter' THEN to_months(3 * n)
      WHEN 'year' THEN to_years(n)
      ELSE error('date_add: ''' || unit || ''' is not a valid unit for a date')
    END`;

const TIME_UNITS = `CASE lower(unit)
      WHEN 'millisecond' THEN to_milliseconds(n)
      WHEN 'second' THEN to_seconds(n)
      WHEN 'minute' THEN to_minutes(n)
      WHEN 'hour' THEN to_hours(n)
      WHEN 'day' THEN to_days(n)
      WHEN 'week' THEN to_days(7 * n)
      WHEN 'month' THEN to_months(n)
      WHEN 'quarter' THEN to_months(3 * n)
      WHEN 'year' THEN to_years(n)
      ELSE error('date_add: ''' || unit || ''' is not a valid unit')
    END`;

/**
 * The Trino functions the saved queries use that DuckDB lacks or defines differently. Temporary macros shadow
 * DuckDB's own functions of the same name on this connection only, so one SQL text runs on both engines.
 */
export const TRINO_COMPAT_MACROS: readonly CompatMacro[] = [
  {
    trino: "regexp_like(string, pattern) -> boolean",
    note: "Same contains-semantics; DuckDB uses RE2, Trino Java-style patterns: keep to the common subset.",
    sql: "CREATE OR REPLACE TEMP MACRO regexp_like(s, p) AS regexp_matches(s, p)",
  },
  {
    trino: "approx_percentile(x, percentage) -> same as x",
    note: "DuckDB returns the exact nearest-rank value (quantile_disc); Trino's estimate is within its digest error.",
    sql: "CREATE OR REPLACE TEMP MACRO approx_percentile(x, p) AS quantile_disc(x, p)",
  },
  {
    trino: "approx_distinct(x) -> bigint",
    note: "DuckDB counts exactly; Trino's estimate has a standard error of 2.3%.",
    sql: "CREATE OR REPLACE TEMP MACRO approx_distinct(x) AS count(DISTINCT x)",
  },
  {
    trino: "json_extract_scalar(json, json_path) -> varchar",
    note: "NULL for objects, arrays, JSON null, missing paths and invalid JSON, as in Trino. Numbers come back as DuckDB formats them (1.50 as 1.5).",
    sql: `CREATE OR REPLACE TEMP MACRO json_extract_scalar(j, p) AS
  CASE WHEN json_valid(j) AND json_type(j, p) NOT IN ('OBJECT', 'ARRAY') THEN json_extract_string(j, p) END`,
  },
  {
    trino: "from_iso8601_timestamp(string) -> timestamp(3) with time zone",
    note: "A string without an offset is read in the session time zone, as in Trino.",
    sql: "CREATE OR REPLACE TEMP MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)",
  },
  {
    trino: "date_diff(unit, timestamp1, timestamp2) -> bigint",
    note: "Whole units elapsed, like Trino; DuckDB's own date_diff counts boundaries crossed instead.",
    sql: "CREATE OR REPLACE TEMP MACRO date_diff(unit, a, b) AS date_sub(unit, a, b)",
  },
  {
    trino: "date_add(unit, value, timestamp) -> [same as input]",
    note: "A date stays a date (day, week, month, quarter, year); DuckDB's two-argument date_add(date, interval) is kept.",
    sql: `CREATE OR REPLACE TEMP MACRO date_add(d, i) AS d + i,
  (unit VARCHAR, n BIGINT, d DATE) AS CAST(d + ${DATE_UNITS} AS DATE),
  (unit VARCHAR, n BIGINT, d TIMESTAMP) AS d + ${TIME_UNITS},
  (unit VARCHAR, n BIGINT, d TIMESTAMPTZ) AS d + ${TIME_UNITS}`,
  },
  {
    trino: "array_min(x) -> x",
    note: "Smallest element, NULL for an empty array; elements compare by their type (text as text).",
    sql: "CREATE OR REPLACE TEMP MACRO array_min(l) AS list_min(l)",
  },
  {
    trino: "sequence(start, stop) -> array",
    note: "Integers or dates, stepping by 1 (a day) upwards or -1 downwards, both ends included.",
    sql: `CREATE OR REPLACE TEMP MACRO sequence(a DATE, b DATE) AS
    CAST(generate_series(a, b, CASE WHEN a <= b THEN to_days(1) ELSE to_days(-1) END) AS DATE[]),
  (a BIGINT, b BIGINT) AS generate_series(a, b, CASE WHEN a <= b THEN 1 ELSE -1 END)`,
  },
];

/** Installs the Trino compatibility macros on a DuckDB connection (idempotent). */
export async function installTrinoCompat(connection: DuckDBConnection): Promise<void> {
  for (const macro of TRINO_COMPAT_MACROS) await connection.run(macro.sql);
}
