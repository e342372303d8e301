import { TABLES } from "@app/core/sources/index";
import type { Command } from "commander";
import { InputError } from "../errors.ts";
import { endpointOption, lakeOption, openLakeForQuery, resolveLake } from "../lake.ts";
import { chosenFormat, formatOptions, formatResult, JSON_NUMBERS } from "../output.ts";
import { resolveSavedQuery } from "../saved-queries.ts";
import { DATE_FORMS } from "../values.ts";

/** Collects repeated `--param name=value` flags. */
export function collectParam(value: string, previous: [string, string][] = []): [string, string][] {
  const eq = value.indexOf("=");
  if (eq <= 0) throw new InputError(`--param ${value}: expected name=value`);
  return [...previous, [value.slice(0, eq), value.slice(eq + 1)]];
}

interface QueryOptions {
  lake?: string;
  sql?: string;
  param: [string, string][];
  format?: string;
  json?: boolean;
  endpoint?: string;
  unsafe?: boolean;
}

export function registerQuery(program: Command): void {
  const cmd = program
    .command("query")
    .description("Run SQL or a saved query over the lake with DuckDB (one view per table)")
    .argument("[saved-query]", "saved query id, e.g. cloudtrail/root-account-usage (`loglake queries` lists them)")
    .addOption(lakeOption())
    .option("--sql <sql>", "SQL to run instead of a saved query; `?` placeholders take --param values in order")
    .option(
      "--param <name=value>",
      `query parameter (repeatable); a saved query's from/to are days: ${DATE_FORMS}`,
      collectParam,
      [],
    )
    .option(
      "--unsafe",
      "let the SQL read and write any file and run COPY, ATTACH, INSTALL/LOAD, EXPORT (refused by default: SQL reads only the lake)",
    )
    .addOption(endpointOption());
  for (const o of formatOptions()) cmd.addOption(o);
  cmd
    .addHelpText(
      "after",
      `
Tables: ${TABLES.map((t) => t.name).join(", ")}.
By default SQL reads only the lake (and its local cache for s3:// lakes) and writes nothing: other files, COPY,
ATTACH, INSTALL/LOAD, EXPORT and PREPARE/EXECUTE are refused, and DuckDB's settings are locked. --unsafe lifts this.
Timestamps are ISO 8601 UTC (2024-03-08T09:30:00.000Z, with any sub-millisecond digits). ${JSON_NUMBERS}.
CSV lines end in LF.`,
    )
    .action(async (saved: string | undefined, opts: QueryOptions) => {
      const format = chosenFormat(opts);
      if (!saved === !opts.sql) throw new InputError("give either a saved query name or --sql, not both");
      const { sql, values } = opts.sql
        ? { sql: opts.sql, values: opts.param.map(([, v]) => v) }
        : await resolveSavedQuery(saved as string, opts.param, new Date());
      const lake = await resolveLake(opts);
      const conn = await openLakeForQuery({ ...lake, unsafe: opts.unsafe });
      try {
        const { runUserSql } = await import("@app/lake/query");
        const result = await runUserSql(conn, sql, values, { unsafe: opts.unsafe });
        process.stdout.write(formatResult(result, format));
      } finally {
        conn.closeSync();
      }
    });
}
