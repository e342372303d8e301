import {
  isTruncatedJson,
  JSON_LINE_RECORDS,
  type JsonElement,
  type JsonSplitOptions,
  JsonSplitter,
  jsonElements,
  splitJson,
} from "@app/core/ingest/json-stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

/** Complete records, all on line 1 unless lines are given. */
const complete = (...texts: string[]): JsonElement[] =>
  texts.map((text, i) => ({ index: i + 1, line: 1, status: "complete", text }));
const onLines = (lines: number[], els: JsonElement[]): JsonElement[] =>
  els.map((e, i) => ({ ...e, line: lines[i] ?? 0 }));

function splitInChunks(text: string, size: number, options: JsonSplitOptions = {}): JsonElement[] {
  const splitter = new JsonSplitter(options);
  const out: JsonElement[] = [];
  for (let i = 0; i < text.length; i += size) splitter.push(text.slice(i, i + size), out);
  return splitter.end(out);
}

describe("splitJson", () => {
  it.each([
    ["a Records wrapper", '{"Records":[{"a":1},{"b":"x]}"}]}', complete('{"a":1}', '{"b":"x]}"}')],
    [
      "a Records wrapper after other keys, ignoring its tail",
      '{"n":{"Records":[0]}, "Records" : [ {"a":1} , [1,2] ], "tail": {"Records":[9]}}',
      complete('{"a":1}', "[1,2]"),
    ],
    ["a bare array with scalars", '[{"a":1}, 3, "s", null, true]', complete('{"a":1}', "3", '"s"', "null", "true")],
    ["NDJSON with blank lines", '{"a":1}\n\n{"b":2}\r\n', onLines([1, 3], complete('{"a":1}', '{"b":2}'))],
    ["concatenated objects", '{"a":1}{"b":2} {"c":3}', complete('{"a":1}', '{"b":2}', '{"c":3}')],
    [
      "pretty-printed objects",
      '{\n  "a": 1\n}\n{\n  "b": [\n 2\n ]\n}\n',
      onLines([1, 4], complete('{\n  "a": 1\n}', '{\n  "b": [\n 2\n ]\n}')),
    ],
    ["a single object without Records", '{"eventVersion":"1.08"}', complete('{"eventVersion":"1.08"}')],
    [
      "escaped quotes and backslashes",
      '["a\\"b", "c\\\\", {"d":"\\\\\\""}]',
      complete('"a\\"b"', '"c\\\\"', '{"d":"\\\\\\""}'),
    ],
    ["a leading byte order mark", '\uFEFF{"a":1}', complete('{"a":1}')],
    [
      "non-JSON lines as whole lines",
      'not json\n}}x\n{"a":1}',
      onLines([1, 2, 3], complete("not json", "}}x", '{"a":1}')),
    ],
    ["nothing in blank input", " \n\t ", []],
  ])("finds the records of %s", (_name, input, expected) => {
    expect(splitJson(input)).toStrictEqual(expected);
  });

  it("uses only the configured wrapper keys", () => {
    const input = '{"Events":[{"a":1}],"Records":[{"b":2}]}';
    expect(splitJson(input, { arrayKeys: ["Events"] })).toStrictEqual(complete('{"a":1}'));
    expect(splitJson(input, { arrayKeys: [] })).toStrictEqual(complete(input));
  });

  it("reports the record the input ends in as truncated", () => {
    expect(splitJson('{"Records":[{"a":1},{"b":"x')).toStrictEqual([
      { index: 1, line: 1, status: "complete", text: '{"a":1}' },
      { index: 2, line: 1, status: "truncated", text: '{"b":"x' },
    ]);
  });

  it("ends a cut line of line-delimited JSON at its newline and goes on with the next", () => {
    const input = '{"a":1}\n{"b":[1,\n{"c":"x\n{"d":4}\n';
    expect(splitJson(input)).toStrictEqual([
      { index: 1, line: 1, status: "complete", text: '{"a":1}' },
      { index: 2, line: 2, status: "truncated", text: '{"b":[1,' },
      { index: 3, line: 3, status: "truncated", text: '{"c":"x' },
      { index: 4, line: 4, status: "complete", text: '{"d":4}' },
    ]);
  });

  it("keeps only the first 64 KiB of a record longer than the limit and resumes after it", () => {
    const big = `{"a":"${"x".repeat(70_000)}"}`;
    const out = splitInChunks(`[${big},{"b":1}]`, 1000, { maxElementChars: 50_000 });
    expect(out.map((e) => [e.index, e.status, e.text.length])).toStrictEqual([
      [1, "too_large", 65_537],
      [2, "complete", 7],
    ]);
    expect(out[0]?.text).toBe(big.slice(0, 65_537));
  });

  it("gives the same records whatever the chunk boundaries", () => {
    const input =
      '\uFEFF{"x":"a\\"b\\\\", "Records":[{"a":"q\\\\"}, {"b":[1,2,{"c":"]"}]}, 7, true, "s\\u00e9"]}\n{"d":"\\\\"}';
    const whole = splitJson(input);
    for (const size of [1, 2, 3, 5, 8, 13]) expect(splitInChunks(input, size)).toStrictEqual(whole);
  });

  it("splits any array of JSON values back into its elements, under any chunking", () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 8 }), fc.integer({ min: 1, max: 40 }), (values, size) => {
        const input = JSON.stringify({ Records: values });
        const out = splitInChunks(input, size);
        expect(out.map((e) => e.status)).toStrictEqual(values.map(() => "complete"));
        expect(out.map((e) => JSON.parse(e.text))).toStrictEqual(values.map((v) => JSON.parse(JSON.stringify(v))));
      }),
    );
  });

  it("splits NDJSON of objects into one record per line, under any chunking", () => {
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.string(), fc.jsonValue()), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 40 }),
        (objects, size) => {
          const lines = objects.map((o) => JSON.stringify(o));
          const expected = complete(...lines).map((e, i) => ({ ...e, line: i + 1 }));
          expect(splitInChunks(`${lines.join("\n")}\n`, size)).toStrictEqual(expected);
        },
      ),
    );
  });

  it("never throws and numbers records 1..n on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.integer({ min: 1, max: 64 }), (text, size) => {
        const out = splitInChunks(text, size);
        expect(out.map((e) => e.index)).toStrictEqual(out.map((_, i) => i + 1));
      }),
    );
  });
});

