import { type JsonElement, jsonElementBatches, splitJson } from "../../ingest/json-stream.ts";
import { toIsoUtc } from "../../time.ts";
import { asBoolean, asInt32, asJson, asString, isObject, type JsonObject, type MapResult } from "../app-json/coerce.ts";
import type { ParseEvent } from "../types.ts";
import {
  type CloudTrailDigestParsedRow,
  type CloudTrailParsedRow,
  cloudtrailDigestTable,
  cloudtrailTable,
} from "./schema.ts";

/** Top-level keys whose array holds the records: trail files (`Records`) and `lookup-events` output (`Events`). */
export const CLOUDTRAIL_ARRAY_KEYS = ["Records", "Events"] as const;

// Top-level record fields that have their own column; every other field goes to `extra`.
const MODELLED = new Set([
  "eventTime",
  "eventVersion",
  "eventID",
  "eventSource",
  "eventName",
  "eventType",
  "eventCategory",
  "awsRegion",
  "sourceIPAddress",
  "userAgent",
  "errorCode",
  "errorMessage",
  "requestID",
  "apiVersion",
  "readOnly",
  "managementEvent",
  "recipientAccountId",
  "sharedEventID",
  "vpcEndpointId",
  "sessionCredentialFromConsole",
  "userIdentity",
  "requestParameters",
  "responseElements",
  "additionalEventData",
  "resources",
  "serviceEventDetails",
  "tlsDetails",
  "addendum",
  "insightDetails",
]);

/**
 * True when an object has the shape of a CloudTrail record: an `eventVersion` plus an event source, name or type.
 * Insights records qualify through `eventType` although they lack `eventSource` and `eventName`.
 */
export function isCloudTrailRecord(o: JsonObject): boolean {
  return typeof o.eventVersion === "string" && ("eventSource" in o || "eventName" in o || "eventType" in o);
}

/** True for a CloudTrail digest file's body. */
export function isCloudTrailDigest(o: JsonObject): boolean {
  return ("digestEndTime" in o || "digestStartTime" in o) && ("logFiles" in o || "digestS3Object" in o);
}

/**
 * The CloudTrail record inside a value, if any: the value itself, the `detail` of an EventBridge event
 * (`"detail-type": "AWS API Call via CloudTrail"` and siblings), or the `CloudTrailEvent` string of a
 * `lookup-events` entry. Returns undefined when the value is none of these.
 */
