import type { FieldInput, FieldReader, LogicalType, TsTypeOf } from "../schema/column.ts";
import { toIsoUtc } from "../time.ts";
import type { RejectReason } from "./quarantine/schema.ts";

/** Plain JSON object (not null, not an array). */
export type JsonObject = Record<string, unknown>;

/** True for a parsed JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Result of mapping one parsed value to a row: the row, or why it was refused. */
export type MapResult<Row> = { ok: true; row: Row } | { ok: false; reason: RejectReason; message: string };

const NUMERIC = /^\s*-?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/;
const INTEGER = /^-?\d+$/;

/** A finite number from a JSON number or a numeric string, else null. */
export function asNumber(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && NUMERIC.test(value)) {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** An int32 value: an integer in range from a number or numeric string, else null. */
export function asInt32(value: unknown): number | null {
  const n = asNumber(value);
  return n !== null && Number.isInteger(n) && n >= -2147483648 && n <= 2147483647 ? n : null;
}

/** A boolean from a JSON boolean or the strings "true"/"false" (any case), else null. */
export function asBoolean(value: unknown): boolean | null {
  if (typeof value === "boolean") return value;
  if (typeof value === "string") {
    const v = value.trim().toLowerCase();
    if (v === "true") return true;
    if (v === "false") return false;
  }
  return null;
}

// Readers return the column value, null for a JSON null, or undefined for a value that does not fit the column.

/** Strings as they are; numbers as the input wrote them (every digit); booleans as `true`/`false`. */
export const readString: FieldReader<string> = (input) => {
  const v = input.value;
  if (typeof v === "string") return v;
  if (typeof v === "number") return input.text();
  if (typeof v === "boolean") return String(v);
  return v === null ? null : undefined;
};

/** Like `readString`, with an empty string meaning no value (exports write `""` for an absent field). */
export const readNonEmptyString: FieldReader<string> = (input) => (input.value === "" ? null : readString(input));

export const readBoolean: FieldReader<boolean> = (input) =>
  input.value === null ? null : (asBoolean(input.value) ?? undefined);

export const readInt32: FieldReader<number> = (input) =>
  input.value === null ? null : (asInt32(input.value) ?? undefined);

/** Integers that a double holds exactly; anything larger does not fit, rather than being rounded. */
export const readInt64: FieldReader<number> = (input) => {
  const v = input.value;
  if (v === null) return null;
  const text = typeof v === "number" ? input.text() : typeof v === "string" ? v.trim() : "";
  if (!INTEGER.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
};

export const readDouble: FieldReader<number> = (input) =>
  input.value === null ? null : (asNumber(input.value) ?? undefined);

/** ISO-8601 strings and epoch seconds or milliseconds; a number is read from its text, so no digit is lost. */
export const readTimestamp: FieldReader<string> = (input) => {
  const v = input.value;
  if (v === null) return null;
  if (typeof v === "string") return toIsoUtc(v) ?? undefined;
  if (typeof v === "number") return toIsoUtc(input.text()) ?? undefined;
  return undefined;
};

/** The input's own JSON text of the value, never a re-serialisation. */
export const readJson: FieldReader<string> = (input) => (input.value === null ? null : input.text());

/** The number of elements of an array. */
export const readArrayLength: FieldReader<number> = (input) =>
  Array.isArray(input.value) ? input.value.length : input.value === null ? null : undefined;

/** The default reader of each logical type. */
export const DEFAULT_READERS: { readonly [T in LogicalType]: FieldReader<TsTypeOf[T]> } = {
  string: readString,
  int32: readInt32,
  int64: readInt64,
  double: readDouble,
  boolean: readBoolean,
  timestamp: readTimestamp,
  json: readJson,
};

/** A field input for a value that has no input text of its own, such as a time taken from an envelope. */
export function plainInput(value: string | number | null): FieldInput {
  return { value, text: () => (typeof value === "string" ? JSON.stringify(value) : String(value)) };
}

/** A text cut to `max` characters with an ellipsis, for messages. */
export function clip(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
