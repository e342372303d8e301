import { ConfigError } from "../errors.ts";
import { scanSql } from "./scan.ts";

/** How urgent a query's findings are, most severe first. `info` queries give context, not findings. */
export const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Severities whose rows count as findings; `info` queries add context only. */
export const FINDING_SEVERITIES = ["critical", "high", "medium", "low"] as const satisfies readonly Severity[];
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

/** Names a `?` placeholder can stand for: the first and last day (UTC, `YYYY-MM-DD`) of the report period. */
export const PARAM_NAMES = ["from", "to"] as const;
export type ParamName = (typeof PARAM_NAMES)[number];

/** The type of each parameter's value, which `loglake query --param` checks before running: both are UTC days. */
export const PARAM_TYPES: Readonly<Record<ParamName, "date">> = { from: "date", to: "date" };

/** Header keys a saved query may carry. */
export const HEADER_KEYS = [
  "name",
  "description",
  "tables",
  "params",
  "severity",
  "report",
  "section",
  "schedule",
  "chart",
  "output",
] as const;
type HeaderKey = (typeof HEADER_KEYS)[number];

/** One saved query: its metadata from the SQL comment header and the statement that follows. */
export interface SavedQuery {
  /** Path below `queries/` without `.sql`, e.g. `cloudtrail/root-account-usage`. */
  id: string;
  name: string;
  description: string;
  tables: string[];
  /** One entry per `?` placeholder, in order of appearance. */
  params: ParamName[];
  severity: Severity;
  /** The report the query belongs to; absent for queries analysts run by hand. */
  report?: string;
  section?: string;
  /** EventBridge schedule expression for the reports it belongs to, e.g. `cron(0 6 * * ? *)`. */
  schedule?: string;
  /** Top-N bar chart in the HTML report: the label column, and the numeric column to sum (rows are counted without one). */
  chart?: { label: string; value?: string };
  output: "csv" | "parquet";
  /** The statement alone (header stripped, no trailing `;`), as sent to Athena and DuckDB. */
  sql: string;
}

