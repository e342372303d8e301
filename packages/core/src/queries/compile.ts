import type { ParamName, SavedQuery } from "./header.ts";
import { scanSql } from "./scan.ts";

/** Tables a compiled condition may read in a subquery: small configuration tables, never a partitioned log table. */
export const CONDITION_TABLES = ["detection_allowlist"] as const;

/**
 * One scan of a lake table for a report period that serves many `kind: event` detections: it selects every row
 * any of them could flag, and each detection's own statement then runs unchanged over those rows.
 */
export interface CandidateScan {
  /** The table scanned, e.g. `cloudtrail`. */
  table: string;
  /** `SELECT * FROM <table> WHERE dt BETWEEN ? AND ? AND ((c1) OR (c2) …)`. */
  sql: string;
  params: ParamName[];
  /** The detections it serves, in report order. */
  detections: SavedQuery[];
  /** Configuration tables the conditions read, which the detections need beside the candidate rows. */
  reads: string[];
}

/** The most conditions with a configuration-table subquery that one candidate scan carries (see `planReport`). */
export const CONDITIONS_WITH_SUBQUERIES = 16;

/** How a report runs: candidate scans, each serving many detections, and queries that scan the lake on their own. */
export interface ReportPlan {
  scans: CandidateScan[];
  standalone: SavedQuery[];
}

/** Why an event detection is not compiled into a candidate scan (it then runs on its own). */
export type NotCompiled = { id: string; why: string };

const WORD = (w: string) => new RegExp(`\\b${w}\\b`, "iy");

/**
 * The statement of a `kind: event` detection split into its table and its row condition (the text after
 * `WHERE dt BETWEEN ? AND ? AND`, up to a top-level `ORDER BY`), or why it does not have the shape compilation
 * relies on: `SELECT <columns> FROM <table> WHERE dt BETWEEN ? AND ? AND <condition> [ORDER BY …]`, parameters
 * `from, to`, no CTE, join, grouping or second scan of a log table (subqueries over `detection_allowlist` are kept).
 */
