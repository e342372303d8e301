// Athena has no local emulator (fauxqs and kinesalite cover SQS, S3 and Kinesis only), so this test mocks the
// Athena client with aws-sdk-client-mock and checks the exact commands the runner sends and how it reads pages.

import { AthenaQueryError, athenaRunner, executionParameter, runAthenaQuery } from "@app/aws/athena";
import type { SavedQuery } from "@app/core/queries/header";
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";

const athena = mockClient(AthenaClient);
const client = new AthenaClient({ region: "us-east-1" });
const SQL = "SELECT event_time, event_name, calls FROM cloudtrail WHERE dt BETWEEN ? AND ?";

const columns = [
  { Name: "event_time", Type: "timestamp" },
  { Name: "event_name", Type: "varchar" },
  { Name: "calls", Type: "bigint" },
];
const header = { Data: [{ VarCharValue: "event_time" }, { VarCharValue: "event_name" }, { VarCharValue: "calls" }] };
const row = (t: string, name: string | undefined, calls: string) => ({
  Data: [{ VarCharValue: t }, name === undefined ? {} : { VarCharValue: name }, { VarCharValue: calls }],
});

function options(sleeps: number[]) {
  return {
    client,
    workGroup: "loglake",
    database: "loglake_prod",
    pollInitialMs: 100,
    pollMaxMs: 400,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
  };
}

beforeEach(() => {
  athena.reset();
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: "qe-1" });
});

describe("runAthenaQuery", () => {
  it("starts the query in the workgroup with quoted execution parameters, backs off, and reads every page", async () => {
    // Arrange
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: "QUEUED" } } })
      .resolvesOnce({ QueryExecution: { Status: { State: "RUNNING" } } })
      .resolvesOnce({ QueryExecution: { Status: { State: "RUNNING" } } })
      .resolvesOnce({ QueryExecution: { Status: { State: "RUNNING" } } })
      .resolves({ QueryExecution: { Status: { State: "SUCCEEDED" } } });
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: "qe-1", NextToken: undefined })
      .resolves({
        ResultSet: {
          ResultSetMetadata: { ColumnInfo: columns },
          Rows: [header, row("2024-03-08 23:00:00.000", "StopLogging", "1")],
        },
        NextToken: "page-2",
      })
      .on(GetQueryResultsCommand, { QueryExecutionId: "qe-1", NextToken: "page-2" })
      .resolves({
        ResultSet: {
          ResultSetMetadata: { ColumnInfo: columns },
          Rows: [row("2024-03-09 06:20:00.000", undefined, "40")],
        },
      });
    const sleeps: number[] = [];
    // Act
    const result = await runAthenaQuery(options(sleeps), SQL, ["2024-03-08", "2024-03-09"]);
    // Assess
    expect(athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input)).toStrictEqual([
      {
        QueryString: SQL,
        WorkGroup: "loglake",
        QueryExecutionContext: { Database: "loglake_prod" },
        ExecutionParameters: ["'2024-03-08'", "'2024-03-09'"],
      },
    ]);
    expect(sleeps).toStrictEqual([100, 200, 400, 400]);
    // The paginator reuses one input object, so the calls are counted here; the mock above answered the second page
    // only for NextToken "page-2", which is what proves the token was passed on.
    expect(athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input.MaxResults)).toStrictEqual([
      1000, 1000,
    ]);
    expect(result).toStrictEqual({
      columns: [
        { name: "event_time", kind: "timestamp" },
        { name: "event_name", kind: "string" },
        { name: "calls", kind: "number" },
      ],
      rows: [
        { event_time: "2024-03-08T23:00:00.000Z", event_name: "StopLogging", calls: 1 },
        { event_time: "2024-03-09T06:20:00.000Z", event_name: null, calls: 40 },
      ],
    });
  });

  it("throws the reason Athena gives for a failed query", async () => {
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        Status: {
          State: "FAILED",
          StateChangeReason: "SYNTAX_ERROR",
          AthenaError: { ErrorMessage: "line 1:8: Column 'x' cannot be resolved" },
        },
      },
    });
    const error = await runAthenaQuery(options([]), SQL, ["a", "b"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AthenaQueryError);
    expect((error as AthenaQueryError).message).toBe(
      "Athena query qe-1 FAILED: line 1:8: Column 'x' cannot be resolved",
    );
    expect(athena.commandCalls(GetQueryResultsCommand)).toStrictEqual([]);
  });

  it("stops a query that runs past the timeout", async () => {
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: "RUNNING" } } });
    athena.on(StopQueryExecutionCommand).resolves({});
    const sleeps: number[] = [];
    await expect(runAthenaQuery({ ...options(sleeps), timeoutMs: 1000 }, SQL, [])).rejects.toThrow(
      "Athena query qe-1 still RUNNING after 1000 ms; stopped",
    );
    expect(sleeps).toStrictEqual([100, 200, 400, 400]);
    expect(athena.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input)).toStrictEqual([
      { QueryExecutionId: "qe-1" },
    ]);
  });

  it("sends no ExecutionParameters for a query without placeholders, and the output location when given", async () => {
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: "SUCCEEDED" } } });
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: [{ Name: "n", Type: "integer" }] },
        Rows: [{ Data: [{ VarCharValue: "n" }] }],
      },
    });
    const result = await runAthenaQuery(
      { ...options([]), outputLocation: "s3://results/loglake/", catalog: "AwsDataCatalog" },
      "SELECT 1 AS n WHERE false",
      [],
    );
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input).toStrictEqual({
      QueryString: "SELECT 1 AS n WHERE false",
      WorkGroup: "loglake",
      QueryExecutionContext: { Database: "loglake_prod", Catalog: "AwsDataCatalog" },
      ResultConfiguration: { OutputLocation: "s3://results/loglake/" },
    });
    expect(result).toStrictEqual({ columns: [{ name: "n", kind: "number" }], rows: [] });
  });
});

describe("executionParameter", () => {
  it("quotes values as SQL string literals so they stay values", () => {
    expect(executionParameter("2024-03-08")).toBe("'2024-03-08'");
    expect(executionParameter("x' OR '1'='1")).toBe("'x'' OR ''1''=''1'");
  });
});

describe("athenaRunner", () => {
  it("runs a saved query's statement and names the workgroup as its engine", async () => {
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: "SUCCEEDED" } } });
    athena
      .on(GetQueryResultsCommand)
      .resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: columns }, Rows: [header] } });
    const runner = athenaRunner(options([]));
    const query = { id: "x", sql: SQL } as SavedQuery;
    expect(runner.engine).toBe("athena (loglake)");
    expect((await runner.run(query, ["2024-03-08", "2024-03-09"])).rows).toStrictEqual([]);
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input.QueryString).toBe(SQL);
  });
});
