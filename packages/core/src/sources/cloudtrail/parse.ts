import { type JsonElement, jsonElementBatches } from "../../ingest/json-stream.ts";
import { toIsoUtc } from "../../time.ts";
import { JsonRecord } from "../json-record.ts";
import { recordMapper } from "../mapping.ts";
import type { ParseEvent, RecordKind } from "../types.ts";
import { isObject, type JsonObject, plainInput, readString, readTimestamp } from "../values.ts";
import { cloudtrailDigestLogFileTable, cloudtrailDigestTable, cloudtrailTable } from "./schema.ts";

/** Top-level keys whose array holds the records: trail files (`Records`) and `lookup-events` output (`Events`). */
export const CLOUDTRAIL_ARRAY_KEYS = ["Records", "Events"] as const;

const SERVICE_SOURCE = /\.amazonaws\.com$/;

/**
 * True when an object has the shape of a CloudTrail record: an `eventVersion` plus an event source, name or type.
 * Insights records qualify through `eventType` although they lack `eventSource` and `eventName`. Exports that drop
 * `eventVersion` qualify with an AWS service `eventSource` and an `eventName`.
 */
export function isCloudTrailRecord(o: JsonObject): boolean {
  if (typeof o.eventVersion === "string") return "eventSource" in o || "eventName" in o || "eventType" in o;
  return (
    o.eventVersion === undefined &&
    typeof o.eventName === "string" &&
    typeof o.eventSource === "string" &&
    SERVICE_SOURCE.test(o.eventSource)
  );
}

/** True for a CloudTrail digest file's body. */
export function isCloudTrailDigest(o: JsonObject): boolean {
  return ("digestEndTime" in o || "digestStartTime" in o) && ("logFiles" in o || "digestS3Object" in o);
}

/**
 * The CloudTrail record inside a record, if any: the record itself, the `detail` of an EventBridge event
 * (`"detail-type": "AWS API Call via CloudTrail"` and siblings), or the `CloudTrailEvent` string of a
 * `lookup-events` entry. Returns undefined when it is none of these.
 */
export function findCloudTrailRecord(rec: JsonRecord): JsonRecord | undefined {
  const o = rec.value;
  if (isCloudTrailRecord(o)) return rec;
  const detail = o.detail;
  if (isObject(detail) && typeof o["detail-type"] === "string") {
    if (isCloudTrailRecord(detail) || o["detail-type"].endsWith("via CloudTrail")) return rec.child("detail");
    return undefined;
  }
  if (typeof o.CloudTrailEvent === "string") {
    const inner = JsonRecord.parse(o.CloudTrailEvent);
    if (typeof inner !== "string" && isCloudTrailRecord(inner.value)) return inner;
  }
  return undefined;
}

/** Maps one CloudTrail record to a `cloudtrail` row by the table's schema; only a record without a time is refused. */
export const toCloudTrailRow = recordMapper(cloudtrailTable, (tried) =>
  tried.length === 0
    ? "CloudTrail record has no eventTime or @timestamp"
    : `CloudTrail record has an invalid ${tried.map((t) => `${t.path} ${t.text}`).join(" and ")}`,
);

/** Maps a digest file's body to a `cloudtrail_digest` row; `digestEndTime` decides its partition. */
export const toDigestRow = recordMapper(
  cloudtrailDigestTable,
  (tried) => `CloudTrail digest has no valid digestEndTime: ${tried[0]?.text ?? "null"}`,
);

function plain(value: unknown, read: typeof readString): string | null {
  if (typeof value !== "string" && typeof value !== "number") return null;
  return read(plainInput(value)) ?? null;
}

/**
 * The `cloudtrail_digest_log_file` rows of a digest body: one per `logFiles` entry, dated by the digest's end time.
 * A field of the wrong type is null, as in every other column.
 */
