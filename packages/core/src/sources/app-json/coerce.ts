import type { RejectReason } from "../quarantine/schema.ts";

/** Plain JSON object (not null, not an array). */
export type JsonObject = Record<string, unknown>;

/** True for a parsed JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A string column value: strings as they are, numbers and booleans as text, objects as JSON, else null. */
export function asString(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "object" && value !== null) return JSON.stringify(value);
  return null;
}

/** A boolean column value: JSON booleans and the strings "true"/"false" (any case), else null. */
export function asBoolean(value: unknown): boolean | null {
  if (typeof value === "boolean") return value;
  if (typeof value === "string") {
    const v = value.trim().toLowerCase();
    if (v === "true") return true;
    if (v === "false") return false;
  }
  return null;
}

/** A finite number from a JSON number or a numeric string, else null. */
export function asNumber(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && /^\s*-?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/.test(value)) return Number(value);
  return null;
}

/** An int32 column value: an integer in range from a number or numeric string, else null. */
export function asInt32(value: unknown): number | null {
  const n = asNumber(value);
  return n !== null && Number.isInteger(n) && n >= -2147483648 && n <= 2147483647 ? n : null;
}

/** A json column value: the JSON text of the value, null when absent or JSON null. */
export function asJson(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/** Result of mapping one parsed value to a row: the row, or why it was refused. */
export type MapResult<Row> = { ok: true; row: Row } | { ok: false; reason: RejectReason; message: string };
