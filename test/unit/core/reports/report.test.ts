import type { CisControl } from "@app/core/detections/frameworks";
import type { SavedQuery } from "@app/core/queries/header";
import type { QueryResult, QueryRunner } from "@app/core/queries/result";
import { distinctLabels } from "@app/core/reports/charts";
import { csvField, toCsv } from "@app/core/reports/csv";
import { formatBytes, formatNumber, isBytesColumn } from "@app/core/reports/format";
import { renderReportHtml, topItems } from "@app/core/reports/html";
import {
  attemptSeverity,
  findingDay,
  findingsAtOrAbove,
  partialTables,
  reportFiles,
  reportPrefix,
  runReport,
  sqlSha256,
} from "@app/core/reports/report";
import { LOGLAKE_VERSION } from "@app/core/version";
import { describe, expect, it } from "vitest";

function query(id: string, severity: SavedQuery["severity"], extra: Partial<SavedQuery> = {}): SavedQuery {
  return {
    id,
    name: `Query ${id}`,
    description: `About ${id}`,
    tables: ["cloudtrail"],
    params: ["from", "to"],
    severity,
    report: "security",
    section: "CloudTrail",
    schedule: "cron(0 6 * * ? *)",
    output: "csv",
    sql: `SELECT '${id}' FROM cloudtrail WHERE dt BETWEEN ? AND ?`,
    ...extra,
  };
}

const RESULTS: Record<string, QueryResult> = {
  "ct/tamper": {
    columns: [
      { name: "event_time", kind: "timestamp" },
      { name: "event_name", kind: "string" },
    ],
    rows: [
      { event_time: "2024-03-08T23:00:00.000Z", event_name: "StopLogging" },
      { event_time: "2024-03-09T06:20:00.000Z", event_name: "UpdateTrail" },
    ],
  },
  "ct/bursts": {
    columns: [
      { name: "principal", kind: "string" },
      { name: "hour_start", kind: "timestamp" },
      { name: "denied", kind: "number" },
    ],
    rows: [{ principal: "arn:aws:iam::1:user/bob", hour_start: "2024-03-08T22:00:00.000Z", denied: 13 }],
  },
  "ct/top": {
    columns: [
      { name: "ip", kind: "string" },
      { name: "requests", kind: "number" },
    ],
    rows: [
      { ip: "203.0.113.10", requests: 60 },
      { ip: "198.51.100.1", requests: 45 },
      { ip: "203.0.113.10", requests: 5 },
    ],
  },
};

const queries = [
  query("ct/tamper", "critical", { chart: { label: "event_name" } }),
  query("ct/bursts", "medium"),
  query("ct/top", "info", { chart: { label: "ip", value: "requests" } }),
  query("other/report", "high", { report: "compliance" }),
];

/** Rows each table holds in the period, as the report's row counts see them. */
const COUNTED: QueryResult = {
  columns: [
    { name: "dt", kind: "string" },
    { name: "n", kind: "number" },
  ],
  rows: [
    { dt: "2024-03-08", n: 417 },
    { dt: "2024-03-09", n: 417 },
    { dt: "2024-03-10", n: 417 },
  ],
};

function fakeRunner(calls: [string, readonly string[]][], results = RESULTS, counted = COUNTED): QueryRunner {
  return {
    engine: "fake",
    run: async (q, values) => {
      calls.push([q.id, values]);
      return q.id.startsWith("coverage/") ? counted : (results[q.id] as QueryResult);
    },
  };
}