export function eventCondition(
  query: SavedQuery,
): { table: string; condition: string; reads: string[] } | { why: string } {
  if (query.params.join(",") !== "from,to") return { why: "its parameters are not exactly from, to" };
  const { mask } = scanSql(query.sql);
  const depth = depths(mask);
  const top = (re: RegExp, from: number): number => {
    for (let i = from; i < mask.length; i++) {
      if (depth[i] !== 0) continue;
      re.lastIndex = i;
      if (re.test(mask) && (i === 0 || !/\w/.test(mask[i - 1] as string))) return i;
    }
    return -1;
  };
  if (!/^\s*select\b/i.test(mask)) return { why: "it does not start with SELECT" };
  const from = top(WORD("from"), 0);
  if (from < 0) return { why: "no top-level FROM" };
  const afterFrom = /^from\s+("?)([a-z_][a-z0-9_]*)\1\s+where\s+dt\s+between\s+\?\s+and\s+\?\s+and\b/i.exec(
    mask.slice(from),
  );
  if (!afterFrom) return { why: "it is not FROM <table> WHERE dt BETWEEN ? AND ? AND <condition>" };
  const table = (afterFrom[2] as string).toLowerCase();
  const start = from + afterFrom[0].length;
  const order = top(/order\s+by\b/iy, start);
  const end = order < 0 ? mask.length : order;
  for (const kw of ["group", "having", "window", "qualify", "union", "intersect", "except", "limit"]) {
    const at = top(WORD(kw), start);
    if (at >= 0 && at < end) return { why: `its condition is followed by a top-level ${kw.toUpperCase()}` };
  }
  const conditionMask = mask.slice(start, end);
  if (conditionMask.includes("?")) return { why: "its condition has a placeholder of its own" };
  const reads = new Set<string>();
  for (const m of conditionMask.matchAll(/\b(?:from|join)\s+("?)([a-z_][a-z0-9_]*)\1/gi)) {
    const t = (m[2] as string).toLowerCase();
    if (!(CONDITION_TABLES as readonly string[]).includes(t))
      return { why: `its condition reads ${t}; only ${CONDITION_TABLES.join(", ")} may be read there` };
    reads.add(t);
  }
  if (/\bover\s*\(/i.test(conditionMask)) return { why: "its condition uses a window function" };
  return { table, condition: query.sql.slice(start, end).trim(), reads: [...reads].sort() };
}

/** Parenthesis depth at each offset of a masked text (literals and comments already blanked). */
function depths(mask: string): number[] {
  const out: number[] = [];
  let d = 0;
  for (const ch of mask) {
    if (ch === ")") d--;
    out.push(d);
    if (ch === "(") d++;
  }
  return out;
}

/** The candidate statement of one table: every row of the period that any of the conditions holds for. */
export function candidateSql(table: string, conditions: readonly string[]): string {
  // Each condition on lines of its own: a trailing `--` comment in one cannot swallow the parenthesis after it.
  const ors = conditions.map((c) => `(\n${c}\n)`).join("\nOR ");
  return `SELECT *\nFROM ${table}\nWHERE dt BETWEEN ? AND ?\n  AND (\n${ors}\n)`;
}

/**
 * Splits a report's queries (in report order) into candidate scans, one per table, of the `kind: event` detections
 * that have the compiled shape, and the queries that run on their own (aggregates, baselines, context, and event
 * detections of another shape, listed in `notCompiled` with the reason). A table served by a single detection is
 * not compiled: its own statement is already one scan.
 */
export function planReport(queries: readonly SavedQuery[]): ReportPlan & { notCompiled: NotCompiled[] } {
  // Conditions that read a configuration table go in groups of at most CONDITIONS_WITH_SUBQUERIES per scan: DuckDB
  // plans each such subquery as a join carrying the whole row, and 80 of them in one statement ran a 9k-row day of
  // CloudTrail out of its 512 MB. Conditions without one all share the first scan.
  type Group = { table: string; detections: SavedQuery[]; conditions: string[]; reads: Set<string> };
  const notCompiled: NotCompiled[] = [];
  const own = new Set<string>();
  const compiled: { query: SavedQuery; table: string; condition: string; reads: string[] }[] = [];
  for (const q of queries) {
    if (q.detection?.kind !== "event") {
      own.add(q.id);
      continue;
    }
    const c = eventCondition(q);
    if ("why" in c) {
      notCompiled.push({ id: q.id, why: c.why });
      own.add(q.id);
      continue;
    }
    compiled.push({ query: q, ...c });
  }
  // Chunks are assigned in id order, so the plan does not depend on the order the report lists its queries in.
  const chunks = new Map<string, number>();
  const withSubqueries = new Map<string, string[]>();
  for (const c of compiled) {
    if (c.reads.length > 0) withSubqueries.set(c.table, [...(withSubqueries.get(c.table) ?? []), c.query.id]);
  }
  for (const ids of withSubqueries.values()) {
    ids.sort();
    for (const [i, id] of ids.entries()) chunks.set(id, Math.floor(i / CONDITIONS_WITH_SUBQUERIES) + 1);
  }
  const groups = new Map<string, Group>();
  for (const c of compiled) {
    const key = `${c.table}#${chunks.get(c.query.id) ?? 1}`;
    const group = groups.get(key) ?? { table: c.table, detections: [], conditions: [], reads: new Set<string>() };
    group.detections.push(c.query);
    group.conditions.push(c.condition);
    for (const r of c.reads) group.reads.add(r);
    groups.set(key, group);
  }
  const scans: CandidateScan[] = [];
  for (const g of groups.values()) {
    if (g.detections.length < 2) {
      for (const d of g.detections) own.add(d.id);
      continue;
    }
    scans.push({
      table: g.table,
      sql: candidateSql(g.table, g.conditions),
      params: ["from", "to"],
      detections: g.detections,
      reads: [...g.reads].sort(),
    });
  }
  return { scans, standalone: queries.filter((q) => own.has(q.id)), notCompiled };
}

/**
 * Days before the period's first day that a statement's `dt` filters reach back, from its `date_add('day', -N, …)`
 * look-backs; undefined when it filters `dt` some other way than by days (its scan is then counted as the whole
 * table).
 */
export function lookbackDays(sql: string): number | undefined {
  const { code } = scanSql(sql);
  let days = 0;
  for (const m of sql.matchAll(/date_add\s*\(\s*'(\w+)'\s*,\s*(-?\d+)\s*,/gi)) {
    if ((m[1] as string).toLowerCase() !== "day") return undefined;
    days = Math.max(days, -Number(m[2]));
  }
  if (/\binterval\b/i.test(code)) return undefined;
  return days;
}
