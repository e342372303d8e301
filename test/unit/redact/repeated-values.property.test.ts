import { createHmac } from "node:crypto";
import { CREDENTIAL_RULES, compileRedaction, type RedactionRule } from "@loglake/redact";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

// A redactor keeps each column's results for values it has seen; a redactor compiled for one record has seen
// nothing, so every value is searched. Both must give the same rows and the same counts, however often values repeat.

const hmac = (t: string) => createHmac("sha256", "test-key-of-at-least-32-characters").update(t).digest("hex");
const RULES: RedactionRule[] = [
  ...CREDENTIAL_RULES.map((r) => (r.detect === "aws_access_key_id" ? { ...r, except: ["identity.accessKeyId"] } : r)),
  { path: "user", detect: "value", action: "hash" },
  { path: "identity.userName", detect: "value", action: "hash" },
  { detect: "email", action: "mask" },
  { detect: "card_number", action: "mask" },
  { detect: "ip_address", action: "truncate" },
];
const FIELDS = ["agent", "user", "note", "identity", "params"] as const;
const JSON_FIELDS = new Set(["identity", "params"]);

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const chars = (alphabet: string, min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength: min, maxLength: max });
const keyId = chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 16, 16).map((s) => `ASIA${s}`);
const secret = chars(`${ALNUM}/+`, 40, 40);
const ip = fc
  .tuple(fc.integer({ min: 1, max: 223 }), fc.integer({ min: 0, max: 255 }))
  .map(([a, b]) => `${a}.0.2.${b}`);

/** Texts long enough to be kept (and short ones), with and without something to redact. */
const text = fc.oneof(
  fc.constantFrom(
    "aws-sdk-js/3.552.0 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 api/secrets-manager#3.552.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "arn:aws:sts::111122223333:assumed-role/app-server-role/i-0a1b2c3d4e5f67890",
    "short",
    "GET /api/products 200 from 192.0.2.10 in 61 ms",
    "192.0.2.0",
    "card 4111 1111 1111 1111 on file for ops@example.com",
  ),
  fc.tuple(keyId, secret).map(([k, s]) => `login with ${k}:${s} from the build host`),
  fc.tuple(fc.constantFrom("password", "api_key", "token"), chars(ALNUM, 8, 20)).map(([k, v]) => `${k}=${v} sent`),
  ip.map((a) => `request from ${a} (forwarded through the load balancer)`),
  chars(`${ALNUM} .:=@-`, 0, 60),
);
const identity = fc
  .record({ keyId, user: fc.constantFrom("ci-deployer", "alice@example.com", "app"), token: fc.boolean() })
  .map(({ keyId: k, user, token }) =>
    JSON.stringify({
      type: "IAMUser",
      arn: `arn:aws:iam::111122223333:user/${user}`,
      accessKeyId: k,
      userName: user,
      ...(token ? { sessionToken: "FwoGZXIvYXdzEJr//////////wEaDNOTAREALTOKENVALUE" } : {}),
    }),
  );
const params = fc.oneof(
  fc.constantFrom('{"secretId":"prod/orders/db"}', '{"stackName":"orders-prod"}', "{}", "not json {"),
  text.map((t) => JSON.stringify({ value: t, nested: [{ password: "hunter2hunter2" }, t] })),
);

/** Records drawn from a few values per column, so values repeat across records as they do in a log. */
const records = fc
  .record({
    agent: fc.array(text, { minLength: 1, maxLength: 3 }),
    user: fc.array(fc.constantFrom("u-1001", "u-1002", "a-user-name-long-enough-to-be-kept-in-a-memo"), {
      minLength: 1,
      maxLength: 3,
    }),
    note: fc.array(text, { minLength: 1, maxLength: 4 }),
    identity: fc.array(identity, { minLength: 1, maxLength: 3 }),
    params: fc.array(params, { minLength: 1, maxLength: 3 }),
  })
  .chain((pools) =>
    fc.array(
      fc.record(
        Object.fromEntries(FIELDS.map((f) => [f, fc.option(fc.constantFrom(...pools[f]), { nil: undefined })])),
      ),
      { minLength: 1, maxLength: 60 },
    ),
  );

describe("redaction of repeated values", () => {
  it("gives the same rows and counts as a redactor that has seen nothing", () => {
    fc.assert(
      fc.property(records, (rows) => {
        const warm = compileRedaction(RULES, { hmac });
        for (const row of rows) {
          const cold = compileRedaction(RULES, { hmac });
          const options = { jsonFields: JSON_FIELDS, fields: FIELDS };
          expect(warm.redactRecord(row, options)).toStrictEqual(cold.redactRecord(row, options));
        }
      }),
      { numRuns: 60 },
    );
  });

  it("gives the same results while a column's values seldom repeat and after its memo fills", () => {
    // Unique values (filling each memo several times over, until the columns rest), then a few repeated ones,
    // then unique ones again.
    const warm = compileRedaction(RULES, { hmac });
    const options = { jsonFields: JSON_FIELDS, fields: FIELDS };
    const rows = Array.from({ length: 1500 }, (_, i) => {
      const unique = i < 1100 || i >= 1400;
      const n = unique ? i : i % 7;
      return {
        agent: `client ${n} from 198.51.100.${n % 250} with password=p4ss${n}word and a padding of text`,
        note: `note ${n}: mail ops${n % 3}@example.com, key AKIA${String(n).padStart(16, "0")}`,
        identity: JSON.stringify({ accessKeyId: `ASIA${String(n).padStart(16, "0")}`, userName: `user-${n % 5}` }),
      };
    });
    const got = rows.map((r) => warm.redactRecord(r, options));
    const want = rows.map((r) => compileRedaction(RULES, { hmac }).redactRecord(r, options));
    expect(got).toStrictEqual(want);
  });
});
