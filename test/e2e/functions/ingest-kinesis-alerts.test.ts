import { gzipSync } from "node:zlib";
import { readSavedQueries } from "@app/cli/saved-queries";
import { createIngestKinesisHandler } from "@app/functions/handlers/ingest-kinesis";
import type { AlertRuntime } from "@app/pipeline/alerts";
import { PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { DeleteMessageCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readShardEvent, startTestPipeline, type TestPipeline } from "../../helpers/emulators.ts";

// CloudTrail reaches the stream through a CloudWatch Logs subscription of the trail's log group: one gzip payload
// a record, each log event one CloudTrail record (AWS documents the ConsoleLogin record a root sign-in writes).
function trailPayload(events: { id: string; eventID: string; root: boolean; time: string }[]): Buffer {
  return gzipSync(
    JSON.stringify({
      messageType: "DATA_MESSAGE",
      owner: "111122223333",
      logGroup: "aws-cloudtrail-logs-111122223333-0a1b2c3d",
      logStream: "111122223333_CloudTrail_us-east-1",
      subscriptionFilters: ["loglake-cloudtrail"],
      logEvents: events.map((e) => ({
        id: e.id,
        timestamp: Date.parse(e.time),
        message: JSON.stringify({
          eventVersion: "1.09",
          userIdentity: e.root
            ? {
                type: "Root",
                principalId: "111122223333",
                arn: "arn:aws:iam::111122223333:root",
                accountId: "111122223333",
              }
            : {
                type: "IAMUser",
                principalId: "AIDAEXAMPLEUSER",
                arn: "arn:aws:iam::111122223333:user/alice",
                accountId: "111122223333",
                userName: "alice",
              },
          eventTime: e.time,
          eventSource: "signin.amazonaws.com",
          eventName: "ConsoleLogin",
          awsRegion: "us-east-1",
          sourceIPAddress: "198.51.100.23",
          userAgent: "Mozilla/5.0 (X11; Linux x86_64)",
          requestParameters: null,
          responseElements: { ConsoleLogin: "Success" },
          additionalEventData: { MFAUsed: e.root ? "No" : "Yes" },
          eventID: e.eventID,
          readOnly: false,
          eventType: "AwsConsoleSignIn",
          managementEvent: true,
          recipientAccountId: "111122223333",
          eventCategory: "Management",
        }),
      })),
    }),
  );
}

const ROOT_LOGIN = "kinesis-alert-root-login-1";

describe("ingest-kinesis alerts on CloudTrail from a CloudWatch Logs subscription", () => {
  let p: TestPipeline;

  beforeEach(async () => {
    p = await startTestPipeline({ notify: false, queries: await readSavedQueries() });
    // The test plays the event source mapping itself, so it can deliver the same batch again.
    await p.env.kinesisSource.stop();
    await p.kinesis.send(
      new PutRecordsCommand({
        StreamName: p.config.stream.name,
        Records: [
          trailPayload([
            {
              id: "3828572729647321301171235456382914547384353943515108",
              eventID: ROOT_LOGIN,
              root: true,
              time: "2025-07-01T09:12:31Z",
            },
            {
              id: "3828572729647321301171235456382914547384353943515109",
              eventID: "kinesis-alert-user-login-1",
              root: false,
              time: "2025-07-01T09:13:02Z",
            },
          ]),
        ].map((Data) => ({ Data, PartitionKey: "one-shard" })),
      }),
    );
  }, 60_000);

  afterEach(async () => {
    await p?.stop();
  });

  /** Alerts in the queue subscribed to the alerts topic (SNS and SQS both emulated by fauxqs), received and deleted. */
  async function drainInbox(): Promise<{ detection_id: string; event_id: string }[]> {
    const got: { detection_id: string; event_id: string }[] = [];
    for (;;) {
      const r = await p.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: p.env.ready.alerts.inbox, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      if (!r.Messages?.length) return got;
      for (const m of r.Messages) {
        const alert = JSON.parse(m.Body as string) as { detection_id: string; event_id: string };
        got.push({ detection_id: alert.detection_id, event_id: alert.event_id });
        await p.sqs.send(
          new DeleteMessageCommand({ QueueUrl: p.env.ready.alerts.inbox, ReceiptHandle: m.ReceiptHandle }),
        );
      }
    }
  }

  it("publishes a root console sign-in once when its batch is delivered twice", async () => {
    // Prepare
    const event = await readShardEvent(p);
    const handler = createIngestKinesisHandler(p.env.runtime);
    // Act
    const responses = [await handler(event), await handler(event)];
    // Assess
    expect(responses).toStrictEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(await drainInbox()).toStrictEqual([{ detection_id: "cloudtrail/root-account-usage", event_id: ROOT_LOGIN }]);
  }, 60_000);

  it("publishes it once, on the retry, when the first delivery failed to publish after writing the rows", async () => {
    // Prepare: the alerts topic refuses the first publish.
    const event = await readShardEvent(p);
    const alerts = p.env.runtime.alerts as AlertRuntime;
    let refusals = 1;
    const handler = createIngestKinesisHandler({
      ...p.env.runtime,
      alerts: {
        ...alerts,
        publisher: {
          publish: (m) => (refusals-- > 0 ? Promise.reject(new Error("SNS unavailable")) : alerts.publisher.publish(m)),
        },
      },
    });
    // Act
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++)
      outcomes.push(
        await handler(event).then(
          (r) => `failures: ${r.batchItemFailures.length}`,
          (e: unknown) => `crashed: ${(e as Error).message}`,
        ),
      );
    // Assess
    expect(outcomes).toStrictEqual(["crashed: SNS unavailable", "failures: 0", "failures: 0"]);
    expect(await drainInbox()).toStrictEqual([{ detection_id: "cloudtrail/root-account-usage", event_id: ROOT_LOGIN }]);
  }, 60_000);
});
