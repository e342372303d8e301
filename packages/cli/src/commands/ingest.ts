import { WRITE_CHECK_KEY } from "@app/core/lake-layout";
import { validateRealtimeFields } from "@app/core/sources/cloudfront/parse";
import { SOURCES } from "@app/core/sources/index";
import type { SourceId, SourceOptions } from "@app/core/sources/types";
import { openDuckDb } from "@app/lake/duckdb";
import { expandPaths, type IngestTotals, ingestFiles, type PathWalk } from "@app/lake/ingest";
import { removeStagingSync } from "@app/lake/writer";
import type { Command } from "commander";
import { InputError } from "../errors.ts";
import { lakeStore } from "../lake.ts";
import { progress } from "../progress.ts";

/** What an ingest run reports: the totals over its files and the paths it left out while walking directories. */
export type IngestReport = IngestTotals & { skipped_paths: PathWalk["skipped"] };

/** Formats ingest totals for people: one line per table, per quarantine reason, skip kind and skipped path. */
export function formatTotals(t: IngestReport, lake: string): string {
  const lines = [`ingested ${t.files} file(s), ${t.records} record(s) into ${lake}`];
  for (const [table, n] of Object.entries(t.rows).sort()) lines.push(`  rows        ${table.padEnd(20)} ${n}`);
  for (const [reason, n] of Object.entries(t.quarantined).sort()) lines.push(`  quarantined ${reason.padEnd(20)} ${n}`);
  for (const [kind, n] of Object.entries(t.skipped).sort()) lines.push(`  skipped     ${kind.padEnd(20)} ${n}`);
  for (const [why, n] of Object.entries(t.skipped_paths).sort())
    lines.push(`  not read    ${why.padEnd(20)} ${n} path(s)`);
  return lines.join("\n");
}

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/**
 * Removes the run's staging directories on every way out: errors unwind through the writers, while a signal or a
 * crash ends the process without unwinding, so those paths remove them synchronously. The signal is then raised
 * again with its default action, so the process ends as killed by it even while a read is blocked (a FIFO).
 */
async function withStagingCleanup<T>(run: () => Promise<T>): Promise<T> {
  const restore = () => {
    for (const sig of SIGNALS) process.off(sig, onSignal);
    process.off("exit", removeStagingSync);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    removeStagingSync();
    restore();
    process.kill(process.pid, signal);
  };
  for (const sig of SIGNALS) process.on(sig, onSignal);
  process.on("exit", removeStagingSync);
  try {
    return await run();
  } finally {
    restore();
  }
}

/** Runs an ingest of local paths into a lake; shared by `ingest` and `demo`. */
export async function runIngest(opts: {
  paths: string[];
  lake: string;
  source?: string;
  endpoint?: string;
  realtimeFields?: string;
  quiet?: boolean;
}): Promise<IngestReport> {
  const forced = opts.source as SourceId | undefined;
  if (forced && !SOURCES.some((s) => s.id === forced)) {
    throw new InputError(`--source ${forced}: unknown source (one of ${SOURCES.map((s) => s.id).join(", ")})`);
  }
  const options = realtimeOptions(opts.realtimeFields);
  const { files, skipped } = await expandPaths(opts.paths);
  if (files.length === 0) throw new InputError(`no files found under ${opts.paths.join(", ")}`);
  const store = await lakeStore({ lake: opts.lake, endpoint: opts.endpoint });
  // Fail before parsing anything when the lake cannot be written.
  await store.putText(WRITE_CHECK_KEY, "ok\n").catch((e: unknown) => {
    throw new InputError(`--lake ${opts.lake}: cannot write there (${(e as Error).message})`);
  });
  const db = await openDuckDb();
  const bar = opts.quiet ? undefined : progress(files.length);
  try {
    const totals = await withStagingCleanup(() =>
      ingestFiles({
        db,
        store,
        sources: SOURCES,
        files,
        forced,
        options,
        onFile: (file, m, done) => bar?.tick(done, `${file} (${m.summary.source})`),
      }),
    );
    return { ...totals, skipped_paths: skipped };
  } finally {
    bar?.done();
    db.closeSync();
  }
}

/** The CloudFront real-time field list given on the command line, checked like the deployment config checks it. */
function realtimeOptions(list: string | undefined): SourceOptions {
  if (list === undefined) return {};
  const fields = list.split(",").map((f) => f.trim());
  try {
    validateRealtimeFields(fields);
  } catch (e) {
    throw new InputError(`--realtime-fields: ${(e as Error).message}`);
  }
  return { realtimeFields: fields };
}

export function registerIngest(program: Command): void {
  program
    .command("ingest")
    .description("Parse log files (plain or .gz, directories walked recursively) into the Parquet lake")
    .argument("<paths...>", "files or directories to ingest")
    .requiredOption("--lake <dir|s3://bucket/prefix>", "lake root")
    .option("--source <kind>", `force the source instead of detecting it (${SOURCES.map((s) => s.id).join(", ")})`)
    .option(
      "--realtime-fields <list>",
      "CloudFront real-time field list as configured on the distribution, comma-separated (default: AWS's canonical order)",
    )
    .option("--endpoint <url>", "S3 endpoint for an s3:// lake (local emulators)")
    .option("--json", "print one JSON summary object instead of the table")
    .action(
      async (
        paths: string[],
        opts: { lake: string; source?: string; realtimeFields?: string; endpoint?: string; json?: boolean },
      ) => {
        const totals = await runIngest({ ...opts, paths, quiet: opts.json });
        if (opts.json) {
          const { files, records, rows, quarantined, skipped, skipped_paths } = totals;
          process.stdout.write(`${JSON.stringify({ files, records, rows, quarantined, skipped, skipped_paths })}\n`);
        } else process.stdout.write(`${formatTotals(totals, opts.lake)}\n`);
      },
    );
}
