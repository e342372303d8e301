import {
  allowlistRows,
  CONFIG_TABLES,
  configTableFile,
  DEFAULT_DETECTION_SETTINGS,
  toDuckDbConfigRowsView,
  toDuckDbConfigView,
} from "@app/core/detections/allowlist";
import { type Cell, kindOfType, type QueryResult, type QueryRunner, toCell } from "@app/core/queries/result";
import { toDuckDbEmptyView, toDuckDbView } from "@app/core/schema/duckdb";
import { quoteIdent } from "@app/core/schema/sql";
import { TABLES } from "@app/core/sources/index";
import { type DuckDBConnection, type DuckDBResultReader, StatementType } from "@duckdb/node-api";
import { lakeReadFiles } from "./compaction-manifest.ts";
import { installTrinoCompat } from "./compat.ts";
import { openDuckDb } from "./duckdb.ts";
import { LOCAL_SCAN_MEASURE, type ScanMeter } from "./scan-meter.ts";
import type { LakeStore } from "./store.ts";

/**
 * Opens DuckDB over a local lake directory with one view per table, named exactly as the table.
 * Tables without files get an empty view of the same shape, so every saved query runs on any lake; the Trino
 * compatibility macros are installed so saved queries run unchanged. A table a compaction is part way through is read
 * through its compaction manifest (`lakeReadFiles`), so no row is counted twice or missed. A config table the lake lacks is a view over
 * the default settings' rows, so detections never read an empty allow-list threshold.
 */
export async function openLake(store: LakeStore & { root: string }, db?: DuckDBConnection): Promise<DuckDBConnection> {
  const conn = db ?? (await openDuckDb({ threads: 2 }));
  await installTrinoCompat(conn);
  for (const table of TABLES) {
    const files = (await store.list(table.name)).filter((f) => f.endsWith(".parquet"));
    const read = await lakeReadFiles(store, table.name, files);
    await conn.run(
      read.length === 0
        ? toDuckDbEmptyView(table)
        : toDuckDbView(table, store.root, read.length === files.length ? undefined : read),
    );
  }
  for (const table of CONFIG_TABLES) {
    const file = configTableFile(table);
    const written = (await store.list(table.name)).includes(file);
    await conn.run(
      written
        ? toDuckDbConfigView(table, store.root)
        : toDuckDbConfigRowsView(table, allowlistRows(DEFAULT_DETECTION_SETTINGS)),
    );
  }
  return conn;
}

/**
 * Limits what SQL on this connection can touch to files below `directories` (the lake and its cache): no other
 * file is read or written, no extension is installed or loaded, and the settings are locked so SQL cannot lift it.
 */
export async function confineToDirectories(
  connection: DuckDBConnection,
  directories: readonly string[],
): Promise<void> {
  const list = directories.map((d) => `'${(d.endsWith("/") ? d : `${d}/`).replaceAll("'", "''")}'`).join(", ");
  await connection.run(`SET allowed_directories = [${list}]`);
  await connection.run("SET enable_external_access = false");
  await connection.run("SET lock_configuration = true");
}

/**
 * Statement kinds user SQL may run on a confined connection. Everything else is refused: COPY and EXPORT write
 * files (even inside the lake), ATTACH opens database files, INSTALL and LOAD bring in code, and PREPARE/EXECUTE
 * would hide any of those behind a name.
 */
const SAFE_STATEMENTS: ReadonlySet<StatementType> = new Set([
  StatementType.SELECT,
  StatementType.EXPLAIN,
  StatementType.PRAGMA,
  StatementType.CALL,
  StatementType.CREATE,
  StatementType.CREATE_FUNC,
  StatementType.DROP,
  StatementType.INSERT,
  StatementType.UPDATE,
  StatementType.DELETE,
  StatementType.ALTER,
  StatementType.SET,
  StatementType.VARIABLE_SET,
  StatementType.TRANSACTION,
  StatementType.ANALYZE,
  StatementType.MERGE_INTO,
]);

/** User SQL refused before it ran: a statement kind a confined connection does not run, or a wrong value count. */
export class RefusedSqlError extends Error {
  override name = "RefusedSqlError";
}

const REFUSED_NAMES: Partial<Record<StatementType, string>> = {
  [StatementType.COPY]: "COPY",
  [StatementType.COPY_DATABASE]: "COPY FROM DATABASE",
  [StatementType.EXPORT]: "EXPORT DATABASE",
  [StatementType.ATTACH]: "ATTACH",
  [StatementType.DETACH]: "DETACH",
  [StatementType.LOAD]: "INSTALL/LOAD",
  [StatementType.UPDATE_EXTENSIONS]: "UPDATE EXTENSIONS",
  [StatementType.EXTENSION]: "an extension statement",
  [StatementType.PREPARE]: "PREPARE",
  [StatementType.EXECUTE]: "EXECUTE",
};

