import type { SavedQuery } from "@app/core/queries/header";
import { type Cell, kindOfType, type QueryResult, type QueryRunner, toCell } from "@app/core/queries/result";
import { quoteLiteral } from "@app/core/schema/sql";
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

/**
 * Runs one statement: StartQueryExecution in the workgroup with positional execution parameters, status polling
 * with exponential backoff, then every page of GetQueryResults (the first row of the first page repeats the column
 * names and is skipped). Values are normalised as the DuckDB runner does, so reports compare across engines.
 */
export async function runAthenaQuery(
  opts: AthenaRunnerOptions,
  sql: string,
  values: readonly string[],
): Promise<QueryResult> {
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
  for (;;) {
    const status: GetQueryExecutionCommandOutput = await opts.client.send(
      new GetQueryExecutionCommand({ QueryExecutionId: id }),
    );
    const state = status.QueryExecution?.Status?.State;
    if (state === "SUCCEEDED") break;
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

  let columns: QueryResult["columns"] | undefined;
  const rows: Record<string, Cell>[] = [];
  let first = true;
  for await (const page of paginateGetQueryResults({ client: opts.client, pageSize: 1000 }, { QueryExecutionId: id })) {
    columns ??= (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => ({
      name: c.Name ?? c.Label ?? "",
      kind: kindOfType(c.Type ?? "varchar"),
    }));
    const data = page.ResultSet?.Rows ?? [];
    for (const [i, r] of data.entries()) {
      if (first && i === 0) continue;
      const row: Record<string, Cell> = {};
      columns.forEach((c, j) => {
        row[c.name] = toCell(r.Data?.[j]?.VarCharValue, c.kind);
      });
      rows.push(row);
    }
    first = false;
  }
  return { columns: columns ?? [], rows };
}

/** Runs saved queries on Athena; Athena has no local emulator, so its tests mock the client. */
export function athenaRunner(opts: AthenaRunnerOptions): QueryRunner {
  return {
    engine: `athena (${opts.workGroup})`,
    run: (query: SavedQuery, values: readonly string[]) => runAthenaQuery(opts, query.sql, values),
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
