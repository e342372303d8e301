import { stat } from "node:fs/promises";
import { WRITE_CHECK_KEY } from "@app/core/lake-layout";
import type { QueryResult } from "@app/core/queries/result";
import { validateRealtimeFields } from "@app/core/sources/cloudfront/parse";
import { SOURCES } from "@app/core/sources/index";
import type { SourceId, SourceOptions } from "@app/core/sources/types";
import type { IngestTotals, PathWalk } from "@app/lake/ingest";
import type { Command } from "commander";
import { detectionSettings, redactionSettings } from "../config-file.ts";
import { InputError } from "../errors.ts";
import { endpointOption, lakeOption, lakeStore, resolveLake } from "../lake.ts";
import { chosenFormat, formatOptions, formatResult } from "../output.ts";
import { type IngestProgress, ingestLine, progressLine } from "../progress.ts";
import { oneOf } from "../values.ts";

/** What an ingest run reports: the totals over its files and the paths it left out while walking directories. */
export type IngestReport = IngestTotals & { skipped_paths: PathWalk["skipped"] };

/** Formats ingest totals for people: one line per table, per quarantine reason, skip kind and skipped path. */
export function formatTotals(t: IngestReport, lake: string): string {
  const lines = [`ingested ${t.files} file(s), ${t.records} record(s) into ${lake}`];
  for (const [table, n] of Object.entries(t.rows).sort()) lines.push(`  rows        ${table.padEnd(20)} ${n}`);
  for (const [table, n] of Object.entries(t.child_rows ?? {}).sort()) lines.push(`  child rows  ${table} ${n}`);
  for (const [reason, n] of Object.entries(t.quarantined).sort()) lines.push(`  quarantined ${reason.padEnd(20)} ${n}`);
  for (const [kind, n] of Object.entries(t.skipped).sort()) lines.push(`  skipped     ${kind.padEnd(20)} ${n}`);
  for (const [why, n] of Object.entries(t.skipped_paths).sort())
    lines.push(`  not read    ${why.padEnd(20)} ${n} path(s)`);
  for (const [detector, byAction] of Object.entries(t.redacted ?? {}).sort())
    for (const [action, n] of Object.entries(byAction).sort())
      lines.push(`  redacted    ${`${detector} (${action})`.padEnd(20)} ${n}`);
  return lines.join("\n");
}

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/**
 * Removes the run's staging directories on every way out: errors unwind through the writers, while a signal or a
 * crash ends the process without unwinding, so those paths remove them synchronously. The signal is then raised
 * again with its default action, so the process ends as killed by it even while a read is blocked (a FIFO).
 */
