/** Milliseconds in an hour and a day, for the generators' timeline arithmetic. */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Epoch milliseconds of 00:00:00Z on a `YYYY-MM-DD` day; throws on anything else. */
export function dayStartMs(day: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new RangeError(`expected a YYYY-MM-DD date, got "${day}"`);
  const ms = Date.parse(`${day}T00:00:00Z`);
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== day) {
    throw new RangeError(`"${day}" is not a calendar date`);
  }
  return ms;
}

/** ISO-8601 UTC with milliseconds, e.g. 2025-06-08T14:03:22.123Z. */
export function isoMs(ms: number): string {
  return new Date(ms).toISOString();
}

/** ISO-8601 UTC to the second, as CloudTrail writes eventTime. */
export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** The date form AWS writes in some responseElements, e.g. `Jun 8, 2025, 7:06:15 AM` (UTC, locale-free). */
export function awsDisplayDate(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${h12}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} ${h < 12 ? "AM" : "PM"}`;
}

/** Zero-padded two-digit number. */
export function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Date parts of an instant in UTC, zero padded. */
export function utcParts(ms: number): { yyyy: string; mm: string; dd: string; hh: string; mi: string; ss: string } {
  const iso = new Date(ms).toISOString();
  return {
    yyyy: iso.slice(0, 4),
    mm: iso.slice(5, 7),
    dd: iso.slice(8, 10),
    hh: iso.slice(11, 13),
    mi: iso.slice(14, 16),
    ss: iso.slice(17, 19),
  };
}

/**
 * Relative traffic per UTC hour for human-driven sources (a quiet night, a working-day peak). Integers so that volume
 * arithmetic stays exact.
 */
export const DIURNAL: readonly number[] = [
  4, 3, 3, 2, 2, 3, 4, 6, 8, 10, 11, 12, 12, 12, 11, 11, 10, 9, 9, 8, 7, 6, 5, 4,
];
