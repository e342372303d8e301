import { ParseError } from "../errors.ts";
import { toIsoUtc } from "../time.ts";

/** One created S3 object named by a notification, with its key already decoded. */
export interface S3ObjectRef {
  bucket: string;
  /** The real object key (URL-decoding applied where the envelope encodes it). */
  key: string;
  size?: number;
  eTag?: string;
  versionId?: string;
  sequencer?: string;
  /** When S3 created the object (ISO-8601 UTC): the rows' ingest_time and the WORM retention start. */
  eventTime: string;
  /** `ObjectCreated:Put`, `ObjectCreated:CompleteMultipartUpload`, or EventBridge's `reason`. */
  eventName: string;
}

/** What an SQS message body holds. */
export type SqsBody =
  | { kind: "objects"; envelope: "s3" | "sns" | "eventbridge"; objects: S3ObjectRef[] }
  | { kind: "test" }
  | { kind: "ignored"; envelope: "s3" | "sns" | "eventbridge"; why: string };

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Decodes an S3 notification key: notifications URL-encode keys form-style, so `+` is a space and `%2B` a plus.
 *
 * @example
 * decodeS3EventKey("logs/red+flower%2B1.txt") // "logs/red flower+1.txt"
 */
export function decodeS3EventKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replaceAll("+", " "));
  } catch {
    throw new ParseError(`S3 notification key is not valid URL encoding: ${JSON.stringify(encoded)}`);
  }
}

/**
 * Decodes an SQS message body into the S3 objects it announces: an S3 event notification sent directly, the same
 * wrapped in an SNS notification, or an EventBridge "Object Created" event. `s3:TestEvent` (sent when a
 * notification is configured) is reported as `test`; removal and other events as `ignored`. Throws `ParseError`
 * for anything else, which can never succeed and so must be acknowledged, not retried.
 */
export function decodeSqsBody(body: string): SqsBody {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ParseError(`SQS message body is not JSON: ${body.slice(0, 200)}`);
  }
  return decodeJson(json, "s3");
}

function decodeJson(json: unknown, envelope: "s3" | "sns"): SqsBody {
  if (!isObject(json)) throw new ParseError("SQS message body is not a JSON object");
  if (json.Event === "s3:TestEvent") return { kind: "test" };
  if (json.Type === "Notification" && typeof json.Message === "string") {
    if (envelope === "sns") throw new ParseError("SNS notification nested in another SNS notification");
    let inner: unknown;
    try {
      inner = JSON.parse(json.Message);
    } catch {
      throw new ParseError(`SNS Message is not JSON: ${json.Message.slice(0, 200)}`);
    }
    return decodeJson(inner, "sns");
  }
  if (json.source === "aws.s3" && isObject(json.detail) && typeof json["detail-type"] === "string") {
    return decodeEventBridge(json);
  }
  if (Array.isArray(json.Records)) return decodeRecords(json.Records, envelope);
  throw new ParseError(
    `SQS message is neither an S3 notification, an SNS-wrapped one nor an EventBridge S3 event (keys: ${Object.keys(json).slice(0, 10).join(", ")})`,
  );
}

function decodeRecords(records: unknown[], envelope: "s3" | "sns"): SqsBody {
  const objects: S3ObjectRef[] = [];
  const others: string[] = [];
  records.forEach((r, i) => {
    const where = `Records[${i}]`;
    if (!isObject(r) || !isObject(r.s3)) throw new ParseError(`${where} has no s3 object`);
    const eventName = String(r.eventName ?? "");
    if (!/^(s3:)?ObjectCreated:/.test(eventName)) {
      others.push(eventName || "(no eventName)");
      return;
    }
    const bucket = isObject(r.s3.bucket) ? r.s3.bucket.name : undefined;
    const obj = r.s3.object;
    if (typeof bucket !== "string" || bucket === "") throw new ParseError(`${where}.s3.bucket.name is missing`);
    if (!isObject(obj) || typeof obj.key !== "string") throw new ParseError(`${where}.s3.object.key is missing`);
    objects.push({
      bucket,
      key: decodeS3EventKey(obj.key),
      ...optional(obj.size, obj.eTag, obj.versionId, obj.sequencer),
      eventTime: eventTimeOf(r.eventTime, `${where}.eventTime`),
      eventName,
    });
  });
  if (objects.length === 0) {
    return { kind: "ignored", envelope, why: `no ObjectCreated records (${others.join(", ") || "empty Records"})` };
  }
  return { kind: "objects", envelope, objects };
}

function decodeEventBridge(json: Json): SqsBody {
  const detail = json.detail as Json;
  if (json["detail-type"] !== "Object Created") {
    return { kind: "ignored", envelope: "eventbridge", why: `detail-type ${String(json["detail-type"])}` };
  }
  const bucket = isObject(detail.bucket) ? detail.bucket.name : undefined;
  const obj = detail.object;
  if (typeof bucket !== "string" || bucket === "") throw new ParseError("detail.bucket.name is missing");
  if (!isObject(obj) || typeof obj.key !== "string") throw new ParseError("detail.object.key is missing");
  return {
    kind: "objects",
    envelope: "eventbridge",
    objects: [
      {
        bucket,
        // EventBridge carries the key as stored, not URL-encoded.
        key: obj.key,
        ...optional(obj.size, obj.etag, obj["version-id"], obj.sequencer),
        eventTime: eventTimeOf(json.time, "time"),
        eventName: typeof detail.reason === "string" ? detail.reason : "Object Created",
      },
    ],
  };
}

function optional(size: unknown, eTag: unknown, versionId: unknown, sequencer: unknown): Partial<S3ObjectRef> {
  const out: Partial<S3ObjectRef> = {};
  if (typeof size === "number" && Number.isFinite(size)) out.size = size;
  // S3 notifications carry the ETag without quotes; GetObject returns it quoted. Keep one form.
  if (typeof eTag === "string" && eTag !== "") out.eTag = eTag.replaceAll('"', "");
  if (typeof versionId === "string" && versionId !== "" && versionId !== "null") out.versionId = versionId;
  if (typeof sequencer === "string" && sequencer !== "") out.sequencer = sequencer;
  return out;
}

function eventTimeOf(value: unknown, field: string): string {
  const iso = toIsoUtc(value);
  if (!iso) throw new ParseError(`${field} is not a valid time: ${JSON.stringify(value)}`);
  return iso;
}
