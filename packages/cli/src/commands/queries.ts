import { PARAM_TYPES } from "@app/core/queries/header";
import type { Command } from "commander";
import { chosenFormat, formatOptions, formatResult } from "../output.ts";
import { readSavedQueries } from "../saved-queries.ts";
import type { Style } from "../ui.ts";

const SEVERITY_STYLE: Record<string, Style> = {
  critical: "red",
  high: "red",
  medium: "yellow",
  low: "blue",
  info: "dim",
};

/** `loglake queries`: the saved queries with their severity, parameters, report and description. */
export function registerQueries(program: Command): void {
  const cmd = program
    .command("queries")
    .description("List the saved queries: id, severity, parameters, report and description")
    .option("--queries <dir>", "saved queries folder (default: the repository's queries/)");
  for (const o of formatOptions()) cmd.addOption(o);
  cmd.action(async (opts: { queries?: string; format?: string; json?: boolean }) => {
    const format = chosenFormat(opts);
    const queries = await readSavedQueries(opts.queries);
    const entries = queries.map((q) => {
      const params = [...new Set(q.params)];
      return {
        id: q.id,
        severity: q.severity,
        params: format === "json" ? Object.fromEntries(params.map((p) => [p, PARAM_TYPES[p]])) : params.join(","),
        report: q.report ?? null,
        tables: q.tables.join(","),
        name: q.name,
        description: q.description,
      };
    });
    if (format === "json") {
      process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
      return;
    }
    const columns = ["id", "severity", "params", "report", "tables", "description"] as const;
    const result = {
      columns: columns.map((name) => ({ name, kind: "string" as const })),
      rows: entries.map((e) => Object.fromEntries(columns.map((c) => [c, e[c] as string | null]))),
    };
    process.stdout.write(
      formatResult(result, format, {
        style: (column, value) => (column === "severity" ? SEVERITY_STYLE[String(value)] : undefined),
      }),
    );
  });
}
