import { s3AlertClaims } from "@app/aws/alerts";
import { awsForward } from "@app/aws/cloudwatch-logs";
import { MANIFEST_DIR } from "@app/core/lake-layout";
import { createIngestKinesisHandler } from "@app/functions/handlers/ingest-kinesis";
import { createIngestSqsHandler } from "@app/functions/handlers/ingest-sqs";
import type { ForwardCounts } from "@app/pipeline/forward";
import type { PipelineRuntime } from "@app/pipeline/runtime";
import { CloudWatchLogsClient, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  lakeCounts,
  readShardEvent,
  startTestPipeline,
  type TestPipeline,
  testConfig,
} from "../../helpers/emulators.ts";
import { sqsRecord } from "../../helpers/factories.ts";

// CloudWatch Logs has no local emulator: its client is mocked with aws-sdk-client-mock, and only it. The queue,
// the stream, the buckets and the S3 claims are the emulators' (fauxqs, kinesalite).
const logs = mockClient(CloudWatchLogsClient);
const NOW = Date.now();
const iso = (ms: number) => new Date(ms).toISOString();
// Two fresh events out of order, one older than CloudWatch's 14 days (counted, not sent), written as apps write them.
const lines = [
  `{"timestamp":"${iso(NOW - 60_000)}", "type":"auth","user":"alice","action":"login"}`,
  `{"timestamp":"${iso(NOW - 120_000)}","type":"audit","user":"bob", "action":"role.grant"}`,
  `{"timestamp":"${iso(NOW - 20 * 86_400_000)}","type":"auth","user":"carol","action":"login"}`,
];

let p: TestPipeline;
let rt: PipelineRuntime;

beforeAll(async () => {
  p = await startTestPipeline({
    config: testConfig({
      sources: { app_json: {} },
      destinations: [{ type: "cloudwatch_logs", name: "siem", logGroup: "/loglake/e2e" }],
    }),
    notify: false,
  });
  // The test plays Lambda's event source mappings itself, redelivering the same message and batch.
  await Promise.all([p.env.kinesisSource.stop(), p.env.sqsSource.stop()]);
  const claims = s3AlertClaims(p.s3, p.config.buckets.lake, p.config.lakePrefix);
  const aws = { region: p.config.region, endpoint: p.env.ready.endpoint };
  rt = { ...p.env.runtime, forward: awsForward({ config: p.config, aws, claims, assumeRoles: false }) };
  logs.on(PutLogEventsCommand).resolves({});
});

afterAll(async () => {
  logs.restore();
  await p?.stop();
});

const sentEvents = () => logs.commandCalls(PutLogEventsCommand).map((c) => c.args[0].input);

