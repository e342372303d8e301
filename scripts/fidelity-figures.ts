// What ingest keeps of inputs real tools write, measured through the CLI of any checkout of this repository:
// `npx tsx scripts/fidelity-figures.ts [checkout]` (default: this one). The inputs are generated here, with Node's
// own zlib, so two checkouts are measured on the same bytes. The checkout needs its node_modules.
import { spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

const here = fileURLToPath(new URL("..", import.meta.url));
const checkout = resolve(process.argv[2] ?? here);
const work = mkdtempSync(join(tmpdir(), "loglake-figures-"));
const runner = join(work, "run.mts");
const main = pathToFileURL(join(checkout, "packages/cli/src/main.ts")).href;
writeFileSync(runner, `import { main } from ${JSON.stringify(main)};\nprocess.exitCode = await main(process.argv);\n`);
const tsx = join(here, "node_modules/.bin/tsx");

function cli(args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(tsx, [runner, ...args], { cwd: checkout, encoding: "utf8" });
  return { ok: r.status === 0, out: r.status === 0 ? r.stdout : (r.stderr.trim().split("\n")[0] ?? "") };
}

/** The CLI's own summary of one ingest, on one line (older checkouts print only text). */
function ingest(lake: string, file: string): string {
  const r = cli(["ingest", file, "--lake", lake]);
  return r.ok ? r.out.trim().replace(/\s*\n\s*/g, " | ") : `error: ${r.out}`;
}

/** The single value a query returns, or why there is none (a table or column this checkout does not have). */
function value(lake: string, sql: string): string {
  const r = cli(["query", "--lake", lake, "--sql", sql, "--format", "json"]);
  if (!r.ok) return `n/a (${r.out.slice(0, 80)})`;
  const rows = JSON.parse(r.out) as Record<string, unknown>[];
  return String(Object.values(rows[0] ?? {})[0]);
}

const lines: string[] = [];
const report = (item: string, what: string, v: string) => lines.push(`${item.padEnd(8)}${what.padEnd(64)}${v}`);
const count = (lake: string, table: string) => value(lake, `SELECT count(*) FROM ${table}`);

const iso = (i: number, frac = "000") =>
  `${new Date(Date.UTC(2024, 4, 1, 10, 0, i)).toISOString().slice(0, 19)}.${frac}Z`;
function trailEvent(i: number, time: Record<string, string>): Record<string, unknown> {
  return {
    ...time,
    userIdentity: { type: "IAMUser", arn: "arn:aws:iam::111122223333:user/alice", accountId: "111122223333" },
    eventSource: "s3.amazonaws.com",
    eventName: "GetObject",
    awsRegion: "us-east-1",
    sourceIPAddress: `203.0.113.${i % 250}`,
    userAgent: "aws-cli/2.15.0",
    requestParameters: { bucketName: "reports", key: `2024/05/01/report-${i}.csv`, note: "x".repeat(600) },
    responseElements: null,
    requestID: `R${i}`,
    eventID: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    readOnly: true,
    eventType: "AwsApiCall",
    recipientAccountId: "111122223333",
  };
}

// 1. gzip as real tools write it: a complete member and two trailing newlines; the same text in two members split
// inside a record.
{
  const text = JSON.stringify({
    Records: Array.from({ length: 394 }, (_, i) => trailEvent(i, { eventVersion: "1.08", eventTime: iso(i) })),
  });
  const dir = join(work, "item1");
  mkdirSync(dir);
  writeFileSync(join(dir, "trailing.json.gz"), Buffer.concat([gzipSync(text), Buffer.from("\n\n")]));
  const cut = Math.floor(text.length * 0.37);
  writeFileSync(join(dir, "members.json.gz"), Buffer.concat([gzipSync(text.slice(0, cut)), gzipSync(text.slice(cut))]));
  for (const name of ["trailing", "members"]) {
    const lake = join(work, `lake-1-${name}`);
    report("1", `${name}.json.gz (394 events): ingest summary`, ingest(lake, join(dir, `${name}.json.gz`)));
    report(
      "1",
      `${name}.json.gz: rows in cloudtrail / quarantine`,
      `${count(lake, "cloudtrail")} / ${count(lake, "quarantine")}`,
    );
  }
}

// 2. CloudTrail from an export: time in @timestamp with nanoseconds, no eventVersion, some errorCode "".
{
  const file = join(work, "export.ndjson");
  const records = Array.from({ length: 103 }, (_, i) => {
    const e = trailEvent(i, { "@timestamp": iso(i, "817638134") });
    return JSON.stringify(i % 10 === 0 ? { ...e, errorCode: "" } : e);
  });
  writeFileSync(file, `${records.join("\n")}\n`);
  const lake = join(work, "lake-2");
  report("2", "export.ndjson (103 events): ingest summary", ingest(lake, file));
  report("2", "rows in cloudtrail / quarantine", `${count(lake, "cloudtrail")} / ${count(lake, "quarantine")}`);
  report(
    "2",
    "first event_time (microseconds)",
    value(lake, "SELECT strftime(min(event_time), '%H:%M:%S.%f') FROM cloudtrail"),
  );
}

// 4. A CloudWatch Logs subscription payload as a Kinesis record carries it (gzip of the JSON): VPC flow log lines,
// Lambda platform and text lines, and CloudTrail events from a CloudTrail log group.
{
  const req = "8d2f4a1c-3b5e-4f6a-9c7d-0e1f2a3b4c5d";
  const messages = [
    "2 111122223333 eni-0a1b2c3d4e5f60718 203.0.113.12 10.0.1.25 49761 443 6 12 5120 1714557600 1714557660 ACCEPT OK",
    "2 111122223333 eni-0a1b2c3d4e5f60718 198.51.100.7 10.0.1.25 51234 22 6 3 180 1714557600 1714557660 REJECT OK",
    "2 111122223333 eni-0a1b2c3d4e5f60718 - - - - - - - 1714557660 1714557720 - NODATA",
    `START RequestId: ${req} Version: $LATEST\n`,
    `2024-05-01T10:12:04.250Z\t${req}\tINFO\tprocessing order 42\n`,
    `END RequestId: ${req}\n`,
    `REPORT RequestId: ${req}\tDuration: 99.57 ms\tBilled Duration: 100 ms\tMemory Size: 128 MB\tMax Memory Used: 67 MB\t\n`,
    JSON.stringify(trailEvent(1, { eventVersion: "1.09", eventTime: iso(1) })),
    JSON.stringify(trailEvent(2, { eventVersion: "1.09", eventTime: iso(2) })),
  ];
  const payload = {
    messageType: "DATA_MESSAGE",
    owner: "111122223333",
    logGroup: "aws-cloudtrail-logs-111122223333-0a1b2c3d",
    logStream: "111122223333_CloudTrail_us-east-1",
    subscriptionFilters: ["loglake"],
    logEvents: messages.map((message, i) => ({
      id: `38285727296473213011712354563829145473843539435151${i}`,
      timestamp: 1714557600000 + i,
      message,
    })),
  };
  const file = join(work, "cwl-payload.gz");
  writeFileSync(file, gzipSync(JSON.stringify(payload)));
  const lake = join(work, "lake-4");
  report("4", "cwl-payload.gz (9 log events, 7 plain text): ingest summary", ingest(lake, file));
  report(
    "4",
    "rows in cloudwatch_logs / cloudtrail / quarantine",
    `${count(lake, "cloudwatch_logs")} / ${count(lake, "cloudtrail")} / ${count(lake, "quarantine")}`,
  );
  report("4", "cloudtrail rows with their log group", value(lake, "SELECT count(cwl_log_group) FROM cloudtrail"));
}

// 8. The same input ingested again after it changed: one field edited, one line appended; a .gz recompressed.
{
  const event = (i: number, path = `/v1/orders/${i}`) =>
    JSON.stringify({ timestamp: iso(i), type: "api", service: "orders", method: "GET", path, status: 200 });
  const file = join(work, "app.jsonl");
  const all = Array.from({ length: 48 }, (_, i) => event(i));
  const lake = join(work, "lake-8");
  writeFileSync(file, `${all.join("\n")}\n`);
  ingest(lake, file);
  report("8", "app.jsonl, 48 events, ingested: app_events rows", count(lake, "app_events"));
  all[10] = event(10, "/v1/orders/edited");
  writeFileSync(file, `${all.join("\n")}\n`);
  ingest(lake, file);
  report("8", "one field edited, ingested again: app_events rows", count(lake, "app_events"));
  appendFileSync(file, `${event(48)}\n`);
  ingest(lake, file);
  report("8", "one line appended (49 events), ingested again: rows", count(lake, "app_events"));
  const gz = join(work, "app2.jsonl.gz");
  const lakeGz = join(work, "lake-8-gz");
  const text = `${all.join("\n")}\n`;
  writeFileSync(gz, gzipSync(text, { level: 9 }));
  ingest(lakeGz, gz);
  writeFileSync(gz, gzipSync(text, { level: 1 }));
  ingest(lakeGz, gz);
  report("8", "app2.jsonl.gz (48 events) recompressed, ingested twice: rows", count(lakeGz, "app_events"));
}

process.stdout.write(`checkout: ${checkout}\n${lines.join("\n")}\n`);
rmSync(work, { recursive: true, force: true });
