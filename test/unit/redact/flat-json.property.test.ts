import { CREDENTIAL_RULES, compileRedaction, type RedactionRule } from "@loglake/redact";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

// A JSON column whose pre-check hits all sit in plain string members of a flat object is decided without the full
// scan. Rows and counts must be those of the full scan of the same text (`redactJsonText`), however the exempt key,
// the same key at other depths, escapes and whitespace are mixed.

const RULES: RedactionRule[] = [
  ...CREDENTIAL_RULES.map((r) => (r.detect === "aws_access_key_id" ? { ...r, except: ["identity.accessKeyId"] } : r)),
  { path: "identity.userName", detect: "value", action: "mask" },
];
const FIELDS = ["identity"] as const;
const JSON_FIELDS = new Set(["identity"]);

const keyId = fc
  .string({ unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), minLength: 16, maxLength: 16 })
  .map((s) => `ASIA${s}`);
const word = fc.constantFrom(
  "orders-fn",
  "token-broker",
  "secret-rotator",
  "passport",
  "Bearer abcdefghijklmnop",
  "eyJhbGciOi.eyJzdWIiOi.c2ln",
  "x",
  "",
);
/** String values: plain, with the key id, with an escaped quote or an escaped key id, with a credential. */
const value = fc.oneof(
  word,
  keyId,
  keyId.map((k) => `${k} and more`),
  keyId.map((k) => `\\"accessKeyId\\":\\"${k}`),
  keyId.map((k) => `"accessKeyId":"${k}"`),
  fc.constant("password=hunter2hunter2"),
  fc.constant('a\\u0041KIA quote"d'),
);
const scalar = fc.oneof(value, fc.integer(), fc.constantFrom(true, false, null), fc.constant(4111111111111111));
const key = fc.constantFrom(
  "type",
  "arn",
  "accessKeyId",
  "accessKeyID",
  "userName",
  "token",
  "sessionToken",
  "password",
  'a"b',
);
/** Objects with the exempt key at the top and below it, in any order. */
const object: fc.Arbitrary<Record<string, unknown>> = fc.letrec<{ obj: Record<string, unknown> }>((tie) => ({
  obj: fc.dictionary(
    key,
    fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      scalar,
      scalar,
      tie("obj"),
      fc.array(scalar, { maxLength: 2 }),
    ),
    { maxKeys: 6 },
  ),
})).obj;
/**
 * Compact, indented or with spaces around the separators, and JSON escapes in keys, one of them a credential name
 * only once decoded. The exempt member comes last: the pre-check never sees an escaped name, so one after the last hit
 * is left alone by every scan that trusts the pre-check, not only by the flat one.
 */
const text = fc
  .tuple(object, fc.constantFrom("compact", "indent", "spaced", "unicode"), keyId, scalar)
  .map(([o, style, k, first]) => {
    const { accessKeyId: _, ...rest } = o;
    const withKey = { ...rest, accessKeyId: k };
    const compact = JSON.stringify(withKey);
    if (style === "indent") return JSON.stringify(withKey, null, 2);
    if (style === "spaced") return compact.replace(/":"/g, '" : "').replace(/,"/g, ' , "');
    if (style === "unicode")
      return `{"\\u0070assword":${JSON.stringify(first)},${JSON.stringify(rest)
        .slice(1, -1)
        .replace(/accessKeyId/g, "access\\u004beyId")}${Object.keys(rest).length > 0 ? "," : ""}"accessKeyId":"${k}"}`;
    return compact;
  });
/** Texts that stop being JSON before, at or after the exempt member. */
const broken = fc.tuple(text, fc.nat()).map(([t, n]) => t.slice(0, n % (t.length + 1)));

function fullScan(v: string) {
  const r = compileRedaction(RULES);
  const out = r.redactJsonText(v, "identity");
  return { value: out.value, counts: out.counts };
}

describe("flat JSON objects decided without the full scan", () => {
  it("give the full scan's rows and counts, with a record shape and without", () => {
    const r = compileRedaction(RULES);
    fc.assert(
      fc.property(text, (v) => {
        const want = fullScan(v);
        const row = { identity: v };
        for (const got of [
          r.redactRecord(row, { fields: FIELDS, jsonFields: JSON_FIELDS }),
          r.redactRecord(row, { jsonFields: JSON_FIELDS }),
        ]) {
          const value = want.value === null ? {} : { identity: want.value };
          expect({ value: got.value, counts: got.counts }).toStrictEqual({ value, counts: want.counts });
        }
      }),
      { numRuns: 1500 },
    );
  });

  it("give one redactor's rows and counts for truncated texts, whatever came before", () => {
    const shared = compileRedaction(RULES);
    fc.assert(
      fc.property(broken, (v) => {
        const fresh = compileRedaction(RULES).redactRecord(
          { identity: v },
          { fields: FIELDS, jsonFields: JSON_FIELDS },
        );
        const got = shared.redactRecord({ identity: v }, { fields: FIELDS, jsonFields: JSON_FIELDS });
        expect(got).toStrictEqual(fresh);
      }),
      { numRuns: 500 },
    );
  });

  it("keeps the exempt key at the top and masks the same key nested or escaped", () => {
    const r = compileRedaction(RULES);
    const k = "ASIAYQ7K3GW6LH3RO0E3";
    const cases = [
      `{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/token-broker/x","accessKeyId":"${k}","sessionContext":{}}`,
      `{ "type" : "AssumedRole" , "accessKeyId" : "${k}" }`,
      `{"s":{"accessKeyId":"${k}"},"accessKeyId":"${k}"}`,
      `{"note":"\\"accessKeyId\\":\\"${k}","accessKeyId":"${k}"}`,
      `{"access\\u004beyId":"${k}"}`,
      `{"type":"x","accessKeyId":"${k}",`,
      `{"\\u0070assword":"hunter2","accessKeyId":"${k}"}`,
    ];
    expect(
      cases.map((v) => r.redactRecord({ identity: v }, { fields: FIELDS, jsonFields: JSON_FIELDS }).value.identity),
    ).toStrictEqual([
      cases[0],
      cases[1],
      `{"s":{"accessKeyId":"[REDACTED:aws_access_key_id]"},"accessKeyId":"${k}"}`,
      `{"note":"\\"accessKeyId\\":\\"[REDACTED:aws_access_key_id]","accessKeyId":"${k}"}`,
      cases[4],
      cases[5],
      `{"\\u0070assword":"[REDACTED:secret_field]","accessKeyId":"${k}"}`,
    ]);
  });
});
