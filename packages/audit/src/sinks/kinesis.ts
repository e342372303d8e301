import { randomUUID } from "node:crypto";
import { type KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";
import { type AuditSink, describeError, type EncodedEvent, isRetryable, type OutcomeBuilder } from "../sink.ts";
import { splitRequests } from "../split.ts";

// PutRecords limits (Kinesis API reference): 500 records and 5 MiB per call, 1 MiB per record, data and
// partition key counted together; a partition key is at most 256 characters.
const MAX_RECORDS = 500;
const MAX_REQUEST_BYTES = 5 * 1024 * 1024;
const MAX_RECORD_BYTES = 1024 * 1024;
const MAX_KEY_CHARS = 256;

// Entry errors worth another try; KMS access and state errors are not.
const RETRY_CODES = new Set(["ProvisionedThroughputExceededException", "InternalFailure", "KMSThrottlingException"]);

/** How records are spread over shards: by request id (a request's events in order on one shard), user, or at random. */
export type PartitionKeyChoice = "request_id" | "user_id" | "random" | ((record: EncodedEvent["record"]) => string);

export interface KinesisSinkOptions {
  /** A client on HTTP/1.1 (`NodeHttpHandler`) for kinesalite and `loglake dev`; any client on AWS. */
  client: KinesisClient;
  streamName?: string;
  streamArn?: string;
  /** Default `request_id`; events without the chosen field get a random key. */
  partitionKey?: PartitionKeyChoice;
  name?: string;
}

/**
 * Puts each event as one Kinesis record (its JSON line), the shape loglake's stream consumer reads into
 * `app_events`. Calls stay within the PutRecords limits; only the entries a call failed are retried.
 */
export function kinesisSink(opts: KinesisSinkOptions): AuditSink {
  if (!opts.streamName && !opts.streamArn) throw new Error("kinesisSink needs streamName or streamArn");
  const choice = opts.partitionKey ?? "request_id";
  const keyOf = (r: EncodedEvent["record"]): string => {
    const v = typeof choice === "function" ? choice(r) : choice === "random" ? undefined : r[choice];
    const key = typeof v === "string" && v.length > 0 ? v : randomUUID();
    return key.slice(0, MAX_KEY_CHARS);
  };
  const target = opts.streamArn ? { StreamARN: opts.streamArn } : { StreamName: opts.streamName };
  return {
    name: opts.name ?? "kinesis",
    maxEventBytes: MAX_RECORD_BYTES - MAX_KEY_CHARS * 4 - 1,
    async send(events) {
      const keyed = events.map((e) => ({ e, key: keyOf(e.record) }));
      const keyBytes = new Map(keyed.map((k) => [k.e, Buffer.byteLength(k.key)]));
      const keys = new Map(keyed.map((k) => [k.e, k.key]));
      const requests = splitRequests(
        events,
        { maxEvents: MAX_RECORDS, maxBytes: MAX_REQUEST_BYTES, overheadBytes: 0 },
        (e) => e.bytes + 1 + (keyBytes.get(e) ?? 0),
      );
      const outcome: OutcomeBuilder = { retry: [], rejected: [] };
      for (const batch of requests) await put(batch, outcome);
      return outcome;

      async function put(batch: EncodedEvent[], out: OutcomeBuilder): Promise<void> {
        const Records: PutRecordsRequestEntry[] = batch.map((e) => ({
          Data: Buffer.from(`${e.json}\n`),
          PartitionKey: keys.get(e),
        }));
        let entries: { ErrorCode?: string; ErrorMessage?: string }[];
        try {
          entries = (await opts.client.send(new PutRecordsCommand({ ...target, Records }))).Records ?? [];
        } catch (err) {
          if (isRetryable(err)) {
            out.retry.push(...batch);
            out.retryReason = describeError(err);
          } else out.rejected.push(...batch.map((event) => ({ event, reason: describeError(err) })));
          return;
        }
        // A reply without one result per record says nothing of which were stored: all are tried again.
        if (entries.length !== batch.length) {
          out.retry.push(...batch);
          return;
        }
        batch.forEach((event, i) => {
          const code = entries[i]?.ErrorCode;
          if (!code) return;
          const reason = `${code}: ${entries[i]?.ErrorMessage ?? ""}`;
          if (RETRY_CODES.has(code)) {
            out.retry.push(event);
            out.retryReason = reason;
          } else out.rejected.push({ event, reason });
        });
      }
    },
  };
}
