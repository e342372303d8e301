const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

const ISO_UTC_STRICT = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?Z$/;
const validDays = new Map<string, boolean>();

/** True when `s` is the canonical ISO-8601 UTC form rows use, and a real instant (no month 13, no 30 February). */
export function isIsoUtc(s: string): boolean {
  const m = ISO_UTC_STRICT.exec(s);
  if (!m) return false;
  // Rows of one object share few distinct days, so each day is checked against the calendar once.
  const day = m[1] as string;
  let ok = validDays.get(day);
  if (ok === undefined) {
    ok = checkedIso(`${day}T00:00:00Z`) !== null;
    if (validDays.size > 10_000) validDays.clear();
    validDays.set(day, ok);
  }
  return ok;
}

/**
 * Normalises a time value to ISO-8601 UTC (`…Z`), or null when it is not a real instant. Accepts ISO strings with
 * any offset (or none, read as UTC), epoch seconds and epoch milliseconds (numbers or numeric strings). Fractions
 * are kept to the microsecond (timestamp columns hold microseconds), cut rather than rounded so an instant never
 * moves into the next second; canonical `…Z` strings of up to six fraction digits are returned as they are.
 */
export function toIsoUtc(value: unknown): string | null {
  if (typeof value === "string") {
    if (ISO_UTC.test(value)) return isIsoUtc(value) ? value : null;
    if (/^\d+(\.\d+)?$/.test(value)) return fromEpochText(value);
    if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(value)) return null;
    const parts = ISO_ANY.exec(value);
    if (parts) return fromIsoParts(parts);
    // Forms outside ISO-8601 proper that Date.parse still reads; they carry at most milliseconds.
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(value);
    const ms = Date.parse(hasZone ? value : `${value.replace(" ", "T")}Z`);
    return Number.isFinite(ms) && ms >= MIN_MS && ms < MAX_MS ? new Date(ms).toISOString() : null;
  }
  if (typeof value === "number") {
    const text = String(value);
    return /^\d+(\.\d+)?$/.test(text) ? fromEpochText(text) : null;
  }
  return null;
}

// Date, `T` or space, hours and minutes, optional seconds with a fraction of any length, optional zone.
const ISO_ANY =
  /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)?$/;

// Four-digit years: 0000-01-01T00:00:00Z (inclusive) to 10000-01-01T00:00:00Z (exclusive), in milliseconds.
const MIN_MS = -62167219200000;
const MAX_MS = 253402300800000;

/** `.ffffff`: at least the three digits `toISOString` writes, at most microseconds; longer fractions are cut. */
function fraction(digits: string): string {
  return `.${digits.length >= 3 ? digits.slice(0, 6) : digits.padEnd(3, "0")}`;
}

function fromIsoParts(m: RegExpExecArray): string | null {
  const [, day, hh = "", mm = "", ss = "00", frac = "", , sign, offH = "00", offM = "00"] = m;
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59 || Number(offH) > 23 || Number(offM) > 59) return null;
  const base = checkedIso(`${day}T${hh}:${mm}:${ss}Z`);
  if (base === null) return null;
  let ms = Date.parse(base);
  if (sign !== undefined) ms += (sign === "-" ? 1 : -1) * (Number(offH) * 60 + Number(offM)) * 60_000;
  if (ms < MIN_MS || ms >= MAX_MS) return null;
  return `${new Date(ms).toISOString().slice(0, 19)}${fraction(frac)}Z`;
}

function checkedIso(value: string): string | null {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) return null;
  // Date.parse rolls over impossible dates such as 02-30; the round trip catches that.
  return new Date(ms).toISOString().slice(0, 19) === value.slice(0, 19) ? value : null;
}

// Epoch values below 1e11 are seconds (until year 5138), above are milliseconds. Read digit by digit, so a fraction
// keeps its microseconds instead of passing through a double.
function fromEpochText(text: string): string | null {
  const dot = text.indexOf(".");
  const whole = dot === -1 ? text : text.slice(0, dot);
  const frac = dot === -1 ? "" : text.slice(dot + 1);
  if (whole.length > 16) return null;
  const n = Number(whole);
  const seconds = n < 1e11;
  const ms = seconds ? n * 1000 : n;
  if (ms >= MAX_MS) return null;
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 19)}${fraction(seconds ? frac : `${iso.slice(20, 23)}${frac}`)}Z`;
}
