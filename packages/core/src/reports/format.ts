/** How reports (and the CLI's progress line) write numbers and byte counts: one way everywhere. */

const INTEGER = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const FRACTION = new Intl.NumberFormat("en-US", { maximumFractionDigits: 3 });
const SMALL = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 2 });

/**
 * A number for people: thousands separated by commas, at most three decimals (`1,234`, `0.125`, `12.5`); a fraction
 * that three decimals would show as 0 keeps two significant digits (`0.00042`).
 */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return INTEGER.format(n);
  const text = FRACTION.format(n);
  return /^-?0$/.test(text) ? SMALL.format(n) : text;
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"] as const;

/** A byte count in binary units with three significant digits: `512 B`, `1.50 KiB`, `42.3 MiB`, `118 GiB`. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 1024) return `${formatNumber(n)} B`;
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${UNITS[u]}`;
}

/** Columns that hold byte counts, by name: `bytes`, `sc_bytes`, `bytes_sent` (not `mebibytes_sent`). */
export function isBytesColumn(name: string): boolean {
  return /(^|_)bytes($|_)/.test(name);
}
