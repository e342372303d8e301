import { keyTimeHint } from "../lake-layout.ts";
import type { QuarantineRow, RejectReason } from "../sources/quarantine/schema.ts";
import type { SourceId } from "../sources/types.ts";
import { decodeStats, decodeText } from "./decode.ts";
import { LineSplitter } from "./text.ts";

/**
 * Why a quarantined record cannot be run through the parsers again as it was read: its raw text was cut at the
 * quarantine limit (`raw_cut`), it has none (`no_raw`), it stands for a whole object rather than a record
 * (`object_level`: re-ingest the object instead), or what its parser needs besides the record is gone
 * (`no_context`: a CloudFront W3C line whose `#Fields` header cannot be read again, a CloudWatch Logs message whose
 * log event time is not known).
 */
export const NOT_REPLAYABLE = ["raw_cut", "no_raw", "object_level", "no_context"] as const;
export type NotReplayable = (typeof NOT_REPLAYABLE)[number];

/** Reasons that describe a whole object, never one record. */
const OBJECT_REASONS: ReadonlySet<RejectReason> = new Set(["unknown_source", "corrupt_gzip", "write_failed"]);

/** One quarantined record as an object of one record, for the source's own parser. */
export interface ReplayInput {
  /** The key the record's object was detected by (its key hints, such as a CloudFront distribution, apply). */
  key: string;
  text: string;
  forced: SourceId;
}

export type ReplayFraming = { ok: true; input: ReplayInput } | { ok: false; why: NotReplayable; message: string };

/** What a replay knows besides the quarantine row: the `#Fields` line in force at a CloudFront W3C line. */
export interface ReplayContext {
  cloudfrontFields?: string;
}

/**
 * The key an object was read by, from its lineage id: the S3 key of `s3://bucket/key`, `kinesis/<stream>/<shard>` of
 * a Kinesis record (as the consumer names it), else the path itself.
 */
export function replayKey(sourceObject: string): string {
  const s3 = /^s3:\/\/[^/]+\/(.+)$/.exec(sourceObject);
  if (s3) return s3[1] as string;
  const kinesis = /^kinesis:\/\/([^/]+)\/([^/]+)\/\d+$/.exec(sourceObject);
  if (kinesis) return `kinesis/${kinesis[1]}/${kinesis[2]}`;
  return sourceObject;
}

function isJsonObjectText(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Frames one quarantine row as the smallest object its source's parser reads exactly as it read the record: the
 * line itself (app JSON, CloudFront JSON and real-time lines), `{"Records":[…]}` around a CloudTrail record, the
 * `#Fields` line before a CloudFront W3C line, a subscription payload with the row's owner, group, stream and event
 * id around a CloudWatch Logs record. Says why not when the record cannot be framed faithfully.
 */
export function replayInput(row: QuarantineRow, context: ReplayContext = {}): ReplayFraming {
  const no = (why: NotReplayable, message: string): ReplayFraming => ({ ok: false, why, message });
  if (OBJECT_REASONS.has(row.reason as RejectReason) || row.source_kind === "unknown") {
    return no("object_level", `${row.reason} describes the whole object; ingest the object again instead`);
  }
  if (row.raw === null) return no("no_raw", "the quarantine row keeps no raw text");
  if (row.raw_truncated) return no("raw_cut", "the raw text was cut at 64 KiB; the record cannot be read whole");
  const key = replayKey(row.source_object);
  const forced = row.source_kind as SourceId;
  const raw = row.raw;
  const ok = (text: string): ReplayFraming => ({ ok: true, input: { key, text, forced } });
  switch (forced) {
    case "cloudtrail":
      return ok(`{"Records":[${raw}]}`);
    case "cloudfront": {
      const first = raw.trimStart().charAt(0);
      if (first === "{" || first === "[") return ok(raw);
      if (context.cloudfrontFields === undefined) {
        return no("no_context", "a W3C line whose #Fields header cannot be read again from its object");
      }
      return ok(`${context.cloudfrontFields}\n${raw}`);
    }
    case "cloudwatch_logs":
      return cloudWatchLogsInput(row, raw, key, ok, no);
    default:
      return ok(raw);
  }
}

function cloudWatchLogsInput(
  row: QuarantineRow,
  raw: string,
  key: string,
  ok: (text: string) => ReplayFraming,
  no: (why: NotReplayable, message: string) => ReplayFraming,
): ReplayFraming {
  const payload = (logEvent: string) =>
    `{"messageType":"DATA_MESSAGE","owner":${JSON.stringify(row.cwl_owner)},"logGroup":${JSON.stringify(row.cwl_log_group)},"logStream":${JSON.stringify(row.cwl_log_stream)},"logEvents":[${logEvent}]}`;
  const event = isJsonObjectText(raw);
  // The quarantine keeps a whole log event when the event itself was bad, else the message it carried.
  if (event && typeof event.message === "string" && ("timestamp" in event || "id" in event)) return ok(payload(raw));
  // A message's row is dated by its log event's timestamp, or (without one) by its key's time or its arrival:
  // only the first is the event's own time, and the two cannot be told apart when they coincide.
  if (row.event_time === row.ingest_time || row.event_time === keyTimeHint(key)) {
    return no("no_context", "the log event's own time is not known (the row is dated by its object)");
  }
  const timestamp = Date.parse(row.event_time);
  return ok(payload(JSON.stringify({ id: row.cwl_event_id, timestamp, message: raw })));
}

/**
 * The `#Fields` line in force at each of `lines` of a CloudFront object, read again from its bytes: only where the
 * object still holds exactly `raw` at that line, so a file rewritten since cannot lend a header to a line it no
 * longer has.
 */
export async function cloudfrontFieldsAt(
  bytes: AsyncIterable<Uint8Array>,
  lines: ReadonlyMap<number, string>,
): Promise<Map<number, string>> {
  const found = new Map<number, string>();
  const splitter = new LineSplitter();
  let fields: string | undefined;
  const visit = (text: string, n: number) => {
    const line = n === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    if (line.slice(0, 8).toLowerCase() === "#fields:") fields = line;
    else if (fields !== undefined && lines.get(n) === line) found.set(n, fields);
  };
  for await (const chunk of decodeText(bytes, decodeStats())) {
    for (const l of splitter.push(chunk)) visit(l.text, l.line);
    if (found.size === lines.size) return found;
  }
  for (const l of splitter.end()) visit(l.text, l.line);
  return found;
}
