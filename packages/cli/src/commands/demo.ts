import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { type IntegrityResult, isFinding } from "@app/core/integrity/results";
import { customPeriod } from "@app/core/reports/period";
import type { Command } from "commander";
import { EXIT } from "../errors.ts";
import { openLakeForQuery } from "../lake.ts";
import { readSavedQueries } from "../saved-queries.ts";
import { formatTotals, runIngest } from "./ingest.ts";
import { runVerify } from "./verify.ts";

/** The embedded main job: sample logs -> lake -> security and compliance reports. */
export async function runDemo(
  outDir: string,
  log: (line: string) => void,
): Promise<{ lake: string; reports: string[]; verifiedAsPlanted: boolean }> {
  const out = resolve(outDir);
  const logs = join(out, "logs");
  const lake = join(out, "lake");
  const [
    { DEMO_DEFAULTS, demoFiles },
    { runReport },
    { duckDbRunner },
    { localReportSink, writeReport },
    { localScanMeter },
    { writeReportFindings },
    { openDuckDb },
    { LocalLakeStore },
  ] = await Promise.all([
    import("@app/samples/demo/index"),
    import("@app/core/reports/report"),
    import("@app/lake/query"),
    import("@app/lake/report"),
    import("@app/lake/scan-meter"),
    import("@app/lake/findings"),
    import("@app/lake/duckdb"),
    import("@app/lake/store"),
  ]);
  const files = demoFiles();
  for (const f of files) {
    const path = join(logs, f.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, f.gzip ? gzipSync(f.contents) : f.contents);
  }
  log(`wrote ${files.length} sample log files (${DEMO_DEFAULTS.days} days to ${DEMO_DEFAULTS.endDate}) to ${logs}`);
  const totals = await runIngest({ paths: [logs], lake });
  log(formatTotals(totals, lake));

  // The digests are signed with the demo key; local copies carry no S3 metadata, so the signatures sit beside them.
  const { DEMO_TRAIL_FINGERPRINT, DEMO_TRAIL_PUBLIC_KEY } = await import("@app/samples/demo/trail-key");
  const keys = join(out, "trail-public-keys");
  const signatures = join(out, "trail-signatures.json");
  await mkdir(keys, { recursive: true });
  await writeFile(join(keys, `${DEMO_TRAIL_FINGERPRINT}.pem`), DEMO_TRAIL_PUBLIC_KEY);
  const sigs = Object.fromEntries(files.filter((f) => f.signature).map((f) => [f.path, f.signature]));
  await writeFile(signatures, `${JSON.stringify(sigs, null, 2)}\n`);
  const verified = await runVerify([logs], { publicKeys: keys, signatures, lake });
  for (const line of verified.summary) log(`verify ${line}`);
  const findings = verified.results.filter((x) => isFinding(x.verdict));
  for (const r of findings) log(`verify finding: ${r.verdict} ${r.kind} ${r.object}: ${r.detail}`);
  const planted = files.filter((f) => f.editedAfterDigest).map((f) => join(logs, f.path));
  const outcome = demoVerifyOutcome(planted, findings);
  log(
    `${outcome.line}; \`loglake verify ${logs} --public-keys ${keys} --signatures ${signatures} --lake ${lake}\` exits ${findings.length > 0 ? 1 : 0}`,
  );

  // The last day holds the incidents; the days before it are the baseline the anomaly queries compare against.
  const period = customPeriod(DEMO_DEFAULTS.endDate, DEMO_DEFAULTS.endDate);
  const queries = await readSavedQueries();
  const sink = localReportSink(out);
  const conn = await openLakeForQuery({ lake });
  const reports: string[] = [];
  try {
    for (const report of ["security", "compliance"]) {
      const runner = duckDbRunner(conn, { meter: localScanMeter(lake) });
      const data = await runReport({ runner, queries, report, period, lake, now: new Date() });
      const written = await writeReport(data, sink);
      const db = await openDuckDb();
      await writeReportFindings({ db, store: new LocalLakeStore(lake), data }).finally(() => db.closeSync());
      const html = written.find((f) => f.endsWith(".html"));
      const t = data.summary.totals;
      const bySeverity = Object.entries(t.by_severity)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ");
      const scanned = `${data.summary.scanned.bytes} bytes in ${data.summary.scanned.files} files scanned`;
      log(
        `${data.summary.title} ${period.label}: ${t.findings} findings (${bySeverity}), ${scanned} -> ${join(out, html ?? "")}`,
      );
      if (html) reports.push(join(out, html));
    }
  } finally {
    conn.closeSync();
  }
  log(
    `next: npx loglake query --lake ${lake} --sql "select event_name, count(*) n from cloudtrail group by 1 order by n desc limit 10"`,
  );
  return { lake, reports, verifiedAsPlanted: outcome.asPlanted };
}

/**
 * What the demo's verify found against what the demo planted: the log files it edited after their digests hashed
 * them must come back as `modified`, and nothing else may. Anything else means the demo's files or lake were
 * altered (or verify is wrong), which the demo must not present as its expected result.
 */
export function demoVerifyOutcome(
  planted: readonly string[],
  findings: readonly Pick<IntegrityResult, "object" | "kind" | "verdict">[],
): { asPlanted: boolean; line: string } {
  const caught = findings.filter(
    (f) => f.verdict === "modified" && f.kind === "log_file" && planted.includes(f.object),
  );
  const missed = planted.filter((p) => !caught.some((f) => f.object === p));
  const unexpected = findings.length - caught.length;
  if (missed.length === 0 && unexpected === 0)
    return {
      asPlanted: true,
      line: `verify: ${findings.length} finding(s), as planted: the demo edits ${planted.length} log file(s) after their digests hashed them, and verify names each \`modified\``,
    };
  const problems = [
    ...(missed.length > 0 ? [`${missed.length} edited log file(s) not caught: ${missed.join(", ")}`] : []),
    ...(unexpected > 0 ? [`${unexpected} finding(s) the demo did not plant`] : []),
  ];
  return { asPlanted: false, line: `verify: ${findings.length} finding(s), not as planted: ${problems.join("; ")}` };
}

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description(
      "Generate realistic sample logs of every source (fixed seed), ingest them into a local lake, verify the " +
        "signed CloudTrail digest chain and the lake, and write the security and compliance reports",
    )
    .option("--out <dir>", "where to write logs/, lake/ and reports/", "demo")
    .action(async (opts: { out: string }) => {
      const { verifiedAsPlanted } = await runDemo(opts.out, (line) => process.stdout.write(`${line}\n`));
      if (!verifiedAsPlanted) process.exitCode = EXIT.findings;
    });
}
