import type { CandidateScan } from "./compile.ts";
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

/**
 * What one statement read from the lake. Athena: `DataScannedInBytes` of the query execution (the columns it read).
 * DuckDB: the Parquet files under the partitions the statement's `dt` filters select, and their whole size.
 */
export interface ScanStats {
  bytes: number;
  /** Files read, where the engine tells. */
  files?: number;
}

/** Rows of one query, normalised so DuckDB and Athena results compare equal. */
export interface QueryResult {
  columns: ResultColumn[];
  rows: Record<string, Cell>[];
  /** What the statement read from the lake, when the engine measures it. */
  scanned?: ScanStats;
}

/** A candidate scan run: each detection's rows, in the scan's order, and what the one scan read from the lake. */
export interface ScanResult {
  /** Rows the candidate statement selected. */
  candidates: number;
  results: QueryResult[];
  scanned?: ScanStats;
}

/** Runs saved queries on one engine (DuckDB locally, Athena in AWS) with positional parameter values. */
export interface QueryRunner {
  readonly engine: string;
  /** How this engine's `scanned` figures are measured, as the report states it. */
  readonly scanMeasure?: string;
  run(query: SavedQuery, values: readonly string[]): Promise<QueryResult>;
  /**
   * Runs a candidate scan once (`values` for its `?`s), then each of its detections' own statements unchanged over
   * the candidate rows only (`detectionValues[i]` for detection i). Engines without it run every detection alone.
   */
  runScan?(scan: CandidateScan, values: readonly string[], detectionValues: readonly string[][]): Promise<ScanResult>;
}

/** Engine type name (DuckDB or Trino spelling, any case) to the neutral kind; lists, structs and maps are strings. */
export function kindOfType(type: string): CellKind {
  const t = type.toLowerCase().trim();
  if (/\[\d*\]$|^(struct|map|union|row|array)\b|^(list|json)$/.test(t)) return "string";
  if (t.startsWith("timestamp")) return "timestamp";
  if (t === "date") return "date";
  if (t === "boolean") return "boolean";
  if (
    /^(tinyint|smallint|integer|int|bigint|hugeint|uhugeint|ubigint|uinteger|usmallint|utinyint|real|float|double|decimal|varint)(\(\d+(,\s*\d+)?\))?$/.test(
      t,
    )
  )
    return "number";
  return "string";
}

const TS = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(?: ?(?:UTC|Z|[+-]00(?::?00)?))?$/;

/**
 * A timestamp as either engine prints it (`2024-03-08 09:30:00`, `2024-03-08 09:30:00.123456`,
 * `2024-03-08 09:30:00.000 UTC`) in the canonical form `2024-03-08T09:30:00.000Z`: milliseconds, as Athena keeps, or
 * with `exact` every sub-millisecond digit the engine printed (`2024-03-08T09:30:00.123456Z`).
 */
export function canonicalTimestamp(text: string, precision: "milliseconds" | "exact" = "milliseconds"): string {
  const m = TS.exec(text.trim());
  if (!m) throw new Error(`not a UTC timestamp: ${text}`);
  const digits = (m[3] ?? "").replace(/0+$/, "");
  const ms = precision === "exact" && digits.length > 3 ? digits : digits.padEnd(3, "0").slice(0, 3);
  return `${m[1]}T${m[2]}.${ms}Z`;
}

// A double holds every integer up to 2^53 and every decimal of up to 15 significant digits exactly.
const MAX_EXACT_DIGITS = 15;

/** A numeric value as a JSON-safe cell: a number when no digit is lost, else the engine's exact text. */
function numberCell(value: unknown): Cell {
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  const text = String(value).trim();
  const n = Number(text);
  if (!Number.isFinite(n)) return text;
  if (/^[+-]?\d+$/.test(text)) return Number.isSafeInteger(n) ? n : text;
  const significant = text
    .replace(/^[+-]?/, "")
    .replace(/[eE].*$/, "")
    .replace(".", "")
    .replace(/^0+/, "");
  return significant.replace(/0+$/, "").length <= MAX_EXACT_DIGITS ? n : text;
}

/**
 * Converts one engine value (as text or JSON scalar) to a cell of the given kind. Integers beyond 2^53 and decimals
 * with more than 15 significant digits stay strings, so no digit is lost; lists, structs and maps become JSON text.
 */
export function toCell(value: unknown, kind: CellKind, precision: "milliseconds" | "exact" = "milliseconds"): Cell {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case "number":
      return numberCell(value);
    case "boolean":
      return typeof value === "boolean" ? value : String(value).toLowerCase() === "true";
    case "timestamp": {
      const text = String(value);
      // Infinite and out-of-range timestamps (`infinity`, years past 9999) have no ISO form; keep the engine's text.
      return TS.test(text.trim()) ? canonicalTimestamp(text, precision) : text;
    }
    default:
      return typeof value === "object" ? JSON.stringify(value) : String(value);
  }
}
