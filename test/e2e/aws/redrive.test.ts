import { makeSqsClient } from "@app/aws/clients";
import { queueDepth, redriveMessages } from "@app/aws/redrive";
import {
  CreateQueueCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loglake } from "../../helpers/cli.ts";
import { startEmulators } from "../../helpers/emulators.ts";

// fauxqs has no StartMessageMoveTask or ListMessageMoveTasks, so the redrive is a receive/send/delete loop and is
// tested here against fauxqs, never against a mocked client.
let emulators: Awaited<ReturnType<typeof startEmulators>>;
let sqs: SQSClient;

beforeAll(async () => {
  emulators = await startEmulators();
  sqs = makeSqsClient({ endpoint: emulators.endpoint });
});

afterAll(async () => {
  sqs?.destroy();
  await emulators?.stop();
});

async function queues(prefix: string): Promise<{ dlq: string; ingest: string }> {
  const make = async (name: string) => (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl as string;
  return { dlq: await make(`${prefix}-ingest-dlq`), ingest: await make(`${prefix}-ingest`) };
}

async function fill(url: string, n: number): Promise<string[]> {
  const bodies = Array.from({ length: n }, (_, i) =>
    JSON.stringify({ Records: [{ s3: { object: { key: `k${i}` } } }] }),
  );
  for (let i = 0; i < n; i += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: bodies.slice(i, i + 10).map((b, j) => ({
          Id: String(j),
          MessageBody: b,
          MessageAttributes: { origin: { DataType: "String", StringValue: "s3" } },
        })),
      }),
    );
  }
  return bodies;
}

async function drain(url: string): Promise<Message[]> {
  const out: Message[] = [];
  for (;;) {
    const r = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"] }),
    );
    if (!r.Messages?.length) return out;
    out.push(...r.Messages);
  }
}

describe("redriveMessages", () => {
  it("moves every DLQ message to the source queue once, with its attributes, and a second run moves none", async () => {
    // Prepare
    const q = await queues("a");
    const bodies = await fill(q.dlq, 25);
    // Act
    const first = await redriveMessages({ sqs, dlqUrl: q.dlq, targetUrl: q.ingest });
    const second = await redriveMessages({ sqs, dlqUrl: q.dlq, targetUrl: q.ingest });
    const arrived = await drain(q.ingest);
    // Assess
    expect([first, second]).toStrictEqual([
      { moved: 25, refused: 0, undeleted: 0 },
      { moved: 0, refused: 0, undeleted: 0 },
    ]);
    expect(arrived.map((m) => m.Body).sort()).toStrictEqual([...bodies].sort());
    expect(new Set(arrived.map((m) => m.MessageAttributes?.origin?.StringValue))).toStrictEqual(new Set(["s3"]));
    expect(await queueDepth(sqs, q.dlq)).toStrictEqual({ visible: 0, inFlight: 0 });
  });

  it("deletes nothing from the DLQ when the source queue cannot take the messages", async () => {
    // Prepare
    const q = await queues("b");
    await fill(q.dlq, 12);
    // Act
    const failed = await redriveMessages({
      sqs,
      dlqUrl: q.dlq,
      targetUrl: `${emulators.endpoint}/000000000000/no-such-queue`,
      visibilityTimeout: 1,
    }).catch((e: unknown) => (e as Error).name);
    const depth = await queueDepth(sqs, q.dlq);
    // Assess
    expect(failed).toBe("QueueDoesNotExist");
    expect(depth.visible + depth.inFlight).toBe(12);
  });
});

describe("loglake redrive", () => {
  it("reports both queues with --status, then moves the DLQ by the names the stage's config gives", async () => {
    // Prepare: the repository's config names the queues loglake-<stage>-ingest and loglake-<stage>-ingest-dlq.
    const q = await queues("loglake-redrivetest");
    await fill(q.dlq, 3);
    const env = ["--stage", "redrivetest", "--endpoint", emulators.endpoint];
    // Act
    const status = await loglake("redrive", "--status", ...env);
    const moved = await loglake("redrive", ...env, "--json");
    // Assess
    expect([status.code, status.stdout]).toStrictEqual([
      0,
      `dlq    ${q.dlq}: 3 visible, 0 in flight\ntarget ${q.ingest}: 0 visible, 0 in flight\n`,
    ]);
    expect([moved.code, JSON.parse(moved.stdout)]).toStrictEqual([
      0,
      {
        dlq: q.dlq,
        target: q.ingest,
        before: { dlq: { visible: 3, inFlight: 0 }, target: { visible: 0, inFlight: 0 } },
        result: { moved: 3, refused: 0, undeleted: 0 },
        after: { dlq: { visible: 0, inFlight: 0 }, target: { visible: 3, inFlight: 0 } },
      },
    ]);
  });

  it("waits with --wait for the source queue and reports the DLQ after it", async () => {
    // Prepare: nothing consumes the source queue, so it does not drain; the DLQ stays empty.
    const q = await queues("c");
    await fill(q.dlq, 2);
    // Act
    const r = await loglake(
      "redrive",
      "--dlq",
      q.dlq,
      "--to",
      q.ingest,
      "--wait",
      "1",
      "--endpoint",
      emulators.endpoint,
    );
    // Assess
    expect([r.code, r.stdout]).toStrictEqual([
      0,
      [
        `dlq    ${q.dlq}: 2 visible, 0 in flight`,
        `target ${q.ingest}: 0 visible, 0 in flight`,
        "moved 2 message(s) to the source queue; 0 refused (left in the DLQ), 0 sent but not deleted (sent again next run)",
        "waited 1s: source queue not drained; DLQ now 0 visible, 0 in flight",
        "",
      ].join("\n"),
    ]);
  });

  it("refuses a queue SQS does not know with one line and exit code 2", async () => {
    const r = await loglake("redrive", "--dlq", "nope-dlq", "--to", "nope", "--endpoint", emulators.endpoint);
    expect([r.code, r.stderr]).toStrictEqual([2, "loglake: --dlq nope-dlq: no such queue\n"]);
  });
});
