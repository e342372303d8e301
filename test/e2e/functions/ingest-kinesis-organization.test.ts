// A service in a member account logs audit events to its own log group with @loglake/audit's CloudWatch Logs sink;
// the group's subscription filter sends them through loglake's organization destination onto the ingest stream.
// CloudWatch Logs has no local emulator: its client is mocked with aws-sdk-client-mock to take the sink's
// PutLogEvents calls, and the test then plays CloudWatch Logs' delivery, one gzip subscription payload per Kinesis
// record (with the control message a new destination sends first), onto kinesalite for the real Kinesis consumer.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { syncLakeToCache } from "@app/aws/lake-cache";
import { createIngestKinesisHandler } from "@app/functions/handlers/ingest-kinesis";
import { openLake } from "@app/lake/query";
import { LocalLakeStore } from "@app/lake/store";
import {
  CloudWatchLogsClient,
  PutLogEventsCommand,
  type PutLogEventsCommandInput,
} from "@aws-sdk/client-cloudwatch-logs";
import { PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { createAuditLogger } from "@loglake/audit";
import { cloudWatchLogsSink } from "@loglake/audit/cloudwatch-logs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readShardEvent, startTestPipeline, type TestPipeline } from "../../helpers/emulators.ts";
import { SOURCE_FIXTURES } from "../../helpers/source-fixtures.ts";

const MEMBER = "210987654321";
const GROUP = "/checkout/audit";
const STREAM = "checkout-api";

async function lakeRows(p: TestPipeline, sql: string): Promise<Record<string, unknown>[]> {
  const dir = await mkdtemp(join(tmpdir(), "loglake-e2e-org-"));
  try {
    const root = await syncLakeToCache({
      bucket: p.config.buckets.lake,
      endpoint: p.env.ready.endpoint,
      cacheDir: dir,
    });
    const conn = await openLake(new LocalLakeStore(root));
    try {
      return (await conn.runAndReadAll(sql)).getRowObjects();
    } finally {
      conn.closeSync();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What the member's service put in its log group, through the audit library's sink. */
async function memberLogEvents(): Promise<{ timestamp: number; message: string }[]> {
  const cwl = mockClient(CloudWatchLogsClient);
  cwl.on(PutLogEventsCommand).resolves({});
  try {
    const sink = cloudWatchLogsSink({
      client: new CloudWatchLogsClient({ region: "us-east-1" }),
      logGroupName: GROUP,
      logStreamName: STREAM,
      now: () => Date.parse("2026-05-01T10:05:00Z"),
    });
    const audit = createAuditLogger({ service: "checkout", sinks: [sink] });
    for (const [i, user_id] of ["alice", "bob"].entries()) {
      const at = `2026-05-01T10:0${i}:00.123456Z`;
      void audit.auth({
        timestamp: at,
        action: "login",
        user_id,
        result: "success",
        ip_address: "198.51.100.7",
        request_id: `r-${i}`,
      });
      void audit.audit({
        timestamp: at,
        action: "role.grant",
        user_id,
        result: "success",
        request_id: `r-${i}`,
        attributes: { role: "admin" },
      });
    }
    await audit.close();
    return cwl
      .commandCalls(PutLogEventsCommand)
      .flatMap((c) => (c.args[0].input as PutLogEventsCommandInput).logEvents ?? [])
      .map((e) => ({ timestamp: e.timestamp as number, message: e.message as string }));
  } finally {
    cwl.restore();
  }
}

describe("ingest-kinesis with log events of a member account, through the organization destination", () => {
  let p: TestPipeline;
  let logEvents: { timestamp: number; message: string }[];

  beforeAll(async () => {
    logEvents = await memberLogEvents();
    p = await startTestPipeline({ notify: false });
    await p.env.kinesisSource.stop();
    const control = await readFile(join(SOURCE_FIXTURES, "cloudwatch_logs", "control-message.json.gz"));
    const data = {
      messageType: "DATA_MESSAGE",
      owner: MEMBER,
      logGroup: GROUP,
      logStream: STREAM,
      subscriptionFilters: ["loglake"],
      logEvents: logEvents.map((e, i) => ({ id: `3${String(i).padStart(55, "0")}`, ...e })),
    };
    await p.kinesis.send(
      new PutRecordsCommand({
        StreamName: p.config.stream.name,
        Records: [control, gzipSync(JSON.stringify(data))].map((d) => ({ Data: d, PartitionKey: "one-shard" })),
      }),
    );
  });

  afterAll(async () => {
    await p?.stop();
  });

  it("lands every event in app_events once, with the member account, group and stream as its lineage", async () => {
    // Prepare
    const handler = createIngestKinesisHandler(p.env.runtime);
    const event = await readShardEvent(p);
    // Act
    const response = await handler(event);
    const app = await lakeRows(
      p,
      `SELECT strftime(event_time, '%Y-%m-%dT%H:%M:%S.%fZ') AS t, type, action, user_id, request_id, ip_address,
        attributes, cwl_owner, cwl_log_group, cwl_log_stream, right(cwl_event_id, 1) AS id
       FROM app_events ORDER BY cwl_event_id`,
    );
    const others = await lakeRows(
      p,
      "SELECT (SELECT count(*) FROM quarantine) AS quarantined, (SELECT count(*) FROM cloudwatch_logs) AS text_rows",
    );
    // Assess
    expect(response).toStrictEqual({ batchItemFailures: [] });
    expect(logEvents.length).toBe(4);
    const lineage = { cwl_owner: MEMBER, cwl_log_group: GROUP, cwl_log_stream: STREAM };
    const row = (i: number, type: string, action: string, user: string, id: number) => ({
      t: `2026-05-01T10:0${i}:00.123456Z`,
      type,
      action,
      user_id: user,
      request_id: `r-${i}`,
      ip_address: type === "auth" ? "198.51.100.7" : null,
      attributes: type === "audit" ? '{"role":"admin"}' : null,
      ...lineage,
      id: String(id),
    });
    expect(app).toStrictEqual([
      row(0, "auth", "login", "alice", 0),
      row(0, "audit", "role.grant", "alice", 1),
      row(1, "auth", "login", "bob", 2),
      row(1, "audit", "role.grant", "bob", 3),
    ]);
    expect(others).toStrictEqual([{ quarantined: 0n, text_rows: 0n }]);
  });
});
