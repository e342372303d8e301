import { createHash } from "node:crypto";
import type { Log } from "@app/pipeline/log";
import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";

/** Counters of an event source, for logs and tests. */
export interface SqsSourceStats {
  batches: number;
  received: number;
  deleted: number;
  failed: number;
  handlerErrors: number;
}

/**
 * Polls a queue and invokes a handler the way a Lambda SQS event source mapping does: batches up to `batchSize`
 * gathered for at most `batchingWindowSeconds`, partial batch responses honoured (only successful messages are
 * deleted; failed ones reappear after the visibility timeout and go to the DLQ after the redrive limit), and a
 * thrown handler error fails the whole batch.
 */
export class SqsEventSource {
  readonly stats: SqsSourceStats = { batches: 0, received: 0, deleted: 0, failed: 0, handlerErrors: 0 };
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly opts: {
      sqs: SQSClient;
      queueUrl: string;
      queueArn: string;
      region: string;
      batchSize: number;
      batchingWindowSeconds: number;
      handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
      log: Log;
      /** Long-poll wait while the queue is empty; bounds how long `stop` waits. */
      waitSeconds?: number;
    },
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops polling and waits for the batch in flight to finish (drain). */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const batch = await this.gather().catch((e: unknown) => {
        this.opts.log.warn("receive failed", { queue: this.opts.queueUrl, error: String(e) });
        return [] as Message[];
      });
      if (batch.length === 0) continue;
      await this.deliver(batch);
    }
  }

  private async gather(): Promise<Message[]> {
    const messages: Message[] = [];
    const deadline = Date.now() + this.opts.batchingWindowSeconds * 1000;
    while (this.running && messages.length < this.opts.batchSize) {
      const res = await this.opts.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.opts.queueUrl,
          MaxNumberOfMessages: Math.min(10, this.opts.batchSize - messages.length),
          WaitTimeSeconds: messages.length === 0 ? (this.opts.waitSeconds ?? 1) : 0,
          MessageSystemAttributeNames: ["All"],
          MessageAttributeNames: ["All"],
        }),
      );
      messages.push(...(res.Messages ?? []));
      if (Date.now() >= deadline) break;
      if (!res.Messages?.length) {
        if (messages.length > 0) await new Promise((r) => setTimeout(r, 100));
        else break;
      }
    }
    return messages;
  }

  private async deliver(messages: Message[]): Promise<void> {
    this.stats.batches++;
    this.stats.received += messages.length;
    const event: SQSEvent = { Records: messages.map((m) => this.toRecord(m)) };
    let failed: Set<string>;
    try {
      const res = await this.opts.handler(event);
      failed = new Set(res.batchItemFailures.map((f) => f.itemIdentifier));
    } catch (e) {
      this.stats.handlerErrors++;
      this.opts.log.error("handler failed the whole batch", { messages: messages.length, error: String(e) });
      failed = new Set(event.Records.map((r) => r.messageId));
    }
    this.stats.failed += failed.size;
    const done = messages.filter((m) => !failed.has(m.MessageId as string));
    for (let i = 0; i < done.length; i += 10) {
      const chunk = done.slice(i, i + 10);
      const res = await this.opts.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.opts.queueUrl,
          Entries: chunk.map((m, j) => ({ Id: `d${j}`, ReceiptHandle: m.ReceiptHandle as string })),
        }),
      );
      this.stats.deleted += res.Successful?.length ?? 0;
    }
  }

  private toRecord(m: Message): SQSRecord {
    const a = m.Attributes ?? {};
    const body = m.Body ?? "";
    return {
      messageId: m.MessageId as string,
      receiptHandle: m.ReceiptHandle as string,
      body,
      attributes: {
        ApproximateReceiveCount: a.ApproximateReceiveCount ?? "1",
        SentTimestamp: a.SentTimestamp ?? String(Date.now()),
        SenderId: a.SenderId ?? "000000000000",
        ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: m.MD5OfBody ?? createHash("md5").update(body).digest("hex"),
      eventSource: "aws:sqs",
      eventSourceARN: this.opts.queueArn,
      awsRegion: this.opts.region,
    };
  }
}
