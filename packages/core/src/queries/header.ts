import { CONFIG_TABLE_NAMES } from "../detections/allowlist.ts";
import {
  ATTACK_TACTICS,
  type CisControl,
  isCisControl,
  isTacticId,
  STRATUS_ID,
  type TacticId,
  TECHNIQUE_ID,
} from "../detections/frameworks.ts";
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
  "kind",
  "tactics",
  "techniques",
  "cis",
  "stratus",
  "alert",
  "runbook",
  "actor",
  "target",
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
  /** Detection metadata; present when the header declares `-- kind:`. */
  detection?: DetectionMeta;
  /** The statement alone (header stripped, no trailing `;`), as sent to Athena and DuckDB. */
  sql: string;
}

/** How a detection's rows relate to events: one row per event, or one row per burst, baseline break or count. */
export const DETECTION_KINDS = ["event", "aggregate"] as const;
export type DetectionKind = (typeof DETECTION_KINDS)[number];

/** What a detection's header says about it beyond the saved-query fields. */
export interface DetectionMeta {
  kind: DetectionKind;
  /** MITRE ATT&CK tactic ids, the first deciding the report section. */
  tactics: TacticId[];
  /** MITRE ATT&CK technique or sub-technique ids. */
  techniques: string[];
  /** CIS AWS Foundations Benchmark v1.5 monitoring controls the detection implements. */
  cis: CisControl[];
  /** Stratus Red Team technique ids the detection sees. */
  stratus: string[];
  /** Evaluated on ingest for near-real-time alerts. */
  alert: boolean;
  /** One line: what to check, how to undo. */
  runbook?: string;
  /** Output columns naming who acted. */
  actor: string[];
  /** Output columns naming what was acted on. */
  target: string[];
}

