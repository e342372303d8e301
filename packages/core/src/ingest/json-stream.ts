import { MAX_RECORD_CHARS, TOO_LARGE_HEAD } from "./text.ts";

/** One record found by the splitter: its raw text and whether it ended cleanly. */
export interface JsonElement {
  /** 1-based record number within the input. */
  index: number;
  /** 1-based line of the input the record starts on. */
  line: number;
  /**
   * `complete`: a whole JSON value (or a whole non-JSON line at top level; JSON.parse decides);
   * `truncated`: the input ended inside the value, or a top-level value's line was cut (see `JsonSplitter`), or the
   * input ended inside the records array (then `text` is empty and `detail` says so);
   * `too_large`: longer than `maxElementChars`; `text` then holds only its head (`TOO_LARGE_HEAD`).
   */
  status: "complete" | "truncated" | "too_large";
  text: string;
  /** Why a record without text of its own is reported. */
  detail?: string;
}

/** How the splitter finds records. */
export interface JsonSplitOptions {
  /**
   * Keys of a top-level object whose array value holds the records (`{"Records":[…]}`). A top-level object
   * without such a key is itself a record. Default `["Records"]`.
   */
  arrayKeys?: readonly string[];
  /** Longest record kept in memory; longer ones are reported as `too_large`. Default `MAX_RECORD_CHARS`. */
  maxElementChars?: number;
  /** The elements of a top-level array are the records (default); when false the array is one record. */
  splitArrays?: boolean;
  /**
   * Line-delimited records (NDJSON, JSON lines): every top-level record runs to the end of the line it ends on, a
   * line that does not start a JSON object or array is one record, and each blank line is reported as a complete
   * record with empty text. A value spanning lines (pretty-printed) is still one record.
   */
  lineRecords?: boolean;
}

/** Records of application JSON lines: one per line, or per pretty-printed value; arrays are not split. */
export const JSON_LINE_RECORDS: JsonSplitOptions = { arrayKeys: [], splitArrays: false, lineRecords: true };

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;
const NEWLINE = 10;
const SPACE = 32;
const TAB = 9;
const CR = 13;
const BOM = 0xfeff;

const KIND_CONTAINER = 1;
const KIND_STRING = 2;
const KIND_SCALAR = 3;

/**
 * Incremental splitter of JSON text into records, fed chunk by chunk.
 *
 * Records are the elements of a top-level `{"Records":[…]}` array (keys configurable), the elements of a bare
 * top-level array, or each top-level value of NDJSON / concatenated JSON. It tracks strings, escapes and depth
 * with `charCodeAt` and never parses: memory holds one record at a time, up to the size limit, whatever the input
 * size. A top-level value may span lines (pretty-printed), but its line is taken as cut, and the value reported
 * `truncated`, when a raw newline falls inside one of its strings (JSON strings never hold one) or when the next line
 * is neither indented, blank nor a closing bracket (pretty-printers indent everything inside the outer value): a
 * damaged line of NDJSON then cannot swallow the lines after it.
 */
export class JsonSplitter {
  private readonly arrayKeys: readonly string[];
  private readonly keyLengths: ReadonlySet<number>;
  private readonly maxChars: number;
  private readonly splitArrays: boolean;
  private readonly lineRecords: boolean;
  private index = 0;
  private line = 1;

  private depth = 0;
  private inString = false;
  private escape = false;
  /** Depth at which records open: 0 top level, 1 bare array, 2 wrapper array, -1 none (rest of a wrapper). */
  private elemDepth = 0;

  private inElem = false;
  private elemKind = 0;
  private elemStart = 0;
  private elemLine = 0;
  private elemParts: string[] = [];
  private elemChars = 0;
  private elemOverflow = false;
  /** A top-level record's text ended with a newline at the end of the last chunk: the next character decides. */
  private pendingNewline = false;
  /** Line records: nothing but whitespace seen on the current line yet. */
  private lineBlank = true;
  private lineHasSpace = false;

  /** The current record is a top-level object, which may turn out to be a wrapper. */
  private topObject = false;
  private expectKey = false;
  private keyCapture = false;
  private keyStart = 0;
  private keyPartial = "";
  private lastKey = "";
  /** Chunks seen so far; keys the newline cache. */
  private chunkNo = 0;
  private nlChunkNo = -1;
  private nlPos = -1;

