import { toDuckDbColumns, toDuckDbView } from "@app/core/schema/duckdb";
import { toGlueColumns, toGluePartitionKeys } from "@app/core/schema/glue";
import type { TableDef } from "@app/core/schema/table";
import { TABLES } from "@app/core/sources/index";
import type { Command } from "commander";
import { chosenFormat, formatOptions, formatResult } from "../output.ts";
import { oneOf } from "../values.ts";

const EXTRA = ["glue", "duckdb"] as const;

function columnRows(tables: readonly TableDef[]) {
  return tables.flatMap((t) => {
    const duckdb = new Map(toDuckDbColumns(t).map((c) => [c.name, c.type]));
    return Object.entries(t.columns).map(([name, c]) => ({
      table: t.name,
      column: name,
      type: duckdb.get(name) ?? c.type,
      nullable: c.nullable ? "yes" : "no",
      description: c.description,
    }));
  });
}

export function registerSchema(program: Command): void {
  const cmd = program
    .command("schema")
    .description("Print table schemas: a column table, CSV, JSON, Glue columns or DuckDB DDL (all from the one schema)")
    .argument("[table]", `one of ${TABLES.map((t) => t.name).join(", ")}`);
  for (const o of formatOptions(EXTRA)) cmd.addOption(o);
  cmd.action((name: string | undefined, opts: { format?: string; json?: boolean }) => {
    const format = chosenFormat(opts, EXTRA);
    const tables = name
      ? [
          TABLES.find(
            (t) =>
              t.name ===
              oneOf(
                "schema",
                name,
                TABLES.map((t) => t.name),
                "table",
              ),
          ) as TableDef,
        ]
      : TABLES;
    let text: string;
    if (format === "duckdb") text = `${tables.map((t) => toDuckDbView(t, "<lake>")).join(";\n\n")};\n`;
    else if (format === "glue" || format === "json") {
      const out = tables.map((t) =>
        format === "glue"
          ? { table: t.name, columns: toGlueColumns(t), partitionKeys: toGluePartitionKeys() }
          : {
              table: t.name,
              description: t.description,
              timeColumn: t.timeColumn,
              columns: t.columns,
              duckdb: toDuckDbColumns(t),
            },
      );
      text = `${JSON.stringify(name ? out[0] : out, null, 2)}\n`;
    } else {
      const rows = columnRows(tables);
      const columns = ["table", "column", "type", "nullable", "description"].map((n) => ({
        name: n,
        kind: "string" as const,
      }));
      text = formatResult({ columns, rows }, format);
    }
    process.stdout.write(text);
  });
}
