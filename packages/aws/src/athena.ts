import type { SavedQuery } from "@app/core/queries/header";
import { type Cell, kindOfType, type QueryResult, type QueryRunner, toCell } from "@app/core/queries/result";
import { quoteIdent, quoteLiteral } from "@app/core/schema/sql";
import { runOverRows } from "@app/lake/candidates";
import {
  type AthenaClient,
  GetQueryExecutionCommand,
  type GetQueryExecutionCommandOutput,
  paginateGetQueryResults,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import type { S3Client } from "@aws-sdk/client-s3";
import { putObject } from "./s3.ts";

/** Where and how saved queries run on Athena. */
export interface AthenaRunnerOptions {
  client: AthenaClient;
  workGroup: string;
  database: string;
  /** Data catalog; Athena's default is `AwsDataCatalog`. */
  catalog?: string;
  /** Result location, when the workgroup does not enforce its own. */
  outputLocation?: string;
  /** First wait between status checks; each next wait doubles up to `pollMaxMs`. */
  pollInitialMs?: number;
  pollMaxMs?: number;
  /** Give up (and stop the query) after this long. */
  timeoutMs?: number;
  /** Injected so tests do not wait; defaults to a timer. */
  sleep?: (ms: number) => Promise<void>;
}

/** A query that ended FAILED or CANCELLED on Athena, or ran past the timeout. */
export class AthenaQueryError extends Error {
  override name = "AthenaQueryError";
  constructor(
    message: string,
    readonly queryExecutionId: string,
  ) {
    super(message);
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * An execution parameter as Athena takes it: the value is substituted as SQL text, so strings travel as quoted
 * literals (`'2024-03-08'`). Quoting here, with `''` escapes, keeps values from ever becoming SQL.
 */
export function executionParameter(value: string): string {
  return quoteLiteral(value);
}

/** One statement's result as Athena returns it: column names and types, values as text (undefined for NULL). */
export interface AthenaRawResult {
  columns: { name: string; type: string }[];
  rows: (string | undefined)[][];
  /** `Statistics.DataScannedInBytes` of the execution. */
  scannedBytes?: number;
}

/**
 * Runs one statement: StartQueryExecution in the workgroup with positional execution parameters, status polling
 * with exponential backoff, then every page of GetQueryResults (the first row of the first page repeats the column
 * names and is skipped). Values stay Athena's text.
 */
export async function fetchAthenaQuery(
  opts: AthenaRunnerOptions,
  sql: string,
  values: readonly string[],
): Promise<AthenaRawResult> {
  const sleep = opts.sleep ?? defaultSleep;
  const started = await opts.client.send(
    new StartQueryExecutionCommand({
      QueryString: sql,
      WorkGroup: opts.workGroup,
      QueryExecutionContext: { Database: opts.database, ...(opts.catalog ? { Catalog: opts.catalog } : {}) },
      ...(values.length > 0 ? { ExecutionParameters: values.map(executionParameter) } : {}),
      ...(opts.outputLocation ? { ResultConfiguration: { OutputLocation: opts.outputLocation } } : {}),
    }),
  );
  const id = started.QueryExecutionId;
  if (!id) throw new Error("StartQueryExecution returned no QueryExecutionId");

  const timeoutMs = opts.timeoutMs ?? 15 * 60_000;
  const maxWait = opts.pollMaxMs ?? 5_000;
  let wait = opts.pollInitialMs ?? 250;
  let waited = 0;
  let scannedBytes: number | undefined;
  for (;;) {
    const status: GetQueryExecutionCommandOutput = await opts.client.send(
      new GetQueryExecutionCommand({ QueryExecutionId: id }),
    );
    const state = status.QueryExecution?.Status?.State;
    if (state === "SUCCEEDED") {
      scannedBytes = status.QueryExecution?.Statistics?.DataScannedInBytes;
      break;
    }
    if (state === "FAILED" || state === "CANCELLED") {
      const reason =
        status.QueryExecution?.Status?.AthenaError?.ErrorMessage ??
        status.QueryExecution?.Status?.StateChangeReason ??
        "no reason given";
      throw new AthenaQueryError(`Athena query ${id} ${state}: ${reason}`, id);
    }
    if (waited >= timeoutMs) {
      await opts.client.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
      throw new AthenaQueryError(`Athena query ${id} still ${state ?? "pending"} after ${timeoutMs} ms; stopped`, id);
    }
    await sleep(wait);
    waited += wait;
    wait = Math.min(wait * 2, maxWait);
  }

  let columns: AthenaRawResult["columns"] | undefined;
  const rows: AthenaRawResult["rows"] = [];
  let first = true;
  for await (const page of paginateGetQueryResults({ client: opts.client, pageSize: 1000 }, { QueryExecutionId: id })) {
    columns ??= (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => ({
      name: c.Name ?? c.Label ?? "",
      type: c.Type ?? "varchar",
    }));
    const data = page.ResultSet?.Rows ?? [];
    for (const [i, r] of data.entries()) {
      if (first && i === 0) continue;
      rows.push(columns.map((_, j) => r.Data?.[j]?.VarCharValue));
    }
    first = false;
  }
  return { columns: columns ?? [], rows, ...(scannedBytes !== undefined ? { scannedBytes } : {}) };
}

/**
 * Runs one statement (see `fetchAthenaQuery`). Values are normalised as the DuckDB runner does, so reports compare
 * across engines; `scanned` carries the execution's `DataScannedInBytes`.
 */
export async function runAthenaQuery(
  opts: AthenaRunnerOptions,
  sql: string,
  values: readonly string[],
): Promise<QueryResult> {
  const raw = await fetchAthenaQuery(opts, sql, values);
  const columns = raw.columns.map((c) => ({ name: c.name, kind: kindOfType(c.type) }));
  const rows = raw.rows.map((r) => {
    const row: Record<string, Cell> = {};
    columns.forEach((c, j) => {
      row[c.name] = toCell(r[j], c.kind);
    });
    return row;
  });
  return { columns, rows, ...(raw.scannedBytes !== undefined ? { scanned: { bytes: raw.scannedBytes } } : {}) };
}

/**
 * Runs saved queries on Athena; Athena has no local emulator, so its tests mock the client. A candidate scan is one
 * Athena execution (plus one per configuration table its conditions read); its rows are loaded into an embedded
 * DuckDB, where each detection's unchanged statement runs over them.
 */
export function athenaRunner(opts: AthenaRunnerOptions): QueryRunner {
  return {
    engine: `athena (${opts.workGroup})`,
    scanMeasure: "Athena: DataScannedInBytes of each query execution",
    run: (query: SavedQuery, values: readonly string[]) => runAthenaQuery(opts, query.sql, values),
    async runScan(scan, values, detectionValues) {
      const fetched = [{ table: scan.table, raw: await fetchAthenaQuery(opts, scan.sql, values) }];
      for (const t of scan.reads)
        fetched.push({ table: t, raw: await fetchAthenaQuery(opts, `SELECT * FROM ${quoteIdent(t)}`, []) });
      const results = await runOverRows({
        tables: fetched.map((f) => ({ name: f.table, columns: f.raw.columns.map((c) => c.name), rows: f.raw.rows })),
        statements: scan.detections.map((d, i) => ({ sql: d.sql, values: detectionValues[i] ?? [] })),
      });
      const measured = fetched.map((f) => f.raw.scannedBytes);
      const bytes = measured.every((b) => b !== undefined) ? measured.reduce((a, b) => a + b, 0) : undefined;
      return {
        candidates: fetched[0]?.raw.rows.length ?? 0,
        results,
        ...(bytes !== undefined ? { scanned: { bytes } } : {}),
      };
    },
  };
}

/** A report sink that writes each file as an S3 object below `prefix`, checksummed. */
export function s3ReportSink(
  s3: S3Client,
  bucket: string,
  prefix = "",
): {
  location: string;
  put(relPath: string, body: string, contentType: string): Promise<void>;
} {
  const base = prefix.replace(/^\/+|\/+$/g, "");
  return {
    location: `s3://${bucket}${base ? `/${base}` : ""}`,
    put: (relPath, body, contentType) =>
      putObject(s3, { bucket, key: base ? `${base}/${relPath}` : relPath, body, contentType }),
  };
}
