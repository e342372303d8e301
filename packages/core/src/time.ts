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
 * Normalises a time value to ISO-8601 UTC (`…Z`), or null when it is not a real instant.
 * Accepts ISO strings with any offset, epoch seconds and epoch milliseconds (numbers or numeric strings).
 */
export function toIsoUtc(value: unknown): string | null {
  if (typeof value === "string") {
    if (ISO_UTC.test(value)) return checkedIso(value);
    if (/^\d+(\.\d+)?$/.test(value)) return fromEpoch(Number(value));
    if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(value)) return null;
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(value);
    const ms = Date.parse(hasZone ? value : `${value.replace(" ", "T")}Z`);
    return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
  }
  if (typeof value === "number") return fromEpoch(value);
  return null;
}

function checkedIso(value: string): string | null {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) return null;
  // Date.parse rolls over impossible dates such as 02-30; the round trip catches that.
  return new Date(ms).toISOString().slice(0, 19) === value.slice(0, 19) ? value : null;
}

// Epoch values below 1e11 are seconds (until year 5138), above are milliseconds.
function fromEpoch(n: number): string | null {
  if (!Number.isFinite(n) || n < 0) return null;
  const ms = n < 1e11 ? n * 1000 : n;
  const d = new Date(ms);
  return Number.isFinite(d.getTime()) && ms < 253402300800000 ? d.toISOString() : null;
}
