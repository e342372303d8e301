// Athena has no local emulator (fauxqs and kinesalite cover SQS, S3 and Kinesis only), so this test mocks the
// Athena client with aws-sdk-client-mock: it checks that a candidate scan is one query execution (plus one for the
// allow-list), that the detections run over the returned rows in DuckDB, and that DataScannedInBytes is summed.

import { athenaRunner } from "@app/aws/athena";
import { planReport } from "@app/core/queries/compile";
import { parseSavedQuery } from "@app/core/queries/header";
import { QUERYABLE_TABLE_NAMES } from "@app/core/sources/index";
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";

const athena = mockClient(AthenaClient);
const client = new AthenaClient({ region: "us-east-1" });

function detection(name: string, condition: string): string {
  return `-- name: ${name}
-- description: ${name}.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Persistence
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0003
-- techniques: T1098
-- actor: user_identity_arn
-- target: event_name
SELECT event_time, event_name, user_identity_arn, event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND ${condition}
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id`;
}

const queries = [
  parseSavedQuery("cloudtrail/a", detection("A calls", "event_name = 'A'"), QUERYABLE_TABLE_NAMES),
  parseSavedQuery("cloudtrail/b", detection("B calls", "event_name = 'B'"), QUERYABLE_TABLE_NAMES),
];

const cell = (v: string | undefined) => (v === undefined ? {} : { VarCharValue: v });
const CANDIDATE_COLUMNS = ["event_time", "event_name", "user_identity_arn", "event_id", "error_code", "dt", "hour"];

beforeEach(() => {
  athena.reset();
  athena
    .on(StartQueryExecutionCommand)
    .resolvesOnce({ QueryExecutionId: "candidates" })
    .resolvesOnce({ QueryExecutionId: "allowlist" });
  athena
    .on(GetQueryExecutionCommand, { QueryExecutionId: "candidates" })
    .resolves({ QueryExecution: { Status: { State: "SUCCEEDED" }, Statistics: { DataScannedInBytes: 52_000 } } })
    .on(GetQueryExecutionCommand, { QueryExecutionId: "allowlist" })
    .resolves({ QueryExecution: { Status: { State: "SUCCEEDED" }, Statistics: { DataScannedInBytes: 120 } } });
  const candidateRow = (t: string, name: string, arn: string, id: string) => ({
    Data: [t, name, arn, id, undefined, "2024-03-08", "9"].map(cell),
  });
  athena
    .on(GetQueryResultsCommand, { QueryExecutionId: "candidates" })
    .resolves({
      ResultSet: {
        ResultSetMetadata: {
          ColumnInfo: CANDIDATE_COLUMNS.map((Name) => ({
            Name,
            Type: Name === "event_time" ? "timestamp" : "varchar",
          })),
        },
        Rows: [
          { Data: CANDIDATE_COLUMNS.map((c) => cell(c)) },
          candidateRow("2024-03-08 09:00:00.000", "A", "arn:aws:iam::111122223333:user/eve", "e1"),
          candidateRow("2024-03-08 09:05:00.000", "B", "arn:aws:iam::111122223333:user/ci", "e2"),
          candidateRow("2024-03-08 09:07:00.000", "B", "arn:aws:iam::111122223333:user/eve", "e3"),
        ],
      },
    })
    .on(GetQueryResultsCommand, { QueryExecutionId: "allowlist" })
    .resolves({
      ResultSet: {
        ResultSetMetadata: {
          ColumnInfo: [
            { Name: "kind", Type: "varchar" },
            { Name: "value", Type: "varchar" },
          ],
        },
        Rows: [
          { Data: [cell("kind"), cell("value")] },
          { Data: [cell("principal"), cell("arn:aws:iam::111122223333:user/ci")] },
        ],
      },
    });
});

describe("athenaRunner.runScan", () => {
  it("runs the candidate scan once, then each detection's own SQL over its rows in DuckDB", async () => {
    // Arrange
    const [scan] = planReport(queries).scans;
    const runner = athenaRunner({ client, workGroup: "loglake", database: "loglake_prod", sleep: async () => {} });
    // Act
    const result = await runner.runScan?.(
      scan as NonNullable<typeof scan>,
      ["2024-03-08", "2024-03-08"],
      [
        ["2024-03-08", "2024-03-08"],
        ["2024-03-08", "2024-03-08"],
      ],
    );
    // Assess
    expect(athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input)).toStrictEqual([
      {
        QueryString: scan?.sql,
        WorkGroup: "loglake",
        QueryExecutionContext: { Database: "loglake_prod" },
        ExecutionParameters: ["'2024-03-08'", "'2024-03-08'"],
      },
      {
        QueryString: 'SELECT * FROM "detection_allowlist"',
        WorkGroup: "loglake",
        QueryExecutionContext: { Database: "loglake_prod" },
      },
    ]);
    const columns = [
      { name: "event_time", kind: "timestamp" },
      { name: "event_name", kind: "string" },
      { name: "user_identity_arn", kind: "string" },
      { name: "event_id", kind: "string" },
    ];
    expect(result).toStrictEqual({
      candidates: 3,
      results: [
        {
          columns,
          rows: [
            {
              event_time: "2024-03-08T09:00:00.000Z",
              event_name: "A",
              user_identity_arn: "arn:aws:iam::111122223333:user/eve",
              event_id: "e1",
            },
          ],
        },
        {
          columns,
          rows: [
            {
              event_time: "2024-03-08T09:07:00.000Z",
              event_name: "B",
              user_identity_arn: "arn:aws:iam::111122223333:user/eve",
              event_id: "e3",
            },
          ],
        },
      ],
      scanned: { bytes: 52_120 },
    });
  });
});
