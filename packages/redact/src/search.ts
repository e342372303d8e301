import { LEAD_SCAN_WASM } from "./lead-scan.wasm.ts";

const LEAD = 3;
const GROUPS = 8;
/** Candidates a scan may give before the text is left to the regular expression (1 in 8 bytes at most). */
const MAX_CANDIDATES = 1 << 16;
// The memory `lead-scan.wat` reads: its nibble tables, the candidates it writes, then the text and zero bytes.
const OUT_AT = 128;
const TEXT_AT = OUT_AT + 4 * MAX_CANDIDATES;
const PAD = 32;
/** Texts longer than this are searched by the regular expression alone: the scan's memory never shrinks. */
const MAX_SCAN_CHARS = 4 << 20;
const SPECIAL = new Set("\\^$.|?*+()[]{}");

// The WebAssembly JS API as used here: the package's type libraries hold none of it (it is part of DOM's).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}
// Absent in a runtime without WebAssembly: then every text is searched by the regular expression.
const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
let compiled: object | undefined;

/**
 * The characters every match of a regular expression source starts with, up to three: its literal characters before
 * the first one that is special or may be missing (`api[_. -]?key` → `api`). Undefined when there is none (`\d…`).
 */
export function literalLead(source: string): string | undefined {
  let lead = "";
  for (let i = 0; i < source.length && lead.length < LEAD; i++) {
    const c = source.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || SPECIAL.has(source[i] as string)) break;
    const next = source[i + 1];
    if (next === "?" || next === "*" || next === "{") break;
    lead += source[i];
    if (next === "+") break;
  }
  return lead === "" ? undefined : lead;
}

/**
 * Where a case-insensitive alternation of pre-checks (each a regular expression source without top-level `|`) matches
 * in a text, leftmost first, as a global `exec` finds them. When every alternative has a literal lead, the text's
 * bytes are first scanned 16 at a time (WebAssembly SIMD) for positions where a lead may start, and only those are
 * tried: the regular expression alone costs about 5 ns a character (bench/evidence/redact-screen.md). ASCII letters
 * match only ASCII letters under the `i` flag, so a match starts where its lead's bytes do.
 */
export class TriggerSearch {
  private readonly global: RegExp;
  private readonly sticky: RegExp;
  private readonly scan: LeadScan | undefined;
  private text = "";
  /** The scan's candidate starts, `count` of them; undefined when the regular expression searches the text. */
  private at: Int32Array | undefined;
  private count = 0;
  private k = 0;
  /** The end of the match `next` found last. */
  end = 0;

  constructor(sources: readonly string[]) {
    const source = sources.join("|");
    this.global = new RegExp(source, "gi");
    this.sticky = new RegExp(source, "iy");
    const leads = sources.map(literalLead);
    this.scan =
      wasm !== undefined && leads.every((l) => l !== undefined) ? new LeadScan(wasm, leads as string[]) : undefined;
  }

  /** Starts a search of `text`; `bytes`, when given, are the UTF-8 bytes `text` was decoded from. */
  reset(text: string, bytes?: Uint8Array): void {
    this.text = text;
    this.k = 0;
    this.end = 0;
    this.at = undefined;
    if (this.scan === undefined || text.length > MAX_SCAN_CHARS) return;
    // As many bytes as characters: each byte decoded to one character, so positions agree.
    const n = bytes !== undefined && bytes.length === text.length ? this.scan.bytes(bytes) : this.scan.ascii(text);
    if (n === -1) return;
    this.at = this.scan.positions;
    this.count = n;
  }

  /** The start of the leftmost match at or after `from` (never less than the last call's), or -1; sets `end`. */
  next(from: number): number {
    const at = this.at;
    if (at === undefined) {
      this.global.lastIndex = from;
      const m = this.global.exec(this.text);
      if (m === null) return -1;
      this.end = m.index + m[0].length;
      return m.index;
    }
    while (this.k < this.count) {
      const p = at[this.k++] as number;
      if (p < from) continue;
      this.sticky.lastIndex = p;
      if (this.sticky.test(this.text)) {
        this.end = this.sticky.lastIndex;
        return p;
      }
    }
    return -1;
  }
}

