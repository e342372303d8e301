import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { constants, gunzipSync, gzipSync } from "node:zlib";
import type { IngestSummary } from "@app/core/ingest/pipeline";
import type { SourceId } from "@app/core/sources/types";
import { Rng } from "@app/samples/random";

/** One source fixture as the generator sees it: its decompressed bytes and what ingesting it unchanged yields. */
export interface FuzzFixture {
  source: SourceId;
  /** `<source>/<file>` under the fixtures folder. */
  name: string;
  /** Decompressed bytes (what survives of them, for a damaged gzip fixture). */
  text: Uint8Array;
  gzip: boolean;
  /** Records the unchanged fixture yields; absent when the fixture is itself damaged (cut gzip). */
  records?: number;
  /** Summary of the unchanged fixture; absent when it needs source options the CLI is not given. */
  summary?: IngestSummary;
  /** Its original object key names the CloudFront standard logging v2 layout. */
  v2?: boolean;
}

/** One generated object: bytes written under a key named like the source's real objects. */
export interface FuzzInput {
  /** Relative path, laid out like a real object key of `source`. */
  key: string;
  bytes: Uint8Array;
  /** The source the key names. */
  source: SourceId;
  fixture: string;
  /** What was done to the fixture, with the position: `flip@1234`, `cr-field@7`, `gzip+garbage`, ... */
  mutation: string;
  /**
   * Fewest records the object must yield: set when the mutation removes no line of a line-oriented fixture (it may
   * add some), so every line of the fixture still has to end in a table or in quarantine.
   */
  minRecords?: number;
  /** Exact summary for an unchanged fixture. */
  expected?: IngestSummary;
  /** The object holds no text but whitespace (once gunzipped), so it may yield no record at all. */
  blank: boolean;
}

/** How much to generate. */
export interface FuzzPlan {
  seed: number;
  /** Random mutations drawn per fixture. */
  perFixture: number;
  /** Every CR/CRLF field position of every fixture (`all`), or each position once, on a fixture picked at random. */
  positions: "all" | "rotate";
  /** Inflated size of each gzip bomb, in bytes (a multiple of 1 MiB). */
  bombBytes: number;
}

/** Bytes of the huge line, value and never-closing whitespace cases. */
export const HUGE_LINE_BYTES = 5 * 1024 * 1024;
/** Depth of the nesting cases. */
export const NESTING_DEPTH = 5000;

const LINE_SOURCES: ReadonlySet<SourceId> = new Set(["cloudfront", "cloudfront_realtime", "app_json"]);
const CR = 0x0d;
const LF = 0x0a;
const enc = new TextEncoder();
const MIB = 1024 * 1024;

