import { customerDestinations } from "@app/core/config/destinations";
import { type CopyTarget, planCopies } from "@app/core/copy/plan";
import { decodeSqsBody, type S3ObjectRef } from "@app/core/envelopes/s3-notification";
import { ParseError } from "@app/core/errors";
import { type AppEventText, appEventText } from "@app/core/forward/cloudwatch-logs";
import type { IngestSummary } from "@app/core/ingest/pipeline";
import {
  quarantineRow,
  s3Lineage,
  s3ObjectName,
  s3ObjectVersion,
  sqsMessageLineage,
  sqsMessageName,
} from "@app/core/lake-layout";
import type { TableDef } from "@app/core/schema/table";
import { quarantineTable } from "@app/core/sources/quarantine/schema";
import { toIsoUtc } from "@app/core/time";
import { ingestToLake, SupersededError } from "@app/lake/ingest";
import { createLakeWriter } from "@app/lake/writer";
import { alertOnRows } from "./alerts.ts";
import { type IngestCounts, tally } from "./counts.ts";
import { type ForwardCounts, forwardAppEvents, mergeForwardCounts } from "./forward.ts";
import { ObjectGoneError, type VisibilityLease } from "./ports.ts";
import type { PipelineRuntime } from "./runtime.ts";

/** What happened to one S3 object. */
export interface ObjectResult {
  object: string;
  outcome: "ingested" | "gone";
  summary?: IngestSummary;
  files: string[];
  copies: { kind: CopyTarget["kind"]; bucket: string; key: string; multipart: boolean }[];
  /** Alerts published for its rows (present when alerts are on). */
  alerts?: number;
  /** What forwarding to CloudWatch Logs did, by destination (present when a destination forwarded or skipped). */
  forwarded?: ForwardCounts;
}

/** What happened to one SQS message. */
export type MessageResult =
  | { kind: "objects"; objects: ObjectResult[] }
  | { kind: "test" | "ignored"; why?: string }
  | { kind: "poison"; why: string };

/** The SQS message fields the pipeline reads (a subset of Lambda's SQSRecord). */
export interface SqsMessage {
  messageId: string;
  body: string;
  eventSourceARN?: string;
  attributes?: { SentTimestamp?: string };
}

/**
 * Ingests one S3 object: streams it, detects its source, writes its rows and quarantine rows to the lake under a
 * name derived from the object's identity, then makes the raw copies its source is configured for. Bad content is
 * quarantined by the pipeline and never throws; S3 and lake I/O errors throw so the message is retried.
 */
export async function ingestS3Object(rt: PipelineRuntime, ref: S3ObjectRef): Promise<ObjectResult> {
  const object = s3Lineage(ref.bucket, ref.key);
  const loc = {
    bucket: ref.bucket,
    key: ref.key,
    ...(ref.versionId ? { versionId: ref.versionId } : {}),
    ...(ref.eTag ? { eTag: ref.eTag } : {}),
  };
  const bytes = rt.reader.read(loc, {
    onResume: (offset, error) => rt.log.warn("resuming object download", { object, offset, error: String(error) }),
  });
  // App events' texts are kept only when something forwards them.
  const appEvents: AppEventText[] = [];
  const onRow = rt.forward
    ? (table: TableDef, row: Record<string, unknown>, text: string | undefined) => {
        const e = appEventText(table, row, text);
        if (e) appEvents.push(e);
      }
    : undefined;
  let manifest: Awaited<ReturnType<typeof ingestToLake>>;
  try {
    manifest = await ingestToLake({
      db: rt.db,
      store: rt.lake,
      sources: rt.sources,
      bytes,
      key: ref.key,
      sourceObject: object,
      ingestTime: ref.eventTime,
      name: s3ObjectName(ref),
      version: s3ObjectVersion(ref),
      options: rt.sourceOptions,
      // The lake bucket lets only the compactor delete; files a re-ingest no longer writes are left to it.
      staleFiles: "record",
      ...(rt.redaction ? { redaction: rt.redaction } : {}),
      ...(onRow ? { onRow } : {}),
    });
  } catch (e) {
    // Gone or superseded since the notification: a later notification covers whatever replaced it.
    if (e instanceof ObjectGoneError || e instanceof SupersededError)
      return { object, outcome: "gone", files: [], copies: [] };
    throw e;
  } finally {
    // The pipeline may stop reading early (unknown source); release the connection.
    await bytes.return?.(undefined);
  }
  // Before the copies: an alert should not wait for a large raw copy, and a failed copy redelivers the message,
  // whose alerts are then already claimed.
  const alerts = rt.alerts
    ? (await alertOnRows({ alerts: rt.alerts, lake: rt.lake, db: rt.db, files: manifest.files, log: rt.log })).published
        .length
    : undefined;
  const source = manifest.summary.source;
  // Only rows the lake holds: an object quarantined as a whole (unwritable) forwards nothing.
  const forwarded =
    rt.forward && source !== "unknown" && (manifest.summary.rows.app_events ?? 0) > 0
      ? await forwardAppEvents({
          forward: rt.forward,
          config: rt.config,
          input: `${object}\n${ref.versionId ?? ref.eTag ?? ""}`,
          groups: [{ source, events: appEvents }],
          log: rt.log,
        })
      : undefined;
  const copies: ObjectResult["copies"] = [];
  if (source !== "unknown") {
    const targets = planCopies(rt.config, { source, bucket: ref.bucket, key: ref.key, eventTime: ref.eventTime });
    for (const t of targets) {
      const { multipart } = await rt.copier.copy(
        {
          source: loc,
          target: { bucket: t.bucket, key: t.key },
          ...(ref.size !== undefined ? { size: ref.size } : {}),
          ...(t.kind === "worm" ? { objectLock: t.objectLock } : {}),
          ...(t.kind === "customer" && t.kmsKeyId ? { kms: { kmsKeyId: t.kmsKeyId } } : {}),
          limits: {
            multipartThresholdBytes: rt.config.sizes.multipartCopyThresholdBytes,
            partSizeBytes: rt.config.sizes.copyPartSizeBytes,
          },
        },
        t.kind === "customer" ? destinationOf(rt, t.destination) : undefined,
      );
      copies.push({ kind: t.kind, bucket: t.bucket, key: t.key, multipart });
    }
  }
  return {
    object,
    outcome: "ingested",
    summary: manifest.summary,
    files: manifest.files,
    copies,
    ...(alerts !== undefined ? { alerts } : {}),
    ...(forwarded && forwarded.size > 0 ? { forwarded } : {}),
  };
}