const FIELD = /^-- ([a-z][a-z_]*):(?:[ \t]+(.*))?$/;
const CONTINUATION = /^--[ \t]{2,}(\S.*)$/;
const SCHEDULE = /^(cron\((\S+ ){5}\S+\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$/;
const ID = /^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)*$/;

function list(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Parses one saved query file. The header is the run of `-- key: value` lines at the top (a line indented by two or
 * more spaces after `--` continues the previous value); the statement follows. Throws `ConfigError` naming the file
 * and the problem: unknown keys, missing fields, a `?` count that differs from `params`, undeclared tables, more
 * than one statement.
 *
 * @example
 * const q = parseSavedQuery("cloudtrail/root-account-usage", text, ["cloudtrail"]);
 */
export function parseSavedQuery(id: string, text: string, knownTables: readonly string[]): SavedQuery {
  const fail = (msg: string): never => {
    throw new ConfigError(`queries/${id}.sql: ${msg}`);
  };
  if (!ID.test(id)) fail("file names must be lower-case kebab-case");
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const fields = new Map<HeaderKey, string>();
  let last: HeaderKey | undefined;
  let bodyStart = lines.length;
  for (const [i, raw] of lines.entries()) {
    const line = raw.trimEnd();
    if (line === "" || line === "--") continue;
    if (!line.startsWith("--")) {
      bodyStart = i;
      break;
    }
    const field = FIELD.exec(line);
    if (field) {
      const key = field[1] as string;
      if (!(HEADER_KEYS as readonly string[]).includes(key)) fail(`unknown header key "${key}"`);
      if (fields.has(key as HeaderKey)) fail(`header key "${key}" given twice`);
      fields.set(key as HeaderKey, (field[2] ?? "").trim());
      last = key as HeaderKey;
      continue;
    }
    const more = CONTINUATION.exec(line);
    if (more && last) {
      fields.set(last, `${fields.get(last)} ${(more[1] as string).trim()}`.trim());
      continue;
    }
    fail(`line ${i + 1}: expected "-- key: value" in the header, got: ${line}`);
  }

  const get = (key: HeaderKey): string => {
    const v = fields.get(key);
    if (!v) fail(`missing "-- ${key}:" in the header`);
    return v as string;
  };
  const name = get("name");
  const description = get("description");
  const tables = list(get("tables"));
  for (const t of tables) if (!knownTables.includes(t)) fail(`tables: unknown table "${t}"`);
  const params = list(fields.get("params") ?? "");
  for (const p of params)
    if (!(PARAM_NAMES as readonly string[]).includes(p))
      fail(`params: unknown parameter "${p}" (use ${PARAM_NAMES.join(", ")})`);
  const severity = get("severity");
  if (!(SEVERITIES as readonly string[]).includes(severity))
    fail(`severity: "${severity}" is not one of ${SEVERITIES.join(", ")}`);
  const report = fields.get("report");
  if (report !== undefined && !/^[a-z][a-z0-9-]*$/.test(report))
    fail(`report: "${report}" must be one lower-case kebab-case report name`);
  const section = fields.get("section");
  const schedule = fields.get("schedule");
  if (schedule !== undefined && !SCHEDULE.test(schedule))
    fail(`schedule: "${schedule}" is not an EventBridge cron(…) of six fields or rate(…) expression`);
  if (report && !section) fail(`"-- section:" is required for a query in a report`);
  if (report && !schedule) fail(`"-- schedule:" is required for a query in a report`);
  let chart: SavedQuery["chart"];
  const chartText = fields.get("chart");
  if (chartText !== undefined) {
    const parts = chartText.split(/\s+/);
    if (parts.length > 2 || !parts.every((p) => /^[a-z_][a-z0-9_]*$/.test(p)))
      fail(`chart: expected "<label column> [value column]", got "${chartText}"`);
    chart = parts[1] ? { label: parts[0] as string, value: parts[1] } : { label: parts[0] as string };
  }
  const output = fields.get("output") ?? "csv";
  if (output !== "csv" && output !== "parquet") fail(`output: "${output}" must be csv or parquet`);

  const sql = lines.slice(bodyStart).join("\n").trim().replace(/;\s*$/, "").trimEnd();
  if (sql === "") fail("no SQL statement after the header");
  const scan = scanSql(sql);
  if (scan.unterminated) fail("unterminated string, identifier or comment");
  if (scan.separators > 0 || scan.code.includes(";")) fail("one statement per file");
  if (scan.placeholdersInComments > 0) fail("no `?` inside comments: Athena may count it as a parameter");
  if (scan.placeholders !== params.length)
    fail(`the statement has ${scan.placeholders} "?" placeholders but params lists ${params.length}`);
  if (/`/.test(scan.code)) fail("backquoted identifiers are not Trino SQL; use double quotes");

  const referenced = new Set<string>();
  for (const m of scan.code.matchAll(/\b(?:from|join)\s+("?)([a-z_][a-z0-9_]*)\1/gi)) {
    const t = (m[2] as string).toLowerCase();
    if (knownTables.includes(t)) referenced.add(t);
  }
  for (const t of referenced) if (!tables.includes(t)) fail(`reads table "${t}" that "-- tables:" does not list`);
  for (const t of tables) if (!referenced.has(t)) fail(`"-- tables:" lists "${t}" but the statement never reads it`);
  const scans = [...scan.code.matchAll(/\b(?:from|join)\s+("?)([a-z_][a-z0-9_]*)\1/gi)].filter((m) =>
    knownTables.includes((m[2] as string).toLowerCase()),
  ).length;
  const dtFilters = [...scan.code.matchAll(/\bdt\s*(?:between|>=|>|=|<=|<)/gi)].length;
  if (dtFilters < scans)
    fail(`reads lake tables ${scans} times but filters on the partition column dt only ${dtFilters} times`);

  return {
    id,
    name,
    description,
    tables,
    params: params as ParamName[],
    severity: severity as Severity,
    ...(report ? { report } : {}),
    ...(section ? { section } : {}),
    ...(schedule ? { schedule } : {}),
    ...(chart ? { chart } : {}),
    output: output as SavedQuery["output"],
    sql,
  };
}
