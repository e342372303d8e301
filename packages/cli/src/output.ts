import type { Json } from "@duckdb/node-api";

export type OutputFormat = "table" | "csv" | "json";

function text(v: Json): string {
  if (v === null) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Renders query results as an aligned table, CSV (RFC 4180) or a JSON array of objects. */
export function formatRows(
  columns: readonly string[],
  rows: readonly (readonly Json[])[],
  format: OutputFormat,
): string {
  if (format === "json") {
    const objects = rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i] ?? null])));
    return `${JSON.stringify(objects, null, 2)}\n`;
  }
  const cells = rows.map((r) => r.map(text));
  if (format === "csv")
    return [columns, ...cells]
      .map((r) => r.map(csvCell).join(","))
      .join("\n")
      .concat("\n");
  const widths = columns.map((c, i) => Math.min(60, Math.max(c.length, ...cells.map((r) => (r[i] ?? "").length))));
  const fmt = (r: readonly string[]) =>
    r
      .map((s, i) => (s.length > (widths[i] ?? 0) ? `${s.slice(0, (widths[i] ?? 1) - 1)}…` : s.padEnd(widths[i] ?? 0)))
      .join("  ");
  const lines = [fmt(columns), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(fmt)];
  lines.push(`(${rows.length} row${rows.length === 1 ? "" : "s"})`);
  return `${lines.join("\n")}\n`;
}