function destinationOf(rt: PipelineRuntime, name: string) {
  const d = customerDestinations(rt.config).find((x) => x.name === name);
  if (!d) throw new Error(`copy plan names unknown destination ${name}`);
  return d;
}

/**
 * Handles one SQS message: decodes the notification (direct, SNS or EventBridge) and ingests each object in
 * order. A test event or a non-creation event is acknowledged. A body that is not a notification at all can never
 * succeed: it is written to the quarantine table (reason `bad_record`, raw body kept) and acknowledged.
 */
export async function processSqsMessage(rt: PipelineRuntime, msg: SqsMessage): Promise<MessageResult> {
  let decoded: ReturnType<typeof decodeSqsBody>;
  try {
    decoded = decodeSqsBody(msg.body);
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    await quarantineMessage(rt, msg, e.message);
    return { kind: "poison", why: e.message };
  }
  if (decoded.kind === "test") return { kind: "test" };
  if (decoded.kind === "ignored") return { kind: "ignored", why: decoded.why };
  const objects: ObjectResult[] = [];
  for (const ref of decoded.objects) objects.push(await ingestS3Object(rt, ref));
  return { kind: "objects", objects };
}

async function quarantineMessage(rt: PipelineRuntime, msg: SqsMessage, why: string): Promise<void> {
  const queue = msg.eventSourceARN?.split(":").pop() ?? "queue";
  const sent = toIsoUtc(Number(msg.attributes?.SentTimestamp ?? Number.NaN));
  // SentTimestamp is the same on every delivery, so the row (and its file name) is too.
  const time = sent ?? "1970-01-01T00:00:00.000Z";
  const writer = await createLakeWriter({ db: rt.db, publish: (rel, local) => rt.lake.putFile(rel, local) });
  try {
    await writer.sink.write(
      quarantineTable,
      quarantineRow({
        sourceObject: sqsMessageLineage(queue, msg.messageId),
        ingestTime: time,
        line: 1,
        sourceKind: "unknown",
        reason: "bad_record",
        message: `SQS message ${msg.messageId} is not an S3 notification: ${why}`,
        raw: rt.redaction ? rt.redaction.text("unknown", msg.body, {}) : msg.body,
      }),
    );
  } catch (e) {
    await writer.abort();
    throw e;
  }
  await writer.finish(sqsMessageName(queue, msg.messageId));
}

/**
 * One Lambda batch of SQS messages, handled in order: each message is kept invisible on its queue until it is done
 * (so a slow object is not delivered to a second consumer), its outcome is counted per kind and per source, and a
 * failure is logged before it is rethrown for the partial batch response.
 */
export class SqsBatch {
  /** Messages per outcome kind. */
  readonly kinds: Record<string, number> = {};
  /** Records read and quarantined per source, for the ingest metrics. */
  readonly bySource: IngestCounts = new Map();
  /** What forwarding to CloudWatch Logs did, per destination, for the forward metrics. */
  readonly forwarded: ForwardCounts = new Map();

  private constructor(
    private readonly rt: PipelineRuntime,
    private readonly messages: number,
    private readonly lease: VisibilityLease | undefined,
  ) {}

  /** Starts the batch and the visibility lease of its messages. */
  static async start(rt: PipelineRuntime, messages: readonly (SqsMessage & { receiptHandle: string })[]) {
    const arn = messages[0]?.eventSourceARN;
    const lease =
      arn && rt.keepInvisible
        ? await rt.keepInvisible(
            arn,
            messages.map((m) => ({ id: m.messageId, receiptHandle: m.receiptHandle })),
          )
        : undefined;
    return new SqsBatch(rt, messages.length, lease);
  }

  /** Handles one message of the batch; throws (after logging) when it must be retried. */
  async process(msg: SqsMessage): Promise<MessageResult> {
    try {
      const result = await processSqsMessage(this.rt, msg);
      this.kinds[result.kind] = (this.kinds[result.kind] ?? 0) + 1;
      if (result.kind === "objects") {
        for (const o of result.objects) {
          if (o.summary) tally(this.bySource, o.summary.source, o.summary);
          if (o.forwarded) mergeForwardCounts(this.forwarded, o.forwarded);
        }
      }
      return result;
    } catch (e) {
      this.rt.log.error("message failed; it will be retried", { messageId: msg.messageId, error: String(e) });
      throw e;
    } finally {
      this.lease?.done(msg.messageId);
    }
  }

  /** Logs what the batch did; `failed` is the number of messages left for a retry. */
  processed(failed: number): void {
    this.rt.log.info("batch processed", {
      messages: this.messages,
      failed,
      kinds: this.kinds,
      ...(this.forwarded.size > 0 ? { forwarded: Object.fromEntries(this.forwarded) } : {}),
    });
  }

  /** Ends the visibility lease, whatever happened. */
  async stop(): Promise<void> {
    await this.lease?.stop();
  }
}
