import type { SavedQuery } from "../queries/header.ts";
import type { Cell, QueryResult } from "../queries/result.ts";

/** The CSV file name of a query: its id with `/` turned into `.` (`cloudtrail.root-account-usage.csv`). */
export function csvName(query: Pick<SavedQuery, "id">): string {
  return `${query.id.replaceAll("/", ".")}.csv`;
}

// Spreadsheets run cells that start with these as formulas; log fields (user agents, paths) are attacker-controlled.
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field: RFC 4180 quoting, and a leading `'` on text that a spreadsheet would take for a formula. */
export function csvField(value: Cell): string {
  if (value === null) return "";
  if (typeof value !== "string") return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) || text === "" ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * A result as CSV, the one writer for every CSV loglake writes (report files and `loglake query --format csv`): a
 * header row of column names, then one line per row. Quoting follows RFC 4180, but lines end in LF like every other
 * output of loglake, so `cut`, `awk` and `wc -l` see no stray CR; spreadsheets and CSV readers accept either.
 */
export function toCsv(result: QueryResult): string {
  const names = result.columns.map((c) => c.name);
  const lines = [names.map((n) => csvField(n)).join(",")];
  for (const row of result.rows) lines.push(names.map((n) => csvField(row[n] ?? null)).join(","));
  return `${lines.join("\n")}\n`;
}
