import { type Line, LineSplitter } from "../../ingest/text.ts";
import { JsonRecord } from "../json-record.ts";
import type { Member } from "../json-text.ts";
import type { RejectReason } from "../quarantine/schema.ts";
import type { ParseContext, ParseEvent } from "../types.ts";
import { distributionIdFromKey, headerFields } from "./detect.ts";
import { REALTIME_FIELDS } from "./fields.ts";
import { type LinePlan, linePlan, realtimePlan, type TableFields, tableFields } from "./plan.ts";
import { cloudfrontRealtimeTable, cloudfrontTable } from "./schema.ts";
import {
  BAD,
  convertJsonValue,
  dateTimeIso,
  decodeField,
  epochMillisIso,
  epochSecondsIso,
  quoteValue,
} from "./values.ts";

const STANDARD = tableFields(cloudfrontTable);
const REALTIME = tableFields(cloudfrontRealtimeTable);

/** The real-time field list used when none is configured: AWS's canonical order, `timestamp` first. */
export const DEFAULT_REALTIME_FIELDS: readonly string[] = ["timestamp", ...REALTIME_FIELDS];

/**
 * Checks a configured real-time field list at start-up, so a bad list fails the deployment instead of every record.
 * Throws `ConfigError` when it is empty, lists a field twice or has no `timestamp`.
 */
export function validateRealtimeFields(fields: readonly string[]): void {
  realtimePlan(fields, REALTIME);
}

function reject(line: number, reason: RejectReason, message: string, raw: string, time?: string | null): ParseEvent {
  return { kind: "reject", line, reason, message, raw, ...(typeof time === "string" ? { time } : {}) };
}

// Requests in one log file cluster in the same second; remembering the last date/time pair skips re-validation.
interface TimeMemo {
  date: string;
  time: string;
  iso: string | null;
}

function dateTimeMemo(memo: TimeMemo, date: string, time: string): string | null {
  if (date !== memo.date || time !== memo.time) {
    memo.date = date;
    memo.time = time;
    memo.iso = dateTimeIso(date, time);
  }
  return memo.iso;
}

/** The message for an unusable time; `shown` are the values already quoted for display (see `quoteValue`). */
function timeError(kind: "millis" | "seconds" | "datetime", shown: readonly string[]): string {
  if (kind === "millis") return `timestamp(ms) ${shown[0]} is not epoch milliseconds`;
  if (kind === "seconds") return `timestamp ${shown[0]} is not epoch seconds`;
  return `date/time ${shown[0]} ${shown[1]} is not a valid UTC instant`;
}

const NO_TIME_FIELD = "the field list has no date and time, timestamp or timestamp(ms) field";

// Field boundaries of the line being parsed: field i is line.slice(starts[i], ends[i]). Reused for every line (a
// line is fully converted before the next is split), so splitting allocates nothing.
let starts = new Int32Array(64);
let ends = new Int32Array(64);

function reserve(width: number): void {
  if (starts.length < width + 2) {
    starts = new Int32Array(width + 2);
    ends = new Int32Array(width + 2);
  }
}

/**
 * Records the tab-separated fields of `line` and returns how many there are. The one trailing tab AWS sometimes
 * writes does not count as a field. Boundaries are kept only up to `width + 1` fields; beyond, fields are counted.
 */
function splitTabs(line: string, width: number): number {
  reserve(width);
  const keep = width + 2;
  let count = 0;
  let start = 0;
  for (let tab = line.indexOf("\t"); tab !== -1; tab = line.indexOf("\t", start)) {
    if (count < keep) {
      starts[count] = start;
      ends[count] = tab;
    }
    count++;
    start = tab + 1;
  }
  if (count < keep) {
    starts[count] = start;
    ends[count] = line.length;
  }
  count++;
  return count === width + 1 && start === line.length ? width : count;
}

/** Fields separated by runs of spaces, for v2 W3C/Plain output with a space delimiter (a line without tabs). */
function splitSpaces(line: string, width: number): number {
  reserve(width);
  const keep = width + 2;
  let count = 0;
  let i = 0;
  while (i < line.length) {
    while (i < line.length && line.charCodeAt(i) === 32) i++;
    if (i === line.length) break;
    const start = i;
    while (i < line.length && line.charCodeAt(i) !== 32) i++;
    if (count < keep) {
      starts[count] = start;
      ends[count] = i;
    }
    count++;
  }
  return count;
}

function field(line: string, i: number): string {
  return line.slice(starts[i], ends[i]);
}

