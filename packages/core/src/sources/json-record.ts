import { splitJson } from "../ingest/json-stream.ts";
import type { FieldInput } from "../schema/column.ts";
import { clip, isObject, type JsonObject } from "./values.ts";

/** One top-level field of a record. */
export interface Member {
  readonly key: string;
}

/** One JSON object record: the value `JSON.parse` gave and the text it came from. */
export class JsonRecord {
  private list: Member[] | undefined;

  constructor(
    readonly text: string,
    readonly value: JsonObject,
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

  /** Top-level fields in the order of the parsed object. */
  members(): readonly Member[] {
    this.list ??= Object.keys(this.value).map((key) => ({ key }));
    return this.list;
  }

  /** True when the member is the one kept for its key (parsed objects have no duplicates). */
  isLast(_m: Member): boolean {
    return true;
  }

  /** The member of a key, if the record has it. */
  member(key: string): Member | undefined {
    return this.members().find((m) => m.key === key);
  }

  /** A member's key as JSON text. */
  keyText(m: Member): string {
    return JSON.stringify(m.key);
  }

  /** The JSON text of a member's value. */
  memberText(m: Member): string {
    return JSON.stringify(this.value[m.key]);
  }

  /** A member's value cut short for a message. */
  memberClip(m: Member): string {
    return clip(this.memberText(m));
  }

  /** The record held by a top-level object member (an envelope's payload, such as EventBridge's `detail`). */
  child(key: string): JsonRecord | undefined {
    const v = this.value[key];
    return isObject(v) ? new JsonRecord(this.text, v) : undefined;
  }

  /** A reader's view of a member's value, or of the value at `tail` inside it. */
  input(m: Member, value: unknown, tail: readonly string[] = []): FieldInput {
    return new FieldCursor().point(this.text, m, value, tail);
  }
}

/** A reader's view of one value. A mapper re-points one cursor at each value in turn; readers must not keep it. */
export class FieldCursor implements FieldInput {
  value: unknown;

  point(_source: string, _member: Member, value: unknown, _tail: readonly string[]): this {
    this.value = value;
    return this;
  }

  text(): string {
    return JSON.stringify(this.value);
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
