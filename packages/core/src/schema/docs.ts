import type { TableDef } from "./table.ts";

/**
 * A Markdown table of where each column of a table is read from, in order of preference, as the schema declares
 * it: the README publishes it and a test keeps the two equal.
 *
 * @example
 * toFieldTable(appEventsTable) // "| column | type | read from (first usable wins) |\n| --- | --- | --- |\n…"
 */
export function toFieldTable(table: TableDef): string {
  const lines = ["| column | type | read from (first usable wins) |", "| --- | --- | --- |"];
  for (const [name, col] of Object.entries(table.columns)) {
    let from: string;
    if (col.rest) from = "every field no other column used, as written";
    else if (col.from && col.from.length > 0) {
      from = col.from.map((f) => `\`${f.path}\`${f.note ? ` (${f.note})` : ""}`).join(", ");
    } else continue;
    lines.push(`| \`${name}\` | ${col.type} | ${from} |`);
  }
  return lines.join("\n");
}

const BLOCK = /(<!-- fields:([a-z_]+) -->\n)[\s\S]*?(<!-- \/fields:\2 -->)/g;

/**
 * Text with every `<!-- fields:<table> -->` … `<!-- /fields:<table> -->` block holding that table's `toFieldTable`.
 * Throws for a block naming no table.
 */
export function fillFieldTables(text: string, tables: readonly TableDef[]): string {
  return text.replace(BLOCK, (_all, open: string, name: string, close: string) => {
    const table = tables.find((t) => t.name === name);
    if (!table) throw new Error(`fields block names no table: ${name}`);
    return `${open}${toFieldTable(table)}\n${close}`;
  });
}
