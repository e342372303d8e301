/**
 * The input's own text of JSON values. Parsers validate a record with `JSON.parse` (iterative in V8, so any depth
 * parses) and then take the text of its values from here instead of re-serialising them: `JSON.stringify` rounds
 * integers above 2^53 and 30-digit numbers, reorders integer-like keys, and throws `RangeError` a few thousand
 * levels deep. Everything here is a loop over the text, never a recursion on its depth, and assumes text that
 * `JSON.parse` accepted.
 */

import { clip } from "./values.ts";

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

// Outside strings, valid JSON has no control characters but whitespace, so `<= 32` is whitespace.
const SPACE_MAX = 32;

/** The extent of one value: `text.slice(start, end)`; `spaced` when whitespace sits between its tokens. */
export interface Span {
  readonly start: number;
  readonly end: number;
  readonly spaced: boolean;
}

/** One member of an object's text: its decoded key, where its key's text is (quotes included), and its value. */
export interface Member extends Span {
  readonly key: string;
  readonly keyStart: number;
  readonly keyEnd: number;
}

/** Index just past the string whose opening quote is at `i`. */
function stringEnd(text: string, i: number): number {
  let q = text.indexOf('"', i + 1);
  while (q !== -1 && text.charCodeAt(q - 1) === BACKSLASH) {
    let k = q - 2;
    while (text.charCodeAt(k) === BACKSLASH) k--;
    // An even number of backslashes before the quote escape each other, not the quote.
    if ((q - 1 - k) % 2 === 0) break;
    q = text.indexOf('"', q + 1);
  }
  return q === -1 ? text.length : q + 1;
}

/** Index of the first character at or after `i` that is not whitespace. */
function skipSpace(text: string, i: number): number {
  while (i < text.length && text.charCodeAt(i) <= SPACE_MAX) i++;
  return i;
}

/** Index just past the value that starts at `i`; `spaced` is set when whitespace sits between its tokens. */
function valueEnd(text: string, i: number, out: { spaced: boolean }): number {
  const n = text.length;
  const c = text.charCodeAt(i);
  if (c === QUOTE) return stringEnd(text, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 1;
    let j = i + 1;
    while (j < n) {
      const d = text.charCodeAt(j);
      if (d === QUOTE) {
        j = stringEnd(text, j);
        continue;
      }
      if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
      else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
        if (--depth === 0) return j + 1;
      } else if (d <= SPACE_MAX) out.spaced = true;
      j++;
    }
    return n;
  }
  let j = i;
  while (j < n) {
    const d = text.charCodeAt(j);
    if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || d <= SPACE_MAX) break;
    j++;
  }
  return j;
}

/** The span of the value that starts at `i` (its first character). */
function spanAt(text: string, i: number): Span {
  const flag = { spaced: false };
  const end = valueEnd(text, i, flag);
  return { start: i, end, spaced: flag.spaced };
}

/** The span of the whole JSON text's value, surrounding whitespace excluded. */
export function wholeSpan(text: string): Span {
  return spanAt(text, skipSpace(text, 0));
}

/**
 * Where the members of a whole JSON text that `JSON.parse` accepted as an object are: from its opening brace to the
 * end of the text, for `objectMembers`, which stops at the closing brace. Cheaper than `wholeSpan`, which walks the
 * whole value to find its end and whether it holds whitespace.
 */
export function wholeObjectSpan(text: string): Span {
  return { start: skipSpace(text, 0), end: text.length, spaced: true };
}

/** The members of the object whose span is given, in text order (duplicate keys included, as written). */
export function objectMembers(text: string, object: Span): Member[] {
  const out: Member[] = [];
  if (text.charCodeAt(object.start) !== OPEN_BRACE) return out;
  const flag = { spaced: false };
  let i = object.start + 1;
  for (;;) {
    let c = text.charCodeAt(i);
    while (c <= SPACE_MAX || c === COMMA) c = text.charCodeAt(++i);
    if (c !== QUOTE || i >= object.end) return out;
    const keyStart = i;
    const keyEnd = stringEnd(text, i);
    const raw = text.slice(keyStart + 1, keyEnd - 1);
    const key = raw.indexOf("\\") === -1 ? raw : (JSON.parse(text.slice(keyStart, keyEnd)) as string);
    i = keyEnd;
    c = text.charCodeAt(i);
    while (c <= SPACE_MAX || c === COLON) c = text.charCodeAt(++i);
    flag.spaced = false;
    const end = valueEnd(text, i, flag);
    out.push({ key, keyStart, keyEnd, start: i, end, spaced: flag.spaced });
    i = end;
  }
}

/** The spans of the elements of the array whose span is given, in order. */
export function arrayItems(text: string, array: Span): Span[] {
  const out: Span[] = [];
  if (text.charCodeAt(array.start) !== OPEN_BRACKET) return out;
  let i = array.start + 1;
  for (;;) {
    let c = text.charCodeAt(i);
    while (c <= SPACE_MAX || c === COMMA) c = text.charCodeAt(++i);
    if (c === CLOSE_BRACKET || i >= array.end) return out;
    const item = spanAt(text, i);
    out.push(item);
    i = item.end;
  }
}

/**
 * The text of a value exactly as written, token for token: numbers keep every digit, strings their escapes, objects
 * their key order and duplicates. Only whitespace between tokens is dropped, so a pretty-printed export and a
 * compact file give the same text.
 */
export function spanText(text: string, span: Span): string {
  if (!span.spaced) return text.slice(span.start, span.end);
  let out = "";
  let from = span.start;
  for (let j = span.start; j < span.end; j++) {
    const c = text.charCodeAt(j);
    if (c === QUOTE) j = stringEnd(text, j) - 1;
    else if (c <= SPACE_MAX) {
      out += text.slice(from, j);
      from = j + 1;
    }
  }
  return out + text.slice(from, span.end);
}

/** `spanText` cut for a message, without building the text of a long value. */
export function clippedText(text: string, span: Span, max = 80): string {
  if (span.end - span.start <= max * 4) return clip(spanText(text, span), max);
  const head = spanText(text, { ...span, end: span.start + max * 4 });
  return head.length > max ? clip(head, max) : `${head}…`;
}
