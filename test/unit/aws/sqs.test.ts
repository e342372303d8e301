import { queueUrlForArn, VisibilityHeartbeat } from "@app/aws/sqs";
import { ChangeMessageVisibilityBatchCommand, GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const sqs = new SQSClient({ region: "us-east-1" });
const mock = mockClient(sqs);

beforeEach(() => {
  mock.reset();
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("VisibilityHeartbeat", () => {
  it("extends every unfinished message each interval and stops for finished ones", async () => {
    // Prepare
    mock.on(ChangeMessageVisibilityBatchCommand).callsFake((input: { Entries: unknown[] }) => ({
      Successful: input.Entries.map((_, i) => ({ Id: `m${i}` })),
    }));
    const hb = new VisibilityHeartbeat(sqs, "https://q", { visibilityTimeoutSeconds: 60, intervalSeconds: 10 });
    hb.start([
      { id: "1", receiptHandle: "r1" },
      { id: "2", receiptHandle: "r2" },
    ]);
    // Act
    await vi.advanceTimersByTimeAsync(10_000);
    hb.done("1");
    await vi.advanceTimersByTimeAsync(10_000);
    await hb.stop();
    await vi.advanceTimersByTimeAsync(30_000);
    // Assess
    expect(mock.commandCalls(ChangeMessageVisibilityBatchCommand).map((c) => c.args[0].input)).toStrictEqual([
      {
        QueueUrl: "https://q",
        Entries: [
          { Id: "m0", ReceiptHandle: "r1", VisibilityTimeout: 60 },
          { Id: "m1", ReceiptHandle: "r2", VisibilityTimeout: 60 },
        ],
      },
      { QueueUrl: "https://q", Entries: [{ Id: "m0", ReceiptHandle: "r2", VisibilityTimeout: 60 }] },
    ]);
    expect(hb.extensions).toBe(3);
  });

  it("logs a failed extension instead of failing the batch", async () => {
    // Prepare
    mock.on(ChangeMessageVisibilityBatchCommand).rejects(new Error("network"));
    const warnings: string[] = [];
    const log = { info() {}, error() {}, warn: (m: string) => void warnings.push(m) };
    const hb = new VisibilityHeartbeat(sqs, "https://q", { visibilityTimeoutSeconds: 60, intervalSeconds: 1, log });
    hb.start([{ id: "1", receiptHandle: "r1" }]);
    // Act
    await vi.advanceTimersByTimeAsync(1_000);
    await hb.stop();
    // Assess
    expect(warnings).toStrictEqual(["visibility extension failed"]);
  });
});

describe("queueUrlForArn", () => {
  it("looks the URL up by name and owner account, once per ARN", async () => {
    // Prepare
    mock.on(GetQueueUrlCommand).resolves({ QueueUrl: "https://sqs/111122223333/ingest-unit" });
    const arn = "arn:aws:sqs:us-east-1:111122223333:ingest-unit";
    // Act
    const urls = [await queueUrlForArn(sqs, arn), await queueUrlForArn(sqs, arn)];
    // Assess
    expect(urls).toStrictEqual(["https://sqs/111122223333/ingest-unit", "https://sqs/111122223333/ingest-unit"]);
    expect(mock.commandCalls(GetQueueUrlCommand).map((c) => c.args[0].input)).toStrictEqual([
      { QueueName: "ingest-unit", QueueOwnerAWSAccountId: "111122223333" },
    ]);
  });

  it("rejects what is not a queue ARN", async () => {
    await expect(queueUrlForArn(sqs, "arn:aws:sns:us-east-1:1:t")).rejects.toThrow("not an SQS queue ARN");
  });
});
