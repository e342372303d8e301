import { reportNames, reportSchedule } from "../queries/catalog.ts";
import type { SavedQuery } from "../queries/header.ts";
import { PERIOD_KINDS, type PeriodKind } from "../reports/period.ts";

/** Athena's limits on a named query (CreateNamedQuery API reference). */
const NAME_MAX = 128;
const DESCRIPTION_MAX = 1024;
const QUERY_MAX_BYTES = 262_144;

/** PascalCase Pulumi logical name from a query or report id (`cloudtrail/root-account-usage`). */
export function logicalName(prefix: string, id: string): string {
  return (
    prefix +
    id
      .split(/[^A-Za-z0-9]+/)
      .filter((w) => w.length > 0)
      .map((w) => (w[0] as string).toUpperCase() + w.slice(1))
      .join("")
  );
}

/** Arguments of one `aws.athena.NamedQuery`, plus its stable logical name. */
export interface NamedQueryArgs {
  logicalName: string;
  name: string;
  description: string;
  query: string;
}

/** One named query per saved query, with the name and description of its header, checked against Athena's limits. */
export function namedQueries(queries: readonly SavedQuery[]): NamedQueryArgs[] {
  const seen = new Map<string, string>();
  return queries.map((q) => {
    const args = { logicalName: logicalName("Query", q.id), name: q.name, description: q.description, query: q.sql };
    const where = `queries/${q.id}.sql`;
    if (args.name.length > NAME_MAX) throw new Error(`${where}: name is longer than Athena's ${NAME_MAX} characters`);
    if (args.description.length > DESCRIPTION_MAX)
      throw new Error(`${where}: description is longer than Athena's ${DESCRIPTION_MAX} characters`);
    if (new TextEncoder().encode(args.query).length > QUERY_MAX_BYTES)
      throw new Error(`${where}: statement is larger than Athena's ${QUERY_MAX_BYTES} bytes`);
    const other = seen.get(args.logicalName);
    if (other) throw new Error(`${where}: logical name ${args.logicalName} collides with queries/${other}.sql`);
    seen.set(args.logicalName, q.id);
    return args;
  });
}

/** One scheduled export: EventBridge Scheduler invokes the exporter with `event`. */
export interface ReportSchedule {
  logicalName: string;
  report: string;
  schedule: string;
  period: PeriodKind;
  event: { report: string; period: PeriodKind };
}

/**
 * The calendar period a schedule reports on, read from how often it fires: every day (daily), one weekday (weekly),
 * one day of every month (monthly), one day of every third month (quarterly), one day of one month (annual).
 */
export function periodOfSchedule(schedule: string): PeriodKind {
  const rate = /^rate\((\d+) (day|days)\)$/.exec(schedule);
  if (rate) {
    const days = Number(rate[1]);
    if (days === 1) return "daily";
    if (days === 7) return "weekly";
  }
  const cron = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(schedule);
  if (cron) {
    const [, minute, hour, dom, month, dow] = cron as unknown as string[];
    const fixed = (f: string | undefined) => f !== undefined && /^\d+$/.test(f);
    if (fixed(minute) && fixed(hour)) {
      if ((dom === "*" || dom === "?") && month === "*" && (dow === "*" || dow === "?")) return "daily";
      if (dom === "?" && month === "*" && dow !== undefined && /^([1-7]|MON|TUE|WED|THU|FRI|SAT|SUN)$/i.test(dow))
        return "weekly";
      if (fixed(dom) && dow === "?") {
        if (month === "*") return "monthly";
        if (month !== undefined && /^\d+(,\d+){3}$/.test(month)) return "quarterly";
        if (month !== undefined && (/^\d+$/.test(month) || /^[A-Z]{3}$/i.test(month))) return "annual";
      }
    }
  }
  throw new Error(
    `schedule "${schedule}" does not match one report period (${PERIOD_KINDS.join(", ")}): use e.g. ` +
      `cron(0 6 * * ? *) daily, cron(0 6 ? * MON *) weekly, cron(0 6 1 * ? *) monthly, cron(0 6 1 1,4,7,10 ? *) quarterly`,
  );
}

/** One schedule per report declared in the query headers, each with the period its timing implies. */
export function reportSchedules(queries: readonly SavedQuery[]): ReportSchedule[] {
  return reportNames(queries).map((report) => {
    const schedule = reportSchedule(queries, report);
    const period = periodOfSchedule(schedule);
    return { logicalName: logicalName("Report", report), report, schedule, period, event: { report, period } };
  });
}