describe("splitJson at top level", () => {
  it("keeps a pretty-printed record whole, with the line it starts on", () => {
    const a = JSON.stringify({ t: 1, list: [{ k: 1 }, [2, 3]], s: "x\ny" }, null, 2);
    const b = JSON.stringify({ u: [] }, null, "\t");
    const lines = a.split("\n").length;
    expect(splitJson(`${a}\n${b}\n`)).toStrictEqual([
      { index: 1, line: 1, status: "complete", text: a },
      { index: 2, line: lines + 1, status: "complete", text: b },
    ]);
  });

  it("ends a top-level record at a raw newline in a string or before a line that cannot continue it", () => {
    // A flipped quote leaves line 1 inside a string; lost braces leave lines 3 and 5 open at their end.
    const input = '{"a":"x,"b":1}\n{"ok":1}\n{"c":1,"d":[2\n{"ok":2}\n{"c":1\nnot json\n{"e":\n  {"f":1}\n\n}\n';
    expect(splitJson(input)).toStrictEqual([
      { index: 1, line: 1, status: "truncated", text: '{"a":"x,"b":1}' },
      { index: 2, line: 2, status: "complete", text: '{"ok":1}' },
      { index: 3, line: 3, status: "truncated", text: '{"c":1,"d":[2' },
      { index: 4, line: 4, status: "complete", text: '{"ok":2}' },
      { index: 5, line: 5, status: "truncated", text: '{"c":1' },
      { index: 6, line: 6, status: "complete", text: "not json" },
      { index: 7, line: 7, status: "complete", text: '{"e":\n  {"f":1}\n\n}' },
    ]);
  });

  it("reports a records array the input ends in, after its last complete record", () => {
    const detail = (n: number) => `input ends inside the records array, after record ${n}`;
    expect(splitJson('{"Records":[{"a":1},\n{"b":2}')).toStrictEqual([
      { index: 1, line: 1, status: "complete", text: '{"a":1}' },
      { index: 2, line: 2, status: "complete", text: '{"b":2}' },
      { index: 3, line: 2, status: "truncated", text: "", detail: detail(2) },
    ]);
    expect(splitJson("[")).toStrictEqual([{ index: 1, line: 1, status: "truncated", text: "", detail: detail(0) }]);
    expect(splitJson('{"Records":[{"a":1}]')).toStrictEqual(complete('{"a":1}'));
  });

  it("numbers lines through strings, escapes and records of every kind, under any chunking", () => {
    const input = '[\n"a\\\n",\n{"b":\n"c"}\n]\n{"Records":[\n1,\n{"d":"\\\\"}]}\nx\n"s"\n';
    const whole = splitJson(input);
    expect(whole.map((e) => [e.line, e.text])).toStrictEqual([
      [2, '"a\\\n"'],
      [4, '{"b":\n"c"}'],
      [8, "1"],
      [9, '{"d":"\\\\"}'],
      [10, "x"],
      [11, '"s"'],
    ]);
    for (let size = 1; size < input.length; size++) expect(splitInChunks(input, size)).toStrictEqual(whole);
  });
});

