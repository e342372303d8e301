import type { Log } from "@app/pipeline/log";
import type { KeepInvisible, VisibilityLease } from "@app/pipeline/ports";
import { ChangeMessageVisibilityBatchCommand, GetQueueUrlCommand, type SQSClient } from "@aws-sdk/client-sqs";

const urlCache = new Map<string, Promise<string>>();

/** Queue URL for an SQS queue ARN (`arn:aws:sqs:<region>:<account>:<name>`), looked up once per ARN. */
export function queueUrlForArn(sqs: SQSClient, arn: string): Promise<string> {
  const m = /^arn:aws[a-z-]*:sqs:[^:]*:(\d+):(.+)$/.exec(arn);
  if (!m) return Promise.reject(new Error(`not an SQS queue ARN: ${arn}`));
  const hit = urlCache.get(arn);
  if (hit) return hit;
  const lookup = sqs
    .send(new GetQueueUrlCommand({ QueueName: m[2], QueueOwnerAWSAccountId: m[1] }))
    .then((r) => r.QueueUrl as string);
  lookup.catch(() => urlCache.delete(arn));
  urlCache.set(arn, lookup);
  return lookup;
}

/**
 * Keeps in-flight messages invisible while a batch is still being worked on: every `intervalSeconds` it resets
 * the visibility timeout of each message not yet finished, so a slow object is not delivered to a second consumer
 * (the duplicate-processing trap of large objects). Best effort: a failed extension is logged, not thrown.
 */
export class VisibilityHeartbeat implements VisibilityLease {
  private readonly pending = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  /** Extensions sent so far (for logs and tests). */
  extensions = 0;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly opts: { visibilityTimeoutSeconds: number; intervalSeconds: number; log?: Log },
  ) {}

  /** Starts extending the given messages (id -> receipt handle). */
  start(messages: readonly { id: string; receiptHandle: string }[]): void {
    for (const m of messages) this.pending.set(m.id, m.receiptHandle);
    if (!this.timer && this.pending.size > 0) {
      this.timer = setInterval(() => {
        this.inFlight = this.inFlight.then(() => this.beat());
      }, this.opts.intervalSeconds * 1000);
      this.timer.unref();
    }
  }

  /** Stops extending one message (it finished, either way). */
  done(id: string): void {
    this.pending.delete(id);
  }

  /** Stops all extensions and waits for one in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.pending.clear();
    await this.inFlight;
  }

  private async beat(): Promise<void> {
    const entries = [...this.pending.entries()];
    for (let i = 0; i < entries.length; i += 10) {
      const chunk = entries.slice(i, i + 10);
      try {
        const res = await this.sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: chunk.map(([, receiptHandle], j) => ({
              Id: `m${i + j}`,
              ReceiptHandle: receiptHandle,
              VisibilityTimeout: this.opts.visibilityTimeoutSeconds,
            })),
          }),
        );
        this.extensions += res.Successful?.length ?? 0;
        if (res.Failed?.length) this.opts.log?.warn("visibility extension failed", { failed: res.Failed });
      } catch (e) {
        this.opts.log?.warn("visibility extension failed", { error: String(e) });
      }
    }
  }
}

/**
 * The pipeline's visibility lease on SQS: a heartbeat on the queue the ARN names. A queue whose URL cannot be
 * looked up gets no lease (the batch still runs; only the extension is lost).
 */
export function sqsKeepInvisible(
  sqs: SQSClient,
  opts: { visibilityTimeoutSeconds: number; intervalSeconds: number; log?: Log },
): KeepInvisible {
  return async (queueArn, messages) => {
    const queueUrl = await queueUrlForArn(sqs, queueArn).catch(() => undefined);
    if (!queueUrl) return undefined;
    const heartbeat = new VisibilityHeartbeat(sqs, queueUrl, opts);
    heartbeat.start(messages);
    return heartbeat;
  };
}