export function digestLogFileRows(digest: JsonObject, digestEndTime: string): Record<string, unknown>[] {
  const files = Array.isArray(digest.logFiles) ? digest.logFiles : [];
  return files.map((f: unknown, i) => {
    const o = isObject(f) ? f : {};
    return {
      event_time: digestEndTime,
      digest_s3_bucket: plain(digest.digestS3Bucket, readString),
      digest_s3_object: plain(digest.digestS3Object, readString),
      file_index: i,
      s3_bucket: plain(o.s3Bucket, readString),
      s3_object: plain(o.s3Object, readString),
      hash_value: plain(o.hashValue, readString),
      hash_algorithm: plain(o.hashAlgorithm, readString),
      newest_event_time: plain(o.newestEventTime, readTimestamp),
      oldest_event_time: plain(o.oldestEventTime, readTimestamp),
    };
  });
}

/** CloudTrail records as other sources carry them (CloudWatch Logs messages, for one). */
export const cloudtrailRecords: RecordKind = {
  table: cloudtrailTable,
  find: findCloudTrailRecord,
  map: (rec) => toCloudTrailRow(rec),
};

/** CloudTrail digest bodies, which look like JSON records but are never events. */
export const cloudtrailDigests: RecordKind = {
  table: cloudtrailDigestTable,
  find: (rec) => (isCloudTrailDigest(rec.value) ? rec : undefined),
  map: (rec) => toDigestRow(rec),
};

/** Which kinds of CloudTrail objects a parse accepts. */
export type CloudTrailAccept = "events" | "digests";

/**
 * Turns one element of a CloudTrail object into exactly one parse event: a `cloudtrail` row (records, EventBridge
 * events, `lookup-events` entries), a `cloudtrail_digest` row (digest bodies, kept away from `cloudtrail`), or a
 * reject. With `accept: "digests"` anything but a digest is refused.
 */
export function cloudTrailElementEvent(el: JsonElement, accept: CloudTrailAccept): ParseEvent {
  const line = el.index;
  if (el.status === "truncated") {
    const message = el.detail ?? "input ends inside this record";
    return { kind: "reject", line, reason: "truncated", message, raw: el.text };
  }
  if (el.status === "too_large") {
    return { kind: "reject", line, reason: "too_large", message: "record exceeds the size limit", raw: el.text };
  }
  const parsed = JsonRecord.parse(el.text);
  if (parsed === "bad_json") {
    return { kind: "reject", line, reason: "bad_json", message: "record is not JSON", raw: el.text };
  }
  if (parsed === "not_object") {
    return { kind: "reject", line, reason: "bad_json", message: "record is not a JSON object", raw: el.text };
  }
  if (isCloudTrailDigest(parsed.value)) {
    const mapped = toDigestRow(parsed);
    if (!mapped.ok) return { kind: "reject", line, reason: mapped.reason, message: mapped.message, raw: el.text };
    const children = digestLogFileRows(parsed.value, mapped.row.event_time).map((row) => ({
      table: cloudtrailDigestLogFileTable,
      row,
    }));
    return { kind: "row", line, table: cloudtrailDigestTable, row: mapped.row, children };
  }
  if (accept === "digests") {
    return { kind: "reject", line, reason: "bad_record", message: "not a CloudTrail digest file", raw: el.text };
  }
  const rec = findCloudTrailRecord(parsed);
  if (rec === undefined) {
    const time = toIsoUtc(parsed.value.eventTime);
    return {
      kind: "reject",
      line,
      reason: "bad_record",
      message: "object is not a CloudTrail record (no eventVersion with eventSource, eventName or eventType)",
      raw: el.text,
      ...(time === null ? {} : { time }),
    };
  }
  const mapped = toCloudTrailRow(rec);
  return mapped.ok
    ? { kind: "row", line, table: cloudtrailTable, row: mapped.row, record: rec }
    : { kind: "reject", line, reason: mapped.reason, message: mapped.message, raw: el.text };
}

/**
 * Streams CloudTrail objects: `{"Records":[…]}` trail files, NDJSON, bare arrays, single records, EventBridge
 * events and digest files. Each element is one record, numbered from 1.
 */
export async function* parseCloudTrail(
  text: AsyncIterable<string>,
  accept: CloudTrailAccept,
  maxRecordChars?: number,
): AsyncIterable<ParseEvent> {
  const options = { arrayKeys: CLOUDTRAIL_ARRAY_KEYS, maxElementChars: maxRecordChars };
  for await (const batch of jsonElementBatches(text, options)) {
    for (const el of batch) yield cloudTrailElementEvent(el, accept);
  }
}
