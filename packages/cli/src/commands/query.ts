import { readdir } from "node:fs/promises";
import { openLake } from "@app/lake/query";
import { LocalLakeStore } from "@app/lake/store";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { Command } from "commander";
import { InputError } from "../errors.ts";
import { parseS3Url } from "../lake.ts";
import { formatRows, type OutputFormat } from "../output.ts";
import { resolveSavedQuery } from "../saved-queries.ts";

/**
 * Opens the lake for querying; an s3:// lake is first mirrored into a local cache through the SDK. A bucket with no
 * lake files yet answers every query with empty tables, and says so on stderr; a missing bucket is an input error.
 */
export async function openLakeForQuery(opts: {
  lake: string;
  endpoint?: string;
  cache?: string;
}): Promise<DuckDBConnection> {
  const s3 = parseS3Url(opts.lake);
  if (!s3) {
    const store = new LocalLakeStore(opts.lake);
    // Only the top level: listing every file here would repeat the per-table listing openLake does.
    const exists = await readdir(opts.lake).then(
      (entries) => entries.length > 0,
      () => false,
    );
    if (!exists)
      throw new InputError(
        `--lake ${opts.lake}: no lake found there (run \`loglake ingest\` or \`loglake demo\` first)`,
      );
    return openLake(store);
  }
  const { syncLakeToCache } = await import("@app/aws/lake-cache");
  const root = await syncLakeToCache({
    bucket: s3.bucket,
    prefix: s3.prefix,
    endpoint: opts.endpoint,
    cacheDir: opts.cache,
  }).catch((e: unknown) => {
    if ((e as Error).name === "NoSuchBucket") throw new InputError(`--lake ${opts.lake}: no such bucket`);
    throw e;
  });
  // Table folders appear with their first file; the cache's own index is a dotfile.
  const tables = (await readdir(root)).filter((n) => !n.startsWith("."));
  if (tables.length === 0) {
    process.stderr.write(`loglake: note: ${opts.lake} holds no lake files yet; every table is empty\n`);
  }
  return openLake(new LocalLakeStore(root));
}

/** Collects repeated `--param name=value` flags. */
export function collectParam(value: string, previous: [string, string][] = []): [string, string][] {
  const eq = value.indexOf("=");
  if (eq <= 0) throw new InputError(`--param ${value}: expected name=value`);
  return [...previous, [value.slice(0, eq), value.slice(eq + 1)]];
}

export function registerQuery(program: Command): void {
  program
    .command("query")
    .description("Run SQL or a saved query over the lake with DuckDB (one view per table)")
    .argument("[saved-query]", "saved query name, e.g. cloudtrail/root-account-usage (see queries/)")
    .requiredOption("--lake <dir|s3://bucket/prefix>", "lake root")
    .option("--sql <sql>", "SQL to run instead of a saved query; `?` placeholders take --param values in order")
    .option("--param <name=value>", "query parameter (repeatable)", collectParam, [])
    .option("--format <format>", "table, csv or json", "table")
    .option("--endpoint <url>", "S3 endpoint for an s3:// lake (local emulators)")
    .action(
      async (
        saved: string | undefined,
        opts: { lake: string; sql?: string; param: [string, string][]; format: string; endpoint?: string },
      ) => {
        if (!["table", "csv", "json"].includes(opts.format))
          throw new InputError(`--format ${opts.format}: use table, csv or json`);
        if (!saved === !opts.sql) throw new InputError("give either a saved query name or --sql, not both");
        const { sql, values } = opts.sql
          ? { sql: opts.sql, values: opts.param.map(([, v]) => v) }
          : await resolveSavedQuery(saved as string, opts.param);
        const conn = await openLakeForQuery(opts);
        try {
          const reader = await conn.runAndReadAll(sql, values);
          process.stdout.write(formatRows(reader.columnNames(), reader.getRowsJson(), opts.format as OutputFormat));
        } finally {
          conn.closeSync();
        }
      },
    );
}