  constructor(options: JsonSplitOptions = {}) {
    this.arrayKeys = options.arrayKeys ?? ["Records"];
    this.keyLengths = new Set(this.arrayKeys.map((k) => k.length));
    this.maxChars = options.maxElementChars ?? MAX_RECORD_CHARS;
    this.splitArrays = options.splitArrays ?? true;
    this.lineRecords = options.lineRecords ?? false;
  }

  /** Scans one chunk and appends the records that ended in it to `out`. */
  push(chunk: string, out: JsonElement[] = []): JsonElement[] {
    const n = chunk.length;
    if (n === 0) return out;
    let i = 0;
    this.chunkNo++;
    if (this.inElem) this.elemStart = 0;
    if (this.pendingNewline) {
      this.pendingNewline = false;
      if (this.inElem && !continuesValue(chunk.charCodeAt(0))) this.cutCarried(out);
    }
    while (i < n) {
      if (this.inString) {
        i = this.scanString(chunk, i, out);
        continue;
      }
      if (this.inElem && this.elemKind === KIND_SCALAR) {
        i = this.scanScalar(chunk, i, out);
        continue;
      }
      if (this.inElem && this.elemKind === KIND_CONTAINER && !(this.topObject && this.depth === 1)) {
        i = this.scanNested(chunk, i, out);
        continue;
      }
      const c = chunk.charCodeAt(i);
      if (c === QUOTE) {
        if (!this.inElem && this.depth === this.elemDepth) {
          if (this.lineRecords && this.elemDepth === 0) {
            this.startElem(KIND_SCALAR, i);
            continue;
          }
          this.startElem(KIND_STRING, i);
        } else if (this.topObject && this.depth === 1 && this.expectKey) {
          this.keyCapture = true;
          this.keyStart = i + 1;
          this.keyPartial = "";
        }
        this.inString = true;
        i++;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (!this.inElem && this.depth === this.elemDepth) {
          if (this.depth === 0 && c === OPEN_BRACKET && this.splitArrays) {
            // A bare top-level array: its elements are the records.
            this.elemDepth = 1;
          } else {
            this.startElem(KIND_CONTAINER, i);
            if (this.depth === 0 && c === OPEN_BRACE) {
              this.topObject = true;
              this.expectKey = true;
              this.lastKey = "";
            }
          }
        } else if (
          this.topObject &&
          this.depth === 1 &&
          c === OPEN_BRACKET &&
          this.elemDepth === 0 &&
          this.arrayKeys.includes(this.lastKey)
        ) {
          // `{"Records":[`: drop what was buffered of the wrapper; its array elements are the records.
          this.inElem = false;
          this.elemParts = [];
          this.topObject = false;
          this.elemDepth = 2;
        } else if (this.topObject && this.depth === 1) {
          this.expectKey = false;
        }
        this.depth++;
        i++;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (this.depth === 0) {
          // A stray closer at top level: the rest of the line is one (non-JSON) record.
          this.startElem(KIND_SCALAR, i);
          continue;
        }
        this.depth--;
        i++;
        if (this.inElem && this.depth === this.elemDepth) {
          this.closeElem(chunk, i, out);
        } else if (this.depth === this.elemDepth - 1) {
          // The records array closed: a wrapper's tail yields nothing; a bare array returns to top level.
          this.elemDepth = this.elemDepth === 2 ? -1 : 0;
        } else if (this.elemDepth === -1 && this.depth === 0) {
          this.elemDepth = 0;
        }
      } else if (c === NEWLINE) {
        this.line++;
        if (this.inElem) this.newlineInElem(chunk, i, out);
        else if (this.lineRecords && this.depth === 0) this.endLine(this.line - 1, out);
        i++;
      } else if (c === SPACE || c === TAB || c === CR || c === BOM) {
        if (!this.inElem) this.lineHasSpace = true;
        i++;
      } else if (c === COMMA) {
        if (this.topObject && this.depth === 1) this.expectKey = true;
        i++;
      } else {
        if (!this.inElem && this.depth === this.elemDepth) this.startElem(KIND_SCALAR, i);
        else i++;
      }
    }
    if (this.inElem) this.carry(chunk);
    else if (this.keyCapture) {
      this.keyPartial += chunk.slice(this.keyStart);
      this.keyStart = 0;
    }
    return out;
  }