describe("splitJson with JSON_LINE_RECORDS", () => {
  it("gives one record per line, or per value spanning lines, never splitting a line", () => {
    const input = [
      "\uFEFF" + '{"a":1}',
      "",
      "   ",
      "this is not json",
      "[1,2,",
      " 3]",
      '"just a string" tail',
      '{"a":1} junk',
      '{"a":1}{"b":2}',
      '{"cut":"mid',
      "{\r",
      '  "pretty": [',
      "    {}",
      "  ]",
      "}\r",
      "[1]",
    ].join("\n");
    expect(splitJson(input, JSON_LINE_RECORDS).map((e) => [e.line, e.status, e.text])).toStrictEqual([
      [1, "complete", '{"a":1}'],
      [2, "complete", ""],
      [3, "complete", ""],
      [4, "complete", "this is not json"],
      [5, "complete", "[1,2,\n 3]"],
      [7, "complete", '"just a string" tail'],
      [8, "complete", '{"a":1} junk'],
      [9, "complete", '{"a":1}{"b":2}'],
      [10, "truncated", '{"cut":"mid'],
      [11, "complete", '{\r\n  "pretty": [\n    {}\n  ]\n}'],
      [16, "complete", "[1]"],
    ]);
  });

  it("cuts a record the input ends in, and counts a last blank line", () => {
    expect(splitJson('{"a":\n  1', JSON_LINE_RECORDS)).toStrictEqual([
      { index: 1, line: 1, status: "truncated", text: '{"a":\n  1' },
    ]);
    expect(splitJson('{"a":1}\n  ', JSON_LINE_RECORDS).map((e) => [e.line, e.text])).toStrictEqual([
      [1, '{"a":1}'],
      [2, ""],
    ]);
  });

  it("gives the same records for any chunking of arbitrary line-ish text", () => {
    const piece = fc.constantFrom("{", "}", "[", "]", '"', "\\", "\n", "\r", " ", "a", ",", ":", "1", "\uFEFF", '\\"');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), fc.integer({ min: 1, max: 12 }), (pieces, size) => {
        const text = pieces.join("");
        const whole = splitJson(text, JSON_LINE_RECORDS);
        expect(splitInChunks(text, size, JSON_LINE_RECORDS)).toStrictEqual(whole);
        expect(whole.map((e) => e.index)).toStrictEqual(whole.map((_, i) => i + 1));
        for (let i = 1; i < whole.length; i++) expect(whole[i]?.line).toBeGreaterThan(whole[i - 1]?.line ?? 0);
      }),
    );
  });

  it("reads back pretty-printed and compact objects, each at the line it starts on", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.dictionary(fc.string(), fc.jsonValue()), fc.constantFrom(0, 2, "\t")), {
          maxLength: 6,
        }),
        fc.integer({ min: 1, max: 50 }),
        (objects, size) => {
          const texts = objects.map(([o, indent]) => JSON.stringify(o, null, indent));
          let line = 1;
          const expected = texts.map((text, i) => {
            const el: JsonElement = { index: i + 1, line, status: "complete", text };
            line += text.split("\n").length;
            return el;
          });
          expect(splitInChunks(texts.map((t) => `${t}\n`).join(""), size, JSON_LINE_RECORDS)).toStrictEqual(expected);
        },
      ),
    );
  });

  it("keeps only the head of a line over the limit and finds the next line after it", () => {
    const big = `{"message":"${"x".repeat(300_000)}"}`;
    const out = splitInChunks(`${big}\n${"y".repeat(300_000)}\n{"ok":1}\n`, 4096, {
      ...JSON_LINE_RECORDS,
      maxElementChars: 100_000,
    });
    expect(out.map((e) => [e.line, e.status, e.text.length])).toStrictEqual([
      [1, "too_large", 65_537],
      [2, "too_large", 65_537],
      [3, "complete", 8],
    ]);
  });
});

describe("jsonElements", () => {
  it("streams records from async chunks", async () => {
    async function* chunks() {
      yield '{"Records":[{"a"';
      yield ':1},{"b":2}';
      yield "]}";
    }
    const out: JsonElement[] = [];
    for await (const el of jsonElements(chunks())) out.push(el);
    expect(out).toStrictEqual(complete('{"a":1}', '{"b":2}'));
  });
});

describe("isTruncatedJson", () => {
  it.each([
    ['{"a":1', true],
    ['{"a":"}', true],
    ["[1,[2]", true],
    ['{"a":1}', false],
    ['{"a":1}}', false],
    ["{a:1}", false],
    ["hello", false],
    ["", false],
  ])("says %j is truncated: %s", (text, expected) => {
    expect(isTruncatedJson(text)).toBe(expected);
  });
});
