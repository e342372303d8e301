import { readFile } from "node:fs/promises";
import { CREDENTIAL_DETECTORS, literalLead, SECRET_KEY_FRAGMENTS, TriggerSearch, triggerOf } from "@loglake/redact";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LEAD_SCAN_WASM } from "../../../packages/redact/src/lead-scan.wasm.ts";
import { assembleWat } from "../../../scripts/lib/wasm.ts";

// `TriggerSearch` must find exactly the matches a global `exec` loop of its alternation finds, whether it scans the
// text's bytes first (every alternative has a literal lead) or not.

const CREDENTIALS = [
  ...new Set([...CREDENTIAL_DETECTORS.flatMap((d) => triggerOf(d).split("|")), ...SECRET_KEY_FRAGMENTS.split("|")]),
];
const SETS: Record<string, readonly string[]> = {
  credentials: CREDENTIALS,
  "credentials, e-mail and whole-value keys": [...CREDENTIALS, "@", "value", "variables"],
  "one-letter leads and a lead cut by a quantifier": ["x", "q+z", "ab?c", "kk{2}"],
  "a pre-check without a lead": [...CREDENTIALS, triggerOf("card_number")],
};

function execMatches(sources: readonly string[], text: string, skip: number): [number, number][] {
  const re = new RegExp(sources.join("|"), "gi");
  const out: [number, number][] = [];
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push([m.index, m.index + m[0].length]);
    re.lastIndex = m.index + m[0].length + skip;
  }
  return out;
}

function searchMatches(search: TriggerSearch, text: string, skip: number, bytes?: Uint8Array): [number, number][] {
  search.reset(text, bytes);
  const out: [number, number][] = [];
  for (let p = search.next(0); p !== -1; p = search.next(search.end + skip)) out.push([p, search.end]);
  return out;
}

/** Pieces of text: leads and near misses in any case, filler, separators, non-ASCII characters. */
const piece = fc.oneof(
  fc.constantFrom("secret", "akia", "ASIA", "eyJ", "bearer", "pass", "pwd", "token", "authoriz", "private key"),
  fc.constantFrom("api_key", "api key", "apikey", "api-key", "private_key", "value", "variables", "qz", "qqqz", "ac"),
  fc.constantFrom("kk", "abc", "x", "@", "4111 1111 1111 1111", "pri", "sec", "se", "a", "\t", "\n", '"', "%"),
  fc.constantFrom("é", "日本", "😀", "\u212a", "\u017f", "\ufeff", "ſecret", "\u0130"),
  fc.string({
    unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ./:-_"),
    maxLength: 40,
  }),
);
const casing = fc.constantFrom("as is", "upper", "lower", "alternate");
const text = fc
  .array(fc.tuple(piece, casing), { maxLength: 60 })
  .map((parts) =>
    parts
      .map(([p, c]) =>
        c === "upper"
          ? p.toUpperCase()
          : c === "lower"
            ? p.toLowerCase()
            : c === "alternate"
              ? [...p].map((ch, i) => (i % 2 ? ch.toUpperCase() : ch)).join("")
              : p,
      )
      .join(""),
  );

describe("TriggerSearch", () => {
  for (const [name, sources] of Object.entries(SETS)) {
    it(`finds what a global exec finds: ${name}`, () => {
      const search = new TriggerSearch(sources);
      fc.assert(
        fc.property(text, fc.nat(3), fc.boolean(), (t, skip, withBytes) => {
          const bytes = withBytes ? new TextEncoder().encode(t) : undefined;
          expect(searchMatches(search, t, skip, bytes)).toStrictEqual(execMatches(sources, t, skip));
        }),
        { numRuns: 400, seed: 7 },
      );
    });
  }

  it("finds matches on both sides of every 16-byte block boundary and at the very end", () => {
    const search = new TriggerSearch(CREDENTIALS);
    for (let pad = 0; pad < 40; pad++) {
      const t = `${"-".repeat(pad)}SeCrEt${"-".repeat(pad % 7)}tok${"_".repeat(pad % 3)}TOKEN`;
      expect(searchMatches(search, t, 0, Buffer.from(t))).toStrictEqual(execMatches(CREDENTIALS, t, 0));
      expect(searchMatches(search, t, 0)).toStrictEqual(execMatches(CREDENTIALS, t, 0));
    }
  });

  it.each([
    ["secret", "sec"],
    ["api[_. -]?key", "api"],
    ["private key", "pri"],
    ["eyj", "eyj"],
    ["@", "@"],
    ["ab?c", "a"],
    ["q+z", "q"],
    ["\\d(?:[ -]?\\d){12}", undefined],
    ["[0-9a-f]?:", undefined],
  ] as const)("takes %s's lead as %s", (source, lead) => {
    expect(literalLead(source)).toBe(lead);
  });

  it("embeds the module that lead-scan.wat assembles to (npm run build:wasm)", async () => {
    const wat = await readFile(new URL("../../../packages/redact/src/lead-scan.wat", import.meta.url), "utf8");
    expect(Buffer.from(await assembleWat("lead-scan.wat", wat)).toString("base64")).toBe(LEAD_SCAN_WASM);
  });
});
