import { isUtf8 } from "node:buffer";
import { constants, crc32, createInflateRaw, type InflateRaw } from "node:zlib";

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
const DEFLATE = 8;
const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;
const FRESERVED = 0xe0;
// Large output chunks: fewer thread-pool round trips and decoder calls per object.
const OUT_CHUNK = 256 * 1024;
const EMPTY: Uint8Array = new Uint8Array(0);

/** Thrown by `decodeText` when the compressed stream is corrupt or cut short; text before it was already yielded. */
export class CorruptInputError extends Error {
  override name = "CorruptInputError";
}

/** What `decodeText` saw besides the text; filled in as it reads. */
export interface DecodeStats {
  /** Complete gzip members read (0 for plain input). */
  gzipMembers: number;
  /** Bytes after the last complete gzip member that start no member: ignored, as `gunzip` ignores them. */
  trailingBytes: number;
  /** Invalid UTF-8 byte sequences, each decoded as U+FFFD (a U+FFFD encoded in the input is not counted). */
  invalidUtf8: number;
}

/** Fresh, all-zero decode statistics. */
export function decodeStats(): DecodeStats {
  return { gzipMembers: 0, trailingBytes: 0, invalidUtf8: 0 };
}

/**
 * Turns raw object bytes into UTF-8 text chunks, gunzipping when the bytes start with the gzip magic (whatever the
 * file is called). Reads gzip as `gunzip` does: every member of a multi-member file, with bytes after the last member
 * counted in `stats.trailingBytes` instead of failing the object. A leading byte order mark is dropped; invalid UTF-8
 * becomes U+FFFD and is counted in `stats.invalidUtf8`. Memory stays flat in object size.
 */
export async function* decodeText(
  bytes: AsyncIterable<Uint8Array>,
  stats: DecodeStats = decodeStats(),
): AsyncIterable<string> {
  const src = new ByteSource(bytes[Symbol.asyncIterator]());
  const head = await src.take(2);
  src.unread(head);
  const gz = head.length === 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1;
  const utf8 = new Utf8Text(stats);
  for await (const chunk of gz ? gunzip(src, stats) : src.rest()) {
    const s = utf8.decode(chunk);
    if (s.length > 0) yield s;
  }
  const tail = utf8.end();
  if (tail.length > 0) yield tail;
}

/** Reads an async byte stream with one-chunk push-back, so headers can be parsed across chunk boundaries. */
class ByteSource {
  private pending: Uint8Array = EMPTY;
  private done = false;

  constructor(private readonly it: AsyncIterator<Uint8Array>) {}

  /** The next non-empty bytes, or undefined at the end of input. */
  async next(): Promise<Uint8Array | undefined> {
    if (this.pending.length > 0) {
      const b = this.pending;
      this.pending = EMPTY;
      return b;
    }
    while (!this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else if (r.value.length > 0) return r.value;
    }
    return undefined;
  }

  unread(b: Uint8Array): void {
    if (b.length === 0) return;
    this.pending = this.pending.length === 0 ? b : concat(b, this.pending);
  }

  /** Exactly `n` bytes, or fewer at the end of input. */
  async take(n: number): Promise<Uint8Array> {
    let got: Uint8Array = EMPTY;
    while (got.length < n) {
      const b = await this.next();
      if (b === undefined) break;
      got = got.length === 0 ? b : concat(got, b);
    }
    if (got.length > n) {
      this.unread(got.subarray(n));
      got = got.subarray(0, n);
    }
    return got;
  }

  /** Skips through the next zero byte; false when the input ends first. */
  async skipPastZero(): Promise<boolean> {
    for (let b = await this.next(); b !== undefined; b = await this.next()) {
      const z = b.indexOf(0);
      if (z !== -1) {
        this.unread(b.subarray(z + 1));
        return true;
      }
    }
    return false;
  }

