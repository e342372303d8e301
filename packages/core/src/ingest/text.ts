/**
 * Longest record (line or JSON value) read into memory, in characters. A longer one is reported too large after
 * reading this much, and skipped to its end without being kept. 16 MiB holds any CloudTrail record (under 1 MB) and
 * CloudWatch Logs subscription payload (about 1 MB compressed); the lake refuses rows over 1 MiB in any case.
 */
export const MAX_RECORD_CHARS = 16 * 1024 * 1024;

/** Maximum raw text kept in a quarantine row. */
export const RAW_LIMIT = 64 * 1024;

/**
 * What is kept of a record over the size limit: one character more than a quarantine row keeps, so that the row
 * says its raw text was cut.
 */
export const TOO_LARGE_HEAD = RAW_LIMIT + 1;

/** Cuts raw text to the quarantine limit. */
export function clipRaw(raw: string): { raw: string; truncated: boolean } {
  return raw.length <= RAW_LIMIT ? { raw, truncated: false } : { raw: raw.slice(0, RAW_LIMIT), truncated: true };
}

/** One line of text, numbered from 1. */
export interface Line {
  line: number;
  /** The line without `\n` (and a `\r` before it); only its first `TOO_LARGE_HEAD` characters when `tooLarge`. */
  text: string;
  /** Longer than the record limit: skipped to its end, only its head kept. */
  tooLarge: boolean;
}

/**
 * Incremental line splitter (`\n`, `\r\n` tolerated, a last line without newline included). Memory holds at most one
 * line up to the limit: a longer line is kept only as its head while the rest is passed over.
 */
export class LineSplitter {
  private parts: string[] = [];
  private chars = 0;
  private over = false;
  private n = 0;

  constructor(private readonly maxChars: number = MAX_RECORD_CHARS) {}

  /** Scans one chunk and appends the lines that ended in it to `out`. */
  push(chunk: string, out: Line[] = []): Line[] {
    let start = 0;
    for (let nl = chunk.indexOf("\n"); nl !== -1; nl = chunk.indexOf("\n", start)) {
      this.emit(chunk, start, nl, out);
      start = nl + 1;
    }
    if (start < chunk.length) this.keep(start === 0 ? chunk : chunk.slice(start));
    return out;
  }

  /** Signals end of input and appends the last line, if it did not end with a newline. */
  end(out: Line[] = []): Line[] {
    if (this.chars > 0) this.emit("", 0, 0, out);
    return out;
  }

  private keep(part: string): void {
    this.chars += part.length;
    if (this.over) return;
    if (this.chars > this.maxChars) {
      this.over = true;
      this.parts = [(this.parts.join("") + part).slice(0, TOO_LARGE_HEAD)];
    } else {
      this.parts.push(part);
    }
  }

  private emit(chunk: string, start: number, end: number, out: Line[]): void {
    const tooLarge = this.over || this.chars + end - start > this.maxChars;
    let text: string;
    if (tooLarge) {
      text = (this.parts.join("") + chunk.slice(start, Math.min(end, start + TOO_LARGE_HEAD))).slice(0, TOO_LARGE_HEAD);
    } else {
      text = this.parts.length === 0 ? chunk.slice(start, end) : this.parts.join("") + chunk.slice(start, end);
      if (text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1);
    }
    this.n++;
    out.push({ line: this.n, text, tooLarge });
    this.parts = [];
    this.chars = 0;
    this.over = false;
  }
}

/**
 * Splits decoded text chunks into lines (see `LineSplitter`), numbered from 1.
 *
 * @example
 * for await (const l of lines(decodeText(bytes))) if (!l.tooLarge) handle(l.line, l.text);
 */
export async function* lines(text: AsyncIterable<string>, maxChars: number = MAX_RECORD_CHARS): AsyncIterable<Line> {
  const splitter = new LineSplitter(maxChars);
  const out: Line[] = [];
  for await (const chunk of text) {
    splitter.push(chunk, out);
    yield* out;
    out.length = 0;
  }
  yield* splitter.end(out);
}