describe("runReport", () => {
  it("runs the report's queries with the period's values and counts findings per severity and day", async () => {
    // Arrange
    const calls: [string, readonly string[]][] = [];
    // Act
    const data = await runReport({
      runner: fakeRunner(calls),
      queries,
      report: "security",
      period: { kind: "custom", from: "2024-03-08", to: "2024-03-10", label: "2024-03-08_2024-03-10" },
      lake: "/lakes/test",
      now: new Date("2024-03-11T06:00:00Z"),
    });
    // Assess
    expect(calls).toStrictEqual([
      ["coverage/cloudtrail", ["2024-03-08", "2024-03-10"]],
      ["ct/tamper", ["2024-03-08", "2024-03-10"]],
      ["ct/bursts", ["2024-03-08", "2024-03-10"]],
      ["ct/top", ["2024-03-08", "2024-03-10"]],
    ]);
    expect({ ...data.summary, queries: data.summary.queries.map((q) => [q.id, q.rows, q.csv]) }).toStrictEqual({
      report: "security",
      title: "Security report",
      description: data.info.description,
      loglake_version: LOGLAKE_VERSION,
      lake: "/lakes/test",
      period: {
        kind: "custom",
        from: "2024-03-08",
        to: "2024-03-10",
        label: "2024-03-08_2024-03-10",
        time_zone: "UTC",
        start: "2024-03-08T00:00:00.000Z",
        end: "2024-03-11T00:00:00.000Z",
      },
      generated_at: "2024-03-11T06:00:00.000Z",
      engine: "fake",
      totals: {
        queries: 3,
        queries_with_findings: 2,
        findings: 3,
        attempts: 0,
        by_severity: { critical: 2, high: 0, medium: 1, low: 0 },
      },
      tables: [{ table: "cloudtrail", rows: 1251, no_data: false, days_without_rows: [] }],
      no_data: [],
      cis: [],
      findings_by_day: [
        { day: "2024-03-08", critical: 1, high: 0, medium: 1, low: 0 },
        { day: "2024-03-09", critical: 1, high: 0, medium: 0, low: 0 },
        { day: "2024-03-10", critical: 0, high: 0, medium: 0, low: 0 },
      ],
      limits: data.info.limits,
      // The fake runner measures nothing and has no candidate scans: each query and the cloudtrail row count is one
      // unmeasured statement.
      scanned: { bytes: 0, files: 0, statements: 4, unmeasured: 4, measured_by: "not measured" },
      storage: null,
      scans: [],
      not_compiled: [],
      queries: [
        ["ct/tamper", 2, "ct.tamper.csv"],
        ["ct/bursts", 1, "ct.bursts.csv"],
        ["ct/top", 3, "ct.top.csv"],
      ],
    });
  });

  it("states each table's files, bytes, average file size and hours over the threshold when given the lake's files", async () => {
    // Prepare: three files in one hour of cloudtrail (over a threshold of 2), one in another, none for cloudfront.
    const f = (path: string, bytes: number) => ({ table: "cloudtrail", path, bytes });
    const files = [
      f("dt=2024-03-08/hour=01/a-0-0.parquet", 100),
      f("dt=2024-03-08/hour=01/b-0-0.parquet", 200),
      f("dt=2024-03-08/hour=01/c-0-0.parquet", 300),
      f("dt=2024-03-08/hour=02/compact-x-0-0.parquet", 1000),
    ];
    // Act
    const data = await runReport({
      runner: fakeRunner([]),
      queries,
      report: "security",
      period: { kind: "daily", from: "2024-03-08", to: "2024-03-08", label: "2024-03-08" },
      lake: "/lakes/test",
      now: new Date("2024-03-09T06:00:00Z"),
      storage: { files, tables: ["cloudfront", "cloudtrail"], maxFilesPerHour: 2 },
    });
    // Assess
    expect(data.summary.storage).toStrictEqual({
      max_files_per_hour: 2,
      tables: [
        {
          table: "cloudfront",
          files: 0,
          total_bytes: 0,
          avg_file_bytes: null,
          partition_hours: 0,
          max_files_per_partition_hour: 0,
          avg_files_per_partition_hour: null,
          over_threshold: [],
        },
        {
          table: "cloudtrail",
          files: 4,
          total_bytes: 1600,
          avg_file_bytes: 400,
          partition_hours: 2,
          max_files_per_partition_hour: 3,
          avg_files_per_partition_hour: 2,
          over_threshold: ["2024-03-08T01"],
        },
      ],
    });
  });

  it("names each query's SQL, its SHA-256 and the values it ran with, so the report can be re-run", async () => {
    const data = await runReport({
      runner: fakeRunner([]),
      queries,
      report: "security",
      period: { kind: "daily", from: "2024-03-08", to: "2024-03-08", label: "2024-03-08" },
      lake: "s3://lake-bucket/prefix",
      now: new Date("2024-03-09T06:00:00Z"),
    });
    const first = data.summary.queries[0];
    expect([first?.sql, first?.sql_sha256, first?.parameters]).toStrictEqual([
      "SELECT 'ct/tamper' FROM cloudtrail WHERE dt BETWEEN ? AND ?",
      "0d4d6dded49ffbaad049a5dba457e0124b5510284c094cf3f983f81d1ae94dca",
      ["2024-03-08", "2024-03-08"],
    ]);
    const html = renderReportHtml(data);
    const details = [...html.matchAll(/<details class="sql"><summary>SQL · SHA-256 <code>([0-9a-f]{64})<\/code>/g)];
    expect(details.map((m) => m[1])).toStrictEqual(data.summary.queries.map((q) => q.sql_sha256));
    expect(html).toContain("<dt>Lake</dt><dd><code>s3://lake-bucket/prefix</code></dd>");
    expect(html).toContain(`by loglake ${LOGLAKE_VERSION}</dd>`);
    expect(html).toContain(
      "2024-03-08 (daily, UTC: 2024-03-08T00:00:00.000Z to 2024-03-09T00:00:00.000Z, end excluded)",
    );
  });

  it("fails the whole report when one query fails, naming it", async () => {
    const runner: QueryRunner = {
      engine: "fake",
      run: async (q) => {
        if (q.id === "ct/bursts") throw new Error("boom");
        return q.id.startsWith("coverage/") ? COUNTED : (RESULTS[q.id] as QueryResult);
      },
    };
    await expect(
      runReport({
        runner,
        queries,
        report: "security",
        period: { kind: "daily", from: "2024-03-08", to: "2024-03-08", label: "2024-03-08" },
        lake: "/lakes/test",
        now: new Date(),
      }),
    ).rejects.toThrow("query ct/bursts failed on fake: boom");
  });

  it("writes one CSV per query, summary.json and report.html under reports/<report>/<label>", async () => {
    const data = await runReport({
      runner: fakeRunner([]),
      queries,
      report: "security",
      period: { kind: "daily", from: "2024-03-08", to: "2024-03-08", label: "2024-03-08" },
      lake: "/lakes/test",
      now: new Date("2024-03-09T06:00:00Z"),
    });
    const files = reportFiles(data);
    expect(files.map((f) => [f.name, f.contentType])).toStrictEqual([
      ["ct.tamper.csv", "text/csv; charset=utf-8"],
      ["ct.bursts.csv", "text/csv; charset=utf-8"],
      ["ct.top.csv", "text/csv; charset=utf-8"],
      ["summary.json", "application/json"],
      ["report.html", "text/html; charset=utf-8"],
    ]);
    expect(files[0]?.body).toBe(
      "event_time,event_name\n2024-03-08T23:00:00.000Z,StopLogging\n2024-03-09T06:20:00.000Z,UpdateTrail\n",
    );
    expect(JSON.parse(files[3]?.body ?? "")).toStrictEqual(data.summary);
    expect(reportPrefix("security", data.summary.period)).toBe("reports/security/2024-03-08");
  });
});