/** Reads every fixture under `root` (`<source>/<case>.<ext>` with `<case>.expected.json` beside it). */
export function loadFuzzFixtures(root: string): FuzzFixture[] {
  const out: FuzzFixture[] = [];
  for (const source of readdirSync(root).sort() as SourceId[]) {
    for (const file of readdirSync(join(root, source)).sort()) {
      if (file.endsWith(".expected.json")) continue;
      const raw = new Uint8Array(readFileSync(join(root, source, file)));
      const gzip = raw[0] === 0x1f && raw[1] === 0x8b;
      const stem = file.replace(/\.gz$/, "").replace(/\.[a-z0-9]+$/, "");
      const expected = JSON.parse(readFileSync(join(root, source, `${stem}.expected.json`), "utf8")) as {
        key?: string;
        options?: unknown;
        summary: IngestSummary;
      };
      const damaged = (expected.summary.quarantined.corrupt_gzip ?? 0) > 0;
      out.push({
        source,
        name: `${source}/${file}`,
        text: gzip ? new Uint8Array(gunzipSync(raw, { finishFlush: constants.Z_SYNC_FLUSH })) : raw,
        gzip,
        ...(damaged ? {} : { records: expected.summary.records }),
        ...(expected.options === undefined && !damaged ? { summary: expected.summary } : {}),
        ...(/(?:^|\/)AWSLogs\/.*CloudFront\//.test(expected.key ?? "") ? { v2: true } : {}),
      });
    }
  }
  return out;
}

/** A key laid out like a real object of the fixture's source, unique by `tag`. */
export function objectKey(f: FuzzFixture, tag: string, gz: boolean): string {
  const id = `${f.name.replace(/^[^/]+\//, "").replace(/\..*$/, "")}${tag}`.replace(/[^A-Za-z0-9]/g, "");
  const z = gz ? ".gz" : "";
  switch (f.source) {
    case "cloudfront":
      return f.v2
        ? `AWSLogs/111122223333/CloudFront/2024/05/01/10/cf-delivery-${id}.log${z}`
        : `cf-logs/E2QWRUHAPOMQZL.2024-05-01-10.${id}${z}`;
    case "cloudfront_realtime":
      return `firehose/cloudfront-realtime/2024/05/01/10/cf-rt-1-${id}${z}`;
    case "cloudtrail":
      return `AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/111122223333_CloudTrail_us-east-1_20240501T1010Z_${id}.json${z}`;
    case "cloudtrail_digest":
      return `AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/05/01/111122223333_CloudTrail-Digest_us-east-1_${id}_us-east-1_20240501T101231Z.json${z}`;
    case "cloudwatch_logs":
      return `cwl/loglake-firehose/2024/05/01/10/loglake-firehose-1-2024-05-01-10-15-00-${id}${z}`;
    case "app_json":
      return `app/auth-service/2024/05/01/${id}.jsonl${z}`;
  }
}

function concat(...parts: (Uint8Array | string)[]): Uint8Array {
  const bufs = parts.map((p) => (typeof p === "string" ? enc.encode(p) : p));
  const out = new Uint8Array(bufs.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of bufs) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

function insertAt(b: Uint8Array, at: number, ins: Uint8Array | string): Uint8Array {
  return concat(b.subarray(0, at), ins, b.subarray(at));
}

/** Offsets where lines start (after each LF), the first always 0. */
function lineStarts(b: Uint8Array): number[] {
  const out = [0];
  for (let i = 0; i < b.length - 1; i++) if (b[i] === LF) out.push(i + 1);
  return out;
}

function lines(b: Uint8Array): Uint8Array[] {
  const starts = lineStarts(b);
  return starts.map((s, i) => b.subarray(s, starts[i + 1] ?? b.length));
}

function gz(b: Uint8Array): Uint8Array {
  return new Uint8Array(gzipSync(b));
}

/** True when the bytes, gunzipped if they are a whole gzip stream, hold only whitespace. */
function isBlank(b: Uint8Array): boolean {
  let text = b;
  if (b[0] === 0x1f && b[1] === 0x8b) {
    try {
      // Over 1 MiB inflated (a bomb) is not blank in any case this generator makes.
      text = new Uint8Array(gunzipSync(b, { maxOutputLength: MIB }));
    } catch {
      // A damaged gzip stream must at least be reported.
      return false;
    }
  }
  return !/\S/.test(Buffer.from(text).toString("latin1"));
}

function randomBytes(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.u32() & 0xff;
  return out;
}

/** An offset that is not an LF, so changing the byte there keeps every line. */
function nonLfOffset(rng: Rng, b: Uint8Array): number | undefined {
  for (let tries = 0; tries < 32; tries++) {
    const at = rng.int(0, b.length - 1);
    if (b[at] !== LF) return at;
  }
  return undefined;
}

/** Invalid UTF-8: a stray continuation, an invalid byte, a cut sequence, an overlong form, a surrogate. */
const BAD_UTF8 = [[0x80], [0xff], [0xc3, 0x28], [0xe2, 0x82], [0xf0, 0x9f, 0x92], [0xc0, 0xaf], [0xed, 0xa0, 0x80]];

/** Spans of the fields of the first delimited data line: `[start, end)` byte offsets. */
function tsvFieldSpans(b: Uint8Array): [number, number][] {
  for (const start of lineStarts(b)) {
    let end = b.indexOf(LF, start);
    if (end === -1) end = b.length;
    if (end > start && b[end - 1] === CR) end--;
    if (b[start] === 0x23 /* # */ || end === start) continue;
    const line = b.subarray(start, end);
    if (!line.includes(0x09)) continue;
    const spans: [number, number][] = [];
    let from = start;
    for (let i = start; i <= end; i++) {
      if (i === end || b[i] === 0x09) {
        spans.push([from, i]);
        from = i + 1;
      }
    }
    return spans;
  }
  return [];
}

/** Opening-quote offsets of JSON string values (not keys), in text order, up to `limit`. */
function jsonValueStrings(b: Uint8Array, limit: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < b.length && out.length < limit; i++) {
    if (b[i] !== 0x22) continue;
    const open = i;
    for (i++; i < b.length && b[i] !== 0x22; i++) if (b[i] === 0x5c) i++;
    let j = i + 1;
    while (j < b.length && (b[j] === 0x20 || b[j] === 0x09 || b[j] === LF || b[j] === CR)) j++;
    if (b[j] !== 0x3a /* : */) out.push(open);
  }
  return out;
}

function isJsonText(b: Uint8Array): boolean {
  const s = new TextDecoder()
    .decode(b.subarray(0, 64))
    .replace(/^\uFEFF/, "")
    .trimStart();
  return s.startsWith("{") || s.startsWith("[");
}

const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

/** A record line of the fixture's source with `hole` as one value: a JSON event, or a copy of a data line. */
function recordLine(f: FuzzFixture, hole: string, holeIsJson: boolean): string | undefined {
  const value = holeIsJson ? hole : JSON.stringify(hole);
  if (f.source === "cloudtrail") {
    return `{"eventVersion":"1.08","eventTime":"2024-05-01T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","eventID":"0f0f0f0f-fuzz","requestParameters":${value}}`;
  }
  const spans = tsvFieldSpans(f.text);
  const uri = spans[Math.min(7, spans.length - 1)];
  if (LINE_SOURCES.has(f.source) && !isJsonText(f.text) && uri) {
    const dec = new TextDecoder();
    return `${dec.decode(f.text.subarray(spans[0]?.[0], uri[0]))}${hole}${dec.decode(f.text.subarray(uri[1], spans[spans.length - 1]?.[1]))}`;
  }
  return `{"timestamp":"2024-05-01T10:00:00Z","level":"info","type":"auth","message":"fuzz","attributes":${value}}`;
}

/** Inserts a record: as the first element of a `Records` array when there is one, else as a line at `lineIndex`. */
function insertRecord(f: FuzzFixture, record: string, lineIndex: number): Uint8Array {
  const head = new TextDecoder().decode(f.text.subarray(0, 4096));
  const m = /"Records"\s*:\s*\[/.exec(head);
  if (m) return insertAt(f.text, enc.encode(head.slice(0, m.index + m[0].length)).length, `${record},`);
  const starts = lineStarts(f.text);
  const at = starts[Math.min(lineIndex, starts.length - 1)] ?? 0;
  return insertAt(f.text, at, `${record}\n`);
}

/** A mutated body: decompressed text to be stored plain or gzipped, or (`raw`) the object bytes as they are. */
interface Mutated {
  mutation: string;
  bytes: Uint8Array;
  /** The bytes are the object as stored (already gzip, or deliberately not). */
  raw?: boolean;
  /** The object is named `.gz`. Default: gzip when the fixture was, else at random. */
  gzName?: boolean;
  /** No line of the fixture was removed or merged. */
  keepsLines: boolean;
}

type Mutator = (f: FuzzFixture, rng: Rng, others: readonly FuzzFixture[]) => Mutated | undefined;

const RANDOM_MUTATORS: Record<string, Mutator> = {
  truncate(f, rng) {
    if (f.text.length < 2) return undefined;
    const at = rng.int(1, f.text.length - 1);
    return { mutation: `truncate@${at}`, bytes: f.text.subarray(0, at), keepsLines: false };
  },
  flip(f, rng) {
    const b = f.text.slice();
    const at: number[] = [];
    for (let n = rng.int(1, 3); n > 0; n--) {
      const i = nonLfOffset(rng, b);
      if (i === undefined) return undefined;
      const v = (b[i] as number) ^ (1 << rng.int(0, 7));
      // A new line break or gzip magic would be a different mutation.
      if (v === LF || v === CR || v === 0x1f) continue;
      b[i] = v;
      at.push(i);
    }
    return at.length ? { mutation: `flip@${at.join(",")}`, bytes: b, keepsLines: true } : undefined;
  },
  utf8(f, rng) {
    const at = rng.int(0, f.text.length);
    const seq = rng.pick(BAD_UTF8);
    const hex = seq.map((x) => x.toString(16)).join("");
    return { mutation: `utf8-${hex}@${at}`, bytes: insertAt(f.text, at, new Uint8Array(seq)), keepsLines: true };
  },
  nul(f, rng) {
    const at = rng.int(0, f.text.length);
    return {
      mutation: `nul@${at}`,
      bytes: insertAt(f.text, at, new Uint8Array(rng.int(1, 4))),
      keepsLines: true,
    };
  },
  bom(f, rng) {
    const at = rng.pick(lineStarts(f.text));
    return { mutation: `bom@${at}`, bytes: insertAt(f.text, at, "\uFEFF"), keepsLines: true };
  },
  cr(f, rng) {
    const at = rng.int(0, f.text.length);
    return { mutation: `cr@${at}`, bytes: insertAt(f.text, at, "\r"), keepsLines: true };
  },
  crlf(f, rng) {
    const at = rng.int(0, f.text.length);
    return { mutation: `crlf@${at}`, bytes: insertAt(f.text, at, "\r\n"), keepsLines: true };
  },
  "line-ends-crlf"(f) {
    const out = concat(
      ...lines(f.text).map((l) =>
        l[l.length - 1] === LF && l[l.length - 2] !== CR ? concat(l.subarray(0, -1), "\r\n") : l,
      ),
    );
    return { mutation: "line-ends-crlf", bytes: out, keepsLines: true };
  },
  "line-ends-cr"(f) {
    return { mutation: "line-ends-cr", bytes: f.text.map((x) => (x === LF ? CR : x)), keepsLines: false };
  },
  "swap-lines"(f, rng) {
    const ls = lines(f.text);
    if (ls.length < 2) return undefined;
    const i = rng.int(0, ls.length - 2);
    const a = ls[i] as Uint8Array;
    const b = ls[i + 1] as Uint8Array;
    // Both keep a line break, so no two lines merge.
    const withLf = (l: Uint8Array) => (l[l.length - 1] === LF ? l : concat(l, "\n"));
    ls[i] = withLf(b);
    ls[i + 1] = withLf(a);
    return { mutation: `swap-lines@${i}`, bytes: concat(...ls), keepsLines: true };
  },
  "drop-line"(f, rng) {
    const ls = lines(f.text);
    if (ls.length < 2) return undefined;
    const i = rng.int(0, ls.length - 1);
    ls.splice(i, 1);
    return { mutation: `drop-line@${i}`, bytes: concat(...ls), keepsLines: false };
  },
  splice(f, rng, others) {
    const o = rng.pick(others.filter((x) => x.source !== f.source));
    const from = rng.int(0, Math.max(0, o.text.length - 1));
    const part = o.text.subarray(from, from + rng.int(1, 2048));
    const at = rng.int(0, f.text.length);
    return { mutation: `splice-${o.name}@${at}`, bytes: insertAt(f.text, at, part), keepsLines: false };
  },
  "gzip+garbage"(f, rng) {
    return {
      mutation: "gzip+garbage",
      bytes: concat(gz(f.text), randomBytes(rng, rng.int(1, 512))),
      raw: true,
      gzName: true,
      keepsLines: true,
    };
  },
  "gzip+zeros"(f, rng) {
    return {
      mutation: "gzip+zeros",
      bytes: concat(gz(f.text), new Uint8Array(rng.int(1, 4096))),
      raw: true,
      gzName: true,
      keepsLines: true,
    };
  },
  "gzip+member-header"(f) {
    return {
      mutation: "gzip+member-header",
      bytes: concat(gz(f.text), gz(f.text).subarray(0, 10)),
      raw: true,
      gzName: true,
      keepsLines: true,
    };
  },
  "gzip-concat"(f) {
    const half = lineStarts(f.text)[Math.floor(lineStarts(f.text).length / 2)] ?? 0;
    return {
      mutation: `gzip-concat@${half}`,
      bytes: concat(gz(f.text.subarray(0, half)), gz(f.text.subarray(half))),
      raw: true,
      gzName: true,
      keepsLines: true,
    };
  },
  "gzip-truncate"(f, rng) {
    const z = gz(f.text);
    const at = rng.int(1, z.length - 1);
    return { mutation: `gzip-truncate@${at}`, bytes: z.subarray(0, at), raw: true, gzName: true, keepsLines: false };
  },
  "gzip-flip"(f, rng) {
    const z = gz(f.text).slice();
    // Past the 10-byte header, so the magic stays and the damage is in the deflate stream or the trailer.
    const at = rng.int(Math.min(10, z.length - 1), z.length - 1);
    z[at] = (z[at] as number) ^ (1 << rng.int(0, 7));
    return { mutation: `gzip-flip@${at}`, bytes: z, raw: true, gzName: true, keepsLines: false };
  },
};

/** Bare CR and CRLF, raw and URL-encoded, at the start, middle and end of field `i` of the first data line. */
function tsvFieldCases(f: FuzzFixture): { position: string; make: () => Mutated }[] {
  const spans = tsvFieldSpans(f.text);
  const kinds: [string, string, (s: number, e: number) => number][] = [
    ["cr-start", "\r", (s) => s],
    ["cr-end", "\r", (_s, e) => e],
    ["crlf-mid", "\r\n", (s, e) => s + Math.floor((e - s) / 2)],
    ["pct0d", "%0D", (s, e) => s + Math.floor((e - s) / 2)],
    ["pct0d0a", "%0D%0A", (_s, e) => e],
  ];
  return spans.flatMap(([s, e], i) =>
    kinds.map(([kind, ins, where]) => ({
      position: `${kind}@field${i}`,
      make: () => ({ mutation: `${kind}@field${i}`, bytes: insertAt(f.text, where(s, e), ins), keepsLines: true }),
    })),
  );
}

/** CR and CRLF in every string value of the first records: escaped (a CR in the value) and raw (invalid JSON). */
function jsonValueCases(f: FuzzFixture): { position: string; make: () => Mutated }[] {
  if (!isJsonText(f.text)) return [];
  const kinds: [string, string][] = [
    ["esc-cr", "\\r"],
    ["esc-crlf", "a\\r\\nb"],
    ["raw-cr", "\r"],
  ];
  return jsonValueStrings(f.text, 30).flatMap((open, i) =>
    kinds.map(([kind, ins]) => ({
      position: `${kind}@value${i}`,
      make: () => ({ mutation: `${kind}@value${i}`, bytes: insertAt(f.text, open + 1, ins), keepsLines: true }),
    })),
  );
}

/** The fixed hostile cases for one fixture. */
function hostileCases(f: FuzzFixture, rng: Rng, bombBytes: number): Mutated[] {
  const out: Mutated[] = [];
  const huge = "x".repeat(HUGE_LINE_BYTES);
  const deep = deepObject(NESTING_DEPTH);
  const hugeRecord = recordLine(f, huge, false);
  const deepRecord = recordLine(f, deep, true);
  if (hugeRecord) {
    out.push({ mutation: "huge-line@first", bytes: insertRecord(f, hugeRecord, 0), keepsLines: true });
    out.push({ mutation: "huge-line@3", bytes: insertRecord(f, hugeRecord, 3), keepsLines: true });
  }
  if (deepRecord) {
    out.push({ mutation: "deep-nesting@first", bytes: insertRecord(f, deepRecord, 0), keepsLines: true });
    out.push({ mutation: "deep-nesting@2", bytes: insertRecord(f, deepRecord, 2), keepsLines: true });
    out.push({
      mutation: "deep-unclosed@first",
      bytes: insertAt(f.text, 0, `${"[".repeat(NESTING_DEPTH)}\n`),
      keepsLines: true,
    });
  }
  const values = jsonValueStrings(f.text, 1);
  const firstValue = values[0];
  if (firstValue !== undefined) {
    out.push({ mutation: "huge-value@value0", bytes: insertAt(f.text, firstValue + 1, huge), keepsLines: true });
  }
  out.push({
    mutation: "gzip+garbage",
    bytes: concat(gz(f.text), randomBytes(rng, 64)),
    raw: true,
    gzName: true,
    keepsLines: true,
  });
  out.push({ mutation: "not-gzip.gz", bytes: f.text, raw: true, gzName: true, keepsLines: true });
  out.push({
    mutation: "fake-gzip-magic",
    bytes: concat(new Uint8Array([0x1f, 0x8b]), randomBytes(rng, 2048)),
    raw: true,
    gzName: true,
    keepsLines: false,
  });
  out.push({ mutation: "random-bytes", bytes: randomBytes(rng, rng.int(300, 16384)), raw: true, keepsLines: false });
  out.push({
    mutation: "random-bytes.gz",
    bytes: randomBytes(rng, rng.int(300, 16384)),
    raw: true,
    gzName: true,
    keepsLines: false,
  });
  // Named `.gz` when the source's objects are: a batch can hold each of these identical bodies only once.
  out.push({ mutation: "empty", bytes: new Uint8Array(0), raw: true, gzName: f.gzip, keepsLines: false });
  out.push({ mutation: "empty-gzip", bytes: gz(new Uint8Array(0)), raw: true, gzName: true, keepsLines: false });
  out.push({ mutation: "blank-lines", bytes: enc.encode("\n\n \t\n\r\n"), raw: true, keepsLines: false });
  if (LINE_SOURCES.has(f.source)) out.push(bombCase(f, bombBytes));
  if (f.source === "cloudtrail") {
    out.push({
      mutation: "records-unclosed-whitespace",
      bytes: enc.encode(`{"Records":[${" ".repeat(HUGE_LINE_BYTES)}`),
      keepsLines: false,
    });
  }
  return out;
}

/** JSON documents that never close: the outer array cut off, the `Records` array left open after its first record. */
function unclosedCases(f: FuzzFixture): Mutated[] {
  const text = new TextDecoder().decode(f.text);
  const close = /\]\s*\}\s*$/.exec(text);
  if (!close) return [];
  const out: Mutated[] = [
    { mutation: "array-unclosed", bytes: enc.encode(text.slice(0, close.index)), keepsLines: false },
  ];
  const open = /"Records"\s*:\s*\[/.exec(text);
  const firstEnd = open ? text.indexOf("},", open.index) : -1;
  if (firstEnd !== -1) {
    out.push({ mutation: "records-unclosed", bytes: enc.encode(text.slice(0, firstEnd + 2)), keepsLines: false });
  }
  return out;
}

/**
 * A gzip bomb: the fixture's first line, then one line of `bombBytes` inflated from about a thousandth of that, then
 * the rest of the fixture. Built from concatenated gzip members (valid gzip), so it costs nothing to generate.
 */
function bombCase(f: FuzzFixture, bombBytes: number): Mutated {
  const ls = lines(f.text);
  const first = ls[0] ?? new Uint8Array(0);
  const member = gz(new Uint8Array(MIB).fill(0x41));
  const members = Array.from({ length: Math.max(1, Math.round(bombBytes / MIB)) }, () => member);
  return {
    mutation: `gzip-bomb-${Math.round(bombBytes / MIB)}MiB-line`,
    bytes: concat(
      gz(first[first.length - 1] === LF ? first : concat(first, "\n")),
      ...members,
      gz(concat("\n", ...ls.slice(1))),
    ),
    raw: true,
    gzName: true,
    keepsLines: true,
  };
}

/** Turns mutated bodies into inputs, numbering their keys and dropping repeats (same bytes, same kind of key). */
function inputCollector() {
  const out: FuzzInput[] = [];
  const seen = new Set<string>();
  const add = (f: FuzzFixture, m: Mutated, r: Rng) => {
    const gzName = m.gzName ?? (f.gzip ? r.chance(0.75) : r.chance(0.25));
    const bytes = m.raw ? m.bytes : gzName ? gz(m.bytes) : m.bytes;
    const id = `${f.source} ${gzName} ${createHash("sha256").update(bytes).digest("hex")}`;
    if (seen.has(id)) return;
    seen.add(id);
    const unchanged = m.mutation === "unchanged";
    out.push({
      key: objectKey(f, `${m.mutation.replace(/[@-].*$/, "")}n${out.length}`, gzName),
      bytes,
      source: f.source,
      fixture: f.name,
      mutation: m.mutation,
      blank: isBlank(bytes),
      ...((m.keepsLines && LINE_SOURCES.has(f.source)) || unchanged
        ? f.records !== undefined
          ? { minRecords: f.records }
          : {}
        : {}),
      ...(unchanged && f.summary ? { expected: f.summary } : {}),
    });
  };
  return { out, add };
}

const unchanged = (f: FuzzFixture): Mutated => ({
  mutation: "unchanged",
  bytes: f.gzip ? gz(f.text) : f.text,
  raw: true,
  gzName: f.gzip,
  keepsLines: true,
});

/**
 * Every input of a plan: each fixture unchanged, one fixture per source through the fixed hostile cases, unclosed
 * arrays, CR/CRLF in every field position and `perFixture` random mutations; deterministic in `plan.seed`.
 */
export function fuzzInputs(fixtures: readonly FuzzFixture[], plan: FuzzPlan): FuzzInput[] {
  const rng = new Rng(plan.seed);
  const { out, add } = inputCollector();
  for (const f of fixtures) add(f, unchanged(f), rng);

  const bySource = new Map<SourceId, FuzzFixture[]>();
  for (const f of fixtures) bySource.set(f.source, [...(bySource.get(f.source) ?? []), f]);
  for (const [source, fs] of bySource) {
    const r = rng.fork(`hostile ${source}`);
    const chosen = r.pick(fs.filter((f) => f.records !== undefined));
    for (const m of hostileCases(chosen, r, plan.bombBytes)) add(chosen, m, r);
    for (const f of fs) for (const m of unclosedCases(f)) add(f, m, r);
  }

  // CR and CRLF in every field position: each position on one fixture in turn, or on every fixture.
  for (const [source, fs] of bySource) {
    const r = rng.fork(`positions ${source}`);
    const cases = new Map<string, { f: FuzzFixture; make: () => Mutated }[]>();
    for (const f of fs) {
      for (const c of [...tsvFieldCases(f), ...jsonValueCases(f)]) {
        cases.set(c.position, [...(cases.get(c.position) ?? []), { f, make: c.make }]);
      }
    }
    for (const list of cases.values()) {
      for (const c of plan.positions === "all" ? list : [r.pick(list)]) add(c.f, c.make(), r);
    }
  }

  const kinds = Object.keys(RANDOM_MUTATORS);
  for (const f of fixtures) {
    const r = rng.fork(`random ${f.name}`);
    for (let i = 0; i < plan.perFixture; i++) {
      const m = RANDOM_MUTATORS[r.pick(kinds)]?.(f, r, fixtures);
      if (m) add(f, m, r);
    }
  }
  return out;
}

/** One fixture unchanged and through every fixed case: hostile, unclosed arrays, CR/CRLF in every field position. */
export function fuzzCasesFor(f: FuzzFixture, seed: number, bombBytes = MIB): FuzzInput[] {
  const r = new Rng(seed).fork(f.name);
  const { out, add } = inputCollector();
  add(f, unchanged(f), r);
  for (const m of hostileCases(f, r, bombBytes)) add(f, m, r);
  for (const m of unclosedCases(f)) add(f, m, r);
  for (const c of [...tsvFieldCases(f), ...jsonValueCases(f)]) add(f, c.make(), r);
  return out;
}

/**
 * Deals inputs into `count` batches round-robin after a seeded shuffle, so every batch mixes sources and cases. The
 * lake names an ingested file by its content, so no batch gets two inputs with the same bytes (an empty file under
 * several sources' names goes to several batches).
 */
export function fuzzBatches(inputs: readonly FuzzInput[], count: number, seed: number): FuzzInput[][] {
  const shuffled = new Rng(seed).fork("batches").shuffle([...inputs]);
  const out: { inputs: FuzzInput[]; hashes: Set<string> }[] = Array.from({ length: count }, () => ({
    inputs: [],
    hashes: new Set(),
  }));
  shuffled.forEach((input, i) => {
    const hash = createHash("sha256").update(input.bytes).digest("hex");
    for (let j = 0; j < count; j++) {
      const batch = out[(i + j) % count];
      if (!batch || batch.hashes.has(hash)) continue;
      batch.hashes.add(hash);
      batch.inputs.push(input);
      return;
    }
  });
  return out.map((b) => b.inputs);
}
