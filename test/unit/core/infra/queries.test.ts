import { logicalName, namedQueries, periodOfSchedule, reportSchedules } from "@app/core/infra/queries";
import type { SavedQuery } from "@app/core/queries/header";
import { describe, expect, it } from "vitest";

function query(id: string, extra: Partial<SavedQuery> = {}): SavedQuery {
  return {
    id,
    name: `Name of ${id}`,
    description: `What ${id} finds`,
    tables: ["cloudtrail"],
    params: ["from", "to"],
    severity: "high",
    output: "csv",
    sql: "SELECT 1 FROM cloudtrail WHERE dt BETWEEN ? AND ?",
    ...extra,
  };
}

describe("logicalName", () => {
  it("makes a stable PascalCase name from a query path", () => {
    expect(logicalName("Query", "cloudtrail/root-account-usage")).toBe("QueryCloudtrailRootAccountUsage");
  });
});

describe("namedQueries", () => {
  it("makes one named query per saved query with the header's name and description and the bare statement", () => {
    expect(namedQueries([query("cloudtrail/root-account-usage"), query("cloudfront/top-ips")])).toStrictEqual([
      {
        logicalName: "QueryCloudtrailRootAccountUsage",
        name: "Name of cloudtrail/root-account-usage",
        description: "What cloudtrail/root-account-usage finds",
        query: "SELECT 1 FROM cloudtrail WHERE dt BETWEEN ? AND ?",
      },
      {
        logicalName: "QueryCloudfrontTopIps",
        name: "Name of cloudfront/top-ips",
        description: "What cloudfront/top-ips finds",
        query: "SELECT 1 FROM cloudtrail WHERE dt BETWEEN ? AND ?",
      },
    ]);
  });

  it("rejects a name longer than Athena allows, naming the file", () => {
    expect(() => namedQueries([query("a/b", { name: "x".repeat(129) })])).toThrow(
      "queries/a/b.sql: name is longer than Athena's 128 characters",
    );
  });

  it("rejects two files whose logical names collide", () => {
    expect(() => namedQueries([query("a/b-c"), query("a-b/c")])).toThrow(
      "queries/a-b/c.sql: logical name QueryABC collides with queries/a/b-c.sql",
    );
  });
});

describe("periodOfSchedule", () => {
  it.each([
    ["cron(0 6 * * ? *)", "daily"],
    ["rate(1 day)", "daily"],
    ["cron(0 6 ? * MON *)", "weekly"],
    ["rate(7 days)", "weekly"],
    ["cron(30 5 1 * ? *)", "monthly"],
    ["cron(0 6 1 1,4,7,10 ? *)", "quarterly"],
    ["cron(0 6 2 1 ? *)", "annual"],
  ])("reads %s as %s", (schedule, period) => {
    expect(periodOfSchedule(schedule)).toBe(period);
  });

  it("rejects a schedule that matches no report period", () => {
    expect(() => periodOfSchedule("rate(5 minutes)")).toThrow(
      'schedule "rate(5 minutes)" does not match one report period',
    );
  });
});

describe("reportSchedules", () => {
  it("makes one schedule per scheduled report, invoking the exporter with the report and its period", () => {
    const queries = [
      query("cloudtrail/a", { report: "security", section: "s", schedule: "cron(0 6 * * ? *)" }),
      query("cloudtrail/b", { report: "security", section: "s", schedule: "cron(0 6 * * ? *)" }),
      query("compliance/c", { report: "compliance", section: "s", schedule: "cron(0 7 1 * ? *)" }),
      query("cloudtrail/adhoc"),
    ];
    expect(reportSchedules(queries)).toStrictEqual([
      {
        logicalName: "ReportCompliance",
        report: "compliance",
        schedule: "cron(0 7 1 * ? *)",
        period: "monthly",
        event: { report: "compliance", period: "monthly" },
      },
      {
        logicalName: "ReportSecurity",
        report: "security",
        schedule: "cron(0 6 * * ? *)",
        period: "daily",
        event: { report: "security", period: "daily" },
      },
    ]);
  });

  it("rejects a report whose queries disagree on the schedule", () => {
    const queries = [
      query("cloudtrail/a", { report: "security", section: "s", schedule: "cron(0 6 * * ? *)" }),
      query("cloudtrail/b", { report: "security", section: "s", schedule: "cron(0 7 * * ? *)" }),
    ];
    expect(() => reportSchedules(queries)).toThrow('report "security": its queries declare different schedules');
  });
});
