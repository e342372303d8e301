import type { Log } from "@app/pipeline/log";
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";

/**
 * Encodes a key the way S3 notifications do: form encoding (a space is `+`) with `/` left as is.
 *
 * @example
 * notificationKey("logs/a b+c.gz") // "logs/a+b%2Bc.gz"
 */
export function notificationKey(key: string): string {
  return key
    .split("/")
    .map((s) => new URLSearchParams({ k: s }).toString().slice(2))
    .join("/");
}

/** The S3 event notification S3 would send for a new object. */
export function s3NotificationBody(args: {
  bucket: string;
  key: string;
  size: number;
  eTag: string;
  eventTime: string;
  sequencer: string;
  region: string;
}): string {
  return JSON.stringify({
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        awsRegion: args.region,
        eventTime: args.eventTime,
        eventName: "ObjectCreated:Put",
        userIdentity: { principalId: "loglake-dev" },
        requestParameters: { sourceIPAddress: "127.0.0.1" },
        responseElements: { "x-amz-request-id": args.sequencer, "x-amz-id-2": "loglake-dev" },
        s3: {
          s3SchemaVersion: "1.0",
          configurationId: "loglake-dev",
          bucket: {
            name: args.bucket,
            ownerIdentity: { principalId: "loglake-dev" },
            arn: `arn:aws:s3:::${args.bucket}`,
          },
          object: {
            key: notificationKey(args.key),
            size: args.size,
            eTag: args.eTag.replaceAll('"', ""),
            sequencer: args.sequencer,
          },
        },
      },
    ],
  });
}

/**
 * Stands in for S3 event notifications, which the emulator does not send: lists the source bucket every
 * `intervalMs` and queues one ObjectCreated notification per new or changed object (by ETag). `seen` starts it from
 * what an earlier run announced; `onSeen` is told after every batch that was queued, so a restart announces nothing
 * twice.
 */
export class S3Notifier {
  /** Notifications sent so far. */
  sent = 0;
  private readonly seen: Map<string, string>;
  private running = false;
  private loop: Promise<void> | undefined;
  private sequence = 0;

  constructor(
    private readonly opts: {
      s3: S3Client;
      sqs: SQSClient;
      bucket: string;
      queueUrl: string;
      region: string;
      log: Log;
      intervalMs?: number;
      /** Objects already announced (key → ETag). */
      seen?: Record<string, string>;
      onSeen?: (seen: Record<string, string>) => Promise<void>;
    },
  ) {
    this.seen = new Map(Object.entries(opts.seen ?? {}));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await this.scan().catch((e: unknown) => this.opts.log.warn("source bucket scan failed", { error: String(e) }));
        await new Promise((r) => setTimeout(r, this.opts.intervalMs ?? 500));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Lists the bucket once and queues notifications for what is new; returns how many were sent. */
  async scan(): Promise<number> {
    const fresh: { key: string; etag: string; body: string }[] = [];
    let token: string | undefined;
    do {
      const res = await this.opts.s3.send(
        new ListObjectsV2Command({ Bucket: this.opts.bucket, ContinuationToken: token }),
      );
      for (const o of res.Contents ?? []) {
        if (!o.Key) continue;
        const etag = o.ETag ?? "";
        if (this.seen.get(o.Key) === etag) continue;
        this.sequence++;
        fresh.push({
          key: o.Key,
          etag,
          body: s3NotificationBody({
            bucket: this.opts.bucket,
            key: o.Key,
            size: o.Size ?? 0,
            eTag: etag,
            eventTime: (o.LastModified ?? new Date()).toISOString(),
            // Like S3's, later events of a key get greater sequencers, across restarts too (the time leads).
            sequencer:
              `${Date.now().toString(16).padStart(12, "0")}${(this.sequence % 0x1000000).toString(16).padStart(6, "0")}`.toUpperCase(),
            region: this.opts.region,
          }),
        });
      }
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    for (let i = 0; i < fresh.length; i += 10) {
      const chunk = fresh.slice(i, i + 10);
      const res = await this.opts.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.opts.queueUrl,
          Entries: chunk.map((n, j) => ({ Id: `n${j}`, MessageBody: n.body })),
        }),
      );
      // Only what was queued counts as seen; a failed entry is retried on the next scan.
      for (const ok of res.Successful ?? []) {
        const n = chunk[Number(ok.Id?.slice(1))];
        if (n) this.seen.set(n.key, n.etag);
        this.sent++;
      }
      if ((res.Successful ?? []).length > 0) await this.opts.onSeen?.(Object.fromEntries(this.seen));
    }
    return fresh.length;
  }
}
