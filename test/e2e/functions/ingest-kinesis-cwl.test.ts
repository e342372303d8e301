import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { createIngestKinesisHandler } from "@app/functions/handlers/ingest-kinesis";
import { PutRecordsCommand } from "@aws-sdk/client-kinesis";
import type { KinesisStreamEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readShardEvent, startTestPipeline, type TestPipeline } from "../../helpers/emulators.ts";
import { withLakeMirror } from "../../helpers/lake-query.ts";
import { SOURCE_FIXTURES } from "../../helpers/source-fixtures.ts";

const fixture = (name: string) => readFile(join(SOURCE_FIXTURES, "cloudwatch_logs", name));

/** Rows of one query over the lake bucket, read back with DuckDB from a local copy. */
async function lakeRows(p: TestPipeline, sql: string): Promise<Record<string, unknown>[]> {
  return withLakeMirror(p.env.ready.endpoint, p.config.buckets.lake, async (conn) =>
    (await conn.runAndReadAll(sql)).getRowObjects(),
  );
}

interface Sent {
  logEvents: { message: string }[];
}

const LINEAGE = "cwl_owner, cwl_log_group, cwl_log_stream, right(cwl_event_id, 4) AS event";

describe("ingest-kinesis with CloudWatch Logs subscription records", () => {
  let p: TestPipeline;
  let event: KinesisStreamEvent;
  let sent: Sent[];

  beforeAll(async () => {
    p = await startTestPipeline({ notify: false });
    // The test plays the event source mapping itself, as a Kinesis subscription delivers: one gzip payload a record.
    await p.env.kinesisSource.stop();
    const base64Lines = async (name: string) =>
      (await fixture(name))
        .toString("utf8")
        .trimEnd()
        .split("\n")
        .map((l) => Buffer.from(l, "base64"));
    const data: Buffer[] = [
      await fixture("vpc-flow-logs.json.gz"),
      ...(await base64Lines("lambda-platform.txt")),
      ...(await base64Lines("mixed-cloudtrail-vpc.txt")),
    ];
    sent = data.map((d) => JSON.parse(gunzipSync(d).toString("utf8")) as Sent);
    await p.kinesis.send(
      new PutRecordsCommand({
        StreamName: p.config.stream.name,
        Records: data.map((d) => ({ Data: d, PartitionKey: "one-shard" })),
      }),
    );
    event = await readShardEvent(p);
  });

  afterAll(async () => {
    await p?.stop();
  });

  it("keeps plain-text messages in cloudwatch_logs and every row's log event lineage, quarantining only the bad event", async () => {
    // Prepare
    const handler = createIngestKinesisHandler(p.env.runtime);
    const seq = event.Records.map((r) => r.kinesis.sequenceNumber);
    const record = (i: number) => `kinesis://${p.config.stream.name}/shardId-000000000000/${seq[i]}`;
    // Act
    const response = await handler(event);
    const logs = await lakeRows(
      p,
      `SELECT CAST(event_time AS VARCHAR) AS t, message, subscription_filters, ${LINEAGE}, source_object, source_line FROM cloudwatch_logs ORDER BY source_object, source_line`,
    );
    const trail = await lakeRows(
      p,
      `SELECT event_name, ${LINEAGE}, source_object, source_line FROM cloudtrail ORDER BY source_line`,
    );
    const quarantined = await lakeRows(p, `SELECT reason, ${LINEAGE}, source_object, source_line FROM quarantine`);
    const app = await lakeRows(p, `SELECT message, ${LINEAGE} FROM app_events`);
    // Assess
    expect(response).toStrictEqual({ batchItemFailures: [] });
    const vpc = ["111122223333", "/vpc/flow-logs/prod", "eni-0a1b2c3d4e5f60718-all"] as const;
    const lambda = ["111122223333", "/aws/lambda/orders-api", "2024/05/01/[$LATEST]0f1e2d3c4b5a69788796a5b4c3d2e1f0"];
    const trailGroup = [
      "111122223333",
      "aws-cloudtrail-logs-111122223333-0a1b2c3d",
      "111122223333_CloudTrail_us-east-1",
    ];
    const lambdaFilters = '["loglake-lambda","siem-forwarder"]';
    // Record, line in it, stored time, log event id's end, filters, lineage: each message as the payload sent it.
    const expected: [number, number, string, string, string, readonly string[]][] = [
      [0, 1, "2024-05-01 10:01:00", "2001", '["loglake-vpc"]', vpc],
      [0, 2, "2024-05-01 10:01:00", "2002", '["loglake-vpc"]', vpc],
      [0, 3, "2024-05-01 10:02:00.123", "2003", '["loglake-vpc"]', vpc],
      [1, 1, "2024-05-01 10:12:04.001", "2101", lambdaFilters, lambda],
      [1, 2, "2024-05-01 10:12:04.201", "2102", lambdaFilters, lambda],
      [1, 3, "2024-05-01 10:12:04.25", "2103", lambdaFilters, lambda],
      [1, 5, "2024-05-01 10:12:04.301", "2105", lambdaFilters, lambda],
      [1, 6, "2024-05-01 10:12:04.301", "2106", lambdaFilters, lambda],
      [3, 1, "2024-05-01 10:01:00", "2001", '["loglake-vpc"]', vpc],
      [3, 2, "2024-05-01 10:01:00", "2002", '["loglake-vpc"]', vpc],
      [3, 3, "2024-05-01 10:02:00.123", "2003", '["loglake-vpc"]', vpc],
    ];
    expect(logs).toStrictEqual(
      expected.map(([i, line, t, event, filters, l]) => ({
        t,
        message: sent[i]?.logEvents[line - 1]?.message,
        subscription_filters: filters,
        cwl_owner: l[0],
        cwl_log_group: l[1],
        cwl_log_stream: l[2],
        event,
        source_object: record(i),
        source_line: BigInt(line),
      })),
    );
    const lineage = (l: readonly string[], event: string, i: number, line: number) => ({
      cwl_owner: l[0],
      cwl_log_group: l[1],
      cwl_log_stream: l[2],
      event,
      source_object: record(i),
      source_line: BigInt(line),
    });
    expect(trail).toStrictEqual([
      { event_name: "DeleteBucket", ...lineage(trailGroup, "2201", 2, 1) },
      { event_name: "ConsoleLogin", ...lineage(trailGroup, "2202", 2, 2) },
    ]);
    expect(quarantined).toStrictEqual([{ reason: "bad_timestamp", ...lineage(trailGroup, "2203", 2, 3) }]);
    const { source_object: _o, source_line: _l, ...appLineage } = lineage(lambda, "2104", 1, 4);
    expect(app).toStrictEqual([{ message: "order stored", ...appLineage }]);
  });
});