  /**
   * Signals end of input and returns the record left open, if any, as `truncated`; a records array the input ends
   * in without a record open is reported as one `truncated` record with empty text.
   */
  end(out: JsonElement[] = []): JsonElement[] {
    if (this.inElem) {
      // A top-level non-JSON line may legitimately end at end of input.
      const status = this.elemKind === KIND_SCALAR && this.elemDepth === 0 ? "complete" : "truncated";
      this.endElem("", 0, status, out);
    } else if (this.elemDepth > 0) {
      this.index++;
      out.push({
        index: this.index,
        line: this.line,
        status: "truncated",
        text: "",
        detail: `input ends inside the records array, after record ${this.index - 1}`,
      });
    } else if (this.lineRecords && this.lineHasSpace && this.depth === 0) {
      this.endLine(this.line, out);
    }
    this.depth = 0;
    this.inString = false;
    this.escape = false;
    this.elemDepth = 0;
    this.pendingNewline = false;
    return out;
  }

  private scanString(chunk: string, i: number, out: JsonElement[]): number {
    const n = chunk.length;
    if (this.escape) {
      this.escape = false;
      // A raw newline after a backslash is still a newline (and still ends a top-level record's line).
      if (chunk.charCodeAt(i) !== NEWLINE) i++;
    }
    // Backslashes before a quote are counted back to here: earlier ones belong to an escape already consumed.
    const from = i;
    let q = chunk.indexOf('"', i);
    while (q !== -1) {
      let k = q - 1;
      while (k >= from && chunk.charCodeAt(k) === BACKSLASH) k--;
      if ((q - 1 - k) % 2 === 0) break;
      q = chunk.indexOf('"', q + 1);
    }
    const stop = q === -1 ? n : q;
    let nl = this.nextNewline(chunk, i);
    if (nl !== -1 && nl < stop) {
      if (this.inElem && this.elemDepth === 0) {
        // A raw newline inside a top-level record's string: its line was cut.
        this.line++;
        this.inString = false;
        this.keyCapture = false;
        this.cutAt(chunk, nl, out);
        return nl + 1;
      }
      do {
        this.line++;
        nl = this.nextNewline(chunk, nl + 1);
      } while (nl !== -1 && nl < stop);
    }
    if (q === -1) {
      // The string continues in the next chunk; an odd run of trailing backslashes escapes its first character.
      let k = n - 1;
      while (k >= from && chunk.charCodeAt(k) === BACKSLASH) k--;
      this.escape = (n - 1 - k) % 2 === 1;
      return n;
    }
    this.inString = false;
    if (this.keyCapture) {
      // Only keys as long as a wrapper key can match; skipping the others saves a slice per field.
      const len = this.keyPartial.length + q - this.keyStart;
      this.lastKey = this.keyLengths.has(len) ? this.keyPartial + chunk.slice(this.keyStart, q) : "";
      this.keyCapture = false;
      this.expectKey = false;
    }
    if (this.inElem && this.elemKind === KIND_STRING && this.depth === this.elemDepth) {
      this.endElem(chunk, q + 1, "complete", out);
    }
    return q + 1;
  }

  /** Position of the next newline at or after `i`, cached per chunk so long lines are searched once. */
  private nextNewline(chunk: string, i: number): number {
    if (this.nlChunkNo !== this.chunkNo || (this.nlPos !== -1 && this.nlPos < i)) {
      this.nlChunkNo = this.chunkNo;
      this.nlPos = chunk.indexOf("\n", i);
    }
    return this.nlPos;
  }

