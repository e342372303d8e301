import { gzipSync } from "node:zlib";
import { s3NotificationBody } from "@app/cli/dev/s3-notifier";
import { readSavedQueries } from "@app/cli/saved-queries";
import { alertDetections } from "@app/core/alerts/alert";
import { HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPipeline, type TestPipeline, waitFor, waitForIngestDrained } from "../../helpers/emulators.ts";

const KEY =
  "AWSLogs/111122223333/CloudTrail/us-east-1/2025/07/01/111122223333_CloudTrail_us-east-1_20250701T0915Z_rootlogin.json.gz";

// A root console sign-in (AWS documents its ConsoleLogin record) and an IAM user's, which must not alert.
const RECORDS = {
  Records: [
    {
      eventVersion: "1.09",
      userIdentity: {
        type: "Root",
        principalId: "111122223333",
        arn: "arn:aws:iam::111122223333:root",
        accountId: "111122223333",
        accessKeyId: "",
      },
      eventTime: "2025-07-01T09:12:31Z",
      eventSource: "signin.amazonaws.com",
      eventName: "ConsoleLogin",
      awsRegion: "us-east-1",
      sourceIPAddress: "198.51.100.23",
      userAgent: "Mozilla/5.0 (X11; Linux x86_64)",
      requestParameters: null,
      responseElements: { ConsoleLogin: "Success" },
      additionalEventData: {
        LoginTo: "https://console.aws.amazon.com/console/home",
        MobileVersion: "No",
        MFAUsed: "No",
      },
      eventID: "dev-alert-root-login-1",
      readOnly: false,
      eventType: "AwsConsoleSignIn",
      managementEvent: true,
      recipientAccountId: "111122223333",
      eventCategory: "Management",
    },
    {
      eventVersion: "1.09",
      userIdentity: {
        type: "IAMUser",
        principalId: "AIDAEXAMPLEUSER",
        arn: "arn:aws:iam::111122223333:user/alice",
        accountId: "111122223333",
        userName: "alice",
      },
      eventTime: "2025-07-01T09:13:02Z",
      eventSource: "signin.amazonaws.com",
      eventName: "ConsoleLogin",
      awsRegion: "us-east-1",
      sourceIPAddress: "198.51.100.24",
      userAgent: "Mozilla/5.0 (X11; Linux x86_64)",
      requestParameters: null,
      responseElements: { ConsoleLogin: "Success" },
      additionalEventData: { MFAUsed: "Yes" },
      eventID: "dev-alert-user-login-1",
      readOnly: false,
      eventType: "AwsConsoleSignIn",
      managementEvent: true,
      recipientAccountId: "111122223333",
      eventCategory: "Management",
    },
  ],
};

describe("loglake dev alerts", () => {
  let p: TestPipeline;
  let notification: string;

  beforeAll(async () => {
    p = await startTestPipeline({ notify: false, queries: await readSavedQueries() });
    await p.s3.send(
      new PutObjectCommand({ Bucket: p.config.buckets.source, Key: KEY, Body: gzipSync(JSON.stringify(RECORDS)) }),
    );
    const head = await p.s3.send(new HeadObjectCommand({ Bucket: p.config.buckets.source, Key: KEY }));
    notification = s3NotificationBody({
      bucket: p.config.buckets.source,
      key: KEY,
      size: Number(head.ContentLength),
      eTag: String(head.ETag).replaceAll('"', ""),
      eventTime: "2025-07-01T09:16:00.000Z",
      sequencer: "0000000000000000A1",
      region: p.config.region,
    });
  }, 60_000);

  afterAll(async () => {
    await p?.stop();
  });

  /** Alerts waiting in the queue subscribed to the alerts topic, received and deleted. */
  async function drainInbox(): Promise<Record<string, unknown>[]> {
    const got: Record<string, unknown>[] = [];
    for (;;) {
      const r = await p.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: p.env.ready.alerts.inbox, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (!r.Messages?.length) return got;
      for (const m of r.Messages) {
        got.push(JSON.parse(m.Body as string) as Record<string, unknown>);
        await p.sqs.send(
          new DeleteMessageCommand({ QueueUrl: p.env.ready.alerts.inbox, ReceiptHandle: m.ReceiptHandle }),
        );
      }
    }
  }

  async function send(times: number): Promise<void> {
    await p.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: p.env.ready.queues.ingest,
        Entries: Array.from({ length: times }, (_, i) => ({ Id: `m${i}`, MessageBody: notification })),
      }),
    );
  }

  async function drained(): Promise<void> {
    await waitForIngestDrained(p, "the ingest queue to drain");
  }

  it("publishes a root console sign-in to the alerts topic once, also when its notification comes twice", async () => {
    // Act: the same notification delivered twice, as SQS may.
    await send(2);
    const first = await waitFor(
      "the alert",
      async () => {
        const got = await drainInbox();
        return got.length > 0 ? got : undefined;
      },
      60_000,
    );
    await drained();
    // Act again: a third delivery after the alert went out.
    await send(1);
    await drained();
    const later = await drainInbox();
    // Assess
    expect(p.env.ready.alerts.detections).toStrictEqual(alertDetections(await readSavedQueries()).map((d) => d.id));
    expect(later).toStrictEqual([]);
    expect(first.map((a) => ({ ...a, row: undefined }))).toStrictEqual([
      {
        detection_id: "cloudtrail/root-account-usage",
        name: "CloudTrail root account usage",
        severity: "high",
        event_id: "dev-alert-root-login-1",
        event_time: "2025-07-01T09:12:31.000Z",
        actor: "arn:aws:iam::111122223333:root",
        target: "111122223333",
        source_ip_address: "198.51.100.23",
        runbook:
          "Ask the account owner whether they signed in as root and why; if not, reset the root password and MFA and review everything the session did.",
        row: undefined,
      },
    ]);
  }, 120_000);
});
