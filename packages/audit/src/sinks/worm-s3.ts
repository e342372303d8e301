import { createHash, randomUUID } from "node:crypto";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { type AuditSink, describeError, type EncodedEvent, isRetryable, type OutcomeBuilder } from "../sink.ts";
import { splitRequests } from "../split.ts";

const DAY_MS = 86_400_000;
// One object per request id and day; PutObject takes 5 GB, but a WORM audit object stays small to stay readable.
const MAX_OBJECT_BYTES = 16 * 1024 * 1024;
const OBJECT_LIMITS = { maxEvents: Number.MAX_SAFE_INTEGER, maxBytes: MAX_OBJECT_BYTES, overheadBytes: 1 };
const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"];

export interface WormSinkOptions {
  client: S3Client;
  /** A bucket created with Object Lock enabled (`checkWormBucket` tells). */
  bucket: string;
  /** Key prefix, without a trailing slash. */
  prefix: string;
  /** Retention of every object: its mode and how long from the write. */
  objectLock: { mode: "GOVERNANCE" | "COMPLIANCE"; retainDays: number };
  /** `SHA256` (x-amz-checksum-sha256, the default) or `MD5` (Content-MD5); Object Lock writes need one. */
  checksum?: "SHA256" | "MD5";
  name?: string;
  now?: () => Date;
}

/**
 * Writes each batch as JSON-lines objects under `<prefix>/YYYY/MM/DD/<request_id>-<uuid>.json`, one per event
 * day (UTC), request id and service, locked until `retainDays` after the write, with a checksum and the
 * metadata `service`, `request-id` and `level` (the most severe in the object). Events without a request id go
 * under `no-request-id`; characters outside `A-Za-z0-9._-` in a request id become `_` in the key (metadata values
 * are percent-encoded when not printable ASCII).
 */
export function wormSink(opts: WormSinkOptions): AuditSink {
  const now = opts.now ?? (() => new Date());
  const checksum = opts.checksum ?? "SHA256";

  async function put(group: EncodedEvent[], out: OutcomeBuilder): Promise<void> {
    const first = group[0] as EncodedEvent;
    const requestId = typeof first.record.request_id === "string" ? first.record.request_id : undefined;
    const service = String(first.record.service ?? "");
    const day = new Date(first.timeMs).toISOString().slice(0, 10).replaceAll("-", "/");
    const key = `${opts.prefix}/${day}/${(requestId ?? "no-request-id").replace(/[^A-Za-z0-9._-]/g, "_")}-${randomUUID()}.json`;
    const body = Buffer.from(group.map((e) => `${e.json}\n`).join(""));
    const level = group
      .map((e) => String(e.record.level))
      .reduce((a, b) => (LEVELS.indexOf(b) > LEVELS.indexOf(a) ? b : a));
    try {
      await opts.client.send(
        new PutObjectCommand({
          Bucket: opts.bucket,
          Key: key,
          Body: body,
          ContentType: "application/x-ndjson",
          ObjectLockMode: opts.objectLock.mode,
          ObjectLockRetainUntilDate: new Date(now().getTime() + opts.objectLock.retainDays * DAY_MS),
          ...(checksum === "MD5"
            ? { ContentMD5: createHash("md5").update(body).digest("base64") }
            : { ChecksumAlgorithm: "SHA256" as const }),
          Metadata: { service: asciiOr(service), "request-id": asciiOr(requestId ?? ""), level },
        }),
      );
    } catch (e) {
      if (isRetryable(e)) {
        out.retry.push(...group);
        out.retryReason = describeError(e);
      } else out.rejected.push(...group.map((event) => ({ event, reason: describeError(e) })));
    }
  }

  return {
    name: opts.name ?? "worm",
    maxEventBytes: MAX_OBJECT_BYTES - 1,
    async send(events) {
      const out: OutcomeBuilder = { retry: [], rejected: [] };
      const groups = new Map<string, EncodedEvent[]>();
      for (const e of events) {
        const k = JSON.stringify([
          new Date(e.timeMs).toISOString().slice(0, 10),
          e.record.request_id ?? null,
          e.record.service ?? null,
        ]);
        groups.set(k, [...(groups.get(k) ?? []), e]);
      }
      for (const g of groups.values()) {
        for (const part of splitRequests(g, OBJECT_LIMITS)) await put(part, out);
      }
      return out;
    },
  };
}

// S3 user metadata travels in HTTP headers, which carry ASCII only.
function asciiOr(s: string): string {
  return /^[\x20-\x7e]*$/.test(s) ? s : encodeURIComponent(s);
}