  /**
   * Inside a record's nested values only quotes, brackets and newlines matter: this loop skips the rest. It returns
   * when the record ends, when a top-level object is back at its own keys, or at the end of the chunk.
   */
  private scanNested(chunk: string, i: number, out: JsonElement[]): number {
    const n = chunk.length;
    const stop = this.topObject ? 1 : this.elemDepth;
    let depth = this.depth;
    while (i < n) {
      const c = chunk.charCodeAt(i);
      if (c === QUOTE) {
        this.depth = depth;
        this.inString = true;
        i = this.scanString(chunk, i + 1, out);
        if (this.inString || !this.inElem) return i;
        depth = this.depth;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth++;
        i++;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--;
        i++;
        if (depth === stop) {
          this.depth = depth;
          if (!this.topObject) this.closeElem(chunk, i, out);
          return i;
        }
      } else if (c === NEWLINE) {
        this.line++;
        this.depth = depth;
        this.newlineInElem(chunk, i, out);
        i++;
        if (!this.inElem) return i;
      } else {
        i++;
      }
    }
    this.depth = depth;
    return i;
  }

  private scanScalar(chunk: string, i: number, out: JsonElement[]): number {
    const n = chunk.length;
    if (this.elemDepth === 0 && this.depth === 0) {
      // Top-level scalars and non-JSON text run to the end of the line.
      const nl = chunk.indexOf("\n", i);
      if (nl === -1) return n;
      this.line++;
      this.endElem(chunk, this.lineEnd(chunk, nl), "complete", out);
      this.newLine();
      return nl + 1;
    }
    while (i < n) {
      const c = chunk.charCodeAt(i);
      if (
        c === COMMA ||
        c === CLOSE_BRACKET ||
        c === CLOSE_BRACE ||
        c === SPACE ||
        c === NEWLINE ||
        c === TAB ||
        c === CR
      ) {
        this.endElem(chunk, i, "complete", out);
        return i;
      }
      i++;
    }
    return i;
  }

  /** A container record closed: done, or for line records, the rest of its line still belongs to it. */
  private closeElem(chunk: string, end: number, out: JsonElement[]): void {
    if (this.lineRecords && this.elemDepth === 0) {
      this.elemKind = KIND_SCALAR;
      this.topObject = false;
      this.expectKey = false;
      this.keyCapture = false;
      return;
    }
    this.endElem(chunk, end, "complete", out);
  }

  /** A newline (at `i`, already counted) inside a record, outside strings. */
  private newlineInElem(chunk: string, i: number, out: JsonElement[]): void {
    if (this.elemDepth !== 0 || this.elemKind !== KIND_CONTAINER) return;
    if (i + 1 >= chunk.length) this.pendingNewline = true;
    else if (!continuesValue(chunk.charCodeAt(i + 1))) this.cutAt(chunk, i, out);
  }

  /** Ends the open top-level record as cut at the newline at `nl`, and goes on at top level after it. */
  private cutAt(chunk: string, nl: number, out: JsonElement[]): void {
    this.endElem(chunk, this.lineEnd(chunk, nl), "truncated", out);
    this.resetTop();
  }

  /** Where the open record's line ends before the newline at `nl`: before a `\r`, even one carried over. */
  private lineEnd(chunk: string, nl: number): number {
    if (nl > this.elemStart) return chunk.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
    const last = this.elemParts.length - 1;
    const part = this.elemParts[last];
    if (!this.elemOverflow && part?.endsWith("\r")) {
      this.elemParts[last] = part.slice(0, -1);
      this.elemChars--;
    }
    return nl;
  }

  /** Like `cutAt` for a newline that ended the previous chunk (already carried with the record's text). */
  private cutCarried(out: JsonElement[]): void {
    if (!this.elemOverflow) {
      let text = this.elemParts.join("");
      if (text.endsWith("\n")) text = text.slice(0, -1);
      if (text.endsWith("\r")) text = text.slice(0, -1);
      this.elemParts = [text];
      this.elemChars = text.length;
    }
    this.endElem("", 0, "truncated", out);
    this.resetTop();
  }

  private resetTop(): void {
    this.depth = 0;
    this.inString = false;
    this.escape = false;
    this.newLine();
  }

  /** Line records: the end of `line` outside any record; it was blank when nothing else was on it. */
  private endLine(line: number, out: JsonElement[]): void {
    if (this.lineBlank) {
      this.index++;
      out.push({ index: this.index, line, status: "complete", text: "" });
    }
    this.newLine();
  }

  private newLine(): void {
    this.lineBlank = true;
    this.lineHasSpace = false;
  }