/**
 * Runs user SQL (one or more statements) and returns the last statement's rows. Positional `?` values are bound as
 * VARCHAR, statement by statement in order. Unless `unsafe`, every statement is checked before any runs: only
 * reading and in-memory statements are allowed (see `SAFE_STATEMENTS`). Timestamps keep every digit DuckDB has.
 */
export async function runUserSql(
  connection: DuckDBConnection,
  sql: string,
  values: readonly string[],
  options: { unsafe?: boolean } = {},
): Promise<QueryResult> {
  const extracted = await connection.extractStatements(sql);
  const prepared = [];
  try {
    for (let i = 0; i < extracted.count; i++) {
      const p = await extracted.prepare(i);
      prepared.push(p);
      if (!options.unsafe && !SAFE_STATEMENTS.has(p.statementType)) {
        const what = REFUSED_NAMES[p.statementType] ?? `statement type ${StatementType[p.statementType]}`;
        throw new RefusedSqlError(
          `${what} is refused: queries read the lake and write nothing (give --unsafe to run it anyway)`,
        );
      }
    }
    const needed = prepared.reduce((n, p) => n + p.parameterCount, 0);
    if (needed !== values.length)
      throw new RefusedSqlError(`the SQL has ${needed} "?" placeholders but ${values.length} values were given`);
    let next = 0;
    let result: QueryResult = { columns: [], rows: [] };
    for (const p of prepared) {
      for (let i = 1; i <= p.parameterCount; i++) p.bindVarchar(i, values[next++] as string);
      result = readResult(await p.runAndReadAll(), "exact");
    }
    return result;
  } finally {
    for (const p of prepared) p.destroySync();
  }
}

/**
 * A result normalised the way the Athena runner normalises one: typed cells, timestamps as ISO-8601 UTC, and
 * column names made unique (`n`, `n_1`) so that no column is lost in a row object.
 */
function readResult(reader: DuckDBResultReader, precision: "milliseconds" | "exact"): QueryResult {
  const seen = new Set<string>();
  const names = reader.columnNames().map((name) => {
    let unique = name;
    for (let i = 1; seen.has(unique); i++) unique = `${name}_${i}`;
    seen.add(unique);
    return unique;
  });
  const kinds = reader.columnTypes().map((t) => kindOfType(t.toString()));
  const columns = names.map((name, i) => ({ name, kind: kinds[i] ?? "string" }));
  const rows = reader.getRowsJson().map((r) => {
    const row: Record<string, Cell> = {};
    columns.forEach((c, i) => {
      row[c.name] = toCell(r[i], c.kind, precision);
    });
    return row;
  });
  return { columns, rows };
}

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
    return readResult(await prepared.runAndReadAll(), "milliseconds");
  } finally {
    prepared.destroySync();
  }
}

/**
 * Runs saved queries on a DuckDB connection opened with `openLake` (Trino compatibility macros installed). A
 * candidate scan is materialised as a temporary table named like the lake table, which the detections' unchanged
 * statements then read instead of the lake view, and dropped afterwards. With `meter`, each lake scan's files and
 * bytes are measured.
 */
export function duckDbRunner(connection: DuckDBConnection, opts: { meter?: ScanMeter } = {}): QueryRunner {
  const { meter } = opts;
  return {
    engine: "duckdb",
    ...(meter ? { scanMeasure: LOCAL_SCAN_MEASURE } : {}),
    async run(query, values) {
      const result = await runPrepared(connection, query.sql, values);
      if (!meter) return result;
      return {
        ...result,
        scanned: await meter({ sql: query.sql, tables: query.tables, params: query.params, values }),
      };
    },
    async runScan(scan, values, detectionValues) {
      const temp = `temp.main.${quoteIdent(scan.table)}`;
      const candidates = await runPrepared(
        connection,
        `CREATE TEMP TABLE ${quoteIdent(scan.table)} AS ${scan.sql}`,
        values,
      );
      try {
        const results: QueryResult[] = [];
        for (const [i, d] of scan.detections.entries())
          results.push(await runPrepared(connection, d.sql, detectionValues[i] ?? []));
        const scanned = meter
          ? await meter({ sql: scan.sql, tables: [scan.table, ...scan.reads], params: scan.params, values })
          : undefined;
        return { candidates: Number(candidates.rows[0]?.Count ?? 0), results, ...(scanned ? { scanned } : {}) };
      } finally {
        await connection.run(`DROP TABLE IF EXISTS ${temp}`);
      }
    },
  };
}
