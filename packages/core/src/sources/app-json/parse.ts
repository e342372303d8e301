import { isTruncatedJson, JSON_LINE_RECORDS, type JsonElement, jsonElementBatches } from "../../ingest/json-stream.ts";
import { JsonRecord } from "../json-record.ts";
import { type Embedding, fieldPaths, recordMapper } from "../mapping.ts";
import type { ParseContext, ParseEvent, RecordKind } from "../types.ts";
import type { JsonObject, MapResult } from "../values.ts";
import { type AppEventParsedRow, appEventsTable } from "./schema.ts";

/** Field names read as the event time, in order of preference (from the schema). */
export const TIME_FIELDS: readonly string[] = fieldPaths(appEventsTable, appEventsTable.timeColumn);

const mapAppEvent = recordMapper(appEventsTable);

/**
 * Maps one application log record (auth, api or audit shape) to an `app_events` row by the table's schema: the
 * first usable alias fills each column, and every field no column used is kept, as written, in `attributes`.
 * Refuses only records without a usable time.
 */
export function toAppEventRow(record: JsonRecord, embedding?: Embedding): MapResult<AppEventParsedRow> {
  return mapAppEvent(record, embedding);
}

/** Application events as other sources carry them (CloudWatch Logs messages). */
export const appEventRecords: RecordKind = {
  table: appEventsTable,
  find: (rec) => rec,
  map: toAppEventRow,
};

/** True when a parsed object has one of the time fields an app event is read from. */
export function hasAppTime(o: JsonObject): boolean {
  return TIME_FIELDS.some((f) => f in o);
}

/** Turns the text of one application JSON record into exactly one parse event. */
export function appLineEvent(line: number, text: string): ParseEvent {
  const trimmed = text.trim();
  if (trimmed.length === 0) return { kind: "skip", line, skip: "blank" };
  const rec = JsonRecord.parse(trimmed);
  if (rec === "bad_json") {
    return isTruncatedJson(trimmed)
      ? { kind: "reject", line, reason: "truncated", message: "line ends inside a JSON value", raw: text }
      : { kind: "reject", line, reason: "bad_json", message: "line is not JSON", raw: text };
  }
  if (rec === "not_object") {
    return { kind: "reject", line, reason: "bad_record", message: "line is JSON but not an object", raw: text };
  }
  const mapped = toAppEventRow(rec);
  return mapped.ok
    ? { kind: "row", line, table: appEventsTable, row: mapped.row, text: rec.text }
    : { kind: "reject", line, reason: mapped.reason, message: mapped.message, raw: text };
}

/** Turns one record of the splitter into exactly one parse event, numbered by the line it starts on. */
export function appRecordEvent(el: JsonElement): ParseEvent {
  if (el.status === "too_large") {
    return {
      kind: "reject",
      line: el.line,
      reason: "too_large",
      message: "record exceeds the size limit",
      raw: el.text,
    };
  }
  if (el.status === "truncated") {
    return {
      kind: "reject",
      line: el.line,
      reason: "truncated",
      message: "line ends inside a JSON value",
      raw: el.text,
    };
  }
  return appLineEvent(el.line, el.text);
}

/**
 * Streams application JSON: one object per line, or pretty-printed objects spanning lines, each numbered by the line
 * it starts on.
 */
export async function* parseAppJson(
  text: AsyncIterable<string>,
  ctx?: Pick<ParseContext, "maxRecordChars">,
): AsyncIterable<ParseEvent> {
  const options = { ...JSON_LINE_RECORDS, maxElementChars: ctx?.maxRecordChars };
  for await (const batch of jsonElementBatches(text, options)) for (const el of batch) yield appRecordEvent(el);
}
