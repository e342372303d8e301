import { type Line, LineSplitter } from "../../ingest/text.ts";
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

function reject(line: number, reason: RejectReason, message: string, raw: string): ParseEvent {
  return { kind: "reject", line, reason, message, raw };
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

function timeError(kind: "millis" | "seconds" | "datetime", values: readonly unknown[]): string {
  if (kind === "millis") return `timestamp(ms) ${quoteValue(values[0])} is not epoch milliseconds`;
  if (kind === "seconds") return `timestamp ${quoteValue(values[0])} is not epoch seconds`;
  return `date/time ${quoteValue(values[0])} ${quoteValue(values[1])} is not a valid UTC instant`;
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
  if (count !== plan.width) {
    return reject(n, "bad_field_count", `expected ${plan.width} fields, got ${count}`, line);
  }
  let iso: string | null;
  const t = plan.time;
  switch (t.kind) {
    case "datetime": {
      const date = field(line, t.date);
      const time = field(line, t.time);
      iso = dateTimeMemo(memo, date, time);
      if (iso === null) return reject(n, "bad_timestamp", timeError("datetime", [date, time]), line);
      break;
    }
    case "millis":
      iso = epochMillisIso(field(line, t.index));
      if (iso === null) return reject(n, "bad_timestamp", timeError("millis", [field(line, t.index)]), line);
      break;
    case "seconds":
      iso = epochSecondsIso(field(line, t.index));
      if (iso === null) return reject(n, "bad_timestamp", timeError("seconds", [field(line, t.index)]), line);
      break;
    default:
      return reject(n, "bad_timestamp", NO_TIME_FIELD, line);
  }
  const row = plan.build(line, starts, ends, iso, fallbackDistribution);
  if (typeof row === "number") {
    const s = plan.slots[row] as (typeof plan.slots)[number];
    return reject(n, "bad_value", `${s.field}: ${quoteValue(field(line, s.index))} is not a valid ${s.type}`, line);
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
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    // The engine's parse message differs between Node versions; the raw line says what is wrong.
    return reject(n, "bad_json", "a v2 JSON log line that is not valid JSON", line);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return reject(n, "bad_record", "a v2 JSON log line must be one JSON object", line);
  }
  const record = value as Record<string, unknown>;
  const row = { ...template };
  let date: unknown;
  let time: unknown;
  let seconds: unknown;
  let millis: unknown;
  const extra: [string, unknown][] = [];
  for (const key of Object.keys(record)) {
    const v = record[key];
    const role = tf.resolve(key);
    if (role.kind === "column") {
      const c = convertJsonValue(v, role.type, role.conv);
      if (c === BAD) return reject(n, "bad_value", `${key}: ${quoteValue(v)} is not a valid ${role.type}`, line);
      row[role.column] = c;
    } else if (role.kind === "time") {
      if (role.time === "date") date = v;
      else if (role.time === "time") time = v;
      else if (role.time === "timestamp") seconds = v;
      else millis = v;
    } else {
      extra.push([key, typeof v === "string" ? decodeField(v) : v]);
    }
  }
  let iso: string | null;
  if (millis !== undefined) {
    iso = typeof millis === "string" || typeof millis === "number" ? epochMillisIso(String(millis)) : null;
    if (iso === null) return reject(n, "bad_timestamp", timeError("millis", [millis]), line);
  } else if (seconds !== undefined) {
    iso = typeof seconds === "string" || typeof seconds === "number" ? epochSecondsIso(String(seconds)) : null;
    if (iso === null) return reject(n, "bad_timestamp", timeError("seconds", [seconds]), line);
  } else if (date !== undefined && time !== undefined) {
    iso = typeof date === "string" && typeof time === "string" ? dateTimeMemo(memo, date, time) : null;
    if (iso === null) return reject(n, "bad_timestamp", timeError("datetime", [date, time]), line);
  } else {
    return reject(n, "bad_timestamp", "the record has no date and time, timestamp or timestamp(ms) field", line);
  }
  row[tf.table.timeColumn] = iso;
  if (fallbackDistribution !== null && row.distribution_id === null) row.distribution_id = fallbackDistribution;
  if (extra.length > 0 && tf.rest !== undefined) row[tf.rest] = JSON.stringify(Object.fromEntries(extra));
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