describe("forwarding app events to CloudWatch Logs from the consumers", () => {
  it("sends an S3 object's app events once, in time order and as written, when its SQS message is delivered twice", async () => {
    // Prepare
    logs.resetHistory();
    const key = "app/auth-service/events.jsonl";
    await p.s3.send(new PutObjectCommand({ Bucket: p.config.buckets.source, Key: key, Body: `${lines.join("\n")}\n` }));
    const body = JSON.stringify({
      Records: [
        {
          eventVersion: "2.1",
          eventSource: "aws:s3",
          awsRegion: p.config.region,
          eventTime: iso(NOW),
          eventName: "ObjectCreated:Put",
          s3: { bucket: { name: p.config.buckets.source }, object: { key, sequencer: "0A1B" } },
        },
      ],
    });
    const tallies: ForwardCounts[] = [];
    const handler = createIngestSqsHandler(rt, (_counts, forwarded) => tallies.push(new Map(forwarded)));
    // Act
    const responses = [];
    for (let i = 0; i < 2; i++) responses.push(await handler({ Records: [sqsRecord(body)] }));
    // Assess
    expect(responses).toStrictEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(sentEvents()).toStrictEqual([
      {
        logGroupName: "/loglake/e2e",
        logStreamName: "app_json",
        logEvents: [
          { timestamp: NOW - 120_000, message: lines[1] },
          { timestamp: NOW - 60_000, message: lines[0] },
        ],
      },
    ]);
    expect(tallies.map((t) => t.get("siem"))).toStrictEqual([
      { sent: 2, skipped: { too_old: 1 }, failed: 0, alreadySent: 0, duplicated: 0 },
      { sent: 0, skipped: {}, failed: 0, alreadySent: 3, duplicated: 0 },
    ]);
  });

  it("sends a Kinesis batch's app events once when the batch crashed before its manifest and is delivered again", async () => {
    // Prepare: the first delivery forwards, then dies writing the manifest, so the retry writes the run again.
    logs.resetHistory();
    await p.kinesis.send(
      new PutRecordsCommand({
        StreamName: p.config.stream.name,
        Records: lines.slice(0, 2).map((l) => ({ Data: Buffer.from(`${l}\n`), PartitionKey: "one-shard" })),
      }),
    );
    const event = await readShardEvent(p);
    let crashes = 1;
    const lake = rt.lake;
    const crashing: PipelineRuntime = {
      ...rt,
      lake: {
        ...lake,
        location: lake.location,
        chainSigner: () => lake.chainSigner(),
        putFile: (rel, local) => lake.putFile(rel, local),
        async putText(rel, text) {
          if (rel.startsWith(MANIFEST_DIR) && crashes-- > 0) throw new Error("function crashed before the manifest");
          await lake.putText(rel, text);
        },
        getText: (rel) => lake.getText(rel),
        delete: (rel) => lake.delete(rel),
        list: (prefix) => lake.list(prefix),
        listAfter: (start, after) => lake.listAfter(start, after),
        getToFile: (rel, local) => lake.getToFile(rel, local),
      },
    };
    const tallies: ForwardCounts[] = [];
    const handler = createIngestKinesisHandler(crashing, (_counts, forwarded) => tallies.push(new Map(forwarded)));
    // Act
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await handler(event).catch((e: unknown) => (e as Error).message));
    // Assess
    expect(outcomes).toStrictEqual([
      "function crashed before the manifest",
      { batchItemFailures: [] },
      { batchItemFailures: [] },
    ]);
    expect(sentEvents()).toStrictEqual([
      {
        logGroupName: "/loglake/e2e",
        logStreamName: "app_json",
        logEvents: [
          { timestamp: NOW - 120_000, message: lines[1] },
          { timestamp: NOW - 60_000, message: lines[0] },
        ],
      },
    ]);
    // The retry finds the claim; the third delivery finds the run's manifest and writes and forwards nothing.
    expect(tallies.map((t) => t.get("siem"))).toStrictEqual([
      { sent: 0, skipped: {}, failed: 0, alreadySent: 2, duplicated: 0 },
      undefined,
    ]);
  });

  it("counts a destination that fails, keeps the lake rows, and sends the calls on the next delivery", async () => {
    // Prepare
    logs.resetHistory();
    logs.on(PutLogEventsCommand).rejectsOnce(new Error("AccessDenied")).resolves({});
    const key = "app/auth-service/more.jsonl";
    await p.s3.send(new PutObjectCommand({ Bucket: p.config.buckets.source, Key: key, Body: `${lines[0]}\n` }));
    const body = JSON.stringify({
      Records: [
        {
          eventSource: "aws:s3",
          eventTime: iso(NOW),
          eventName: "ObjectCreated:Put",
          s3: { bucket: { name: p.config.buckets.source }, object: { key, sequencer: "0A1C" } },
        },
      ],
    });
    const tallies: ForwardCounts[] = [];
    const handler = createIngestSqsHandler(rt, (_counts, forwarded) => tallies.push(new Map(forwarded)));
    // Act
    const responses = [];
    for (let i = 0; i < 2; i++) responses.push(await handler({ Records: [sqsRecord(body)] }));
    // Assess
    expect(responses).toStrictEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(tallies.map((t) => t.get("siem"))).toStrictEqual([
      { sent: 0, skipped: {}, failed: 1, alreadySent: 0, duplicated: 0 },
      { sent: 1, skipped: {}, failed: 0, alreadySent: 0, duplicated: 0 },
    ]);
    expect(sentEvents().map((c) => c.logEvents)).toStrictEqual([
      [{ timestamp: NOW - 60_000, message: lines[0] }],
      [{ timestamp: NOW - 60_000, message: lines[0] }],
    ]);
    // Every row is in the lake once whatever forwarding did: 3 + 2 + 1 app events over the three inputs.
    const counts = await lakeCounts(p.env.ready.endpoint, p.config.buckets.lake);
    expect([counts.rows.app_events, counts.duplicates]).toStrictEqual([6, {}]);
  });
});
