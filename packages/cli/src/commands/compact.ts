import { COMPACTED_TABLES } from "@app/core/compaction/plan";
import type { QueryResult } from "@app/core/queries/result";
import { TABLES } from "@app/core/sources/index";
import type { CompactResult, CompactStep } from "@app/lake/compact";
import type { Command } from "commander";
import { compactionConfig } from "../config-file.ts";
import { InputError } from "../errors.ts";
import { endpointOption, lakeOption, lakeStore, resolveLake } from "../lake.ts";
import { chosenFormat, formatOptions, formatResult } from "../output.ts";
import { closest, commaList, integerIn } from "../values.ts";

interface CompactOptions {
  lake?: string;
  endpoint?: string;
  region?: string;
  settleHours?: number;
  targetMb?: number;
  tables?: string;
  now?: string;
  format?: string;
  json?: boolean;
}

/**
 * `LOGLAKE_COMPACT_PAUSE_AT=<step>` stops the run after that step of the first hour it compacts, until the process is
 * killed: how the crash tests stop a compaction at a chosen point. Steps: merged, committed, published, deleted.
 */
const PAUSE_ENV = "LOGLAKE_COMPACT_PAUSE_AT";

function pauseHook(
  steps: readonly string[],
): ((step: CompactStep, table: string, hour: string) => Promise<void>) | undefined {
  const at = process.env[PAUSE_ENV];
  if (at === undefined || at === "") return undefined;
  if (!steps.includes(at)) throw new InputError(`${PAUSE_ENV}=${at}: not a step (${steps.join(", ")})`);
  return async (step, table, hour) => {
    if (step !== at) return;
    process.stderr.write(`loglake: compact paused after ${step} (${table} ${hour})\n`);
    await new Promise<never>(() => setInterval(() => {}, 60_000));
  };
}

function hourRows(r: CompactResult): QueryResult {
  const names = ["table", "hour", "action", "files_before", "files_after", "rows", "overlap_ms"] as const;
  return {
    columns: names.map((name) => ({
      name,
      kind: name === "table" || name === "hour" || name === "action" ? "string" : "number",
    })),
    rows: r.hours.filter((h) => h.action !== "done").map((h) => Object.fromEntries(names.map((n) => [n, h[n]]))),
  };
}

/** Registers `loglake compact`: merges each settled partition-hour's small files into few large ones. */
export function registerCompact(program: Command): void {
  const cmd = program
    .command("compact")
    .description(
      "Merge each settled partition-hour's Parquet files into as few as the size target allows (ZSTD, sorted by event time); safe to stop and re-run",
    )
    .addOption(lakeOption())
    .option(
      "--settle-hours <n>",
      "hours after a partition-hour ends before it is merged (default: compaction.settleHours of the config, else 2)",
      integerIn("--settle-hours", 0, 168),
    )
    .option(
      "--target-mb <n>",
      "largest merged file in MiB (default: compaction.targetFileMb of the config, else 256)",
      integerIn("--target-mb", 1, 4096),
    )
    .option("--tables <names>", "comma-separated tables to compact (default: every table but quarantine and findings)")
    .option("--now <iso>", "judge the settle window as of this instant instead of the clock")
    .option("--region <region>", "AWS region of an s3:// lake")
    .addOption(endpointOption());
  for (const o of formatOptions()) cmd.addOption(o);
  cmd.action(async (opts: CompactOptions) => {
    const format = chosenFormat(opts);
    const now = opts.now ? new Date(opts.now) : new Date();
    if (opts.now !== undefined && (!/^\d{4}-\d{2}-\d{2}T/.test(opts.now) || Number.isNaN(now.getTime())))
      throw new InputError(`--now ${opts.now}: not an ISO-8601 instant (e.g. 2025-06-13T00:00:00Z)`);
    const names = COMPACTED_TABLES.map((t) => t.name);
    const tables = commaList(opts.tables).map((t) => {
      const table = COMPACTED_TABLES.find((x) => x.name === t);
      if (!table && TABLES.some((x) => x.name === t))
        throw new InputError(`--tables ${t}: not compacted (its files are kept per input or per report run)`);
      if (table) return table;
      const near = closest(t, names);
      throw new InputError(`--tables ${t}: unknown table${near ? `; did you mean ${near}?` : ""}`);
    });
    const config = await compactionConfig();
    const { compactLake, COMPACT_STEPS } = await import("@app/lake/compact");
    const store = (await lakeStore(await resolveLake(opts))) as Awaited<ReturnType<typeof lakeStore>> & {
      listSized?: (prefix: string) => Promise<{ key: string; bytes: number }[]>;
    };
    const { listSized } = store;
    if (listSized === undefined) throw new InputError(`${store.location}: this lake cannot list file sizes`);
    const onStep = pauseHook(COMPACT_STEPS);
    const result = await compactLake({
      store: Object.assign(store, { listSized: listSized.bind(store) }),
      now,
      settings: {
        settleHours: opts.settleHours ?? config.settleHours,
        targetFileBytes: (opts.targetMb ?? config.targetFileMb) * 1024 ** 2,
      },
      ...(tables.length > 0 ? { tables } : {}),
      ...(onStep ? { onStep } : {}),
    });
    const merged = result.hours.filter((h) => h.action === "compact").length;
    if (format === "json") process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else if (format === "csv") process.stdout.write(formatResult(hourRows(result), "csv"));
    else {
      const rows = hourRows(result);
      process.stdout.write(
        `${merged} partition-hour(s) merged, ${result.hours.length - merged} left as they were; files ${result.files_before} -> ${result.files_after}; longest overlap ${result.max_overlap_ms} ms\n`,
      );
      if (rows.rows.length > 0) process.stdout.write(formatResult(rows, "table", { count: false }));
    }
  });
}
