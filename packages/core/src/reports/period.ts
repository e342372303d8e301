import { ConfigError } from "../errors.ts";
import type { ParamName, SavedQuery } from "../queries/header.ts";

/** Calendar periods a scheduled report covers. */
export const PERIOD_KINDS = ["daily", "weekly", "monthly", "quarterly", "annual"] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

/** The days a report covers (inclusive, UTC) and the label that names its output folder. */
export interface ReportPeriod {
  kind: PeriodKind | "custom";
  /** First day, `YYYY-MM-DD`. */
  from: string;
  /** Last day, `YYYY-MM-DD`, inclusive. */
  to: string;
  /** `2024-01-08` (daily), `2024-W02` (ISO week), `2024-01`, `2024-Q1`, `2024`, or `2024-01-01_2024-01-31`. */
  label: string;
}

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function ymd(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function utcDay(d: Date): number {
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

/** Parses a `YYYY-MM-DD` day, rejecting impossible dates such as 2024-02-30. */
export function parseDay(value: string, what: string): number {
  const ms = DATE.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
  if (!Number.isFinite(ms) || ymd(ms) !== value) throw new ConfigError(`${what}: "${value}" is not a YYYY-MM-DD date`);
  return ms;
}

/**
 * The last complete period of a kind before `now` (UTC): yesterday, last ISO week (Monday to Sunday), last month,
 * last quarter or last year. Scheduled exports run shortly after a period closes and report on it.
 */
export function previousPeriod(kind: PeriodKind, now: Date): ReportPeriod {
  const today = utcDay(now);
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  switch (kind) {
    case "daily": {
      const d = ymd(today - DAY_MS);
      return { kind, from: d, to: d, label: d };
    }
    case "weekly": {
      const dow = (new Date(today).getUTCDay() + 6) % 7; // Monday = 0
      const start = today - (dow + 7) * DAY_MS;
      return { kind, from: ymd(start), to: ymd(start + 6 * DAY_MS), label: isoWeekLabel(start) };
    }
    case "monthly": {
      const start = Date.UTC(y, m - 1, 1);
      const end = Date.UTC(y, m, 1) - DAY_MS;
      return { kind, from: ymd(start), to: ymd(end), label: ymd(start).slice(0, 7) };
    }
    case "quarterly": {
      const q = Math.floor(m / 3);
      const start = Date.UTC(y, (q - 1) * 3, 1);
      const end = Date.UTC(y, q * 3, 1) - DAY_MS;
      const sy = new Date(start).getUTCFullYear();
      return {
        kind,
        from: ymd(start),
        to: ymd(end),
        label: `${sy}-Q${Math.floor(new Date(start).getUTCMonth() / 3) + 1}`,
      };
    }
    case "annual":
      return { kind, from: `${y - 1}-01-01`, to: `${y - 1}-12-31`, label: String(y - 1) };
  }
}

function isoWeekLabel(mondayMs: number): string {
  // The ISO week-year is the year of the week's Thursday.
  const thursday = new Date(mondayMs + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const jan4 = Date.UTC(year, 0, 4);
  const week1Monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS;
  const week = Math.round((mondayMs - week1Monday) / (7 * DAY_MS)) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/** A period given as two days (inclusive). */
export function customPeriod(from: string, to: string): ReportPeriod {
  const a = parseDay(from, "--from");
  const b = parseDay(to, "--to");
  if (b < a) throw new ConfigError(`--to ${to} is before --from ${from}`);
  return { kind: "custom", from, to, label: from === to ? from : `${from}_${to}` };
}

/** Positional values for a query's `?` placeholders, in the order its `-- params:` header lists them. */
export function paramValues(query: Pick<SavedQuery, "params">, period: Pick<ReportPeriod, "from" | "to">): string[] {
  const values: Record<ParamName, string> = { from: period.from, to: period.to };
  return query.params.map((p) => values[p]);
}
