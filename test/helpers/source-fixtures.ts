import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ingestObject, type RowSink } from "@app/core/ingest/pipeline";
import { columnNames, type TableDef } from "@app/core/schema/table";
import { SOURCES } from "@app/core/sources/index";
import type { SourceId, SourceOptions } from "@app/core/sources/types";
import { isIsoUtc } from "@app/core/time";
import { expect } from "vitest";

/** Lineage time every source fixture is ingested with. */
export const INGEST_TIME = "2024-05-02T00:00:00Z";

/** Feeds bytes in chunks of `size`, so records, UTF-8 sequences and gzip blocks straddle chunk boundaries. */
export async function* chunked(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** Runs bytes through the real pipeline with every registered source and collects the rows per table. */
export async function ingestFixture(
  bytes: Uint8Array,
  key: string,
  sourceObject: string,
  chunkSize: number,
  forced?: SourceId,
  options: SourceOptions = {},
) {
  const rows: Record<string, Record<string, unknown>[]> = {};
  const sink: RowSink = {
    write(table, row) {
      rows[table.name] ??= [];
      rows[table.name]?.push({ ...row });
    },
  };
  const summary = await ingestObject({
    sources: SOURCES,
    bytes: chunked(bytes, chunkSize),
    context: { key, options },
    lineage: { sourceObject, ingestTime: INGEST_TIME },
    sink,
    forced,
  });
  return { summary, rows };
}

/** Problems of one row against its table: missing or extra columns, wrong value types. */
export function schemaProblems(table: TableDef, row: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const names = columnNames(table);
  for (const key of Object.keys(row)) if (!names.includes(key)) problems.push(`extra column ${key}`);
  for (const name of names) {
    const col = table.columns[name];
    const v = row[name];
    if (!col || v === undefined) problems.push(`missing column ${name}`);
    else if (v === null) {
      if (!col.nullable) problems.push(`${name} is null`);
    } else if (col.type === "string" && typeof v !== "string") problems.push(`${name} not a string`);
    else if (col.type === "boolean" && typeof v !== "boolean") problems.push(`${name} not a boolean`);
    else if ((col.type === "int32" || col.type === "int64") && !Number.isSafeInteger(v))
      problems.push(`${name} bad int`);
    else if (col.type === "double" && (typeof v !== "number" || !Number.isFinite(v)))
      problems.push(`${name} bad double`);
    else if (col.type === "timestamp" && (typeof v !== "string" || !isIsoUtc(v))) problems.push(`${name} bad time`);
    else if (col.type === "json" && (typeof v !== "string" || JSON.parse(v) === undefined))
      problems.push(`${name} bad json`);
  }
  return problems;
}

/** Sum of a summary's per-reason or per-table counts. */
export const count = (o: Record<string, number | undefined>): number =>
  Object.values(o).reduce<number>((a, b) => a + (b ?? 0), 0);

/**
 * Ingests arbitrary bytes through the real pipeline and asserts the invariants every source keeps: nothing throws,
 * records = rows + quarantined + skipped, every row, child row and quarantine entry reaches the sink, and each fits its table.
 */
export async function expectIngestInvariants(bytes: Uint8Array, key: string, chunkSize: number, forced: SourceId) {
  const written: { table: TableDef; row: Record<string, unknown> }[] = [];
  const summary = await ingestObject({
    sources: SOURCES,
    bytes: chunked(bytes, chunkSize),
    context: { key, options: {} },
    lineage: { sourceObject: "x", ingestTime: INGEST_TIME },
    sink: { write: (table, row) => void written.push({ table, row }) },
    forced,
  });
  expect(summary.records).toBe(count(summary.rows) + count(summary.quarantined) + count(summary.skipped));
  expect(written.length).toBe(count(summary.rows) + count(summary.quarantined) + count(summary.child_rows ?? {}));
  for (const { table, row } of written) expect(schemaProblems(table, row)).toStrictEqual([]);
}

/** Root of the source fixtures: one directory per registered source id. */
export const SOURCE_FIXTURES = join(import.meta.dirname, "../fixtures/sources");

const EXPECTED = ".expected.json";

/** What `<case>.expected.json` records about its input. */
export interface ExpectedIngest {
  description: string;
  /** Object key the pipeline sees (default: the input file name). */
  key?: string;
  /** Source id to force, as `--source` does (default: detection by key, then by content). */
  source?: SourceId;
  options?: SourceOptions;
  summary: unknown;
  rows: Record<string, Record<string, unknown>[]>;
}

/** One input file of a source's fixture directory. */
export interface FixtureCase {
  source: SourceId;
  /** File name up to its first dot: `<case>.<ext>` is read, `<case>.expected.json` holds what it must produce. */
  name: string;
  file: string;
  path: string;
  expectedPath: string;
}

/**
 * Walks `SOURCES` x `test/fixtures/sources/<id>/`. Returns every case, and every way the tree breaks the naming rule:
 * a registered source without a directory or without cases, a directory no source owns, an input without its
 * expected file, an expected file without its input, two inputs with one case name.
 */
export function sourceFixtureCases(root = SOURCE_FIXTURES): { cases: FixtureCase[]; problems: string[] } {
  const problems: string[] = [];
  const cases: FixtureCase[] = [];
  const ids = new Set<string>(SOURCES.map((s) => s.id));
  const dirs = readdirSync(root, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const d of dirs) if (!ids.has(d.name)) problems.push(`${d.name}: no registered source has this id`);
  for (const { id } of SOURCES) {
    if (!dirs.some((d) => d.name === id && d.isDirectory())) {
      problems.push(`${id}: no fixture directory`);
      continue;
    }
    const files = readdirSync(join(root, id)).sort();
    const inputs = files.filter((f) => !f.endsWith(EXPECTED));
    if (inputs.length === 0) problems.push(`${id}: no fixture cases`);
    const names = new Set<string>();
    for (const file of inputs) {
      const name = file.includes(".") ? file.slice(0, file.indexOf(".")) : file;
      if (names.has(name)) problems.push(`${id}/${file}: another input has the case name ${name}`);
      names.add(name);
      if (!files.includes(`${name}${EXPECTED}`)) problems.push(`${id}/${file}: no ${name}${EXPECTED}`);
      else
        cases.push({
          source: id,
          name,
          file,
          path: join(root, id, file),
          expectedPath: join(root, id, name + EXPECTED),
        });
    }
    for (const file of files.filter((f) => f.endsWith(EXPECTED)))
      if (!names.has(file.slice(0, -EXPECTED.length))) problems.push(`${id}/${file}: no input`);
  }
  return { cases, problems };
}

/** Ingests a case through the real pipeline as its expected file says, lineage `fixture://<source>/<file>`. */
export async function ingestCase(c: FixtureCase, chunkSize: number) {
  const expected = readExpected(c);
  const bytes = new Uint8Array(readFileSync(c.path));
  const sourceObject = `fixture://${c.source}/${c.file}`;
  return ingestFixture(bytes, expected.key ?? c.file, sourceObject, chunkSize, expected.source, expected.options);
}

/** The parsed `<case>.expected.json` of a case. */
export function readExpected(c: FixtureCase): ExpectedIngest {
  return JSON.parse(readFileSync(c.expectedPath, "utf8")) as ExpectedIngest;
}