  private startElem(kind: number, i: number): void {
    this.inElem = true;
    this.elemKind = kind;
    this.elemStart = i;
    this.elemLine = this.line;
    this.elemParts = [];
    this.elemChars = 0;
    this.elemOverflow = false;
    this.lineBlank = false;
  }

  private carry(chunk: string): void {
    const part = chunk.slice(this.elemStart);
    if (this.keyCapture) {
      this.keyPartial += chunk.slice(this.keyStart);
      this.keyStart = 0;
    }
    this.elemChars += part.length;
    if (!this.elemOverflow && this.elemChars > this.maxChars) {
      this.elemOverflow = true;
      this.elemParts = [this.elemParts.join("").slice(0, TOO_LARGE_HEAD)];
    }
    if (this.elemOverflow) {
      // Past the limit only the head is kept, for the quarantine row.
      const head = this.elemParts[0] ?? "";
      if (head.length < TOO_LARGE_HEAD) this.elemParts = [head + part.slice(0, TOO_LARGE_HEAD - head.length)];
      return;
    }
    this.elemParts.push(part);
  }

  private endElem(chunk: string, end: number, status: JsonElement["status"], out: JsonElement[]): void {
    const tail = chunk.slice(this.elemStart, end);
    let text: string;
    if (this.elemOverflow || this.elemChars + tail.length > this.maxChars) {
      text = (this.elemParts.join("") + tail.slice(0, TOO_LARGE_HEAD)).slice(0, TOO_LARGE_HEAD);
      status = "too_large";
    } else {
      text = this.elemParts.length === 0 ? tail : this.elemParts.join("") + tail;
    }
    this.index++;
    out.push({ index: this.index, line: this.elemLine, status, text });
    this.inElem = false;
    this.elemParts = [];
    this.elemChars = 0;
    this.elemOverflow = false;
    this.pendingNewline = false;
    if (this.elemDepth === 0) {
      this.topObject = false;
      this.expectKey = false;
      this.keyCapture = false;
    }
  }
}

/** True when a line starting with `c` can be the next line of a pretty-printed top-level value. */
function continuesValue(c: number): boolean {
  return c === SPACE || c === TAB || c === CR || c === NEWLINE || c === BOM || c === CLOSE_BRACE || c === CLOSE_BRACKET;
}

/**
 * Streams the records of JSON text (see `JsonSplitter`) from decoded text chunks, one at a time.
 *
 * @example
 * for await (const el of jsonElements(decodeText(bytes))) if (el.status === "complete") JSON.parse(el.text);
 */
export async function* jsonElements(
  text: AsyncIterable<string>,
  options: JsonSplitOptions = {},
): AsyncIterable<JsonElement> {
  const splitter = new JsonSplitter(options);
  const out: JsonElement[] = [];
  for await (const chunk of text) {
    splitter.push(chunk, out);
    for (const el of out) yield el;
    out.length = 0;
  }
  yield* splitter.end(out);
}

/**
 * Like `jsonElements`, but yields the records found in each chunk as one array: a parser that maps them
 * synchronously saves an await per record.
 */
export async function* jsonElementBatches(
  text: AsyncIterable<string>,
  options: JsonSplitOptions = {},
): AsyncIterable<JsonElement[]> {
  const splitter = new JsonSplitter(options);
  for await (const chunk of text) {
    const out = splitter.push(chunk);
    if (out.length > 0) yield out;
  }
  const rest = splitter.end();
  if (rest.length > 0) yield rest;
}

/** Splits a whole string into records (see `JsonSplitter`); for small, already-decoded payloads. */
export function splitJson(text: string, options: JsonSplitOptions = {}): JsonElement[] {
  const splitter = new JsonSplitter(options);
  const out = splitter.push(text);
  return splitter.end(out);
}

/** True when `text` starts a JSON object or array but ends inside it (a cut-off record, not a malformed one). */
export function isTruncatedJson(text: string): boolean {
  let i = 0;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  const first = text.charCodeAt(i);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) return false;
  let depth = 0;
  let inString = false;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return false;
    }
  }
  return depth > 0;
}

function isSpace(c: number): boolean {
  return c === SPACE || c === NEWLINE || c === TAB || c === CR || c === BOM;
}
