import { asError } from "../errors.ts";
import type { TableDef } from "../schema/table.ts";
import { type QuarantineParsedRow, quarantineTable, type RejectReason } from "../sources/quarantine/schema.ts";
import type { LogSource, ParseContext, ParseEvent, SkipKind, SourceId } from "../sources/types.ts";
import { isIsoUtc } from "../time.ts";
import { CorruptInputError, decodeText } from "./decode.ts";
import { clipRaw } from "./text.ts";

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

/** Where rows go. `write` may return a promise to apply back-pressure, and may throw `RowRejectedError`. */
export interface RowSink {
  write(table: TableDef, row: Record<string, unknown>): void | Promise<void>;
}

/** Per-object accounting: records = sum(rows) + sum(quarantined) + sum(skipped). */
export interface IngestSummary {
  source: SourceId | "unknown";
  records: number;
  rows: Record<string, number>;
  quarantined: Partial<Record<RejectReason, number>>;
  skipped: Partial<Record<SkipKind, number>>;
}

const SNIFF_BYTES = 64 * 1024;
const HOLD_BACK_CHARS = 1024 * 1024;

/** Picks the source for an object: the forced id, then the key, then the content. */
export function detectSource(
  sources: readonly LogSource[],
  key: string,
  head: string,
  forced?: SourceId,
): LogSource | undefined {
  if (forced) return sources.find((s) => s.id === forced);
  return sources.find((s) => s.matchKey(key)) ?? sources.find((s) => s.sniff(head));
}

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
}): Promise<IngestSummary> {
  const { lineage, sink } = args;
  const summary: IngestSummary = { source: "unknown", records: 0, rows: {}, quarantined: {}, skipped: {} };
  const text = decodeText(args.bytes);
  const it = text[Symbol.asyncIterator]();
  let lastLine = 0;

  const quarantine = async (line: number, reason: RejectReason, message: string, raw: string) => {
    const clipped = clipRaw(raw);
    const row: QuarantineParsedRow & Record<string, unknown> = {
      event_time: lineage.ingestTime,
      source_kind: summary.source,
      reason,
      message,
      raw: clipped.raw,
      raw_truncated: clipped.truncated,
    };
    summary.records++;
    summary.quarantined[reason] = (summary.quarantined[reason] ?? 0) + 1;
    await sink.write(quarantineTable, stamp(row, line, lineage));
  };

  // Read enough text to sniff. A corrupt object may fail here already; what decoded before the damage still counts.
  const headChunks: string[] = [];
  let headLength = 0;
  let ended = false;
  let corrupt: CorruptInputError | undefined;
  const stopAtCorruption = (e: unknown) => {
    const err = asError(e);
    if (!(err instanceof CorruptInputError)) throw err;
    corrupt = err;
  };
  try {
    while (headLength < SNIFF_BYTES) {
      const next = await it.next();
      if (next.done) {
        ended = true;
        break;
      }
      headChunks.push(next.value);
      headLength += next.value.length;
    }
  } catch (e) {
    stopAtCorruption(e);
    ended = true;
  }
  const head = headChunks.join("");
  const source = detectSource(args.sources, args.context.key, head, args.forced);
  if (!source) {
    if (corrupt) await quarantine(1, "corrupt_gzip", `${args.context.key}: ${corrupt.message}`, head);
    else if (head.trim().length > 0) {
      await quarantine(
        1,
        "unknown_source",
        `${args.context.key}: no registered source matches this key or content`,
        head,
      );
    }
    return summary;
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

  const ctx: ParseContext = { ...args.context, sourceObject: lineage.sourceObject };
  for await (const ev of source.parse(replay(), ctx) as AsyncIterable<ParseEvent>) {
    lastLine = ev.line;
    if (ev.kind === "row") {
      const time = ev.row[ev.table.timeColumn];
      if (typeof time !== "string" || !isIsoUtc(time)) {
        await quarantine(
          ev.line,
          "bad_timestamp",
          `${ev.table.name}.${ev.table.timeColumn} is not a valid UTC instant`,
          JSON.stringify(ev.row),
        );
        continue;
      }
      try {
        const w = sink.write(ev.table, stamp(ev.row, ev.line, lineage));
        if (w) await w;
      } catch (e) {
        if (!(e instanceof RowRejectedError)) throw e;
        await quarantine(ev.line, e.reason, `${ev.table.name}: ${e.message}`, JSON.stringify(ev.row));
        continue;
      }
      summary.records++;
      summary.rows[ev.table.name] = (summary.rows[ev.table.name] ?? 0) + 1;
    } else if (ev.kind === "reject") {
      await quarantine(ev.line, ev.reason, ev.message, ev.raw);
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
  return summary;
}

function stamp(row: Record<string, unknown>, line: number, lineage: Lineage): Record<string, unknown> {
  row.source_object = lineage.sourceObject;
  row.source_line = line;
  row.ingest_time = lineage.ingestTime;
  return row;
}

/** Adds one object's summary into a running total. */
export function mergeSummary(into: Omit<IngestSummary, "source">, s: Omit<IngestSummary, "source">): void {
  into.records += s.records;
  for (const [k, v] of Object.entries(s.rows)) into.rows[k] = (into.rows[k] ?? 0) + v;
  for (const [k, v] of Object.entries(s.quarantined) as [RejectReason, number][])
    into.quarantined[k] = (into.quarantined[k] ?? 0) + v;
  for (const [k, v] of Object.entries(s.skipped) as [SkipKind, number][]) into.skipped[k] = (into.skipped[k] ?? 0) + v;
}
