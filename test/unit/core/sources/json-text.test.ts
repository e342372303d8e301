import { arrayItems, objectMembers, spanText, wholeSpan } from "@app/core/sources/json-text";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

describe("spanText", () => {
  it("gives the text of any JSON value token for token, whitespace between tokens dropped", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 1, 2, "\t"), (value, indent) => {
        const text = ` ${JSON.stringify(value, null, indent)}\n`;
        expect(spanText(text, wholeSpan(text))).toBe(JSON.stringify(value));
      }),
      { numRuns: 300 },
    );
  });

  it("keeps numbers, escapes and key order exactly as written", () => {
    const text = '{ "b" : 1636820292450000128 , "10": [ 1.0, -0.0, 1e400 ], "s": "caf\\u00e9 \\"x\\" \\/" }';
    const members = objectMembers(text, wholeSpan(text));
    expect(members.map((m) => [m.key, text.slice(m.keyStart, m.keyEnd), spanText(text, m)])).toStrictEqual([
      ["b", '"b"', "1636820292450000128"],
      ["10", '"10"', "[1.0,-0.0,1e400]"],
      ["s", '"s"', '"caf\\u00e9 \\"x\\" \\/"'],
    ]);
  });

  it("decodes escaped keys and lists duplicate keys as written", () => {
    const text = '{"a\\u0062":1,"a":2,"a":3}';
    expect(objectMembers(text, wholeSpan(text)).map((m) => [m.key, spanText(text, m)])).toStrictEqual([
      ["ab", "1"],
      ["a", "2"],
      ["a", "3"],
    ]);
  });

  it("walks values nested far deeper than a recursion could", () => {
    const depth = 200_000;
    const text = `{"deep":${"[".repeat(depth)}${"]".repeat(depth)},"after":[ 1 , {"x" :2} ]}`;
    const [deep, after] = objectMembers(text, wholeSpan(text));
    expect(deep && spanText(text, deep).length).toBe(2 * depth);
    expect(after && arrayItems(text, after).map((s) => spanText(text, s))).toStrictEqual(["1", '{"x":2}']);
  });
});
