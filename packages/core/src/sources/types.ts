import type { LogEventLineage } from "../lake-layout.ts";
import type { TableDef } from "../schema/table.ts";
import type { SOURCES } from "./index.ts";
import type { JsonRecord, Member } from "./json-record.ts";
import type { Embedding } from "./mapping.ts";
import type { RejectReason } from "./quarantine/schema.ts";
import type { JsonObject, MapResult } from "./values.ts";

/** Why a record produced neither a row nor a quarantine entry. */
export type SkipKind = "header" | "blank" | "control_message" | "comment";

/**
 * A JSON record as read: text that holds it exactly as the input wrote it (an envelope's text may hold more), and
 * the value `JSON.parse` gave. Redaction may screen the text once instead of reading each column drawn from it.
 */
export interface SourceRecord {
  readonly text: string;
  readonly value: JsonObject;
  /** The record's top-level members in text order, duplicates included. */
  members(): readonly Member[];
}

/** What a parser says about one input record. Every record yields exactly one event. */
export type ParseEvent =
  | {
      kind: "row";
      table: TableDef;
      line: number;
      row: Record<string, unknown>;
      /** Set when the record arrived in a CloudWatch Logs event: stamped on the row's `cwl_*` lineage columns. */
      logEvent?: LogEventLineage;
      /** The record's own JSON text, exactly as read (app events), for forwarding it unchanged. */
      text?: string;
      /** Rows of child tables the record also fills (a digest's listed log files), written after `row`. */
      children?: readonly { table: TableDef; row: Record<string, unknown> }[];
      /**
       * The JSON record every content column of `row` was drawn from, as written: each text column a string of the
       * record's text (or the text of a number or flag there), each JSON column a slice of it. Set only by sources
       * whose mapping keeps to that (CloudTrail's); redaction screens such a record once instead of each column.
       */
      record?: SourceRecord;
    }
  | {
      kind: "reject";
      line: number;
      reason: RejectReason;
      message: string;
      raw: string;
      /** The record's own time (ISO-8601 UTC) when it could be read although the record is bad. */
      time?: string;
      /** Set when the record arrived in a CloudWatch Logs event: kept on the quarantine row. */
      logEvent?: LogEventLineage;
    }
  | { kind: "skip"; line: number; skip: SkipKind };

/** Options a deployment can set per source. */
export interface SourceOptions {
  /** CloudFront real-time field list as configured on the distribution (default: AWS's canonical order). */
  realtimeFields?: readonly string[];
}

/** What a parser knows about the object it reads. */
export interface ParseContext {
  /** Lineage id: s3://bucket/key, a file path, or kinesis://stream/shard/sequence. */
  sourceObject: string;
  /** Object key or file name; parsers read hints such as the CloudFront distribution id from it. */
  key: string;
  options: SourceOptions;
  /** Longest record (line or JSON value) read into memory; a longer one is `too_large`. Default `MAX_RECORD_CHARS`. */
  maxRecordChars?: number;
}

/** Identifier of a registered log source, as given to `--source`: the ids in `SOURCES`, and no other list. */
export type SourceId = (typeof SOURCES)[number]["id"];

/** A registered log source: how to recognise its objects and turn them into rows. */
export interface LogSource<Id extends string = SourceId> {
  readonly id: Id;
  readonly description: string;
  /** Tables this source writes (quarantine aside). */
  readonly tables: readonly TableDef[];
  /** True when an S3 key or file name is one of this source's objects. */
  matchKey(key: string): boolean;
  /** True when the first decoded text of an object (up to 64 KiB) looks like this source. */
  sniff(head: string): boolean;
  /**
   * True for delimited text lines, where a line cut off by a damaged stream can still have the right shape: the
   * pipeline then quarantines that last partial line with the damage instead of parsing it. JSON sources need not
   * set it, as a cut-off JSON value never parses.
   */
  readonly delimitedLines?: boolean;
  /** Streams events from decoded text chunks. Never throws on bad input: bad records become rejects. */
  parse(text: AsyncIterable<string>, ctx: ParseContext): AsyncIterable<ParseEvent>;
}

/**
 * A kind of JSON record one source defines and others carry (CloudTrail records and app events inside CloudWatch
 * Logs messages). The registry hands kinds to the sources that embed or must tell them apart, so source folders
 * never import each other.
 */
export interface RecordKind {
  readonly table: TableDef;
  /** The record of this kind in a JSON object: the object itself or an envelope's payload; else undefined. */
  find(rec: JsonRecord): JsonRecord | undefined;
  /** Maps a record of this kind to a row of `table`, or says why not. */
  map(rec: JsonRecord, embedding?: Embedding): MapResult<Record<string, unknown>>;
}
