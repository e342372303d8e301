import { loadQueries, reportNames, reportQueries, reportSchedule } from "@app/core/queries/catalog";
import { describe, expect, it } from "vitest";

const TABLES = ["cloudtrail", "app_events"];

function file(path: string, fields: Record<string, string>): { path: string; text: string } {
  const header = Object.entries({
    name: path,
    description: "d",
    tables: "cloudtrail",
    params: "from, to",
    severity: "low",
    ...fields,
  })
    .map(([k, v]) => `-- ${k}: ${v}`)
    .join("\n");
  return { path, text: `${header}\nSELECT 1 FROM cloudtrail WHERE dt BETWEEN ? AND ?\n` };
}

const daily = { report: "security", schedule: "cron(0 6 * * ? *)" };

describe("loadQueries", () => {
  it("parses .sql files only and sorts them by id", () => {
    const queries = loadQueries(
      [
        file("b/two.sql", { ...daily, section: "B" }),
        file("a/one.sql", { ...daily, section: "A" }),
        { path: "README.md", text: "# not a query" },
      ],
      TABLES,
    );
    expect(queries.map((q) => q.id)).toStrictEqual(["a/one", "b/two"]);
  });

  it("rejects two queries with the same name", () => {
    expect(() => loadQueries([file("a.sql", { name: "Same" }), file("b.sql", { name: "same" })], TABLES)).toThrow(
      'queries/b.sql: name "same" is already used by queries/a.sql',
    );
  });

  it("rejects a report whose queries disagree on the schedule", () => {
    expect(() =>
      loadQueries(
        [
          file("a.sql", { ...daily, section: "S" }),
          file("b.sql", { report: "security", section: "S", schedule: "cron(0 7 * * ? *)" }),
        ],
        TABLES,
      ),
    ).toThrow('report "security": its queries declare different schedules: cron(0 6 * * ? *), cron(0 7 * * ? *)');
  });
});

describe("reports", () => {
  const queries = loadQueries(
    [
      file("x/low.sql", { ...daily, section: "Zeta", severity: "low" }),
      file("x/crit.sql", { ...daily, section: "Zeta", severity: "critical" }),
      file("x/info.sql", { ...daily, section: "Alpha", severity: "info" }),
      file("y/monthly.sql", { report: "compliance", section: "C", schedule: "cron(0 7 1 * ? *)" }),
      file("y/adhoc.sql", {}),
    ],
    TABLES,
  );

  it("lists the reports the headers declare", () => {
    expect(reportNames(queries)).toStrictEqual(["compliance", "security"]);
  });

  it("puts the section with the most severe query first, then orders by severity", () => {
    expect(reportQueries(queries, "security").map((q) => q.id)).toStrictEqual(["x/crit", "x/low", "x/info"]);
  });

  it("gives each report its one schedule", () => {
    expect(reportSchedule(queries, "compliance")).toBe("cron(0 7 1 * ? *)");
  });

  it("refuses a report no query declares", () => {
    expect(() => reportQueries(queries, "finance")).toThrow('unknown report "finance" (known: compliance, security)');
  });
});
