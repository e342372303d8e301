import { SOURCES } from "@app/core/sources/index";
import type { Command } from "commander";
import { chosenFormat, formatOptions, formatResult } from "../output.ts";

/** `loglake sources`: the registered log sources, the tables they write and what they read. */
export function registerSources(program: Command): void {
  const cmd = program
    .command("sources")
    .description("List the log sources loglake reads (the ids --source takes) and the tables they write");
  for (const o of formatOptions()) cmd.addOption(o);
  cmd.action((opts: { format?: string; json?: boolean }) => {
    const format = chosenFormat(opts);
    const rows = SOURCES.map((s) => ({
      id: s.id,
      tables: s.tables.map((t) => t.name).join(","),
      description: s.description,
    }));
    if (format === "json") {
      const entries = SOURCES.map((s) => ({
        id: s.id,
        tables: s.tables.map((t) => t.name),
        description: s.description,
      }));
      process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
      return;
    }
    const columns = ["id", "tables", "description"].map((name) => ({ name, kind: "string" as const }));
    process.stdout.write(formatResult({ columns, rows }, format));
  });
}