describe("runReport: what the report could see", () => {
  const DAY = { kind: "daily", from: "2024-03-08", to: "2024-03-08", label: "2024-03-08" } as const;
  const detection = (id: string, cis: CisControl[]) =>
    query(id, "high", {
      section: "Defense Evasion",
      detection: {
        kind: "event",
        tactics: ["TA0005"],
        techniques: ["T1562.008"],
        cis,
        stratus: [],
        alert: false,
        actor: ["user_identity_arn"],
        target: ["trail"],
      },
    });
  const catalog = [detection("ct/trail", ["4.5"]), detection("ct/keys", ["4.7"]), query("ct/top", "info")];
  const trail: QueryResult = {
    columns: [
      { name: "event_time", kind: "timestamp" },
      { name: "outcome", kind: "string" },
    ],
    rows: [
      { event_time: "2024-03-08T01:00:00.000Z", outcome: "success" },
      { event_time: "2024-03-08T02:00:00.000Z", outcome: "attempt" },
    ],
  };
  const empty: QueryResult = { columns: trail.columns, rows: [] };

  it("counts an attempt one severity lower, never below low, and says how many there were", async () => {
    const data = await runReport({
      runner: fakeRunner([], { "ct/trail": trail, "ct/keys": empty, "ct/top": empty }),
      queries: catalog,
      report: "security",
      period: DAY,
      lake: "/lakes/test",
      now: new Date("2024-03-09T06:00:00Z"),
    });
    expect([
      data.summary.totals,
      data.summary.queries.map((q) => [q.id, q.attempts, q.attempt_severity]),
    ]).toStrictEqual([
      {
        queries: 3,
        queries_with_findings: 1,
        findings: 2,
        attempts: 1,
        by_severity: { critical: 0, high: 1, medium: 1, low: 0 },
      },
      [
        ["ct/keys", 0, "medium"],
        ["ct/trail", 1, "medium"],
        ["ct/top", 0, undefined],
      ],
    ]);
    expect(["critical", "high", "medium", "low"].map((s) => attemptSeverity(s as "low"))).toStrictEqual([
      "high",
      "medium",
      "low",
      "low",
    ]);
    expect(renderReportHtml(data)).toContain("attempt · medium");
  });

  it("fails on a severity only when a finding at or above it exists", async () => {
    const data = await runReport({
      runner: fakeRunner([], { "ct/trail": trail, "ct/keys": empty, "ct/top": empty }),
      queries: catalog,
      report: "security",
      period: DAY,
      lake: "/lakes/test",
      now: new Date("2024-03-09T06:00:00Z"),
    });
    expect(["critical", "high", "medium", "low"].map((s) => findingsAtOrAbove(data.summary, s as "low"))).toStrictEqual(
      [0, 1, 2, 2],
    );
  });

  it("names the days a table has no rows on, in the summary and as a banner, without calling it no data", async () => {
    const data = await runReport({
      runner: fakeRunner(
        [],
        { "ct/trail": empty, "ct/keys": empty, "ct/top": empty },
        {
          columns: COUNTED.columns,
          rows: [
            { dt: "2024-03-08", n: 10 },
            { dt: "2024-03-10", n: 0 },
          ],
        },
      ),
      queries: catalog,
      report: "security",
      period: { kind: "custom", from: "2024-03-08", to: "2024-03-10", label: "2024-03-08_2024-03-10" },
      lake: "/lakes/test",
      now: new Date("2024-03-11T06:00:00Z"),
    });
    expect([data.summary.tables, data.summary.no_data, partialTables(data.summary).map((t) => t.table)]).toStrictEqual([
      [{ table: "cloudtrail", rows: 10, no_data: false, days_without_rows: ["2024-03-09", "2024-03-10"] }],
      [],
      ["cloudtrail"],
    ]);
    expect(renderReportHtml(data)).toContain(
      '<div class="nodata" id="partial-data"><strong>Partial data</strong>: no rows on 2 of 3 days for <code>cloudtrail</code> (2024-03-09, 2024-03-10)',
    );
  });

  it("flags every table with no rows in the period and gives its CIS controls no verdict but no data", async () => {
    const data = await runReport({
      runner: fakeRunner(
        [],
        { "ct/trail": empty, "ct/keys": empty, "ct/top": empty },
        { columns: COUNTED.columns, rows: [] },
      ),
      queries: catalog,
      report: "security",
      period: DAY,
      lake: "/lakes/test",
      now: new Date("2024-03-09T06:00:00Z"),
    });
    expect([data.summary.tables, data.summary.no_data, data.summary.queries.map((q) => q.no_data)]).toStrictEqual([
      [{ table: "cloudtrail", rows: 0, no_data: true, days_without_rows: ["2024-03-08"] }],
      ["cloudtrail"],
      [["cloudtrail"], ["cloudtrail"], ["cloudtrail"]],
    ]);
    expect(data.summary.cis.filter((c) => c.verdict !== "not covered")).toStrictEqual([
      {
        control: "4.5",
        title: "CloudTrail configuration changes",
        detections: ["ct/trail"],
        findings: 0,
        verdict: "no data",
      },
      {
        control: "4.7",
        title: "Disabling or scheduled deletion of customer created CMKs",
        detections: ["ct/keys"],
        findings: 0,
        verdict: "no data",
      },
    ]);
    const html = renderReportHtml(data);
    expect(html).toContain(
      '<div class="nodata" id="no-data"><strong>No data</strong> in this period for <code>cloudtrail</code>',
    );
    expect(html).not.toContain("No findings in this period.");
  });

  it("gives a CIS control pass with data and no findings, findings with findings, and groups sections by tactic", async () => {
    const data = await runReport({
      runner: fakeRunner([], { "ct/trail": trail, "ct/keys": empty, "ct/top": empty }),
      queries: [query("ct/top", "info", { section: "Context" }), ...catalog.slice(0, 2)],
      report: "security",
      period: DAY,
      lake: "/lakes/test",
      now: new Date("2024-03-09T06:00:00Z"),
    });
    expect(
      data.summary.cis.filter((c) => c.verdict !== "not covered").map((c) => [c.control, c.findings, c.verdict]),
    ).toStrictEqual([
      ["4.5", 2, "findings"],
      ["4.7", 0, "pass"],
    ]);
    expect(data.summary.queries.map((q) => [q.section, q.id])).toStrictEqual([
      ["Defense Evasion", "ct/keys"],
      ["Defense Evasion", "ct/trail"],
      ["Context", "ct/top"],
    ]);
    expect(data.summary.cis.map((c) => c.control)).toStrictEqual([
      "4.1",
      "4.2",
      "4.3",
      "4.4",
      "4.5",
      "4.6",
      "4.7",
      "4.8",
      "4.9",
      "4.10",
      "4.11",
      "4.12",
      "4.13",
      "4.14",
      "4.15",
    ]);
  });
});