async function withStagingCleanup<T>(removeStagingSync: () => void, run: () => Promise<T>): Promise<T> {
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

/** Ingest totals as rows (`kind`, `name`, `count`) for CSV. */
function totalsResult(t: IngestReport): QueryResult {
  const rows = [
    { kind: "total", name: "files", count: t.files },
    { kind: "total", name: "records", count: t.records },
    ...Object.entries(t.rows)
      .sort()
      .map(([name, count]) => ({ kind: "rows", name, count })),
    ...Object.entries(t.child_rows ?? {})
      .sort()
      .map(([name, count]) => ({ kind: "child_rows", name, count })),
    ...Object.entries(t.quarantined)
      .sort()
      .map(([name, count]) => ({ kind: "quarantined", name, count })),
    ...Object.entries(t.skipped)
      .sort()
      .map(([name, count]) => ({ kind: "skipped", name, count })),
    ...Object.entries(t.skipped_paths)
      .sort()
      .map(([name, count]) => ({ kind: "not_read", name, count })),
    ...Object.entries(t.redacted ?? {})
      .sort()
      .flatMap(([name, byAction]) =>
        Object.entries(byAction)
          .sort()
          .map(([action, count]) => ({ kind: `redacted_${action}`, name, count })),
      ),
  ];
  return {
    columns: [
      { name: "kind", kind: "string" },
      { name: "name", kind: "string" },
      { name: "count", kind: "number" },
    ],
    rows,
  };
}

/** Runs an ingest of local paths into a lake; shared by `ingest` and `demo`. */
export async function runIngest(opts: {
  paths: string[];
  lake: string;
  source?: string;
  endpoint?: string;
  region?: string;
  realtimeFields?: string;
  quiet?: boolean;
}): Promise<IngestReport> {
  const forced = opts.source
    ? oneOf(
        "--source",
        opts.source,
        SOURCES.map((s) => s.id),
        "source",
      )
    : undefined;
  const options = realtimeOptions(opts.realtimeFields);
  const [
    { expandPaths, ingestFiles },
    { openDuckDb },
    { removeStagingSync },
    { writeConfigTables },
    { configRedaction },
  ] = await Promise.all([
    import("@app/lake/ingest"),
    import("@app/lake/duckdb"),
    import("@app/lake/writer"),
    import("@app/lake/config-tables"),
    import("@app/aws/redaction"),
  ]);
  // Before reading a file: a config that hashes without a key fails here, in one line.
  const redaction = await configRedaction(await redactionSettings(), {
    env: process.env,
    aws: { ...(opts.region ? { region: opts.region } : {}), ...(opts.endpoint ? { endpoint: opts.endpoint } : {}) },
  });
  const { files, keys, skipped } = await expandPaths(opts.paths);
  if (files.length === 0) throw new InputError(`no files found under ${opts.paths.join(", ")}`);
  const store = await lakeStore(opts);
  // Fail before parsing anything when the lake cannot be written.
  await store.putText(WRITE_CHECK_KEY, "ok\n").catch((e: unknown) => {
    throw new InputError(`--lake ${opts.lake}: cannot write there (${(e as Error).message})`);
  });
  await writeConfigTables(store, await detectionSettings());
  const sizes = await Promise.all(files.map((f) => stat(f).then((s) => s.size)));
  const state: IngestProgress = {
    bytes: 0,
    totalBytes: sizes.reduce((a, b) => a + b, 0),
    records: 0,
    filesDone: 0,
    files: files.length,
  };
  // Records of files still being read are counted as they are written, then replaced by the file's own total.
  const inFlight = new Map<string, number>();
  let doneRecords = 0;
  const line = progressLine((ms, width) => ingestLine(state, ms, width), opts.quiet ? { enabled: false } : {});
  const db = await openDuckDb();
  try {
    const totals = await withStagingCleanup(removeStagingSync, () =>
      ingestFiles({
        db,
        store,
        sources: SOURCES,
        files,
        keys,
        forced: forced as SourceId | undefined,
        options,
        ...(redaction ? { redaction } : {}),
        onRead: (file, bytes) => {
          state.bytes += bytes;
          state.current = file;
        },
        onRecord: (file) => {
          inFlight.set(file, (inFlight.get(file) ?? 0) + 1);
          state.records++;
        },
        onFile: (file, manifest, done) => {
          doneRecords += manifest.summary.records;
          inFlight.delete(file);
          state.filesDone = done;
          state.records = doneRecords + [...inFlight.values()].reduce((a, b) => a + b, 0);
          line.draw();
        },
      }),
    );
    return { ...totals, skipped_paths: skipped };
  } finally {
    line.stop();
    db.closeSync();
  }
}

/** The CloudFront real-time field list given on the command line, checked like the deployment config checks it. */
export function realtimeOptions(list: string | undefined): SourceOptions {
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
  const cmd = program
    .command("ingest")
    .description("Parse log files (plain or .gz, directories walked recursively) into the Parquet lake")
    .argument("<paths...>", "files or directories to ingest")
    .addOption(lakeOption())
    .option("--source <kind>", `force the source instead of detecting it (${SOURCES.map((s) => s.id).join(", ")})`)
    .option(
      "--realtime-fields <list>",
      "CloudFront real-time field list as configured on the distribution, comma-separated (default: AWS's canonical order)",
    )
    .addOption(endpointOption());
  for (const o of formatOptions()) cmd.addOption(o);
  cmd.addHelpText(
    "after",
    `
On a terminal a progress line shows bytes and records per second, elapsed time, the ETA and the current file;
piped output and --quiet get only the summary. --format json prints exactly
{"files":N,"records":N,"rows":{…},"quarantined":{…},"skipped":{…},"skipped_paths":{…}}, plus
"child_rows":{"<table>":N} when records filled child tables (a CloudTrail digest's listed log files) and
"redacted":{"<detector>":{"<action>":N}} when redaction changed something.`,
  );
  cmd.action(
    async (
      paths: string[],
      opts: {
        lake?: string;
        source?: string;
        realtimeFields?: string;
        endpoint?: string;
        format?: string;
        json?: boolean;
      },
    ) => {
      const format = chosenFormat(opts);
      const lake = await resolveLake(opts);
      const totals = await runIngest({ ...opts, ...lake, paths, quiet: format !== "table" });
      if (format === "json") {
        const { files, records, rows, child_rows, quarantined, skipped, skipped_paths, redacted } = totals;
        const summary = {
          files,
          records,
          rows,
          ...(child_rows && Object.keys(child_rows).length > 0 ? { child_rows } : {}),
          quarantined,
          skipped,
          skipped_paths,
          ...(redacted && Object.keys(redacted).length > 0 ? { redacted } : {}),
        };
        process.stdout.write(`${JSON.stringify(summary)}\n`);
      } else if (format === "csv") process.stdout.write(formatResult(totalsResult(totals), "csv"));
      else process.stdout.write(`${formatTotals(totals, lake.lake)}\n`);
    },
  );
}
