import type { Cell, QueryResult } from "@app/core/queries/result";
import { toCsv } from "@app/core/reports/csv";
import { Option } from "commander";
import { InputError } from "./errors.ts";
import { colorFor, paint, type Style } from "./ui.ts";
import { oneOf } from "./values.ts";

/** Output formats of every command that prints data. */
export const FORMATS = ["table", "csv", "json"] as const;
export type OutputFormat = (typeof FORMATS)[number];

/** Help text on number handling, shared by every command with `--format json`. */
export const JSON_NUMBERS =
  "JSON numbers are numbers; integers beyond ±(2^53-1) and decimals of more than 15 significant digits are strings, so no digit is lost";

/** `--format` and its `--json` alias, as every data command declares them. */
export function formatOptions(extra: readonly string[] = []): Option[] {
  const format = new Option("--format <format>", "output format").default("table");
  // Listed for help and shell completion; checked by `chosenFormat`, which names the closest format on a typo.
  format.argChoices = [...FORMATS, ...extra];
  return [format, new Option("--json", "same as --format json (kept for scripts)")];
}

/** The format a command was asked for: `--json` is `--format json`; anything unknown is refused. */
export function chosenFormat<T extends string = OutputFormat>(
  opts: { format?: string; json?: boolean },
  extra: readonly T[] = [],
): OutputFormat | T {
  if (opts.json) {
    if (opts.format !== undefined && opts.format !== "table" && opts.format !== "json")
      throw new InputError(`--json and --format ${opts.format} disagree; give one of them`);
    return "json";
  }
  return oneOf("--format", opts.format ?? "table", [...FORMATS, ...extra], "format");
}

/** The width a table may take: the terminal's, `COLUMNS` when set, else unlimited (a file or pipe). */
export function outputWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout): number {
  if (stream.isTTY && stream.columns) return stream.columns;
  const env = Number(process.env.COLUMNS);
  return Number.isInteger(env) && env > 0 ? env : Number.POSITIVE_INFINITY;
}

// One row per line: control characters are shown escaped.
const ESCAPES: Record<string, string> = { "\n": "\\n", "\t": "\\t", "\r": "\\r" };
function cellText(v: Cell): string {
  if (v === null) return "";
  return [...String(v)]
    .map((c) => {
      const code = c.charCodeAt(0);
      if (code >= 0x20 && code !== 0x7f) return c;
      return ESCAPES[c] ?? `\\x${code.toString(16).padStart(2, "0")}`;
    })
    .join("");
}

const chars = (s: string) => [...s].length;

function clip(s: string, width: number): string {
  const cs = [...s];
  if (cs.length <= width) return s;
  return width <= 1 ? cs.slice(0, width).join("") : `${cs.slice(0, width - 1).join("")}…`;
}

/**
 * Column widths that fit `max`: each column as wide as its widest cell, then the widest columns are narrowed one
 * character at a time (never below 3, or the header when shorter) until the line fits. Rows are never dropped.
 */
export function fitWidths(natural: readonly number[], max: number, gap = 2): number[] {
  const widths = [...natural];
  const floor = natural.map((w) => Math.min(w, 3));
  let total = widths.reduce((a, b) => a + b, 0) + gap * Math.max(0, widths.length - 1);
  while (total > max) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++)
      if ((widths[i] ?? 0) > (floor[i] ?? 0) && (widest < 0 || (widths[i] ?? 0) > (widths[widest] ?? 0))) widest = i;
    if (widest < 0) break;
    widths[widest] = (widths[widest] ?? 1) - 1;
    total--;
  }
  return widths;
}

/** Options of a text table. */
export interface TableOptions {
  /** Maximum line width (default: the terminal's). */
  width?: number;
  /** A line of dashes under the header (default true). */
  rule?: boolean;
  /** `(N rows)` after the rows (default true). */
  count?: boolean;
  /** Colour per cell, e.g. health or severity; only applied when colour is on. */
  style?: (column: string, value: Cell) => Style | undefined;
  color?: boolean;
}

/** Rows as an aligned text table: numbers right-aligned, columns cut to fit the width, no trailing spaces. */
export function formatTable(result: QueryResult, options: TableOptions = {}): string {
  const names = result.columns.map((c) => c.name);
  const cells = result.rows.map((r) => names.map((n) => cellText(r[n] ?? null)));
  const natural = names.map((n, i) => Math.max(chars(n), ...cells.map((r) => chars(r[i] ?? ""))));
  const widths = fitWidths(natural, options.width ?? outputWidth());
  const right = result.columns.map((c) => c.kind === "number");
  const color = options.color ?? colorFor(process.stdout);
  const line = (values: readonly string[], raw?: Record<string, Cell>, header = false) =>
    values
      .map((v, i) => {
        const w = widths[i] ?? 0;
        const text = clip(v, w);
        const pad = " ".repeat(Math.max(0, w - chars(text)));
        const last = i === values.length - 1;
        const styled = header
          ? paint(text, "bold", color)
          : paint(text, raw ? options.style?.(names[i] as string, raw[names[i] as string] ?? null) : undefined, color);
        return right[i] ? pad + styled : last ? styled : styled + pad;
      })
      .join("  ")
      .trimEnd();
  const out = [line(names, undefined, true)];
  if (options.rule !== false) out.push(widths.map((w) => "-".repeat(w)).join("  "));
  cells.forEach((r, i) => {
    out.push(line(r, result.rows[i]));
  });
  if (options.count !== false) out.push(`(${result.rows.length} row${result.rows.length === 1 ? "" : "s"})`);
  return `${out.join("\n")}\n`;
}

/** Rows in the chosen format: a table for people, CSV (the reports' writer) or a JSON array of objects. */
export function formatResult(result: QueryResult, format: OutputFormat, options: TableOptions = {}): string {
  if (format === "json") return `${JSON.stringify(result.rows, null, 2)}\n`;
  if (format === "csv") return toCsv(result);
  return formatTable(result, options);
}