const FIELD = /^-- ([a-z][a-z_]*):(?:[ \t]+(.*))?$/;
const CONTINUATION = /^--[ \t]{2,}(\S.*)$/;
const SCHEDULE = /^(cron\((\S+ ){5}\S+\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$/;
const COLUMN = /^[a-z_][a-z0-9_]*$/;
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

  const detection = detectionMeta(id, fields, report, section, fail);

  const sql = lines.slice(bodyStart).join("\n").trim().replace(/;\s*$/, "").trimEnd();
  if (sql === "") fail("no SQL statement after the header");
  const scan = scanSql(sql);
  if (scan.unterminated) fail("unterminated string, identifier or comment");
  if (scan.separators > 0 || scan.code.includes(";")) fail("one statement per file");
  if (scan.placeholdersInComments > 0) fail("no `?` inside comments: Athena may count it as a parameter");
  if (scan.placeholders !== params.length)
    fail(`the statement has ${scan.placeholders} "?" placeholders but params lists ${params.length}`);
  if (/`/.test(scan.code)) fail("backquoted identifiers are not Trino SQL; use double quotes");
  const unordered = unorderedAggregate(scan.code);
  if (unordered)
    fail(
      `${unordered}(…) needs an ORDER BY inside it (or array_sort around it): the same lake must give the same report`,
    );

  const referenced = new Set<string>();
  for (const m of scan.code.matchAll(/\b(?:from|join)\s+("?)([a-z_][a-z0-9_]*)\1/gi)) {
    const t = (m[2] as string).toLowerCase();
    if (knownTables.includes(t)) referenced.add(t);
  }
  for (const t of referenced) if (!tables.includes(t)) fail(`reads table "${t}" that "-- tables:" does not list`);
  for (const t of tables) if (!referenced.has(t)) fail(`"-- tables:" lists "${t}" but the statement never reads it`);
  const partitionedScans = [...scan.code.matchAll(/\b(?:from|join)\s+("?)([a-z_][a-z0-9_]*)\1/gi)].filter((m) => {
    const t = (m[2] as string).toLowerCase();
    return knownTables.includes(t) && !CONFIG_TABLE_NAMES.includes(t);
  }).length;
  const dtFilters = [...scan.code.matchAll(/\bdt\s*(?:between|>=|>|=|<=|<)/gi)].length;
  if (dtFilters < partitionedScans)
    fail(
      `reads partitioned lake tables ${partitionedScans} times but filters on the partition column dt only ${dtFilters} times`,
    );

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
    ...(detection ? { detection } : {}),
    sql,
  };
}

const DETECTION_KEYS = [
  "tactics",
  "techniques",
  "cis",
  "stratus",
  "alert",
  "runbook",
  "actor",
  "target",
] as const satisfies readonly HeaderKey[];

/**
 * The detection fields of a header, which come with `-- kind:`. Every CloudTrail query in the security report is a
 * detection; a detection in the security report names its tactics and techniques (the first tactic is its section),
 * and a CloudTrail one the output columns naming its actor and target.
 */
function detectionMeta(
  id: string,
  fields: ReadonlyMap<HeaderKey, string>,
  report: string | undefined,
  section: string | undefined,
  fail: (msg: string) => never,
): DetectionMeta | undefined {
  const kind = fields.get("kind");
  const cloudtrailFinding = report === "security" && id.startsWith("cloudtrail/");
  if (kind === undefined) {
    if (cloudtrailFinding) fail(`"-- kind:" is required for a CloudTrail query in the security report`);
    const stray = DETECTION_KEYS.find((k) => fields.has(k));
    if (stray) fail(`"-- ${stray}:" needs "-- kind:" (event or aggregate)`);
    return undefined;
  }
  if (!(DETECTION_KINDS as readonly string[]).includes(kind))
    fail(`kind: "${kind}" must be one of ${DETECTION_KINDS.join(", ")}`);
  const tactics = list(fields.get("tactics") ?? "");
  for (const t of tactics) if (!isTacticId(t)) fail(`tactics: "${t}" is not an ATT&CK tactic id (TA0001 … TA0043)`);
  const techniques = list(fields.get("techniques") ?? "");
  for (const t of techniques)
    if (!TECHNIQUE_ID.test(t)) fail(`techniques: "${t}" is not an ATT&CK technique id (T1234 or T1234.001)`);
  const cis = list(fields.get("cis") ?? "");
  for (const c of cis) if (!isCisControl(c)) fail(`cis: "${c}" is not a CIS monitoring control (4.1 … 4.15)`);
  const stratus = list(fields.get("stratus") ?? "");
  for (const s of stratus)
    if (!STRATUS_ID.test(s)) fail(`stratus: "${s}" is not a Stratus Red Team technique id (aws.<tactic>.<name>)`);
  const alertText = fields.get("alert") ?? "false";
  if (alertText !== "true" && alertText !== "false") fail(`alert: "${alertText}" must be true or false`);
  const actor = list(fields.get("actor") ?? "");
  const target = list(fields.get("target") ?? "");
  for (const [key, cols] of [
    ["actor", actor],
    ["target", target],
  ] as const)
    for (const c of cols) if (!COLUMN.test(c)) fail(`${key}: "${c}" is not an output column name`);
  if (report === "security") {
    if (tactics.length === 0) fail(`"-- tactics:" is required for a detection in the security report`);
    if (techniques.length === 0) fail(`"-- techniques:" is required for a detection in the security report`);
    const tactic = ATTACK_TACTICS[tactics[0] as TacticId];
    if (section !== tactic) fail(`section: "${section}" must be the first tactic's name, "${tactic}"`);
  }
  if (cloudtrailFinding) {
    if (actor.length === 0) fail(`"-- actor:" is required for a CloudTrail detection in the security report`);
    if (target.length === 0) fail(`"-- target:" is required for a CloudTrail detection in the security report`);
  }
  for (const key of ["tactics", "techniques", "cis", "stratus"] as const) {
    const values = list(fields.get(key) ?? "");
    if (new Set(values).size !== values.length) fail(`${key}: lists a value twice`);
  }
  const runbook = fields.get("runbook");
  return {
    kind: kind as DetectionKind,
    tactics: tactics as TacticId[],
    techniques,
    cis: cis as CisControl[],
    stratus,
    alert: alertText === "true",
    ...(runbook ? { runbook } : {}),
    actor,
    target,
  };
}

/** Aggregates whose output order follows the order rows happen to arrive in, which differs between runs. */
const ORDER_SENSITIVE = /\b(array_agg|string_agg|listagg)\s*\(/gi;

/**
 * The first order-sensitive aggregate in `code` (comments and literals already blanked) that has no `ORDER BY` of its
 * own and is not the direct argument of `array_sort`, or undefined.
 */
function unorderedAggregate(code: string): string | undefined {
  for (const m of code.matchAll(ORDER_SENSITIVE)) {
    // One pass over the call's arguments, up to its closing parenthesis: an ORDER BY of its own is at depth 0.
    let depth = 0;
    let ordered = false;
    for (const t of code.slice((m.index ?? 0) + m[0].length).matchAll(/[()]|\border\s+by\b/gi)) {
      if (t[0] === "(") depth++;
      else if (t[0] === ")") {
        if (depth-- === 0) break;
      } else if (depth === 0) ordered = true;
    }
    const sorted = /\barray_sort\s*\(\s*$/i.test(code.slice(0, m.index));
    if (!ordered && !sorted) return (m[1] as string).toLowerCase();
  }
  return undefined;
}
