import { type Line, LineSplitter, lines, TOO_LARGE_HEAD } from "@app/core/ingest/text";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

function split(text: string, size: number, maxChars?: number): Line[] {
  const splitter = new LineSplitter(maxChars);
  const out: Line[] = [];
  for (let i = 0; i < text.length; i += size) splitter.push(text.slice(i, i + size), out);
  return splitter.end(out);
}

const line = (n: number, text: string, tooLarge = false): Line => ({ line: n, text, tooLarge });

describe("LineSplitter", () => {
  it("numbers lines, drops the newline and a carriage return before it, and keeps a last line without newline", () => {
    expect(split("a\r\n\nb\rc\n\r\nlast", 1000)).toStrictEqual([
      line(1, "a"),
      line(2, ""),
      line(3, "b\rc"),
      line(4, ""),
      line(5, "last"),
    ]);
    expect(split("a\n", 1000)).toStrictEqual([line(1, "a")]);
    expect(split("", 1000)).toStrictEqual([]);
  });

  it("gives the same lines for any chunking", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("a", "\n", "\r", " ", "\u00e9", "{"), { maxLength: 80 }),
        fc.integer({ min: 1, max: 10 }),
        (chars, size) => {
          const text = chars.join("");
          expect(split(text, size)).toStrictEqual(split(text, text.length + 1));
        },
      ),
    );
  });

  it("keeps only the head of a line over the limit and reads on to the next line", () => {
    const long = "x".repeat(200_000);
    const head = long.slice(0, TOO_LARGE_HEAD);
    for (const size of [999, 65_536, 300_000]) {
      expect(split(`${long}\r\nok\n${long}`, size, 100_000)).toStrictEqual([
        line(1, head, true),
        line(2, "ok"),
        line(3, head, true),
      ]);
    }
    expect(split(`${"y".repeat(10)}\n`, 3, 10)).toStrictEqual([line(1, "y".repeat(10))]);
    expect(split(`${"y".repeat(11)}\n`, 3, 10)).toStrictEqual([line(1, "y".repeat(11), true)]);
  });
});

describe("lines", () => {
  it("streams the lines of async chunks, a line of a thousand chunks kept only as its head", async () => {
    const chunk = "z".repeat(64 * 1024);
    async function* text() {
      yield "first\n";
      for (let i = 0; i < 1000; i++) yield chunk;
      yield "\nafter";
    }
    const out: Line[] = [];
    for await (const l of lines(text(), 1024 * 1024)) out.push(l);
    expect(out).toStrictEqual([line(1, "first"), line(2, "z".repeat(TOO_LARGE_HEAD), true), line(3, "after")]);
  });
});
