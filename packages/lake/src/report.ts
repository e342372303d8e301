import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { loadQueries } from "@app/core/queries/catalog";
import type { SavedQuery } from "@app/core/queries/header";
import { type Cell, kindOfType, type QueryResult, type QueryRunner, toCell } from "@app/core/queries/result";
import { type ReportData, type ReportFile, reportFiles, reportPrefix } from "@app/core/reports/report";
import { TABLES } from "@app/core/sources/index";
import type { DuckDBConnection } from "@duckdb/node-api";

/**
 * Runs one statement on DuckDB as a prepared statement with positional `?` values bound as VARCHAR (never spliced
 * into the SQL), and normalises the result the way the Athena runner does.
 */
export async function runPrepared(
  connection: DuckDBConnection,
  sql: string,
  values: readonly string[],
): Promise<QueryResult> {
  const prepared = await connection.prepare(sql);
  try {
    if (prepared.parameterCount !== values.length)
      throw new Error(`the statement has ${prepared.parameterCount} parameters but ${values.length} values were given`);
    values.forEach((v, i) => {
      prepared.bindVarchar(i + 1, v);
    });
    const reader = await prepared.runAndReadAll();
    const names = reader.columnNames();
    const kinds = reader.columnTypes().map((t) => kindOfType(t.toString()));
    const columns = names.map((name, i) => ({ name, kind: kinds[i] ?? "string" }));
    const rows = reader.getRowsJson().map((r) => {
      const row: Record<string, Cell> = {};
      columns.forEach((c, i) => {
        row[c.name] = toCell(r[i], c.kind);
      });
      return row;
    });
    return { columns, rows };
  } finally {
    prepared.destroySync();
  }
}

/** Runs saved queries on a DuckDB connection opened with `openLake` (Trino compatibility macros installed). */
export function duckDbRunner(connection: DuckDBConnection): QueryRunner {
  return {
    engine: "duckdb",
    run: (query, values) => runPrepared(connection, query.sql, values),
  };
}

/** Reads and validates every `.sql` file under a `queries/` folder. */
export async function loadQueryDir(dir: string): Promise<SavedQuery[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = await Promise.all(
    entries
      .filter((e) => e.isFile() && e.name.endsWith(".sql"))
      .map(async (e) => {
        const abs = join(e.parentPath, e.name);
        return { path: relative(dir, abs).split(sep).join("/"), text: await readFile(abs, "utf8") };
      }),
  );
  return loadQueries(
    files,
    TABLES.map((t) => t.name),
  );
}

/** Where report files are written: a local folder, or an object store through an adapter. */
export interface ReportSink {
  readonly location: string;
  put(relPath: string, body: string, contentType: string): Promise<void>;
}

/** A report sink on the local file system. */
export function localReportSink(root: string): ReportSink {
  return {
    location: root,
    async put(relPath, body) {
      const target = join(root, ...relPath.split("/"));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, body);
    },
  };
}

/** Writes every file of a report under `reports/<report>/<period label>/` and returns their relative paths. */
export async function writeReport(data: ReportData, sink: ReportSink): Promise<string[]> {
  const prefix = reportPrefix(data.summary.report, data.summary.period);
  const written: string[] = [];
  const files: ReportFile[] = reportFiles(data);
  for (const f of files) {
    const rel = `${prefix}/${f.name}`;
    await sink.put(rel, f.body, f.contentType);
    written.push(rel);
  }
  return written;
}
