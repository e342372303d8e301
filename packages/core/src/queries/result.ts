import type { SavedQuery } from "./header.ts";

/** One cell of a query result, the same whichever engine produced it. */
export type Cell = string | number | boolean | null;

/** Engine-neutral column kinds: timestamps are ISO-8601 UTC strings, dates `YYYY-MM-DD`. */
export type CellKind = "string" | "number" | "boolean" | "timestamp" | "date";

/** A result column. */
export interface ResultColumn {
  name: string;
  kind: CellKind;
}

/** Rows of one query, normalised so DuckDB and Athena results compare equal. */
export interface QueryResult {
  columns: ResultColumn[];
  rows: Record<string, Cell>[];
}

/** Runs saved queries on one engine (DuckDB locally, Athena in AWS) with positional parameter values. */
export interface QueryRunner {
  readonly engine: string;
  run(query: SavedQuery, values: readonly string[]): Promise<QueryResult>;
}

/** Engine type name (DuckDB or Trino spelling, any case) to the neutral kind. */
export function kindOfType(type: string): CellKind {
  const t = type.toLowerCase();
  if (t.startsWith("timestamp")) return "timestamp";
  if (t === "date") return "date";
  if (t === "boolean") return "boolean";
  if (
    /^(tinyint|smallint|integer|int|bigint|hugeint|ubigint|uinteger|usmallint|utinyint|real|float|double|decimal)/.test(
      t,
    )
  )
    return "number";
  return "string";
}

const TS = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(?: ?(?:UTC|Z|[+-]00(?::?00)?))?$/;

/**
 * A timestamp as either engine prints it (`2024-03-08 09:30:00`, `2024-03-08 09:30:00.123456`,
 * `2024-03-08 09:30:00.000 UTC`) in the canonical form `2024-03-08T09:30:00.000Z` (milliseconds, as Athena keeps).
 */
export function canonicalTimestamp(text: string): string {
  const m = TS.exec(text.trim());
  if (!m) throw new Error(`not a UTC timestamp: ${text}`);
  const ms = (m[3] ?? "").padEnd(3, "0").slice(0, 3);
  return `${m[1]}T${m[2]}.${ms}Z`;
}

/** Converts one engine value (as text or JSON scalar) to a cell of the given kind. */
export function toCell(value: unknown, kind: CellKind): Cell {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case "number": {
      const n = typeof value === "number" ? value : Number(value);
      if (!Number.isFinite(n)) return String(value);
      return n;
    }
    case "boolean":
      return typeof value === "boolean" ? value : String(value).toLowerCase() === "true";
    case "timestamp":
      return canonicalTimestamp(String(value));
    default:
      return String(value);
  }
}
