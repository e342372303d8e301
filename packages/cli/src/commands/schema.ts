import { toDuckDbColumns, toDuckDbView } from "@app/core/schema/duckdb";
import { toGlueColumns, toGluePartitionKeys } from "@app/core/schema/glue";
import { TABLES, tableByName } from "@app/core/sources/index";
import type { Command } from "commander";
import { InputError } from "../errors.ts";

export function registerSchema(program: Command): void {
  program
    .command("schema")
    .description("Print table schemas as Glue columns, DuckDB DDL or JSON (all derived from the one schema)")
    .argument("[table]", `one of ${TABLES.map((t) => t.name).join(", ")}`)
    .option("--format <format>", "glue, duckdb or json", "json")
    .action((name: string | undefined, opts: { format: string }) => {
      const tables = name ? [tableByName(name)] : TABLES;
      if (tables[0] === undefined)
        throw new InputError(`unknown table ${name} (one of ${TABLES.map((t) => t.name).join(", ")})`);
      const out = tables.map((t) => {
        if (!t) throw new InputError(`unknown table ${name}`);
        if (opts.format === "glue")
          return { table: t.name, columns: toGlueColumns(t), partitionKeys: toGluePartitionKeys() };
        if (opts.format === "duckdb") return toDuckDbView(t, "<lake>");
        if (opts.format === "json") {
          return {
            table: t.name,
            description: t.description,
            timeColumn: t.timeColumn,
            columns: t.columns,
            duckdb: toDuckDbColumns(t),
          };
        }
        throw new InputError(`--format ${opts.format}: use glue, duckdb or json`);
      });
      const text = opts.format === "duckdb" ? `${out.join(";\n\n")};` : JSON.stringify(name ? out[0] : out, null, 2);
      process.stdout.write(`${text}\n`);
    });
}
