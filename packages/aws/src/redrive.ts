import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";

/** The URL of a queue given by name or URL; throws `QueueDoesNotExist` for a name SQS does not know. */
export async function queueUrlOf(sqs: SQSClient, nameOrUrl: string): Promise<string> {
  if (/^https?:\/\//.test(nameOrUrl)) return nameOrUrl;
  const r = await sqs.send(new GetQueueUrlCommand({ QueueName: nameOrUrl }));
  if (!r.QueueUrl) throw new Error(`no URL for queue ${nameOrUrl}`);
  return r.QueueUrl;
}

/** Messages a queue holds: visible, and received but not yet deleted (in flight). */
export interface QueueDepth {
  visible: number;
  inFlight: number;
}

/** The approximate depth of a queue, as SQS counts it. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const r = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return {
    visible: Number(r.Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(r.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

/** What a redrive did with the messages it received from the DLQ. */
export interface RedriveResult {
  /** Sent to the source queue and deleted from the DLQ. */
  moved: number;
  /** Refused by the source queue: left in the DLQ, visible again once their visibility timeout ends. */
  refused: number;
  /** Sent, but the DLQ did not delete them: a later run sends them again (a duplicate notification, never a loss). */
  undeleted: number;
}

/**
 * Moves messages from a dead-letter queue back to its source queue: receive, send, and delete from the DLQ only what
 * the source queue accepted, so a crash or a refused send never loses a message. A crash between send and delete
 * sends that message again on the next run; the ingest is idempotent per object, so a duplicate notification writes
 * no duplicate row. Stops after `max` messages (default: the DLQ's depth at the start, so a message that fails
 * again and returns is not cycled within one run) or when a long poll finds the DLQ empty.
 */
export async function redriveMessages(args: {
  sqs: SQSClient;
  dlqUrl: string;
  targetUrl: string;
  max?: number;
  /** Seconds a received message stays hidden while it is sent (default 60). */
  visibilityTimeout?: number;
  onBatch?: (r: RedriveResult) => void;
}): Promise<RedriveResult> {
  const start = await queueDepth(args.sqs, args.dlqUrl);
  const max = args.max ?? start.visible;
  const result: RedriveResult = { moved: 0, refused: 0, undeleted: 0 };
  const handled = () => result.moved + result.refused + result.undeleted;
  while (handled() < max) {
    const received = await args.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: args.dlqUrl,
        MaxNumberOfMessages: Math.min(10, max - handled()),
        WaitTimeSeconds: 1,
        VisibilityTimeout: args.visibilityTimeout ?? 60,
        MessageAttributeNames: ["All"],
      }),
    );
    const messages = (received.Messages ?? []).filter((m): m is Message & { Body: string; ReceiptHandle: string } =>
      Boolean(m.Body !== undefined && m.ReceiptHandle),
    );
    if (messages.length === 0) break;
    const sent = await args.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: args.targetUrl,
        Entries: messages.map((m, i) => ({
          Id: String(i),
          MessageBody: m.Body,
          ...(m.MessageAttributes && Object.keys(m.MessageAttributes).length > 0
            ? { MessageAttributes: m.MessageAttributes }
            : {}),
        })),
      }),
    );
    const ok = new Set((sent.Successful ?? []).map((s) => Number(s.Id)));
    const done = messages.filter((_, i) => ok.has(i));
    if (done.length > 0) {
      const deleted = await args.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: args.dlqUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
      result.undeleted += deleted.Failed?.length ?? 0;
      result.moved += done.length - (deleted.Failed?.length ?? 0);
    }
    result.refused += messages.length - done.length;
    args.onBatch?.({ ...result });
  }
  return result;
}
