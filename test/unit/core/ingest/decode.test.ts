import { readFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import { CorruptInputError, type DecodeStats, decodeStats, decodeText } from "@app/core/ingest/decode";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../../../fixtures/${name}`, import.meta.url)));
// Two members written by gzip(1) (file names in their headers), then two newlines, as `echo >>` leaves them.
const MEMBERS = fixture("ingest/app-events-34.members.jsonl.gz");
const EVENTS = new TextDecoder().decode(fixture("ingest/app-events-34.jsonl"));
const TRAIL = fixture("sources/cloudtrail/org-trail.json.gz");

interface Decoded {
  text: string;
  stats: DecodeStats;
  error?: string;
}

async function decode(chunks: Uint8Array[]): Promise<Decoded> {
  const stats = decodeStats();
  let text = "";
  try {
    for await (const s of decodeText(
      (async function* () {
        yield* chunks;
      })(),
      stats,
    ))
      text += s;
  } catch (e) {
    if (!(e instanceof CorruptInputError)) throw e;
    return { text, stats, error: e.message };
  }
  return { text, stats };
}

const inChunks = (bytes: Uint8Array, size: number) =>
  Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const bytes = (s: string) => new TextEncoder().encode(s);

describe("decodeText with gzip", () => {
  it("reads every member and counts the bytes after the last one, whatever the chunk boundaries", async () => {
    const expected: Decoded = {
      text: EVENTS,
      stats: { gzipMembers: 2, trailingBytes: 2, invalidUtf8: 0 },
    };
    expect(await decode([MEMBERS])).toStrictEqual(expected);
    for (let at = 1; at < MEMBERS.length; at++) {
      expect(await decode([MEMBERS.subarray(0, at), MEMBERS.subarray(at)])).toStrictEqual(expected);
    }
    for (const size of [1, 2, 3, 7, 10, 64]) expect(await decode(inChunks(MEMBERS, size))).toStrictEqual(expected);
  });

  it("keeps a whole trail file followed by newlines, as gunzip does", async () => {
    const whole = new TextDecoder().decode(gunzipSync(TRAIL));
    expect(await decode([concat(TRAIL, bytes("\n\n"))])).toStrictEqual({
      text: whole,
      stats: { gzipMembers: 1, trailingBytes: 2, invalidUtf8: 0 },
    });
    expect(await decode([concat(TRAIL, TRAIL, new Uint8Array(5))])).toStrictEqual({
      text: whole + whole,
      stats: { gzipMembers: 2, trailingBytes: 5, invalidUtf8: 0 },
    });
  });

  it("reads header fields gzip may write: extra, name, comment and header CRC", async () => {
    const plain = gzipSync("one\ntwo\n");
    // FHCRC | FEXTRA | FNAME | FCOMMENT, then their fields, then the same deflate data and trailer.
    const header = concat(
      new Uint8Array([0x1f, 0x8b, 8, 0x1e, 0, 0, 0, 0, 0, 3, 3, 0]),
      bytes("abc"),
      bytes("name.log\0comment\0"),
      new Uint8Array([0x12, 0x34]),
    );
    const gz = concat(header, plain.subarray(10));
    for (const size of [1, 5, gz.length]) {
      expect(await decode(inChunks(gz, size))).toStrictEqual({
        text: "one\ntwo\n",
        stats: { gzipMembers: 1, trailingBytes: 0, invalidUtf8: 0 },
      });
    }
  });

  it("keeps what a damaged member decoded and says where the damage is", async () => {
    const a = gzipSync("alpha\nbeta\n");
    const b = gzipSync("gamma\n");
    const badCrc = concat(a, b);
    badCrc[badCrc.length - 8] = (badCrc[badCrc.length - 8] ?? 0) ^ 1;
    expect(await decode([badCrc])).toStrictEqual({
      text: "alpha\nbeta\ngamma\n",
      stats: { gzipMembers: 1, trailingBytes: 0, invalidUtf8: 0 },
      error: "gzip stream is corrupt or truncated: incorrect data check in gzip member 2",
    });
    for (const size of [1, 4, 1000]) {
      expect(await decode(inChunks(concat(a, b.subarray(0, 4)), size))).toStrictEqual({
        text: "alpha\nbeta\n",
        stats: { gzipMembers: 1, trailingBytes: 0, invalidUtf8: 0 },
        error: "gzip stream is corrupt or truncated: unexpected end of file in gzip member 2",
      });
      expect(await decode(inChunks(a.subarray(0, a.length - 3), size))).toStrictEqual({
        text: "alpha\nbeta\n",
        stats: { gzipMembers: 0, trailingBytes: 0, invalidUtf8: 0 },
        error: "gzip stream is corrupt or truncated: unexpected end of file",
      });
    }
    expect(await decode([new Uint8Array([0x1f, 0x8b, 1, 2, 3])])).toStrictEqual({
      text: "",
      stats: { gzipMembers: 0, trailingBytes: 0, invalidUtf8: 0 },
      error: "gzip stream is corrupt or truncated: unexpected end of file",
    });
  });

  it("inflates a thousandfold bomb chunk by chunk", async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, "A"), { level: 9 });
    expect(bomb.length).toBeLessThan(70 * 1024);
    const stats = decodeStats();
    let chars = 0;
    let largest = 0;
    for await (const s of decodeText(
      (async function* () {
        yield bomb;
      })(),
      stats,
    )) {
      chars += s.length;
      largest = Math.max(largest, s.length);
    }
    expect([chars, largest <= 256 * 1024, stats]).toStrictEqual([
      64 * 1024 * 1024,
      true,
      { gzipMembers: 1, trailingBytes: 0, invalidUtf8: 0 },
    ]);
  });
});

describe("decodeText with UTF-8", () => {
  const whole = (b: Uint8Array) => new TextDecoder().decode(b);
  const encodedReplacements = (b: Uint8Array) => Buffer.from(b).toString("latin1").split("\xef\xbf\xbd").length - 1;

  it("decodes any bytes as one whole decode would, counting every replaced sequence, under any chunking", async () => {
    const piece = fc.oneof(
      fc.uint8Array({ maxLength: 6 }),
      fc.string({ unit: "grapheme" }).map((s) => bytes(s)),
      fc.constantFrom(
        new Uint8Array([0xef, 0xbf, 0xbd]),
        new Uint8Array([0xf0, 0x9f]),
        new Uint8Array([0xe0, 0x80]),
        new Uint8Array([0xed, 0xa0, 0x80]),
        new Uint8Array([0xc3]),
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 12 }), fc.integer({ min: 1, max: 9 }), async (pieces, size) => {
        const input = concat(bytes("x"), ...pieces);
        const text = whole(input);
        const replaced = text.split("\uFFFD").length - 1 - encodedReplacements(input);
        expect(await decode(inChunks(input, size))).toStrictEqual({
          text,
          stats: { gzipMembers: 0, trailingBytes: 0, invalidUtf8: replaced },
        });
      }),
      { numRuns: 300 },
    );
  });

  it("drops one leading byte order mark, in plain and gzip input, and keeps any other", async () => {
    const text = "\uFEFF\uFEFF{}\n\uFEFFx";
    const expected = { text: "\uFEFF{}\n\uFEFFx", stats: { gzipMembers: 0, trailingBytes: 0, invalidUtf8: 0 } };
    expect(await decode(inChunks(bytes(text), 1))).toStrictEqual(expected);
    expect(await decode([gzipSync(text)])).toStrictEqual({ ...expected, stats: { ...expected.stats, gzipMembers: 1 } });
  });

  it("counts a sequence the input ends inside, and a Latin-1 byte, as invalid", async () => {
    expect(await decode([bytes("caf"), new Uint8Array([0xe9, 0x0a, 0xe2, 0x82])])).toStrictEqual({
      text: "caf\uFFFD\n\uFFFD",
      stats: { gzipMembers: 0, trailingBytes: 0, invalidUtf8: 2 },
    });
  });
});
