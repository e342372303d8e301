import { ConfigError } from "../errors.ts";
import { parseSavedQuery, type SavedQuery, SEVERITIES } from "./header.ts";

/** A saved query file as read from `queries/`: its path below that folder and its text. */
export interface QueryFile {
  /** Relative path with `/` separators, e.g. `cloudtrail/root-account-usage.sql`. */
  path: string;
  text: string;
}

/**
 * Parses every query file, sorted by id. Throws `ConfigError` for a bad header, a duplicate name, or a report whose
 * queries disagree on the schedule.
 */
export function loadQueries(files: readonly QueryFile[], knownTables: readonly string[]): SavedQuery[] {
  const queries = files
    .filter((f) => f.path.endsWith(".sql"))
    .map((f) => parseSavedQuery(f.path.replace(/\.sql$/, ""), f.text, knownTables))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const byName = new Map<string, string>();
  for (const q of queries) {
    const other = byName.get(q.name.toLowerCase());
    if (other) throw new ConfigError(`queries/${q.id}.sql: name "${q.name}" is already used by queries/${other}.sql`);
    byName.set(q.name.toLowerCase(), q.id);
  }
  for (const report of reportNames(queries)) reportSchedule(queries, report);
  return queries;
}

/** Names of the reports the queries declare, sorted. */
export function reportNames(queries: readonly SavedQuery[]): string[] {
  return [...new Set(queries.flatMap((q) => (q.report ? [q.report] : [])))].sort();
}

/**
 * The queries of one report grouped by section, the section with the most severe query first (so findings come
 * before context and evidence), then most severe first within a section, then by id. Throws for an unknown report.
 */
export function reportQueries(queries: readonly SavedQuery[], report: string): SavedQuery[] {
  const selected = queries.filter((q) => q.report === report);
  if (selected.length === 0)
    throw new ConfigError(`unknown report "${report}" (known: ${reportNames(queries).join(", ") || "none"})`);
  const rank = (q: SavedQuery) => SEVERITIES.indexOf(q.severity);
  const sectionRank = new Map<string, number>();
  for (const q of selected) {
    const key = q.section ?? "";
    sectionRank.set(key, Math.min(sectionRank.get(key) ?? SEVERITIES.length, rank(q)));
  }
  const sectionOf = (q: SavedQuery) => sectionRank.get(q.section ?? "") ?? 0;
  return selected.sort(
    (a, b) =>
      sectionOf(a) - sectionOf(b) ||
      (a.section ?? "").localeCompare(b.section ?? "") ||
      rank(a) - rank(b) ||
      a.id.localeCompare(b.id),
  );
}

/** The one schedule every query of a report declares; a mismatch is a configuration error. */
export function reportSchedule(queries: readonly SavedQuery[], report: string): string {
  const schedules = new Set(reportQueries(queries, report).map((q) => q.schedule));
  if (schedules.size !== 1)
    throw new ConfigError(`report "${report}": its queries declare different schedules: ${[...schedules].join(", ")}`);
  return [...schedules][0] as string;
}
