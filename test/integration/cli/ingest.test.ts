import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { demoFiles } from "@app/samples/demo/index";
import { beforeAll, describe, expect, it } from "vitest";
import { loglake } from "../../helpers/cli.ts";

let logs: string;
let lake: string;

beforeAll(async () => {
  // One day of the demo's CloudTrail, app and CloudFront files plus one corrupt gzip file.
  const root = await mkdtemp(join(tmpdir(), "cli-"));
  logs = join(root, "logs");
  lake = join(root, "lake");
  const files = demoFiles({ days: 1 }).filter((f) => ["cloudtrail", "app_json", "cloudfront"].includes(f.source));
  for (const f of files) {
    const path = join(logs, f.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, f.gzip ? gzipSync(f.contents) : f.contents);
  }
  const good = gzipSync('{"Records":[{"eventVersion":"1.08","eventTime":"2025-06-08T00:00:00Z","eventID":"x"}]}');
  await writeFile(join(logs, "broken.json.gz"), good.subarray(0, good.length - 12));
});

describe("loglake ingest", () => {
  it("accounts for every record, writes what it reports, and is idempotent on re-ingest", async () => {
    // Act
    const first = await loglake("ingest", logs, "--lake", lake, "--json");
    const countSql = "select count(*) as n, count(distinct event_id) as ids from cloudtrail";
    const afterFirst = await loglake("query", "--lake", lake, "--sql", countSql, "--format", "json");
    const second = await loglake("ingest", logs, "--lake", lake, "--json");
    const afterSecond = await loglake("query", "--lake", lake, "--sql", countSql, "--format", "json");
    const tables = await loglake(
      "query",
      "--lake",
      lake,
      "--format",
      "json",
      "--sql",
      "select 'app_events' t, count(*) n from app_events union all select 'cloudfront', count(*) from cloudfront union all select 'cloudtrail', count(*) from cloudtrail union all select 'quarantine', count(*) from quarantine",
    );
    // Assess
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout) as {
      files: number;
      records: number;
      rows: Record<string, number>;
      quarantined: Record<string, number>;
      skipped: Record<string, number>;
      skipped_paths: Record<string, number>;
      redacted: Record<string, Record<string, number>>;
    };
    // The demo's day holds credentials the default config masks: the summary says so.
    expect(Object.keys(summary).sort()).toStrictEqual([
      "files",
      "quarantined",
      "records",
      "redacted",
      "rows",
      "skipped",
      "skipped_paths",
    ]);
    expect(summary.redacted.secret_field?.mask).toBeGreaterThan(0);
    expect(summary.skipped_paths).toStrictEqual({});
    const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
    expect(summary.records).toBe(sum(summary.rows) + sum(summary.quarantined) + sum(summary.skipped));
    expect(summary.quarantined.corrupt_gzip).toBe(1);
    expect(JSON.parse(second.stdout)).toStrictEqual(summary);
    const counts = JSON.parse(afterFirst.stdout) as { n: number; ids: number }[];
    expect(counts[0]?.n).toBe(counts[0]?.ids);
    expect(counts[0]?.n).toBe(summary.rows.cloudtrail);
    expect(JSON.parse(afterSecond.stdout)).toStrictEqual(counts);
    const byTable = Object.fromEntries(
      (JSON.parse(tables.stdout) as { t: string; n: number }[]).map((r) => [r.t, r.n]),
    );
    expect(byTable).toStrictEqual({
      app_events: summary.rows.app_events,
      cloudfront: summary.rows.cloudfront,
      cloudtrail: summary.rows.cloudtrail,
      quarantine: sum(summary.quarantined),
    });
  });

  it.each([
    [["ingest", "/no/such/path", "--lake", "/tmp/x"], "loglake: no such file or directory: /no/such/path"],
    [
      ["ingest", "/etc/hostname", "--lake", "/etc/hostname/lake"],
      "loglake: --lake /etc/hostname/lake: cannot write there",
    ],
    [["ingest", "/etc/hostname", "--lake", "/tmp/x", "--source", "syslog"], "loglake: --source syslog: unknown source"],
    [
      ["query", "--lake", "/nonexistent-lake", "--sql", "select 1"],
      "loglake: --lake /nonexistent-lake: no lake found there",
    ],
    [["query", "--lake", "/tmp/x", "no/such-query"], "loglake: unknown saved query"],
    [
      ["ingest", "x", "--lake", "/tmp/x", "--frobnicate"],
      "loglake: unknown option '--frobnicate' (see: loglake ingest --help)",
    ],
  ])("exits 2 with a one-line error for %j", async (args, message) => {
    const r = await loglake(...args);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]?.startsWith(message)).toBe(true);
    expect(r.stderr.endsWith("\n") && r.stderr.split("\n").length === 2).toBe(true);
  });

  it("maps CloudFront real-time records by the field list given on the command line", async () => {
    const file = join(logs, "..", "realtime.log");
    await writeFile(file, "1700000000.123\t192.0.2.1\t200\t/index.html\n1700000001.500\t192.0.2.2\t404\t/x\n");
    const common = ["ingest", file, "--lake", join(lake, "..", "rt-lake"), "--source", "cloudfront_realtime", "--json"];
    const configured = await loglake(...common, "--realtime-fields", "timestamp,c-ip,sc-status,cs-uri-stem");
    const defaults = await loglake(...common);
    const duplicated = await loglake(...common, "--realtime-fields", "timestamp,c-ip,c-ip");
    expect(JSON.parse(configured.stdout)).toStrictEqual({
      files: 1,
      records: 2,
      rows: { cloudfront_realtime: 2 },
      quarantined: {},
      skipped: {},
      skipped_paths: {},
    });
    expect(JSON.parse(defaults.stdout)).toStrictEqual({
      files: 1,
      records: 2,
      rows: {},
      quarantined: { bad_field_count: 2 },
      skipped: {},
      skipped_paths: {},
    });
    expect(duplicated.code).toBe(2);
    expect(duplicated.stderr).toBe('loglake: --realtime-fields: realtimeFields: field "c-ip" is listed twice\n');
  });

  it("asks for the parameters a saved query needs", async () => {
    const r = await loglake("query", "--lake", lake, "cloudtrail/root-account-usage", "--param", "from=2025-06-01");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("loglake: cloudtrail/root-account-usage needs --param to=<value> (it takes: from, to)\n");
  });

  it("prints help with exit code 0", async () => {
    const r = await loglake("ingest", "--help");
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith("Usage: loglake ingest [options] <paths...>")).toBe(true);
  });
});