/** Builds the row of one delimited line (split into `count` fields) by its plan, or the reject that says why not. */
function delimitedRow(
  line: string,
  count: number,
  plan: LinePlan,
  tf: TableFields,
  fallbackDistribution: string | null,
  memo: TimeMemo,
  n: number,
): ParseEvent {
  const t = plan.time;
  if (count !== plan.width) {
    // The fields before the damage are whole: when the date and time are among them, they date the reject.
    const dated = t.kind === "datetime" && count > Math.max(t.date, t.time);
    const at = dated ? dateTimeMemo(memo, field(line, t.date), field(line, t.time)) : null;
    return reject(n, "bad_field_count", `expected ${plan.width} fields, got ${count}`, line, at);
  }
  let iso: string | null;
  switch (t.kind) {
    case "datetime": {
      const date = field(line, t.date);
      const time = field(line, t.time);
      iso = dateTimeMemo(memo, date, time);
      if (iso === null) {
        return reject(n, "bad_timestamp", timeError("datetime", [quoteValue(date), quoteValue(time)]), line);
      }
      break;
    }
    case "millis":
      iso = epochMillisIso(field(line, t.index));
      if (iso === null) {
        return reject(n, "bad_timestamp", timeError("millis", [quoteValue(field(line, t.index))]), line);
      }
      break;
    case "seconds":
      iso = epochSecondsIso(field(line, t.index));
      if (iso === null) {
        return reject(n, "bad_timestamp", timeError("seconds", [quoteValue(field(line, t.index))]), line);
      }
      break;
    default:
      return reject(n, "bad_timestamp", NO_TIME_FIELD, line);
  }
  const row = plan.build(line, starts, ends, iso, fallbackDistribution);
  if (typeof row === "number") {
    const s = plan.slots[row] as (typeof plan.slots)[number];
    return reject(
      n,
      "bad_value",
      `${s.field}: ${quoteValue(field(line, s.index))} is not a valid ${s.type}`,
      line,
      iso,
    );
  }
  if (plan.extras.length > 0 && tf.rest !== undefined) {
    row[tf.rest] = JSON.stringify(
      Object.fromEntries(plan.extras.map((x) => [x.field, decodeField(field(line, x.index))])),
    );
  }
  return { kind: "row", table: tf.table, line: n, row };
}

/** Builds the row of one standard logging v2 JSON line, keys mapped by name. */
function jsonRow(
  tf: TableFields,
  template: Record<string, unknown>,
  fallbackDistribution: string | null,
  memo: TimeMemo,
  n: number,
  line: string,
): ParseEvent {
  // The engine's parse message differs between Node versions; the raw line says what is wrong.
  const record = JsonRecord.parse(line);
  if (record === "bad_json") return reject(n, "bad_json", "a v2 JSON log line that is not valid JSON", line);
  if (record === "not_object") return reject(n, "bad_record", "a v2 JSON log line must be one JSON object", line);
  const row = { ...template };
  let date: Member | undefined;
  let time: Member | undefined;
  let seconds: Member | undefined;
  let millis: Member | undefined;
  const extra: string[] = [];
  const valueAt = (m: Member): unknown => record.value[m.key];
  // Strings as they are, other values as the input wrote them: never JSON.stringify of a parsed value.
  const shown = (m: Member): string => {
    const v = valueAt(m);
    return typeof v === "string" ? quoteValue(v) : JSON.stringify(record.memberClip(m));
  };
  const epochText = (m: Member): string | null => {
    const v = valueAt(m);
    return typeof v === "string" ? v : typeof v === "number" ? record.memberText(m) : null;
  };
  for (const m of record.members()) {
    // A duplicated key counts once, with its last value, as JSON.parse reads it.
    if (!record.isLast(m)) continue;
    const key = m.key;
    const v = record.value[key];
    const role = tf.resolve(key);
    if (role.kind === "column") {
      const c = convertJsonValue(v, () => record.memberText(m), role.type, role.conv);
      if (c === BAD) return reject(n, "bad_value", `${key}: ${shown(m)} is not a valid ${role.type}`, line);
      row[role.column] = c;
    } else if (role.kind === "time") {
      if (role.time === "date") date = m;
      else if (role.time === "time") time = m;
      else if (role.time === "timestamp") seconds = m;
      else millis = m;
    } else {
      // Values stay as written; strings are URL-decoded once like every CloudFront field.
      const text = typeof v === "string" ? JSON.stringify(decodeField(v)) : record.memberText(m);
      extra.push(`${record.keyText(m)}:${text}`);
    }
  }
  let iso: string | null;
  if (millis !== undefined) {
    const text = epochText(millis);
    iso = text === null ? null : epochMillisIso(text);
    if (iso === null) return reject(n, "bad_timestamp", timeError("millis", [shown(millis)]), line);
  } else if (seconds !== undefined) {
    const text = epochText(seconds);
    iso = text === null ? null : epochSecondsIso(text);
    if (iso === null) return reject(n, "bad_timestamp", timeError("seconds", [shown(seconds)]), line);
  } else if (date !== undefined && time !== undefined) {
    const d = valueAt(date);
    const t = valueAt(time);
    iso = typeof d === "string" && typeof t === "string" ? dateTimeMemo(memo, d, t) : null;
    if (iso === null) return reject(n, "bad_timestamp", timeError("datetime", [shown(date), shown(time)]), line);
  } else {
    return reject(n, "bad_timestamp", "the record has no date and time, timestamp or timestamp(ms) field", line);
  }
  row[tf.table.timeColumn] = iso;
  if (fallbackDistribution !== null && row.distribution_id === null) row.distribution_id = fallbackDistribution;
  if (extra.length > 0 && tf.rest !== undefined) row[tf.rest] = `{${extra.join(",")}}`;
  return { kind: "row", table: tf.table, line: n, row };
}