  async *rest(): AsyncIterable<Uint8Array> {
    for (let b = await this.next(); b !== undefined; b = await this.next()) yield b;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Gunzips member after member (RFC 1952), checking each member's CRC-32 and length. After a complete member, bytes
 * that do not start with the gzip magic are trailing bytes, counted and skipped; a member that is damaged or cut
 * short throws `CorruptInputError` after yielding what it decoded.
 */
async function* gunzip(src: ByteSource, stats: DecodeStats): AsyncIterable<Uint8Array> {
  for (;;) {
    const magic = await src.take(2);
    if (magic.length === 0) return;
    if (stats.gzipMembers > 0 && (magic.length < 2 || magic[0] !== GZIP_MAGIC_0 || magic[1] !== GZIP_MAGIC_1)) {
      stats.trailingBytes += magic.length;
      for await (const b of src.rest()) stats.trailingBytes += b.length;
      return;
    }
    const member = stats.gzipMembers + 1;
    await readMemberHeader(src, member);
    let crc = 0;
    let size = 0;
    for await (const out of inflateMember(src, member)) {
      crc = crc32(out, crc);
      size += out.length;
      yield out;
    }
    const trailer = await src.take(8);
    if (trailer.length < 8) throw corrupt("unexpected end of file", member);
    const view = new DataView(trailer.buffer, trailer.byteOffset, 8);
    if (view.getUint32(0, true) !== crc >>> 0) throw corrupt("incorrect data check", member);
    if (view.getUint32(4, true) !== size % 2 ** 32) throw corrupt("incorrect length check", member);
    stats.gzipMembers = member;
  }
}

/** The error for damage in a member; members after the first are named, as the first one is the usual case. */
function corrupt(detail: string, member: number): CorruptInputError {
  const where = member > 1 ? ` in gzip member ${member}` : "";
  return new CorruptInputError(`gzip stream is corrupt or truncated: ${detail}${where}`);
}

async function readMemberHeader(src: ByteSource, member: number): Promise<void> {
  const cut = () => corrupt("unexpected end of file", member);
  src.unread(new Uint8Array([GZIP_MAGIC_0, GZIP_MAGIC_1]));
  const h = await src.take(10);
  if (h.length < 10) throw cut();
  const flags = h[3] ?? 0;
  if (h[2] !== DEFLATE) throw corrupt("unknown compression method", member);
  if ((flags & FRESERVED) !== 0) throw corrupt("reserved header flags set", member);
  if (flags & FEXTRA) {
    const len = await src.take(2);
    if (len.length < 2) throw cut();
    const n = (len[0] ?? 0) | ((len[1] ?? 0) << 8);
    if ((await src.take(n)).length < n) throw cut();
  }
  if (flags & FNAME && !(await src.skipPastZero())) throw cut();
  if (flags & FCOMMENT && !(await src.skipPastZero())) throw cut();
  if (flags & FHCRC && (await src.take(2)).length < 2) throw cut();
}

/**
 * Inflates one member's deflate data, leaving the bytes after it in `src`. Raw inflate stops at the end of the
 * deflate stream, and `bytesWritten` (input consumed) tells where in the last chunk that was.
 */
async function* inflateMember(src: ByteSource, member: number): AsyncIterable<Uint8Array> {
  const z = createInflateRaw({ chunkSize: OUT_CHUNK });
  let fed = 0;
  let sourceError: unknown;
  const feed = (async () => {
    for (;;) {
      let chunk: Uint8Array | undefined;
      try {
        chunk = await src.next();
      } catch (e) {
        sourceError = e;
        z.destroy(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      if (chunk === undefined) {
        // Flush first: zlib drops the output of a call that fails, so without it how much of a cut stream survives
        // would depend on how the bytes happened to be chunked. Ending an unfinished stream then fails.
        await new Promise<void>((resolve) => z.flush(constants.Z_SYNC_FLUSH, () => resolve()));
        z.end();
        return;
      }
      try {
        await write(z, chunk);
      } catch {
        return; // zlib's own error reaches the reader
      }
      fed += chunk.length;
      if (z.bytesWritten < fed) {
        src.unread(chunk.subarray(chunk.length - (fed - z.bytesWritten)));
        return;
      }
    }
  })();
  try {
    for await (const chunk of z) yield chunk as Uint8Array;
  } catch (e) {
    if (sourceError !== undefined) throw sourceError;
    throw corrupt((e as Error).message, member);
  } finally {
    z.close();
  }
  await feed;
}

function write(z: InflateRaw, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    z.write(chunk, (e) => (e ? reject(e) : resolve()));
  });
}

const CONTINUATION_MASK = 0xc0;
const CONTINUATION = 0x80;
const ENCODED_REPLACEMENT = new Uint8Array([0xef, 0xbf, 0xbd]);

/** Bytes a UTF-8 sequence starting with `lead` takes; 1 for bytes that start none. */
function sequenceLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 1;
}

/**
 * UTF-8 decoding that counts what it replaces. Each chunk is cut after its last complete sequence (a sequence split
 * across chunks is decoded once whole), so every piece decodes exactly as the whole stream would; the native
 * validator keeps valid pieces on the fast path.
 */
class Utf8Text {
  private readonly decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  private carry: Uint8Array | undefined;
  private started = false;

