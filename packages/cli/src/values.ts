import { editDistance } from "@app/core/config/closest";
import { InputError } from "./errors.ts";

/** The known value a mistyped one most likely meant: fewest edits, at most a third of its length; else undefined. */
export function closest(value: string, known: readonly string[]): string | undefined {
  const v = value.toLowerCase();
  let best: { k: string; d: number } | undefined;
  for (const k of known) {
    const d = editDistance(v, k.toLowerCase());
    if (d <= Math.max(1, Math.floor(Math.max(v.length, k.length) / 3)) && (!best || d < best.d)) best = { k, d };
  }
  return best?.k;
}

/** `; did you mean x?` for a near miss, then the full list when it is short. */
export function hint(value: string, known: readonly string[]): string {
  const near = closest(value, known);
  const list = known.length <= 12 ? `one of ${known.join(", ")}` : `${known.length} known, e.g. ${known[0]}`;
  return near ? `; did you mean ${near}? (${list})` : ` (${list})`;
}

/** Checks `value` against the known values of `what`, naming the closest one in the error. */
export function oneOf<T extends string>(what: string, value: string, known: readonly T[], noun = "value"): T {
  if ((known as readonly string[]).includes(value)) return value as T;
  throw new InputError(`${what} ${value}: unknown ${noun}${hint(value, known)}`);
}

/** A Commander argument parser for a whole number between `min` and `max`. */
export function integerIn(flag: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = /^[+-]?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n)) throw new InputError(`${flag} ${value}: not a whole number (use ${min} to ${max})`);
    if (n < min || n > max) throw new InputError(`${flag} ${value}: out of range (use ${min} to ${max})`);
    return n;
  };
}

/** A Commander argument parser for a positive number of units (hours, seconds), fractions allowed. */
export function positiveNumber(flag: string, unit: string): (value: string) => number {
  return (value) => {
    const n = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (!(n > 0)) throw new InputError(`${flag} ${value}: not a positive number of ${unit}`);
    return n;
  };
}

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const RELATIVE = /^-(\d{1,4})d$/;

/** What a date value may be, for help texts and errors. */
export const DATE_FORMS = "YYYY-MM-DD, today, yesterday or -Nd (N days before today, UTC)";

/**
 * A UTC day: `YYYY-MM-DD` (a real calendar date), `today`, `yesterday`, or `-Nd` for N days before today.
 * Throws a `InputError` naming `what` for anything else, including impossible dates such as 2025-13-45.
 */
export function parseDay(what: string, value: string, now: Date): string {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const v = value.trim().toLowerCase();
  if (v === "today") return iso(today);
  if (v === "yesterday") return iso(today - DAY_MS);
  const rel = RELATIVE.exec(v);
  if (rel) return iso(today - Number(rel[1]) * DAY_MS);
  if (DATE.test(v)) {
    const ms = Date.parse(`${v}T00:00:00Z`);
    if (Number.isFinite(ms) && iso(ms) === v) return v;
    throw new InputError(`${what}: "${value}" is not a calendar date`);
  }
  throw new InputError(`${what}: "${value}" is not a date (use ${DATE_FORMS})`);
}

/** Splits a comma-separated flag value, dropping blanks. */
export function commaList(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}
