import type { LogicalType } from "../../schema/column.ts";

/** Marks a value that does not fit its column's type; the caller turns it into a `bad_value` reject. */
export const BAD: unique symbol = Symbol("bad value");

/** A converted field value: what goes into the row, or `BAD`. */
type Converted = string | number | boolean | null | typeof BAD;

/**
 * Turns one raw (still URL-encoded) field, `text.slice(start, end)`, into its column value. Working on a range of
 * the line lets numbers and `-` convert without allocating a substring.
 */
export type Converter = (text: string, start: number, end: number) => Converted;

/**
 * Decodes a CloudFront field once: `-` and empty mean no value, `%XX` sequences are URL-decoded, and a value that
 * is not valid percent-encoding is kept as logged rather than lost.
 */
export function decodeField(raw: string): string | null {
  if (raw === "-" || raw.length === 0) return null;
  if (raw.indexOf("%") === -1) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function isNoValue(text: string, start: number, end: number): boolean {
  return end === start || (end - start === 1 && text.charCodeAt(start) === 45);
}

function intOf(text: string, start: number, end: number, max: number): number | null | typeof BAD {
  if (isNoValue(text, start, end)) return null;
  // 16 digits already exceed 2^53; longer values cannot be exact.
  if (end - start > 16) return BAD;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return BAD;
    n = n * 10 + d;
  }
  return n > max ? BAD : n;
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * A plain decimal (optional minus, digits, optional fraction) as a number, or `BAD`. With at most 15 digits the
 * value is one correctly rounded division of exact integers, so it equals `Number(text)` without the substring.
 */
function decimalOf(text: string, start: number, end: number): number | typeof BAD {
  const negative = text.charCodeAt(start) === 45;
  let n = 0;
  let digits = 0;
  let scale = -1;
  for (let i = negative ? start + 1 : start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      n = n * 10 + (c - 48);
      digits++;
      if (scale >= 0) scale++;
    } else if (c === 46 && scale < 0) scale = 0;
    else return BAD;
  }
  if (digits === 0) return BAD;
  if (digits > 15) return Number(text.slice(start, end));
  const v = scale > 0 ? n / (POW10[scale] as number) : n;
  return negative ? -v : v;
}

function doubleOf(text: string, start: number, end: number): number | null | typeof BAD {
  return isNoValue(text, start, end) ? null : decimalOf(text, start, end);
}

function booleanOf(text: string, start: number, end: number): boolean | null | typeof BAD {
  if (isNoValue(text, start, end)) return null;
  const raw = text.slice(start, end);
  if (raw === "true") return true;
  if (raw === "false") return false;
  return BAD;
}

const INT32_MAX = 2147483647;

/** The converter for a column type. String converters are stateful (see `memoDecoder`): make one per column. */
export function converterFor(type: LogicalType): Converter {
  switch (type) {
    case "int32":
      return (text, start, end) => intOf(text, start, end, INT32_MAX);
    case "int64":
      return (text, start, end) => intOf(text, start, end, Number.MAX_SAFE_INTEGER);
    case "double":
      return doubleOf;
    case "boolean":
      return booleanOf;
    case "timestamp":
      return (text, start, end) =>
        isNoValue(text, start, end) ? null : (epochSecondsIso(text.slice(start, end)) ?? BAD);
    case "json":
      return (text, start, end) => {
        const v = decodeField(text.slice(start, end));
        return v === null ? null : JSON.stringify(v);
      };
    default:
      return memoDecoder();
  }
}

// Consecutive requests often come from one client, so one field repeats its encoded value (user agent, referer);
// remembering the last decode per column skips most `decodeURIComponent` calls.
function memoDecoder(): Converter {
  let lastRaw = "";
  let lastValue: string | null = null;
  return (text, start, end) => {
    if (isNoValue(text, start, end)) return null;
    const raw = start === 0 && end === text.length ? text : text.slice(start, end);
    if (raw.indexOf("%") === -1) return raw;
    if (raw !== lastRaw) {
      lastRaw = raw;
      lastValue = decodeField(raw);
    }
    return lastValue;
  };
}

/**
 * Converts a JSON value (v2 JSON lines) to a column value: strings go through the text converter, others are
 * checked; a json column keeps `text()`, the value as the input wrote it.
 */
