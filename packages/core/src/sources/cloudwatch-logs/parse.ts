import { constants, gunzipSync } from "node:zlib";
import { isTruncatedJson, type JsonElement, jsonElementBatches, splitJson } from "../../ingest/json-stream.ts";
import { MAX_RECORD_CHARS } from "../../ingest/text.ts";
import type { LogEventLineage } from "../../lake-layout.ts";
import { toIsoUtc } from "../../time.ts";
import { JsonRecord } from "../json-record.ts";
import { arrayItems, spanText, wholeSpan } from "../json-text.ts";
import type { RejectReason } from "../quarantine/schema.ts";
import type { ParseEvent, RecordKind } from "../types.ts";
import { isObject } from "../values.ts";
import { cloudwatchLogsTable } from "./schema.ts";

/** The record kinds log event messages are mapped to: CloudTrail records first, any other JSON as an app event. */
export interface MessageKinds {
  readonly cloudtrail: RecordKind;
  readonly app: RecordKind;
}

/** Top-level keys whose array holds payloads: a saved Lambda Kinesis event (`{"Records":[{"kinesis":…}]}`). */
export const CWL_ARRAY_KEYS = ["Records"] as const;

// Payloads are decoded at most this many times: gzip+base64 once, plus one mistaken extra base64 pass.
const MAX_DECODE_DEPTH = 3;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// Lambda's text log format: "<time>\t<request id>\t<LEVEL>\t<message>".
const LAMBDA_PREFIX = /^(\d{4}-\d{2}-\d{2}T[^\t]+)\t([^\t]*)\t([A-Za-z]+)\t(\{[\s\S]*)$/;

interface Counter {
  n: number;
  readonly kinds: MessageKinds;
}

type Decoded = { ok: true; text: string } | { ok: false; reason: "corrupt_gzip" | "too_large"; message: string };

// A subscription payload is about 1 MB; the cap stops a gzip bomb from exhausting memory.
const MAX_DECODED_BYTES = 64 * 1024 * 1024;

/**
 * Decodes a base64 payload: gunzipped when the bytes are gzip (of a cut-off stream, the JSON it holds), else the
 * text itself when it is JSON or base64 again. Undefined when the string is not a base64 payload at all.
 */
export function decodeBase64Payload(s: string): Decoded | undefined {
  const compact = s.replace(/\s+/g, "");
  if (compact.length < 4 || compact.length % 4 === 1 || !BASE64.test(compact)) return undefined;
  const bytes = Buffer.from(compact, "base64");
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return { ok: true, text: gunzipSync(bytes, { maxOutputLength: MAX_DECODED_BYTES }).toString("utf8") };
    } catch (e) {
      if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
        return { ok: false, reason: "too_large", message: `payload inflates beyond ${MAX_DECODED_BYTES} bytes` };
      }
      // A stream cut short still yields its beginning; keep it when it is JSON, so complete log events survive.
      const partial = salvageGzip(bytes);
      if (partial !== undefined && /^\s*[[{]/.test(partial)) return { ok: true, text: partial };
      return {
        ok: false,
        reason: "corrupt_gzip",
        message: `base64 payload is not valid gzip: ${(e as Error).message}`,
      };
    }
  }
  const text = bytes.toString("utf8");
  return /^\s*[[{"]/.test(text) || text.startsWith("H4sI") ? { ok: true, text } : undefined;
}

function salvageGzip(bytes: Buffer): string | undefined {
  try {
    return gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: MAX_DECODED_BYTES }).toString(
      "utf8",
    );
  } catch {
    return undefined;
  }
}

function reject(
  line: number,
  reason: RejectReason,
  message: string,
  raw: string,
  time?: string | null,
  logEvent?: LogEventLineage,
): ParseEvent {
  return {
    kind: "reject",
    line,
    reason,
    message,
    raw,
    ...(typeof time === "string" ? { time } : {}),
    ...(logEvent ? { logEvent } : {}),
  };
}

/** What a payload says about all of its log events. */
export interface PayloadInfo {
  owner: string | null;
  logGroup: string | null;
  logStream: string | null;
  /** The payload's own JSON text of `subscriptionFilters`, when it is an array. */
  subscriptionFilters: string | null;
}

function idText(v: unknown): string | null {
  return typeof v === "string" || typeof v === "number" ? String(v) : null;
}

function payloadInfo(payload: JsonRecord): PayloadInfo {
  const filters = payload.member("subscriptionFilters");
  return {
    owner: idText(payload.value.owner),
    logGroup: idText(payload.value.logGroup),
    logStream: idText(payload.value.logStream),
    subscriptionFilters:
      filters && Array.isArray(payload.value.subscriptionFilters) ? payload.memberText(filters) : null,
  };
}

function* decodedEvents(b64: string, counter: Counter, depth: number, raw: string): Iterable<ParseEvent> {
  const decoded = decodeBase64Payload(b64);
  if (decoded === undefined) {
    yield reject(++counter.n, "bad_json", "not JSON and not a base64 CloudWatch Logs payload", raw);
    return;
  }
  if (!decoded.ok) {
    yield reject(++counter.n, decoded.reason, decoded.message, raw);
    return;
  }
  if (depth >= MAX_DECODE_DEPTH) {
    yield reject(++counter.n, "bad_record", "payload is base64-encoded too many times", raw);
    return;
  }
  const inner = splitJson(decoded.text, { arrayKeys: CWL_ARRAY_KEYS });
  if (inner.length === 0) {
    yield reject(++counter.n, "bad_record", "decoded payload is empty", raw);
    return;
  }
  for (const el of inner) yield* payloadEvents(el, counter, depth + 1);
}

const LOG_EVENTS_ARRAY = /(?<!\\)"logEvents"\s*:\s*\[/;

/** A top-level string field of a cut payload, read from the text before its `logEvents`. */
function payloadField(head: string, name: string): string | undefined {
  const m = new RegExp(`(?<!\\\\)"${name}"\\s*:\\s*("(?:[^"\\\\]|\\\\.)*")`).exec(head);
  if (!m?.[1]) return undefined;
  try {
    return JSON.parse(m[1]) as string;
  } catch {
    return undefined;
  }
}

const FILTERS_FIELD = /(?<!\\)"subscriptionFilters"\s*:\s*(\[(?:\s*"(?:[^"\\]|\\.)*"\s*,?)*\s*\])/;

/** The `subscriptionFilters` text of a cut payload (an array of names), read from the text before its `logEvents`. */
function payloadFilters(head: string): string | null {
  const text = FILTERS_FIELD.exec(head)?.[1];
  if (text === undefined) return null;
  try {
    return Array.isArray(JSON.parse(text)) ? spanText(text, wholeSpan(text)) : null;
  } catch {
    return null;
  }
}

/**
 * A payload cut short (a Firehose object or gzip stream that ends early): the log events that are complete are
 * kept, the one that was cut is `truncated`. Without a `logEvents` array the payload is one truncated record.
 */
function* truncatedPayloadEvents(text: string, counter: Counter): Iterable<ParseEvent> {
  const at = text.search(LOG_EVENTS_ARRAY);
  const parts = at === -1 ? [] : splitJson(text, { arrayKeys: ["logEvents"] });
  if (parts.length === 0) {
    yield reject(++counter.n, "truncated", "input ends inside this payload", text);
    return;
  }
  const head = text.slice(0, at);
  const payload: PayloadInfo = {
    owner: payloadField(head, "owner") ?? null,
    logGroup: payloadField(head, "logGroup") ?? null,
    logStream: payloadField(head, "logStream") ?? null,
    subscriptionFilters: payloadFilters(head),
  };
  const { owner, logGroup, logStream } = payload;
  const lineage: LogEventLineage = { owner, logGroup, logStream, eventId: null };
  for (const part of parts) {
    const line = ++counter.n;
    if (part.status !== "complete") {
      yield reject(line, "truncated", "input ends inside this log event", part.text, null, lineage);
      continue;
    }
    let logEvent: unknown;
    try {
      logEvent = JSON.parse(part.text);
    } catch {
      yield reject(line, "bad_json", "log event is not valid JSON", part.text, null, lineage);
      continue;
    }
    yield logEventEvent(line, logEvent, () => part.text, payload, counter.kinds);
  }
}

/**
 * Parse events for one payload-level element: a subscription payload, a base64 (gzip) payload, a Lambda
 * `{"awslogs":{"data":…}}` event or a Kinesis record. Each log event, control message or bad payload is one record.
 */
export function* payloadEvents(el: JsonElement, counter: Counter, depth = 0): Iterable<ParseEvent> {
  if (el.status === "truncated") {
    yield* truncatedPayloadEvents(el.text, counter);
    return;
  }
  if (el.status === "too_large") {
    yield reject(++counter.n, "too_large", "payload exceeds the size limit", el.text);
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(el.text);
  } catch {
    yield* decodedEvents(el.text, counter, depth, el.text);
    return;
  }
  if (typeof value === "string") {
    yield* decodedEvents(value, counter, depth, el.text);
    return;
  }
  if (!isObject(value)) {
    yield reject(++counter.n, "bad_record", "payload is not a JSON object", el.text);
    return;
  }
  const envelope = isObject(value.awslogs) ? value.awslogs : isObject(value.kinesis) ? value.kinesis : undefined;
  if (envelope && typeof envelope.data === "string") {
    yield* decodedEvents(envelope.data, counter, depth, el.text);
    return;
  }
  if (value.messageType === "CONTROL_MESSAGE") {
    yield { kind: "skip", line: ++counter.n, skip: "control_message" };
    return;
  }
  if (!Array.isArray(value.logEvents)) {
    yield reject(++counter.n, "bad_record", "not a CloudWatch Logs subscription payload (no logEvents)", el.text);
    return;
  }
  const payload = new JsonRecord(el.text, value);
  const info = payloadInfo(payload);
  let items: string[] | undefined;
  // The text of a log event is needed only for a quarantine row, so the array is scanned only then.
  const rawAt = (i: number) => () => {
    if (items === undefined) {
      const m = payload.member("logEvents");
      items = m ? arrayItems(el.text, m).map((span) => spanText(el.text, span)) : [];
    }
    return items[i] ?? "";
  };
  for (let i = 0; i < value.logEvents.length; i++) {
    yield logEventEvent(++counter.n, value.logEvents[i], rawAt(i), info, counter.kinds);
  }
}

/**
 * One log event to one parse event, with the payload's owner, group and stream and the event's id as its lineage: a
 * CloudTrail record goes to `cloudtrail`, a JSON object (or a Lambda text line carrying one) to `app_events` with the
 * log event's timestamp as fallback time, a JSON object cut short to quarantine as `truncated`, and any other
 * message (VPC flow logs, Lambda platform lines, text that is not JSON) to `cloudwatch_logs`, exactly as sent. `raw`
 * gives the log event's own text.
 */
export function logEventEvent(
  line: number,
  logEvent: unknown,
  raw: () => string,
  payload: PayloadInfo,
  kinds: MessageKinds,
): ParseEvent {
  const lineage: LogEventLineage = {
    owner: payload.owner,
    logGroup: payload.logGroup,
    logStream: payload.logStream,
    eventId: isObject(logEvent) ? idText(logEvent.id) : null,
  };
  if (!isObject(logEvent) || typeof logEvent.message !== "string") {
    return reject(line, "bad_record", "log event has no message", raw(), null, lineage);
  }
  const message = logEvent.message;
  // The log event's own timestamp dates a bad message.
  const at = toIsoUtc(logEvent.timestamp);
  const trimmed = message.trim();
  const lambda = trimmed.startsWith("{") ? null : LAMBDA_PREFIX.exec(trimmed);
  const json = lambda?.[4] ?? trimmed;
  const rec = trimmed.startsWith("{") || lambda !== null ? JsonRecord.parse(json) : undefined;
  // A JSON object cut short is a damaged record; other text (a Python dict, a flow log line) is a message as sent.
  if (rec === "bad_json" && isTruncatedJson(json)) {
    return reject(line, "truncated", "log event message ends inside its JSON", message, at, lineage);
  }
  if (!(rec instanceof JsonRecord)) {
    if (at === null) {
      return reject(line, "bad_timestamp", "log event has no valid timestamp", raw(), null, lineage);
    }
    const row = { event_time: at, message, subscription_filters: payload.subscriptionFilters };
    return { kind: "row", line, table: cloudwatchLogsTable, row, logEvent: lineage };
  }

  const trail = lambda === null ? kinds.cloudtrail.find(rec) : undefined;
  if (trail !== undefined) {
    const mapped = kinds.cloudtrail.map(trail);
    return mapped.ok
      ? { kind: "row", line, table: kinds.cloudtrail.table, row: mapped.row, logEvent: lineage }
      : reject(line, mapped.reason, mapped.message, message, at, lineage);
  }
  const timestamp = logEvent.timestamp;
  const mapped = kinds.app.map(rec, {
    fallbackTime:
      lambda?.[1] ?? (typeof timestamp === "number" || typeof timestamp === "string" ? timestamp : undefined),
    defaults: lambda ? { level: lambda[3]?.toLowerCase() ?? null, request_id: lambda[2] || null } : undefined,
  });
  return mapped.ok
    ? { kind: "row", line, table: kinds.app.table, row: mapped.row, logEvent: lineage, text: rec.text }
    : reject(line, mapped.reason, mapped.message, message, at, lineage);
}

const BASE64_LINE = /^[A-Za-z0-9+/]+={0,2}$/;
const WRAP_WIDTHS = new Set([64, 76]);

/**
 * Streams CloudWatch Logs subscription data: gunzipped payload JSON (one, or several concatenated as Firehose
 * writes them), base64 text of gzip (one payload per line, or one payload wrapped over lines as `base64` prints
 * it), Lambda `awslogs` events and saved Kinesis events. Records are numbered by log event across the whole
 * object, from 1.
 */
export async function* parseCloudWatchLogs(
  text: AsyncIterable<string>,
  kinds: MessageKinds,
  maxRecordChars?: number,
): AsyncIterable<ParseEvent> {
  const counter: Counter = { n: 0, kinds };
  const limit = maxRecordChars ?? MAX_RECORD_CHARS;
  // Lines of one base64 payload wrapped as `base64` (76 columns) or openssl (64) print it: it starts with "H4sI"
  // (gzip magic), every line but the last has that width, and continuations never start with "H4sI". Lines past the
  // record limit are counted, not kept, so one endless payload costs no more memory than one long line.
  let wrapped: string[] = [];
  let wrappedChars = 0;
  let oversize = false;
  let width = 0;
  let lastWidth = 0;
  const flush = function* (): Iterable<ParseEvent> {
    if (wrapped.length === 0) return;
    const joined = wrapped.join("");
    wrapped = [];
    wrappedChars = 0;
    if (oversize) {
      oversize = false;
      yield reject(++counter.n, "too_large", `wrapped base64 payload exceeds ${limit} characters`, joined);
      return;
    }
    yield* payloadEvents({ index: 0, line: 0, status: "complete", text: joined }, counter);
  };
  for await (const batch of jsonElementBatches(text, { arrayKeys: CWL_ARRAY_KEYS, maxElementChars: maxRecordChars })) {
    for (const el of batch) {
      const gzipStart = el.text.startsWith("H4sI");
      const base64 = el.status === "complete" && BASE64_LINE.test(el.text);
      if (base64 && !gzipStart && wrapped.length > 0 && WRAP_WIDTHS.has(width) && lastWidth === width) {
        if (wrappedChars + el.text.length > limit) oversize = true;
        if (!oversize) wrapped.push(el.text);
        wrappedChars += el.text.length;
        lastWidth = el.text.length;
        continue;
      }
      yield* flush();
      if (base64 && gzipStart) {
        wrapped.push(el.text);
        wrappedChars = width = lastWidth = el.text.length;
      } else yield* payloadEvents(el, counter);
    }
  }
  yield* flush();
}
