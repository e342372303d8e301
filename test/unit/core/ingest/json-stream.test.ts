import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  isTruncatedJson,
  type JsonElement,
  JsonSplitter,
  jsonElements,
  splitJson,
} from "../../../../packages/core/src/ingest/json-stream.ts";

const complete = (...texts: string[]): JsonElement[] =>
  texts.map((text, i) => ({ index: i + 1, status: "complete", text }));

function splitInChunks(text: string, size: number, options = {}): JsonElement[] {
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
    ["NDJSON with blank lines", '{"a":1}\n\n{"b":2}\r\n', complete('{"a":1}', '{"b":2}')],
    ["concatenated objects", '{"a":1}{"b":2} {"c":3}', complete('{"a":1}', '{"b":2}', '{"c":3}')],
    [
      "pretty-printed objects",
      '{\n  "a": 1\n}\n{\n  "b": [\n 2\n ]\n}\n',
      complete('{\n  "a": 1\n}', '{\n  "b": [\n 2\n ]\n}'),
    ],
    ["a single object without Records", '{"eventVersion":"1.08"}', complete('{"eventVersion":"1.08"}')],
    [
      "escaped quotes and backslashes",
      '["a\\"b", "c\\\\", {"d":"\\\\\\""}]',
      complete('"a\\"b"', '"c\\\\"', '{"d":"\\\\\\""}'),
    ],
    ["a leading byte order mark", '\uFEFF{"a":1}', complete('{"a":1}')],
    ["non-JSON lines as whole lines", 'not json\n}}x\n{"a":1}', complete("not json", "}}x", '{"a":1}')],
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
      { index: 1, status: "complete", text: '{"a":1}' },
      { index: 2, status: "truncated", text: '{"b":"x' },
    ]);
  });

  it("ends a cut line of line-delimited JSON at its newline and goes on with the next", () => {
    const input = '{"a":1}\n{"b":[1,\n{"c":"x\n{"d":4}\n';
    expect(splitJson(input)).toStrictEqual([
      { index: 1, status: "complete", text: '{"a":1}' },
      { index: 2, status: "truncated", text: '{"b":[1,' },
      { index: 3, status: "truncated", text: '{"c":"x' },
      { index: 4, status: "complete", text: '{"d":4}' },
    ]);
  });

  it("keeps only the first 64 KiB of a record longer than the limit and resumes after it", () => {
    const big = `{"a":"${"x".repeat(70_000)}"}`;
    const out = splitInChunks(`[${big},{"b":1}]`, 1000, { maxElementChars: 50_000 });
    expect(out.map((e) => [e.index, e.status, e.text.length])).toStrictEqual([
      [1, "too_large", 65_536],
      [2, "complete", 7],
    ]);
    expect(out[0]?.text).toBe(big.slice(0, 65_536));
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
          expect(splitInChunks(`${lines.join("\n")}\n`, size)).toStrictEqual(complete(...lines));
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