/** The WebAssembly lead scan of one set of leads, with its own memory. */
class LeadScan {
  private readonly memory: WasmMemory;
  private readonly run: (text: number, len: number, out: number, cap: number) => number;
  private readonly encoder = new TextEncoder();
  private view: Uint8Array;
  /** The memory from the text's place on, for `encodeInto`. */
  private textView: Uint8Array;
  /** The memory's size, kept here: reading `memory.buffer` costs more than the rest of a short scan. */
  private size: number;
  /** Where the last scan wrote its candidate starts. */
  positions: Int32Array;

  constructor(wasm: WasmApi, leads: readonly string[]) {
    compiled ??= new wasm.Module(Uint8Array.from(atob(LEAD_SCAN_WASM), (c) => c.charCodeAt(0)));
    const instance = new wasm.Instance(compiled, {});
    this.memory = instance.exports.memory as WasmMemory;
    this.run = instance.exports.scan as (text: number, len: number, out: number, cap: number) => number;
    this.memory.grow(Math.ceil(TEXT_AT / 65536));
    this.size = this.memory.buffer.byteLength;
    this.view = new Uint8Array(this.memory.buffer);
    this.textView = this.view.subarray(TEXT_AT);
    this.positions = new Int32Array(this.memory.buffer, OUT_AT, MAX_CANDIDATES);
    for (const [g, group] of groupLeads(leads).entries()) {
      const bit = 1 << g;
      for (const lead of group)
        for (let j = 0; j < LEAD; j++) {
          // A position past a short lead takes any byte.
          const bytes = j < lead.length ? caseBytes(lead.charCodeAt(j)) : Array.from({ length: 256 }, (_, b) => b);
          for (const b of bytes) {
            const lo = 32 * j + (b & 15);
            const hi = 32 * j + 16 + (b >> 4);
            this.view[lo] = (this.view[lo] as number) | bit;
            this.view[hi] = (this.view[hi] as number) | bit;
          }
        }
    }
  }

  /** The number of candidates in `positions`, or -1 when there are too many to be worth trying one by one. */
  bytes(bytes: Uint8Array): number {
    this.fit(bytes.length);
    this.view.set(bytes, TEXT_AT);
    return this.finish(bytes.length);
  }

  /** The same for a text's characters; -1 also when the text is not ASCII. */
  ascii(text: string): number {
    this.fit(text.length);
    const r = this.encoder.encodeInto(text, this.textView);
    // One byte a character: ASCII. A text with any other character needs more bytes than it has characters, and
    // there is room for at least three more (`PAD`), so it writes more.
    return r.written === text.length ? this.finish(text.length) : -1;
  }

  private fit(len: number): void {
    const need = TEXT_AT + len + PAD;
    if (need <= this.size) return;
    this.memory.grow(Math.ceil((need - this.size) / 65536));
    this.size = this.memory.buffer.byteLength;
    this.view = new Uint8Array(this.memory.buffer);
    this.textView = this.view.subarray(TEXT_AT);
    this.positions = new Int32Array(this.memory.buffer, OUT_AT, MAX_CANDIDATES);
  }

  private finish(len: number): number {
    this.view.fill(0, TEXT_AT + len, TEXT_AT + len + PAD);
    const cap = capOf(len);
    const n = this.run(TEXT_AT, len, OUT_AT, cap);
    return n >= cap ? -1 : n;
  }
}

const capOf = (len: number) => Math.min(MAX_CANDIDATES, (len >> 3) + 64);

/** Both cases of an ASCII letter, else the byte itself. */
function caseBytes(c: number): number[] {
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x7a ? [lower, lower & ~0x20] : [c];
}

/**
 * Leads put in at most eight groups: a group's bytes combine freely at each position, so a group holds leads that
 * share their first letter, and the largest groups are split while groups are left.
 */
function groupLeads(leads: readonly string[]): string[][] {
  const byFirst = new Map<string, string[]>();
  for (const lead of new Set(leads.map((l) => l.toLowerCase()))) {
    const first = lead[0] as string;
    byFirst.set(first, [...(byFirst.get(first) ?? []), lead]);
  }
  const groups = [...byFirst.values()];
  while (groups.length > GROUPS) {
    groups.sort((a, b) => b.length - a.length);
    const a = groups.pop() as string[];
    const b = groups.pop() as string[];
    groups.push([...a, ...b]);
  }
  for (;;) {
    groups.sort((a, b) => b.length - a.length);
    const largest = groups[0] as string[];
    if (groups.length >= GROUPS || largest.length < 2) break;
    groups.splice(0, 1, largest.slice(0, largest.length >> 1), largest.slice(largest.length >> 1));
  }
  return groups;
}