  constructor(private readonly stats: DecodeStats) {}

  decode(bytes: Uint8Array): string {
    let out = "";
    let start = 0;
    if (this.carry) {
      const need = sequenceLength(this.carry[0] ?? 0) - this.carry.length;
      let k = 0;
      while (k < need && k < bytes.length && ((bytes[k] ?? 0) & CONTINUATION_MASK) === CONTINUATION) k++;
      if (k === bytes.length && k < need) {
        this.carry = concat(this.carry, bytes);
        return "";
      }
      out = this.piece(concat(this.carry, bytes.subarray(0, k)));
      this.carry = undefined;
      start = k;
    }
    const cut = incompleteTail(bytes, start);
    if (cut < bytes.length) this.carry = bytes.slice(cut);
    out += this.piece(bytes.subarray(start, cut));
    return this.withoutLeadingBom(out);
  }

  /** Decodes what is left; a sequence still open at the end of input is invalid. */
  end(): string {
    const rest = this.carry ? this.piece(this.carry) : "";
    this.carry = undefined;
    return this.withoutLeadingBom(rest);
  }

  private piece(b: Uint8Array): string {
    if (b.length === 0) return "";
    const s = this.decoder.decode(b);
    if (!isUtf8(b)) this.stats.invalidUtf8 += replacementChars(s) - encodedReplacements(b);
    return s;
  }

  private withoutLeadingBom(s: string): string {
    if (this.started || s.length === 0) return s;
    this.started = true;
    return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
  }
}

/** Where a sequence that the end of `b` cuts short starts, or `b.length` when the bytes end on a boundary. */
function incompleteTail(b: Uint8Array, from: number): number {
  for (let i = b.length - 1; i >= Math.max(from, b.length - 3); i--) {
    const c = b[i] ?? 0;
    if ((c & CONTINUATION_MASK) === CONTINUATION) continue;
    return sequenceLength(c) > b.length - i ? i : b.length;
  }
  return b.length;
}

/** How many U+FFFD replacement characters `s` holds. */
export function replacementChars(s: string): number {
  let n = 0;
  for (let i = s.indexOf("\uFFFD"); i !== -1; i = s.indexOf("\uFFFD", i + 1)) n++;
  return n;
}

function encodedReplacements(b: Uint8Array): number {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
  let n = 0;
  for (let i = buf.indexOf(ENCODED_REPLACEMENT); i !== -1; i = buf.indexOf(ENCODED_REPLACEMENT, i + 3)) n++;
  return n;
}

/**
 * The object's bytes as `decodeText` reads them, before UTF-8 decoding: gunzipped member after member when they start
 * with the gzip magic, else as they are. Fills `stats.gzipMembers` and `stats.trailingBytes`; throws
 * `CorruptInputError` at damage. For readers that hand the text to another parser.
 */
export async function* decodeBytes(
  bytes: AsyncIterable<Uint8Array>,
  stats: DecodeStats = decodeStats(),
): AsyncIterable<Uint8Array> {
  const src = new ByteSource(bytes[Symbol.asyncIterator]());
  const head = await src.take(2);
  src.unread(head);
  const gz = head.length === 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1;
  yield* gz ? gunzip(src, stats) : src.rest();
}

/**
 * Checks a byte stream, chunk by chunk, for valid UTF-8; a sequence cut by a chunk boundary is checked whole. The
 * native validator does the work.
 */
export class Utf8Check {
  private carry: Uint8Array = EMPTY;
  private bad = false;

  push(bytes: Uint8Array): void {
    if (this.bad) return;
    const b = this.carry.length > 0 ? concat(this.carry, bytes) : bytes;
    const cut = incompleteTail(b, 0);
    this.carry = cut < b.length ? b.slice(cut) : EMPTY;
    if (!isUtf8(b.subarray(0, cut))) this.bad = true;
  }

  /** True when everything pushed was valid UTF-8 with no sequence left open. */
  valid(): boolean {
    return !this.bad && this.carry.length === 0;
  }
}
