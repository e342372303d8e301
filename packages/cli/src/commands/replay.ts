import { createReadStream, statSync } from "node:fs";
import type { QueryResult } from "@app/core/queries/result";
import { SOURCES, TABLES } from "@app/core/sources/index";
import { REJECT_REASONS, type RejectReason } from "@app/core/sources/quarantine/schema";
import type { SourceId } from "@app/core/sources/types";
import type { ReplaySelection, ReplaySummary } from "@app/lake/replay";
import type { Command } from "commander";
import { InputError } from "../errors.ts";
import { endpointOption, lakeExists, lakeOption, lakeStore, parseS3Url, resolveLake } from "../lake.ts";
import { chosenFormat, formatOptions, formatResult } from "../output.ts";
import { commaList, DATE_FORMS, oneOf, parseDay } from "../values.ts";
import { realtimeOptions } from "./ingest.ts";

const DAY_MS = 24 * 3600 * 1000;

/** The flags of `loglake replay` as a selection; every bad value is one `InputError`. */
export function replaySelection(
  opts: { reason?: string; source?: string; table?: string; from?: string; to?: string },
  now: Date,
): ReplaySelection {
  const reasons = commaList(opts.reason).map((r) => oneOf("--reason", r, REJECT_REASONS, "reason"));
  const ids = [...SOURCES.map((s) => s.id), "unknown"] as const;
  const sources = commaList(opts.source).map((s) => oneOf("--source", s, ids, "source"));
  const sourceTables = TABLES.filter((t) => SOURCES.some((s) => s.tables.includes(t))).map((t) => t.name);
  const table = opts.table === undefined ? undefined : oneOf("--table", opts.table, sourceTables, "table");
  const from = opts.from === undefined ? undefined : `${parseDay("--from", opts.from, now)}T00:00:00.000Z`;
  const toDay = opts.to === undefined ? undefined : parseDay("--to", opts.to, now);
  const to = toDay === undefined ? undefined : new Date(Date.parse(`${toDay}T00:00:00Z`) + DAY_MS).toISOString();
  if (from !== undefined && to !== undefined && from >= to) {
    throw new InputError(`--from ${opts.from} is after --to ${opts.to}`);
  }
  return {
    ...(reasons.length > 0 ? { reasons: reasons as RejectReason[] } : {}),
    ...(sources.length > 0 ? { sources: sources as (SourceId | "unknown")[] } : {}),
    ...(table !== undefined ? { table } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
  };
}

/** A replay's accounting for people: selected, then moved by table, still quarantined by reason, not replayable. */
export function formatReplay(s: ReplaySummary, lake: string): string {
  const total = (r: Record<string, number | undefined>) => Object.values(r).reduce<number>((a, b) => a + (b ?? 0), 0);
  const lines = [
    `replayed ${s.selected} quarantined record(s) of ${lake}: ${total(s.moved)} moved, ${total(s.still_quarantined)} still quarantined, ${total(s.not_replayable)} not replayable (${s.inputs} input(s) rewritten)`,
  ];
  for (const [t, n] of Object.entries(s.moved).sort()) lines.push(`  moved          ${t.padEnd(20)} ${n}`);
  for (const [r, n] of Object.entries(s.still_quarantined).sort()) lines.push(`  quarantined    ${r.padEnd(20)} ${n}`);
  for (const [w, n] of Object.entries(s.not_replayable).sort()) lines.push(`  not replayable ${w.padEnd(20)} ${n}`);
  return lines.join("\n");
}

function replayResult(s: ReplaySummary): QueryResult {
  const rows = [
    { kind: "total", name: "selected", count: s.selected },
    ...Object.entries(s.moved).map(([name, count]) => ({ kind: "moved", name, count })),
    ...Object.entries(s.still_quarantined).map(([name, count]) => ({ kind: "still_quarantined", name, count })),
    ...Object.entries(s.not_replayable).map(([name, count]) => ({ kind: "not_replayable", name, count })),
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

/**
 * Bytes of a source object when they can still be read: a local file that is still there, or an S3 object through
 * the same endpoint and region as the lake. A read that fails lends nothing (the record stays `no_context`).
 */
function sourceReader(opts: { endpoint?: string; region?: string }): {
  read: (sourceObject: string) => AsyncIterable<Uint8Array> | undefined;
  close: () => Promise<void>;
} {
  type S3Reader = { read: (bucket: string, key: string) => AsyncIterable<Uint8Array>; close: () => void };
  let s3: Promise<S3Reader> | undefined;
  const openS3 = async (): Promise<S3Reader> => {
    const [{ makeS3Client }, { readObject }] = await Promise.all([import("@app/aws/clients"), import("@app/aws/s3")]);
    const client = makeS3Client({ endpoint: opts.endpoint, region: opts.region });
    return { read: (bucket, key) => readObject(client, { bucket, key }), close: () => client.destroy() };
  };
  const read = (sourceObject: string): AsyncIterable<Uint8Array> | undefined => {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(sourceObject);
    if (m) {
      s3 ??= openS3();
      const reader = s3;
      return (async function* () {
        yield* (await reader).read(m[1] as string, m[2] as string);
      })();
    }
    if (!sourceObject.startsWith("/")) return undefined;
    const st = (() => {
      try {
        return statSync(sourceObject);
      } catch {
        return undefined;
      }
    })();
    return st?.isFile() ? (createReadStream(sourceObject) as AsyncIterable<Uint8Array>) : undefined;
  };
  return { read, close: async () => (await s3)?.close() };
}

/** Runs a replay of a lake's quarantine through the registered parsers. */
export async function runReplay(opts: {
  lake: string;
  endpoint?: string;
  region?: string;
  select: ReplaySelection;
  realtimeFields?: string;
}): Promise<ReplaySummary> {
  const options = realtimeOptions(opts.realtimeFields);
  const [{ replayQuarantine }, { openDuckDb }] = await Promise.all([
    import("@app/lake/replay"),
    import("@app/lake/duckdb"),
  ]);
  if (!parseS3Url(opts.lake) && !(await lakeExists(opts.lake)))
    throw new InputError(`--lake ${opts.lake}: no lake there`);
  const store = await lakeStore(opts);
  const db = await openDuckDb();
  const sources = sourceReader(opts);
  try {
    return await replayQuarantine({
      db,
      store,
      sources: SOURCES,
      options,
      select: opts.select,
      replayTime: new Date().toISOString(),
      readSource: sources.read,
    });
  } finally {
    db.closeSync();
    await sources.close();
  }
}

export function registerReplay(program: Command): void {
  const cmd = program
    .command("replay")
    .description(
      "Run quarantined records through the current parsers again: records that now parse move to their table " +
        "with their original lineage, the rest stay quarantined with the reason given now",
    )
    .addOption(lakeOption())
    .option("--reason <list>", `only these quarantine reasons, comma-separated (${REJECT_REASONS.join(", ")})`)
    .option(
      "--source <list>",
      `only records of these sources, comma-separated (${SOURCES.map((s) => s.id).join(", ")}, unknown)`,
    )
    .option("--table <name>", "only records of sources writing this table, and only rows that now parse into it")
    .option("--from <day>", `records whose event time is on or after this day (${DATE_FORMS})`)
    .option("--to <day>", "records whose event time is on or before this day")
    .option(
      "--realtime-fields <list>",
      "CloudFront real-time field list as configured on the distribution, comma-separated (default: AWS's canonical order)",
    )
    .addOption(endpointOption());
  for (const o of formatOptions()) cmd.addOption(o);
  cmd.addHelpText(
    "after",
    `
--format json prints exactly {"inputs":N,"selected":N,"moved":{…},"still_quarantined":{…},"not_replayable":{…}}.
A second replay with the same parsers moves 0 records and writes nothing.`,
  );
  cmd.action(
    async (opts: {
      lake?: string;
      reason?: string;
      source?: string;
      table?: string;
      from?: string;
      to?: string;
      realtimeFields?: string;
      endpoint?: string;
      format?: string;
      json?: boolean;
    }) => {
      const format = chosenFormat(opts);
      const select = replaySelection(opts, new Date());
      const lake = await resolveLake(opts);
      const summary = await runReplay({ ...opts, ...lake, select });
      if (format === "json") process.stdout.write(`${JSON.stringify(summary)}\n`);
      else if (format === "csv") process.stdout.write(formatResult(replayResult(summary), "csv"));
      else process.stdout.write(`${formatReplay(summary, lake.lake)}\n`);
    },
  );
}
