import { mergeCounts, type RedactionCounts } from "@loglake/redact";
import { asError } from "../errors.ts";
import { keyTimeHint, type LogEventLineage, quarantineRow, setLogEventLineage } from "../lake-layout.ts";
import type { TableDef } from "../schema/table.ts";
import { type InputFlag, quarantineTable, type RejectReason } from "../sources/quarantine/schema.ts";
import type { LogSource, ParseContext, ParseEvent, SkipKind, SourceId } from "../sources/types.ts";
import { isIsoUtc } from "../time.ts";
import { CorruptInputError, decodeStats, decodeText, replacementChars } from "./decode.ts";
import { countNewlines, detectSource, parentFolderSource, SAMPLE_LINES, SNIFF_CHARS, sampleSource } from "./detect.ts";
import type { IngestRedaction } from "./redaction.ts";
import { MAX_RECORD_CHARS } from "./text.ts";

/** Lineage the pipeline stamps on every row. */
export interface Lineage {
  sourceObject: string;
  /** ISO-8601 UTC arrival time of the object (see the `ingest_time` column). */
  ingestTime: string;
}

/** Thrown by a sink that cannot store a row (say, far too large); the pipeline quarantines the record. */
export class RowRejectedError extends Error {
  override name = "RowRejectedError";
  constructor(
    readonly reason: RejectReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Where rows go. `write` may return a promise to apply back-pressure, and may throw `RowRejectedError`. `text` is
 * the record's own JSON text when the parser kept it (app events).
 */
export interface RowSink {
  write(table: TableDef, row: Record<string, unknown>, text?: string): void | Promise<void>;
}

/**
 * Per-object accounting: records = sum(rows) + sum(quarantined) + sum(skipped). Rows a record adds to child tables
 * (a digest's listed log files) are counted apart, in `child_rows`, so each record is counted once.
 */
export interface IngestSummary {
  source: SourceId | "unknown";
  records: number;
  rows: Record<string, number>;
  /** Rows written to child tables, present only when there were some. */
  child_rows?: Record<string, number>;
  quarantined: Partial<Record<RejectReason, number>>;
  skipped: Partial<Record<SkipKind, number>>;
  /**
   * What was read but was not clean, present only when something was (see `INPUT_FLAGS`): `invalid_utf8` counts
   * byte sequences decoded as U+FFFD, `trailing_bytes` the bytes after the last gzip member that were ignored.
   */
  flags?: Partial<Record<InputFlag, number>>;
  /** For `invalid_utf8`: the `source_line` of every row or quarantine row holding a U+FFFD it caused (up to 1,000). */
  flagged_lines?: Partial<Record<InputFlag, number[]>>;
  /**
   * What redaction changed in the rows and quarantine rows, by detector (or `value`, `secret_parameter`) and action,
   * present only when it changed something.
   */
  redacted?: RedactionCounts;
}

/** Most `source_line`s a summary lists per flag. */
export const FLAGGED_LINES_LIMIT = 1000;

const HOLD_BACK_CHARS = 1024 * 1024;

/**
 * Decodes, detects, parses and sinks one object, stamping lineage on every row and turning every reject into a
 * quarantine row. Never throws for bad input; only sink failures (I/O) propagate.
 */
export async function ingestObject(args: {
  sources: readonly LogSource[];
  bytes: AsyncIterable<Uint8Array>;
  context: Omit<ParseContext, "sourceObject">;
  lineage: Lineage;
  sink: RowSink;
  forced?: SourceId;
  /** Longest record read into memory (default `MAX_RECORD_CHARS`); a longer one is quarantined `too_large`. */
  maxRecordChars?: number;
  /** Applied to every row and quarantine row before the sink sees it; absent: nothing is redacted. */
  redaction?: IngestRedaction;
}): Promise<IngestSummary> {
  const { lineage, sink } = args;
  const maxRecordChars = args.maxRecordChars ?? MAX_RECORD_CHARS;
  const summary: IngestSummary = { source: "unknown", records: 0, rows: {}, quarantined: {}, skipped: {} };
  const stats = decodeStats();
  const text = decodeText(args.bytes, stats);
  const it = text[Symbol.asyncIterator]();
  let lastLine = 0;

  // Invalid UTF-8 is kept as U+FFFD; the records it landed in are listed. Replacement characters are looked for
  // only while the decoder has reported more of them than were found in records so far.
  let attributed = 0;
  const flaggedLines: number[] = [];
  const noteInvalidUtf8 = (line: number, values: Iterable<unknown>) => {
    let n = 0;
    for (const v of values) if (typeof v === "string") n += replacementChars(v);
    if (n === 0) return;
    attributed += n;
    if (flaggedLines.length < FLAGGED_LINES_LIMIT && flaggedLines.at(-1) !== line) flaggedLines.push(line);
  };
  const redaction = args.redaction;
  const redacted: RedactionCounts = {};
  const finish = (): IngestSummary => {
    if (Object.keys(redacted).length > 0) summary.redacted = redacted;
    const flags: Partial<Record<InputFlag, number>> = {};
    if (stats.invalidUtf8 > 0) flags.invalid_utf8 = stats.invalidUtf8;
    if (stats.trailingBytes > 0) flags.trailing_bytes = stats.trailingBytes;
    if (Object.keys(flags).length > 0) summary.flags = flags;
    if (flaggedLines.length > 0) summary.flagged_lines = { invalid_utf8: flaggedLines };
    return summary;
  };

  // A bad record is dated by its own time when the parser could read it, else by its object's key, else arrival.
  const keyTime = keyTimeHint(args.context.key);
  const quarantine = async (
    line: number,
    reason: RejectReason,
    message: string,
    raw: string,
    time?: unknown,
    logEvent?: LogEventLineage,
  ) => {
    const eventTime = typeof time === "string" && isIsoUtc(time) ? time : keyTime;
    const sourceKind = summary.source;
    const row = quarantineRow({
      ...lineage,
      eventTime,
      line,
      sourceKind,
      reason,
      message: redaction ? redaction.text(sourceKind, message, redacted) : message,
      raw: redaction ? redaction.text(sourceKind, raw, redacted) : raw,
      logEvent,
    });
    summary.records++;
    summary.quarantined[reason] = (summary.quarantined[reason] ?? 0) + 1;
    await sink.write(quarantineTable, row);
  };

  // Read enough text to sniff. A corrupt object may fail here already; what decoded before the damage still counts.
  const headChunks: string[] = [];
  let headLength = 0;
  let headLines = 0;
  let ended = false;
  let corrupt: CorruptInputError | undefined;
  const stopAtCorruption = (e: unknown) => {
    const err = asError(e);
    if (!(err instanceof CorruptInputError)) throw err;
    corrupt = err;
  };
  const readHead = async (more: () => boolean) => {
    if (ended) return;
    try {
      while (more()) {
        const next = await it.next();
        if (next.done) {
          ended = true;
          break;
        }
        headChunks.push(next.value);
        headLength += next.value.length;
        if (headLines < SAMPLE_LINES) headLines += countNewlines(next.value, SAMPLE_LINES - headLines);
      }
    } catch (e) {
      stopAtCorruption(e);
      ended = true;
    }
  };
  await readHead(() => headLength < SNIFF_CHARS);
  const head = headChunks.join("");
  let source = detectSource(args.sources, args.context.key, head, args.forced);
  if (!source && !args.forced) {
    // Look past a first line longer than the head: read on (up to the record limit) until a few lines are in.
    await readHead(() => headLines < SAMPLE_LINES && headLength <= maxRecordChars);
    source = sampleSource(args.sources, headChunks) ?? parentFolderSource(args.sources, args.context.key);
  }
  if (!source) {
    if (stats.invalidUtf8 > 0) noteInvalidUtf8(1, [head]);
    if (corrupt) await quarantine(1, "corrupt_gzip", `${args.context.key}: ${corrupt.message}`, head);
    else if (head.trim().length > 0) {
      await quarantine(
        1,
        "unknown_source",
        `${args.context.key}: no registered source matches this key or content`,
        head,
      );
    }
    return finish();
  }
  summary.source = source.id;

  async function* decoded(): AsyncIterable<string> {
    yield* headChunks;
    if (ended) return;
    try {
      for (let next = await it.next(); !next.done; next = await it.next()) yield next.value;
    } catch (e) {
      // Stop here: the parser sees end of input, so every complete record before the damage is kept.
      stopAtCorruption(e);
    }
  }
  // The text after the last newline is held back until more arrives: when the stream breaks, that cut-off line is
  // quarantined with the damage instead of being parsed as if whole (delimited-line sources only; a line longer than
  // the hold-back limit is passed on).
  let damagedTail = "";
  async function* replay(): AsyncIterable<string> {
    if (!source?.delimitedLines) {
      yield* decoded();
      return;
    }
    let tail = "";
    for await (const chunk of decoded()) {
      const text = tail + chunk;
      const nl = text.lastIndexOf("\n");
      if (nl === -1 && text.length <= HOLD_BACK_CHARS) {
        tail = text;
        continue;
      }
      const cut = nl === -1 ? text.length : nl + 1;
      yield text.slice(0, cut);
      tail = text.slice(cut);
    }
    if (corrupt) damagedTail = tail;
    else if (tail.length > 0) yield tail;
  }

  const ctx: ParseContext = { ...args.context, sourceObject: lineage.sourceObject, maxRecordChars };
  for await (const ev of source.parse(replay(), ctx) as AsyncIterable<ParseEvent>) {
    lastLine = ev.line;
    if (stats.invalidUtf8 > attributed && ev.kind !== "skip") {
      noteInvalidUtf8(ev.line, ev.kind === "row" ? Object.values(ev.row) : [ev.raw]);
    }
    if (ev.kind === "row") {
      const time = ev.row[ev.table.timeColumn];
      if (typeof time !== "string" || !isIsoUtc(time)) {
        await quarantine(
          ev.line,
          "bad_timestamp",
          `${ev.table.name}.${ev.table.timeColumn} is not a valid UTC instant`,
          JSON.stringify(ev.row),
          undefined,
          ev.logEvent,
        );
        continue;
      }
      const row = redaction ? redaction.row(source.id, ev.table, ev.row, redacted, ev.record) : ev.row;
      try {
        // The text forwarded beside the row carries what its row carries: redacted the same way when it changed
        // (counted once, in the row's counts).
        const text = row === ev.row || ev.text === undefined ? ev.text : redaction?.text(source.id, ev.text, {});
        const w = sink.write(ev.table, stamp(row, ev.line, lineage, ev.logEvent), text);
        if (w) await w;
      } catch (e) {
        if (!(e instanceof RowRejectedError)) throw e;
        await quarantine(
          ev.line,
          e.reason,
          `${ev.table.name}: ${e.message}`,
          JSON.stringify(ev.row),
          time,
          ev.logEvent,
        );
        continue;
      }
      summary.records++;
      summary.rows[ev.table.name] = (summary.rows[ev.table.name] ?? 0) + 1;
      // Child rows are small and fixed in shape (a digest's log file entries), so the sink never refuses them.
      for (const child of ev.children ?? []) {
        const childRow = redaction ? redaction.row(source.id, child.table, child.row, redacted) : child.row;
        const c = sink.write(child.table, stamp(childRow, ev.line, lineage, ev.logEvent));
        if (c) await c;
        summary.child_rows ??= {};
        summary.child_rows[child.table.name] = (summary.child_rows[child.table.name] ?? 0) + 1;
      }
    } else if (ev.kind === "reject") {
      await quarantine(ev.line, ev.reason, ev.message, ev.raw, ev.time, ev.logEvent);
    } else {
      summary.records++;
      summary.skipped[ev.skip] = (summary.skipped[ev.skip] ?? 0) + 1;
    }
  }
  if (corrupt) {
    await quarantine(
      lastLine + 1,
      "corrupt_gzip",
      `${args.context.key}: ${corrupt.message}; records before line ${lastLine + 1} were kept`,
      damagedTail,
    );
  }
  return finish();
}

function stamp(
  row: Record<string, unknown>,
  line: number,
  lineage: Lineage,
  logEvent: LogEventLineage | undefined,
): Record<string, unknown> {
  row.source_object = lineage.sourceObject;
  row.source_line = line;
  row.ingest_time = lineage.ingestTime;
  return setLogEventLineage(row, logEvent);
}

/** Adds one object's summary into a running total. */
export function mergeSummary(into: Omit<IngestSummary, "source">, s: Omit<IngestSummary, "source">): void {
  into.records += s.records;
  for (const [k, v] of Object.entries(s.rows)) into.rows[k] = (into.rows[k] ?? 0) + v;
  for (const [k, v] of Object.entries(s.child_rows ?? {})) {
    into.child_rows ??= {};
    into.child_rows[k] = (into.child_rows[k] ?? 0) + v;
  }
  for (const [k, v] of Object.entries(s.quarantined) as [RejectReason, number][])
    into.quarantined[k] = (into.quarantined[k] ?? 0) + v;
  for (const [k, v] of Object.entries(s.skipped) as [SkipKind, number][]) into.skipped[k] = (into.skipped[k] ?? 0) + v;
  for (const [k, v] of Object.entries(s.flags ?? {}) as [InputFlag, number][]) {
    into.flags ??= {};
    into.flags[k] = (into.flags[k] ?? 0) + v;
  }
  if (s.redacted) into.redacted = mergeCounts(into.redacted ?? {}, s.redacted);
}
