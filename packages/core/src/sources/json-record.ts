import { splitJson } from "../ingest/json-stream.ts";
import type { FieldInput } from "../schema/column.ts";
import { clippedText, type Member, objectMembers, type Span, spanText, wholeObjectSpan } from "./json-text.ts";
import { isObject, type JsonObject } from "./values.ts";

export type { Member } from "./json-text.ts";

/**
 * One JSON object record: the value `JSON.parse` gave and the text it came from, so columns can take the input's
 * own text of any value. Members are scanned once, on first use.
 */
export class JsonRecord {
  private list: Member[] | undefined;
  private last: Map<string, Member> | undefined;

  constructor(
    readonly text: string,
    readonly value: JsonObject,
    private readonly span?: Span,
  ) {}

  /** Parses a record's text: the record, or why it is not one (`bad_json`, or valid JSON that is not an object). */
  static parse(text: string): JsonRecord | "bad_json" | "not_object" {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return "bad_json";
    }
    return isObject(value) ? new JsonRecord(text, value) : "not_object";
  }

  /** Top-level members in text order, duplicates included. */
  members(): readonly Member[] {
    this.list ??= objectMembers(this.text, this.span ?? wholeObjectSpan(this.text));
    return this.list;
  }

  /**
   * True when the member is the one `JSON.parse` kept for its key: the last of a duplicated key. Records rarely
   * repeat a key, so the lookup table is built only when one does.
   */
  isLast(m: Member): boolean {
    const members = this.members();
    if (members.length === Object.keys(this.value).length) return true;
    if (this.last === undefined) {
      this.last = new Map();
      for (const x of members) this.last.set(x.key, x);
    }
    return this.last.get(m.key) === m;
  }

  /** The member `JSON.parse` kept for a key, if the record has it. */
  member(key: string): Member | undefined {
    return this.members().findLast((m) => m.key === key);
  }

  /** A member's key as the input wrote it, quotes and escapes included. */
  keyText(m: Member): string {
    return this.text.slice(m.keyStart, m.keyEnd);
  }

  /** The text of a member's value as the input wrote it. */
  memberText(m: Member): string {
    return spanText(this.text, m);
  }

  /** A member's value cut short for a message. */
  memberClip(m: Member): string {
    return clippedText(this.text, m);
  }

  /** The record held by a top-level object member (an envelope's payload, such as EventBridge's `detail`). */
  child(key: string): JsonRecord | undefined {
    const v = this.value[key];
    const m = this.member(key);
    return isObject(v) && m ? new JsonRecord(this.text, v, m) : undefined;
  }

  /** A reader's view of a member's value, or of the value at `tail` inside it. */
  input(m: Member, value: unknown, tail: readonly string[] = []): FieldInput {
    return new FieldCursor().point(this.text, m, value, tail);
  }
}

/**
 * A reader's view of one value whose text is taken lazily from the record: only JSON columns and numbers need it.
 * A mapper re-points one cursor at each value in turn, so mapping a record allocates none; readers must not keep it.
 */
export class FieldCursor implements FieldInput {
  value: unknown;
  private source = "";
  private span: Span = { start: 0, end: 0, spaced: false };
  private tail: readonly string[] = [];

  point(source: string, span: Span, value: unknown, tail: readonly string[]): this {
    this.source = source;
    this.span = span;
    this.value = value;
    this.tail = tail;
    return this;
  }

  text(): string {
    let span: Span | undefined = this.span;
    for (const key of this.tail) {
      span = objectMembers(this.source, span).findLast((m) => m.key === key);
      if (span === undefined) return "null";
    }
    return spanText(this.source, span);
  }
}

// Elements of a head that may fail to parse before the sniffer gives up: a damaged first record is looked past.
const SNIFF_ELEMENTS = 8;

/**
 * The first element of a head of text that parses, as a record, or undefined when none of its first few does. A
 * value that parses but is no object ends the search too.
 */
export function firstJsonRecord(head: string, arrayKeys: readonly string[]): JsonRecord | undefined {
  let tried = 0;
  for (const el of splitJson(head, { arrayKeys })) {
    if (++tried > SNIFF_ELEMENTS) return undefined;
    if (el.status !== "complete") continue;
    const rec = JsonRecord.parse(el.text);
    if (rec === "bad_json") continue;
    return rec === "not_object" ? undefined : rec;
  }
  return undefined;
}
