import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { buildFixtureLake } from "@app/samples/fixture-lake/build";
import { chromium } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { loglake } from "../helpers/cli.ts";

const run = promisify(execFile);
const CHROMIUM = "/usr/bin/chromium";

/** Debian's chromium, installed when missing; every apt step is time-bounded so a machine without network fails fast. */
async function ensureChromium(): Promise<string> {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  if (process.getuid?.() !== 0) throw new Error(`${CHROMIUM} is missing; install it with: apt-get install -y chromium`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  await run("apt-get", ["update", "-qq"], { env, timeout: 180_000 }).catch(() => undefined);
  await run("apt-get", ["install", "-y", "-qq", "chromium"], { env, timeout: 600_000, maxBuffer: 64 << 20 });
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get install chromium finished but ${CHROMIUM} is still missing`);
  return CHROMIUM;
}

let lake: string;
let out: string;
beforeAll(async () => {
  lake = (await buildFixtureLake()).root;
  out = await mkdtemp(join(tmpdir(), "loglake-reports-"));
}, 180_000);

const WEEK = ["01", "02", "03", "04", "05", "06", "07"].map((d) => `2023-01-${d}`);

// One security report over the fixture lake (137 queries) took 81 s on the shared 2-core machine (2026-12-01).
const REPORT_RUN = { timeout: 240_000 };

describe("loglake report", () => {
  it(
    "writes one CSV per query, summary.json and report.html for the security report, and --fail-on critical exits 1 on its critical findings",
    REPORT_RUN,
    async () => {
      // Act
      const r = await loglake(
        ...["report", "security", "--lake", lake, "--from", "2024-03-08", "--to", "2024-03-09", "--out", out],
        ...["--fail-on", "critical"],
      );
      // Assess
      expect([r.code, r.stderr]).toStrictEqual([1, ""]);
      const dir = join(out, "reports", "security", "2024-03-08_2024-03-09");
      expect(r.stdout).toBe(
        "Security report 2024-03-08..2024-03-09: 74 findings (critical 2, high 27, medium 16, low 29) from 137 queries\n" +
          `wrote 139 files to ${out}/reports/security/2024-03-08_2024-03-09/\n`,
      );
      const files = (await readdir(dir)).sort();
      expect(files.length).toBe(139);
      expect(files.filter((f) => !f.endsWith(".csv"))).toStrictEqual(["report.html", "summary.json"]);
      const summary = JSON.parse(await readFile(join(dir, "summary.json"), "utf8"));
      expect([summary.totals, summary.findings_by_day, summary.engine]).toStrictEqual([
        {
          queries: 137,
          queries_with_findings: 32,
          findings: 74,
          attempts: 26,
          by_severity: { critical: 2, high: 27, medium: 16, low: 29 },
        },
        [
          { day: "2024-03-08", critical: 1, high: 14, medium: 10, low: 23 },
          { day: "2024-03-09", critical: 1, high: 13, medium: 6, low: 6 },
        ],
        "duckdb",
      ]);
      expect(await readFile(join(dir, "cloudtrail.cloudtrail-tampering.csv"), "utf8")).toBe(
        [
          "event_time,event_name,outcome,trail,user_identity_arn,source_ip_address,aws_region,recipient_account_id,error_code,event_id",
          "2024-03-08T23:00:00.000Z,StopLogging,success,arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail,arn:aws:iam::111122223333:user/bob,203.0.113.66,us-east-1,111122223333,,00000000-0000-4000-8000-0000000004cd",
          "2024-03-08T23:02:00.000Z,PutEventSelectors,attempt,org-trail,arn:aws:iam::111122223333:user/bob,203.0.113.66,us-east-1,111122223333,AccessDenied,00000000-0000-4000-8000-0000000004ce",
          "2024-03-09T06:20:00.000Z,UpdateTrail,success,org-trail,arn:aws:sts::111122223333:assumed-role/deploy/ci-session,192.0.2.50,us-east-1,111122223333,,00000000-0000-4000-8000-0000000004d6",
          "",
        ].join("\n"),
      );
    },
  );

  it(
    "says a period without rows is no data, in summary.json, on stdout and as a banner, never an all-clear",
    REPORT_RUN,
    async () => {
      // Act
      const r = await loglake(
        ...["report", "security", "--lake", lake, "--from", "2023-01-01", "--to", "2023-01-07", "--out", out],
        ...["--fail-on", "low"],
      );
      // Assess: no finding, yet --fail-on does not pass what it could not see.
      expect([r.code, r.stdout.split("\n")[1], r.stderr]).toStrictEqual([
        1,
        "no data in the period for app_events, cloudfront, cloudtrail: not an all-clear",
        "--fail-on: no rows for app_events in the whole period, cloudtrail in the whole period (critical; --standard to accept): a period the report could not see does not pass\n",
      ]);
      const dir = join(out, "reports", "security", "2023-01-01_2023-01-07");
      const summary = JSON.parse(await readFile(join(dir, "summary.json"), "utf8"));
      expect([summary.no_data, summary.tables]).toStrictEqual([
        ["app_events", "cloudfront", "cloudtrail"],
        [
          { table: "app_events", rows: 0, no_data: true, days_without_rows: WEEK },
          { table: "cloudfront", rows: 0, no_data: true, days_without_rows: WEEK },
          { table: "cloudtrail", rows: 0, no_data: true, days_without_rows: WEEK },
        ],
      ]);
      expect(
        (summary.cis as { verdict: string }[]).every((c) => c.verdict === "no data" || c.verdict === "not covered"),
      ).toBe(true);
      const html = await readFile(join(dir, "report.html"), "utf8");
      expect(html.match(/<div class="nodata" id="no-data">/g)?.length).toBe(1);
      expect(html.match(/No findings in this period/g)).toBeNull();
    },
  );

  it(
    "names the days a table has no rows on, and --fail-on does not pass a critical table's missing day",
    REPORT_RUN,
    async () => {
      // Act: the fixture lake ends on 2024-03-09.
      const r = await loglake(
        ...["report", "security", "--lake", lake, "--from", "2024-03-09", "--to", "2024-03-10", "--out", out],
        ...["--fail-on", "critical"],
      );
      // Assess
      expect([r.code, r.stdout.split("\n").slice(1, 4), r.stderr]).toStrictEqual([
        1,
        [
          "no rows on 1 of 2 days for app_events (2024-03-10): not an all-clear for them",
          "no rows on 1 of 2 days for cloudfront (2024-03-10): not an all-clear for them",
          "no rows on 1 of 2 days for cloudtrail (2024-03-10): not an all-clear for them",
        ],
        "--fail-on: no rows for app_events on 2024-03-10, cloudtrail on 2024-03-10 (critical; --standard to accept): a period the report could not see does not pass\n",
      ]);
      const summary = JSON.parse(
        await readFile(join(out, "reports", "security", "2024-03-09_2024-03-10", "summary.json"), "utf8"),
      );
      expect(
        summary.tables.map((t: { table: string; days_without_rows: string[] }) => [t.table, t.days_without_rows]),
      ).toStrictEqual([
        ["app_events", ["2024-03-10"]],
        ["cloudfront", ["2024-03-10"]],
        ["cloudtrail", ["2024-03-10"]],
      ]);
    },
  );

  it(
    "passes --fail-on over a period without rows only when the missing streams are accepted as not critical",
    REPORT_RUN,
    async () => {
      // Act
      const r = await loglake(
        ...["report", "security", "--lake", lake, "--from", "2023-01-01", "--to", "2023-01-02", "--out", out],
        ...["--fail-on", "low", "--standard", "cloudtrail,app_events.auth", "--json"],
      );
      // Assess
      const summary = JSON.parse(r.stdout);
      expect([r.code, r.stderr, summary.totals.findings, summary.no_data]).toStrictEqual([
        0,
        "",
        0,
        ["app_events", "cloudfront", "cloudtrail"],
      ]);
    },
  );

  it("writes the compliance report with completeness, quarantine and evidence", async () => {
    const r = await loglake(
      "report",
      "compliance",
      "--lake",
      lake,
      "--from",
      "2024-03-08",
      "--to",
      "2024-03-09",
      "--out",
      out,
      "--json",
    );
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.queries.map((q: { id: string; rows: number }) => [q.id, q.rows])).toStrictEqual([
      ["compliance/integrity-failures", 119],
      ["compliance/integrity-evidence", 2],
      ["compliance/completeness", 4],
      ["compliance/quarantine-summary", 3],
      ["compliance/cloudtrail-digest-evidence", 1],
      ["compliance/retention-coverage", 6],
      ["compliance/source-objects", 7],
    ]);
    expect(summary.limits.length).toBe(3);
  });

  it.each([
    [["--period", "daily", "--from", "2024-03-08"], "loglake: give --period or --from/--to, not both\n"],
    [["--from", "2024-03-08"], "loglake: give --period <kind>, or both --from and --to\n"],
    [
      ["--period", "hourly"],
      "loglake: --period hourly: unknown period (one of daily, weekly, monthly, quarterly, annual)\n",
    ],
    [
      ["--period", "dialy"],
      "loglake: --period dialy: unknown period; did you mean daily? (one of daily, weekly, monthly, quarterly, annual)\n",
    ],
    [["--from", "2024-02-30", "--to", "2024-03-08"], 'loglake: --from: "2024-02-30" is not a calendar date\n'],
    [["--from", "2024-03-09", "--to", "2024-03-08"], "loglake: --to 2024-03-08 is before --from 2024-03-09\n"],
    [
      ["--period", "daily", "--fail-on", "high", "--standard", "cloudtrial"],
      "loglake: --standard cloudtrial: unknown stream; did you mean cloudtrail? (streams: app_events, app_events.api, app_events.audit, app_events.auth, cloudfront, cloudfront_realtime, cloudtrail, cloudtrail_digest, cloudwatch_logs, or app_events.<type>)\n",
    ],
  ])("refuses %j with exit code 2", async (args, message) => {
    const r = await loglake("report", "security", "--lake", lake, "--out", out, ...args);
    expect([r.code, r.stderr]).toStrictEqual([2, message]);
  });

  it("refuses a report that no query declares", async () => {
    const r = await loglake("report", "finance", "--lake", lake, "--out", out, "--period", "daily");
    expect([r.code, r.stderr]).toStrictEqual([
      2,
      "loglake: report finance: unknown report (one of compliance, security)\n",
    ]);
    const typo = await loglake("report", "securty", "--lake", lake, "--out", out, "--period", "daily");
    expect([typo.code, typo.stderr]).toStrictEqual([
      2,
      "loglake: report securty: unknown report; did you mean security? (one of compliance, security)\n",
    ]);
  });
});

describe("loglake status", () => {
  it("flags the missing day of a critical source as Critical and exits 1", async () => {
    // The fixture has no sign-in events on 2024-03-06, and no digests after logging was stopped on 2024-03-08.
    const r = await loglake("status", "--lake", lake, "--now", "2024-03-10T01:00:00Z", "--json");
    expect(r.code).toBe(1);
    const status = JSON.parse(r.stdout);
    expect(status.window).toStrictEqual({ from: "2024-03-03", to: "2024-03-09", days: 7 });
    expect(
      status.streams.map((s: { stream: string; criticality: string; health: string; missing_days: string[] }) => [
        s.stream,
        s.criticality,
        s.health,
        s.missing_days.length,
      ]),
    ).toStrictEqual([
      ["app_events.api", "optional", "Healthy", 0],
      ["app_events.audit", "optional", "Healthy", 5],
      ["app_events.auth", "critical", "Critical", 1],
      ["cloudfront", "standard", "Warning", 0],
      ["cloudfront_realtime", "optional", "Healthy", 7],
      ["cloudtrail", "critical", "Healthy", 0],
      ["cloudtrail_digest", "standard", "Warning", 6],
      ["cloudwatch_logs", "optional", "Healthy", 7],
    ]);
    expect(
      status.tables.map((t: { table: string; files: number; max_files_per_partition_hour: number }) => [
        t.table,
        t.files,
        t.max_files_per_partition_hour,
      ]),
    ).toStrictEqual([
      ["app_events", 216, 1],
      ["cloudfront", 213, 1],
      ["cloudfront_realtime", 0, 0],
      ["cloudtrail", 216, 1],
      ["cloudtrail_digest", 24, 1],
      ["cloudtrail_digest_log_file", 24, 1],
      ["cloudwatch_logs", 0, 0],
      // Written by the report runs above, into the same lake.
      ["findings", 33, 2],
      ["integrity", 32, 1],
      ["quarantine", 2, 1],
    ]);
    const auth = status.streams.find((s: { stream: string }) => s.stream === "app_events.auth");
    expect([auth.missing_days, auth.problems[0], auth.last_event_time, auth.quarantine_rate]).toStrictEqual([
      ["2024-03-06"],
      { level: "Critical", text: "1 missing day: 2024-03-06" },
      "2024-03-09T09:20:00.000Z",
      0.0029,
    ]);
  });

  it("lets criticality be configured per stream: the same gaps then only warn, and the exit code is 0", async () => {
    const r = await loglake("status", "--lake", lake, "--now", "2024-03-10T01:00:00Z", "--optional", "app_events.auth");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe(
      "lake health Warning (days 2024-03-03..2024-03-09, as of 2024-03-10T01:00:00.000Z)",
    );
    expect(r.stdout.split("\n").filter((l) => l.startsWith("cloudtrail "))).toStrictEqual([
      "cloudtrail           critical     Healthy  2024-03-09T23:45Z  2024-03-10T00:20Z  1001             0              0            0.00%",
      "cloudtrail                    216      2.2 MiB        10.6 KiB              216                   1                   1                     0",
    ]);
  });

  it("refuses a bad --days value with exit code 2", async () => {
    const r = await loglake("status", "--lake", lake, "--days", "0");
    expect([r.code, r.stderr]).toStrictEqual([2, "loglake: --days 0: out of range (use 1 to 366)\n"]);
    const text = await loglake("status", "--lake", lake, "--days", "abc");
    expect([text.code, text.stderr]).toStrictEqual([2, "loglake: --days abc: not a whole number (use 1 to 366)\n"]);
  });
});

describe("report.html in headless Chromium", () => {
  it("renders the summary, the SVG charts and every query's table, fetching nothing", async () => {
    // Arrange
    const executablePath = await ensureChromium();
    const html = join(out, "reports", "security", "2024-03-08_2024-03-09", "report.html");
    if (!existsSync(html))
      await loglake("report", "security", "--lake", lake, "--from", "2024-03-08", "--to", "2024-03-09", "--out", out);
    const browser = await chromium.launch({
      executablePath,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const requests: string[] = [];
      const errors: string[] = [];
      page.on("request", (req) => requests.push(req.url()));
      page.on("pageerror", (e) => errors.push(e.message));
      // Act
      await page.goto(`file://${html}`);
      await page.screenshot({ path: join(tmpdir(), "loglake-report-security.png"), fullPage: false });
      // Assess
      const charts = await page.$$eval("svg.chart", (svgs) =>
        svgs.map((s) => {
          const box = s.getBoundingClientRect();
          return {
            kind: s.getAttribute("class")?.split(" ")[1],
            drawn: box.width > 100 && box.height > 20,
            marks: s.querySelectorAll("rect").length,
          };
        }),
      );
      const count = (kind: string) => charts.filter((c) => c.kind === kind).length;
      expect([count("chart-severity"), count("chart-timeline"), count("chart-queries")]).toStrictEqual([1, 1, 1]);
      // One top-N chart per query with a "-- chart:" header.
      expect(count("chart-top")).toBe(30);
      expect(charts.every((c) => c.drawn && c.marks > 0)).toBe(true);
      expect(await page.$$eval("article[data-query]", (a) => a.length)).toBe(137);
      expect(await page.$eval(".card .n", (e) => e.textContent)).toBe("2");
      expect(await page.title()).toBe("Security report 2024-03-08_2024-03-09");
      expect([requests, errors]).toStrictEqual([[`file://${html}`], []]);
    } finally {
      await browser.close();
    }
  }, 900_000);
});