export function convertJsonValue(value: unknown, text: () => string, type: LogicalType, conv: Converter): Converted {
  if (typeof value === "string") return conv(value, 0, value.length);
  if (value === null || value === undefined) return null;
  if (typeof value === "number") {
    switch (type) {
      case "int32":
        return Number.isInteger(value) && value >= 0 && value <= INT32_MAX ? value : BAD;
      case "int64":
        return Number.isSafeInteger(value) && value >= 0 ? value : BAD;
      case "double":
        return Number.isFinite(value) ? value : BAD;
      case "timestamp":
        return epochSecondsIso(text()) ?? BAD;
      case "boolean":
        return BAD;
      default:
        return text();
    }
  }
  if (typeof value === "boolean") {
    if (type === "boolean") return value;
    return type === "string" || type === "json" ? String(value) : BAD;
  }
  return type === "json" ? text() : BAD;
}

/** A short, quoted rendering of a bad value for messages. */
export function quoteValue(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

function isDigits(s: string, from: number, to: number): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function num2(s: string, at: number): number {
  return (s.charCodeAt(at) - 48) * 10 + (s.charCodeAt(at + 1) - 48);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * ISO-8601 UTC instant of a W3C `date` (YYYY-MM-DD) and `time` (HH:MM:SS, optional fraction), or null when either
 * is malformed or names an impossible instant such as 02-30 or 24:00.
 */
export function dateTimeIso(date: string, time: string): string | null {
  if (date.length !== 10 || date.charCodeAt(4) !== 45 || date.charCodeAt(7) !== 45) return null;
  if (!isDigits(date, 0, 4) || !isDigits(date, 5, 7) || !isDigits(date, 8, 10)) return null;
  if (time.length < 8 || time.charCodeAt(2) !== 58 || time.charCodeAt(5) !== 58) return null;
  if (!isDigits(time, 0, 2) || !isDigits(time, 3, 5) || !isDigits(time, 6, 8)) return null;
  let fraction = "";
  if (time.length > 8) {
    if (time.charCodeAt(8) !== 46 || time.length > 15 || !isDigits(time, 9, time.length)) return null;
    fraction = time.slice(8);
  }
  const year = Number(date.slice(0, 4));
  const month = num2(date, 5);
  const day = num2(date, 8);
  if (month < 1 || month > 12 || day < 1) return null;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const maxDay = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (day > maxDay) return null;
  if (num2(time, 0) > 23 || num2(time, 3) > 59 || num2(time, 6) > 59) return null;
  return `${date}T${time.slice(0, 8)}${fraction}Z`;
}

// 9999-12-31T23:59:59Z: the last instant ISO-8601 years of four digits can name.
const MAX_EPOCH_SECONDS = 253402300799;

/**
 * ISO-8601 UTC instant of epoch seconds with an optional fraction of up to six digits (`1600299221.087`, the
 * real-time `timestamp`), keeping the fraction exactly as logged; null when malformed or out of range.
 */
export function epochSecondsIso(value: string): string | null {
  const dot = value.indexOf(".");
  const end = dot === -1 ? value.length : dot;
  if (end > 12 || !isDigits(value, 0, end)) return null;
  let fraction = "000";
  if (dot !== -1) {
    const digits = value.length - dot - 1;
    if (digits < 1 || digits > 6 || !isDigits(value, dot + 1, value.length)) return null;
    fraction = digits >= 3 ? value.slice(dot + 1) : value.slice(dot + 1).padEnd(3, "0");
  }
  const seconds = Number(value.slice(0, end));
  if (seconds > MAX_EPOCH_SECONDS) return null;
  return `${new Date(seconds * 1000).toISOString().slice(0, 20)}${fraction}Z`;
}

/** ISO-8601 UTC instant of integer epoch milliseconds (the v2 `timestamp(ms)` field); null when malformed. */
export function epochMillisIso(value: string): string | null {
  if (value.length > 15 || !isDigits(value, 0, value.length)) return null;
  const ms = Number(value);
  return ms > MAX_EPOCH_SECONDS * 1000 + 999 ? null : new Date(ms).toISOString();
}