describe("renderReportHtml", () => {
  it("draws the severity, timeline and per-query charts as inline SVG and escapes log text", async () => {
    const hostile: QueryResult = {
      columns: [
        { name: "event_name", kind: "string" },
        { name: "event_time", kind: "timestamp" },
      ],
      rows: [{ event_name: '<script>alert("x")</script>', event_time: "2024-03-08T01:00:00.000Z" }],
    };
    const runner: QueryRunner = {
      engine: "fake",
      run: async (q) =>
        q.id.startsWith("coverage/") ? COUNTED : q.id === "ct/tamper" ? hostile : (RESULTS[q.id] as QueryResult),
    };
    const data = await runReport({
      runner,
      queries,
      report: "security",
      period: { kind: "daily", from: "2024-03-08", to: "2024-03-08", label: "2024-03-08" },
      lake: "/lakes/test",
      now: new Date("2024-03-09T06:00:00Z"),
    });
    const html = renderReportHtml(data);
    const svgClasses = [...html.matchAll(/<svg class="chart ([a-z-]+)"/g)].map((m) => m[1]);
    expect(svgClasses).toStrictEqual(["chart-severity", "chart-timeline", "chart-queries", "chart-top", "chart-top"]);
    expect(html.match(/<script/g)).toBeNull();
    expect(html.match(/&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/g)?.length).toBe(3);
    // Self-contained: nothing is fetched from anywhere.
    expect(html.match(/(src|href)="(https?:)?\/\//g)).toBeNull();
  });

  it("sums the chart's value column per label, or counts rows without one", () => {
    expect(topItems(queries[2] as SavedQuery, RESULTS["ct/top"] as QueryResult)).toStrictEqual([
      { label: "203.0.113.10", value: 65 },
      { label: "198.51.100.1", value: 45 },
    ]);
    expect(topItems(queries[0] as SavedQuery, RESULTS["ct/tamper"] as QueryResult)).toStrictEqual([
      { label: "StopLogging", value: 1 },
      { label: "UpdateTrail", value: 1 },
    ]);
  });
});

describe("CSV", () => {
  it.each([
    [null, ""],
    [42, "42"],
    [true, "true"],
    ["plain", "plain"],
    ["", '""'],
    ['say "hi", then go', '"say ""hi"", then go"'],
    ["two\nlines", '"two\nlines"'],
    // Formula injection: a user agent or path starting with = + - @ must not run in a spreadsheet.
    ['=HYPERLINK("http://x")', '"\'=HYPERLINK(""http://x"")"'],
    ["+1-555", "'+1-555"],
    ["@SUM(A1)", "'@SUM(A1)"],
    [-3, "-3"],
  ])("csvField(%j) is %s", (value, want) => {
    expect(csvField(value)).toBe(want);
  });

  it("writes a header even for an empty result", () => {
    expect(toCsv({ columns: [{ name: "a", kind: "string" }], rows: [] })).toBe("a\n");
  });
});

describe("findingDay", () => {
  it("dates a finding by its first time column", () => {
    expect(findingDay({ day: "2024-03-01", first_seen: "2024-03-02T00:00:00.000Z" })).toBe("2024-03-02");
    expect(findingDay({ c_ip: "x" })).toBeUndefined();
  });
});

describe("report formatting", () => {
  it("hashes the SQL text as UTF-8 with SHA-256", () => {
    // echo -n "SELECT 1" | sha256sum
    expect(sqlSha256("SELECT 1")).toBe("e004ebd5b5532a4b85984a62f8ad48a81aa3460c1ca07701f386135d72cdecf5");
  });

  it("writes numbers one way and byte counts in binary units", () => {
    expect([1234567, 0.125, 12.5, 0.00042, -3, 2].map(formatNumber)).toStrictEqual([
      "1,234,567",
      "0.125",
      "12.5",
      "0.00042",
      "-3",
      "2",
    ]);
    expect([512, 1536, 44_354_765, 126_701_535_232].map(formatBytes)).toStrictEqual([
      "512 B",
      "1.50 KiB",
      "42.3 MiB",
      "118 GiB",
    ]);
    expect(["bytes", "sc_bytes", "bytes_sent", "mebibytes_sent", "bytesx"].map(isBytesColumn)).toStrictEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });

  it("cuts chart labels so that no two read the same", () => {
    const labels = [
      "arn:aws:iam::111122223333:user/alice",
      "arn:aws:iam::111122223333:user/bob",
      "arn:aws:iam::111122223333:role/deploy",
      "short",
    ];
    const cut = distinctLabels(labels, 30);
    expect(cut).toStrictEqual([
      "arn:aws:iam::111122…user/alice",
      "arn:aws:iam::111122…3:user/bob",
      "arn:aws:iam::111122223333:rol…",
      "short",
    ]);
    expect(new Set(cut).size).toBe(labels.length);
    expect(cut.every((l) => [...l].length <= 30)).toBe(true);
    // Equal at both ends for as far as the width allows: numbered.
    const [a, b] = ["a".repeat(40), "b".repeat(40)];
    const twins = [`${a}x${b}`, `${a}y${b}`];
    expect(distinctLabels(twins, 30)).toStrictEqual([`${"a".repeat(25)}… #1`, `${"a".repeat(25)}… #2`]);
  });
});