export function unwrapCloudTrailRecord(o: JsonObject): JsonObject | undefined {
  if (isCloudTrailRecord(o)) return o;
  const detail = o.detail;
  if (isObject(detail) && typeof o["detail-type"] === "string") {
    if (isCloudTrailRecord(detail) || o["detail-type"].endsWith("via CloudTrail")) return detail;
    return undefined;
  }
  if (typeof o.CloudTrailEvent === "string") {
    try {
      const inner: unknown = JSON.parse(o.CloudTrailEvent);
      if (isObject(inner) && isCloudTrailRecord(inner)) return inner;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

// Records of one file often share their eventTime second; normalising it once saves a Date round trip per record.
let lastTimeIn: unknown;
let lastTimeOut: string | null = null;
function eventTimeOf(value: unknown): string | null {
  if (value !== lastTimeIn || typeof value !== "string") {
    lastTimeIn = value;
    lastTimeOut = toIsoUtc(value);
  }
  return lastTimeOut;
}

/** Maps one CloudTrail record to a `cloudtrail` row; only a missing or invalid `eventTime` is refused. */
export function toCloudTrailRow(rec: JsonObject): MapResult<CloudTrailParsedRow> {
  const eventTime = eventTimeOf(rec.eventTime);
  if (eventTime === null) {
    const what =
      rec.eventTime === undefined ? "has no eventTime" : `has an invalid eventTime ${JSON.stringify(rec.eventTime)}`;
    return { ok: false, reason: "bad_timestamp", message: `CloudTrail record ${what}` };
  }
  const ui = isObject(rec.userIdentity) ? rec.userIdentity : undefined;
  const session = isObject(ui?.sessionContext) ? ui.sessionContext : undefined;
  const attributes = isObject(session?.attributes) ? session.attributes : undefined;
  const issuer = isObject(session?.sessionIssuer) ? session.sessionIssuer : undefined;
  let extra: JsonObject | undefined;
  for (const key of Object.keys(rec)) {
    if (MODELLED.has(key)) continue;
    extra ??= {};
    extra[key] = rec[key];
  }
  return {
    ok: true,
    row: {
      event_time: eventTime,
      event_version: asString(rec.eventVersion),
      event_id: asString(rec.eventID),
      event_source: asString(rec.eventSource),
      event_name: asString(rec.eventName),
      event_type: asString(rec.eventType),
      event_category: asString(rec.eventCategory),
      aws_region: asString(rec.awsRegion),
      source_ip_address: asString(rec.sourceIPAddress),
      user_agent: asString(rec.userAgent),
      error_code: asString(rec.errorCode),
      error_message: asString(rec.errorMessage),
      request_id: asString(rec.requestID),
      api_version: asString(rec.apiVersion),
      read_only: asBoolean(rec.readOnly),
      management_event: asBoolean(rec.managementEvent),
      recipient_account_id: asString(rec.recipientAccountId),
      shared_event_id: asString(rec.sharedEventID),
      vpc_endpoint_id: asString(rec.vpcEndpointId),
      session_credential_from_console: asBoolean(rec.sessionCredentialFromConsole),
      user_identity_type: asString(ui?.type),
      user_identity_arn: asString(ui?.arn),
      user_identity_account_id: asString(ui?.accountId),
      user_identity_user_name: asString(ui?.userName),
      user_identity_principal_id: asString(ui?.principalId),
      user_identity_access_key_id: asString(ui?.accessKeyId),
      user_identity_invoked_by: asString(ui?.invokedBy),
      user_identity_mfa_authenticated: asBoolean(attributes?.mfaAuthenticated),
      user_identity_session_issuer_arn: asString(issuer?.arn),
      user_identity_session_issuer_user_name: asString(issuer?.userName),
      user_identity: asJson(rec.userIdentity),
      request_parameters: asJson(rec.requestParameters),
      response_elements: asJson(rec.responseElements),
      additional_event_data: asJson(rec.additionalEventData),
      resources: asJson(rec.resources),
      service_event_details: asJson(rec.serviceEventDetails),
      tls_details: asJson(rec.tlsDetails),
      addendum: asJson(rec.addendum),
      insight_details: asJson(rec.insightDetails),
      extra: extra === undefined ? null : JSON.stringify(extra),
    },
  };
}

/** Maps a digest file's body to a `cloudtrail_digest` row; `digestEndTime` decides its partition. */
export function toDigestRow(d: JsonObject): MapResult<CloudTrailDigestParsedRow> {
  const end = toIsoUtc(d.digestEndTime);
  if (end === null) {
    return {
      ok: false,
      reason: "bad_timestamp",
      message: `CloudTrail digest has no valid digestEndTime: ${JSON.stringify(d.digestEndTime ?? null)}`,
    };
  }
  const logFiles = Array.isArray(d.logFiles) ? d.logFiles : null;
  return {
    ok: true,
    row: {
      event_time: end,
      digest_start_time: toIsoUtc(d.digestStartTime),
      aws_account_id: asString(d.awsAccountId),
      digest_s3_bucket: asString(d.digestS3Bucket),
      digest_s3_object: asString(d.digestS3Object),
      digest_public_key_fingerprint: asString(d.digestPublicKeyFingerprint),
      digest_signature_algorithm: asString(d.digestSignatureAlgorithm),
      newest_event_time: toIsoUtc(d.newestEventTime),
      oldest_event_time: toIsoUtc(d.oldestEventTime),
      previous_digest_s3_object: asString(d.previousDigestS3Object),
      previous_digest_hash_value: asString(d.previousDigestHashValue),
      previous_digest_signature: asString(d.previousDigestSignature),
      log_file_count: logFiles === null ? null : asInt32(logFiles.length),
      log_files: asJson(logFiles),
    },
  };
}

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
  let value: unknown;
  try {
    value = JSON.parse(el.text);
  } catch {
    return { kind: "reject", line, reason: "bad_json", message: "record is not JSON", raw: el.text };
  }
  if (!isObject(value)) {
    return { kind: "reject", line, reason: "bad_json", message: "record is not a JSON object", raw: el.text };
  }
  if (isCloudTrailDigest(value)) {
    const mapped = toDigestRow(value);
    return mapped.ok
      ? { kind: "row", line, table: cloudtrailDigestTable, row: mapped.row }
      : { kind: "reject", line, reason: mapped.reason, message: mapped.message, raw: el.text };
  }
  if (accept === "digests") {
    return { kind: "reject", line, reason: "bad_record", message: "not a CloudTrail digest file", raw: el.text };
  }
  const rec = unwrapCloudTrailRecord(value);
  if (rec === undefined) {
    return {
      kind: "reject",
      line,
      reason: "bad_record",
      message: "object is not a CloudTrail record (no eventVersion with eventSource, eventName or eventType)",
      raw: el.text,
    };
  }
  const mapped = toCloudTrailRow(rec);
  return mapped.ok
    ? { kind: "row", line, table: cloudtrailTable, row: mapped.row }
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

// Elements of a head that may fail to parse before the sniffer gives up: a damaged first record is looked past.
const SNIFF_ELEMENTS = 8;

/**
 * The first element of a head of text that parses, or undefined when none of its first few does. A value that parses
 * but is no object ends the search too.
 */
export function firstJsonObject(head: string, arrayKeys: readonly string[]): JsonObject | undefined {
  let tried = 0;
  for (const el of splitJson(head, { arrayKeys })) {
    if (++tried > SNIFF_ELEMENTS) return undefined;
    if (el.status !== "complete") continue;
    let v: unknown;
    try {
      v = JSON.parse(el.text);
    } catch {
      continue;
    }
    return isObject(v) ? v : undefined;
  }
  return undefined;
}