function isBlank(line: string): boolean {
  return line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim().length === 0);
}

/**
 * Calls `handle` for every line of the text (numbered from 1, `\r\n` tolerated, a last line without newline
 * included), yielding its one event; a line over the record limit is `too_large` without being read into memory.
 * Lines come in batches per chunk, without a second async generator per line: that hop cost about a tenth of the
 * parse time.
 */
async function* perLine(
  text: AsyncIterable<string>,
  ctx: ParseContext,
  handle: (line: string, n: number) => ParseEvent,
): AsyncIterable<ParseEvent> {
  const splitter = new LineSplitter(ctx.maxRecordChars);
  const out: Line[] = [];
  const event = (l: Line): ParseEvent =>
    l.tooLarge ? reject(l.line, "too_large", "line exceeds the size limit", l.text) : handle(l.text, l.line);
  for await (const chunk of text) {
    splitter.push(chunk, out);
    for (const l of out) yield event(l);
    out.length = 0;
  }
  for (const l of splitter.end(out)) yield event(l);
}

function withoutBom(line: string, n: number): string {
  return n === 1 && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
}

/**
 * Parses CloudFront standard logs: legacy W3C files and standard logging v2 W3C or JSON lines. Delimited lines are
 * mapped by the latest `#Fields` header (it may change mid-file in concatenated files), so any era or custom field
 * subset works. One event per input line.
 */
export function parseCloudFront(text: AsyncIterable<string>, ctx: ParseContext): AsyncIterable<ParseEvent> {
  const keyDistribution = distributionIdFromKey(ctx.key);
  const template = STANDARD.template(keyDistribution);
  const memo: TimeMemo = { date: "", time: "", iso: null };
  let plan: LinePlan | undefined;
  return perLine(text, ctx, (raw, n): ParseEvent => {
    const line = withoutBom(raw, n);
    const first = line.charCodeAt(0);
    if (first === 35 /* # */) {
      const tag = line.slice(0, 9).toLowerCase();
      if (tag.startsWith("#fields:")) {
        plan = linePlan(headerFields(line), STANDARD);
        return { kind: "skip", line: n, skip: "header" };
      }
      return { kind: "skip", line: n, skip: tag === "#version:" ? "header" : "comment" };
    }
    if (isBlank(line)) return { kind: "skip", line: n, skip: "blank" };
    // v2 JSON output: one object per line. An array here is a malformed record, not a W3C line.
    if (first === 123 /* { */ || first === 91 /* [ */) {
      return jsonRow(STANDARD, template, keyDistribution, memo, n, line);
    }
    if (plan === undefined) return reject(n, "missing_header", "data line before any #Fields header", line);
    let count = splitTabs(line, plan.width);
    if (count === 1 && plan.width > 1 && line.indexOf(" ") !== -1) count = splitSpaces(line, plan.width);
    return delimitedRow(line, count, plan, STANDARD, keyDistribution, memo, n);
  });
}

/**
 * Parses CloudFront real-time log records (tab-separated, one per line or Kinesis record) by the configured field
 * list (`ctx.options.realtimeFields`, default AWS's canonical order). One event per input line. Throws
 * `ConfigError` at once when the configured list is unusable.
 */
export function parseCloudFrontRealtime(text: AsyncIterable<string>, ctx: ParseContext): AsyncIterable<ParseEvent> {
  const plan = realtimePlan(ctx.options.realtimeFields ?? DEFAULT_REALTIME_FIELDS, REALTIME);
  const memo: TimeMemo = { date: "", time: "", iso: null };
  return perLine(text, ctx, (raw, n): ParseEvent => {
    const line = withoutBom(raw, n);
    if (isBlank(line)) return { kind: "skip", line: n, skip: "blank" };
    return delimitedRow(line, splitTabs(line, plan.width), plan, REALTIME, null, memo, n);
  });
}
