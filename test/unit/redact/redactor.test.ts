import { createHmac } from "node:crypto";
import { CREDENTIAL_RULES, compileRedaction, RedactionRuleError, truncateIp } from "@loglake/redact";
import { describe, expect, it } from "vitest";

const hmac = (t: string) => createHmac("sha256", "test-key-of-at-least-32-characters").update(t).digest("hex");
const credentials = compileRedaction(CREDENTIAL_RULES);

describe("redactJsonText", () => {
  it("keeps every byte of JSON text outside the redacted values", () => {
    // Prepare
    const text = '{ "n" : 1.50e2 ,\n "s":"caf\\u00e9 \\/", "password" : "hunter2", "deep":[{"token":"t0k3n-value"}] }';
    // Act
    const out = credentials.redactJsonText(text);
    // Assess
    expect(out).toStrictEqual({
      value:
        '{ "n" : 1.50e2 ,\n "s":"caf\\u00e9 \\/", "password" : "[REDACTED:secret_field]", "deep":[{"token":"[REDACTED:secret_field]"}] }',
      json: true,
      changed: true,
      counts: { secret_field: { mask: 2 } },
    });
  });

  it("returns the input itself when nothing matches", () => {
    const text = '{"a":[1,2,{"b":"AKIA is a prefix"}],"c":null}';
    expect(credentials.redactJsonText(text)).toStrictEqual({ value: text, json: true, changed: false, counts: {} });
  });

  it("edits spans inside strings and re-encodes only a string that had escapes", () => {
    // Prepare
    const r = compileRedaction([{ detect: "email", action: "mask" }]);
    // Act
    const plain = r.redactJsonText('{"m":"from a@example.com, ok","x":"\\u0041"}').value;
    const escaped = r.redactJsonText('{"m":"from a\\u0040example.com\\n","x":"\\u0041"}').value;
    // Assess
    expect([plain, escaped]).toStrictEqual([
      '{"m":"from [REDACTED:email], ok","x":"\\u0041"}',
      '{"m":"from [REDACTED:email]\\n","x":"\\u0041"}',
    ]);
  });

  it.each([
    ['{"gone":1,"k":2}', '{"k":2}'],
    ['{"k":1, "gone":2}', '{"k":1}'],
    ['{"gone":1,"gone":{"x":[1]},"k":3,"gone":4}', '{"k":3}'],
    ['{"gone":1}', "{}"],
    ['{"a":[{"gone":1},{"b":2,"gone":"x"}]}', '{"a":[{},{"b":2}]}'],
  ])("drops members with their separators: %s", (text, expected) => {
    const r = compileRedaction([{ path: "**.gone", detect: "value", action: "drop" }]);
    expect(r.redactJsonText(text).value).toBe(expected);
  });

  it("drops array elements as null and the whole value as null", () => {
    const r = compileRedaction([{ path: "ips", detect: "value", action: "drop" }]);
    expect([r.redactJsonText('["a","b"]', "ips").value, r.redactJsonText('{"ips":["a"]}').value]).toStrictEqual([
      null,
      "{}",
    ]);
  });

  it("masks a credential field's whole value, objects and numbers included, and leaves null and empty alone", () => {
    const out = credentials.redactJsonText('{"secret":{"a":1},"pin_password":1234,"token":null,"apiKey":""}');
    expect(out.value).toBe(
      '{"secret":"[REDACTED:secret_field]","pin_password":"[REDACTED:secret_field]","token":null,"apiKey":""}',
    );
  });

  it("finds credentials inside JSON text held in a JSON string", () => {
    const out = credentials.redactJsonText('{"body":"{\\"password\\":\\"abc\\"}"}');
    expect(out.value).toBe('{"body":"{\\"password\\":\\"[REDACTED:secret_field]\\"}"}');
  });

  it("redacts text that is no JSON as plain text", () => {
    expect(credentials.redactJsonText("{oops password=abc").value).toBe("{oops password=[REDACTED:secret_field]");
    expect(credentials.redactJsonText("{oops password=abc").json).toBe(false);
  });

  it("walks deeply nested JSON without running out of stack", () => {
    const text = `${"[".repeat(20_000)}"password=x"${"]".repeat(20_000)}`;
    const out = credentials.redactJsonText(text).value as string;
    expect(out.length).toBe(text.length - 1 + "[REDACTED:secret_field]".length);
  });
});

describe("rules and paths", () => {
  it("applies a rule at its path only, `*` as one key and `**` as any", () => {
    // Prepare
    const r = compileRedaction(
      [
        { path: "user_id", detect: "value", action: "hash" },
        { path: "attributes.*.email", detect: "value", action: "mask" },
        { path: "attributes.**", detect: "ip_address", action: "truncate" },
      ],
      { hmac },
    );
    // Act
    const out = r.redactRecord(
      {
        user_id: "alice",
        other: "alice 10.0.0.1",
        attributes: '{"user":{"email":"a@x.io"},"email":"b@x.io","net":{"peer":"10.1.2.3"}}',
      },
      { jsonFields: new Set(["attributes"]) },
    );
    // Assess
    expect(out).toStrictEqual({
      value: {
        user_id: hmac("alice"),
        other: "alice 10.0.0.1",
        attributes: '{"user":{"email":"[REDACTED]"},"email":"b@x.io","net":{"peer":"10.1.2.0"}}',
      },
      changed: true,
      counts: { value: { hash: 1, mask: 1 }, ip_address: { truncate: 1 } },
    });
  });

  it("leaves the paths a rule excepts", () => {
    const r = compileRedaction([{ detect: "aws_access_key_id", action: "mask", except: ["identity.accessKeyId"] }]);
    const out = r.redactJsonText('{"identity":{"accessKeyId":"AKIAIOSFODNN7EXAMPLE"},"note":"AKIAIOSFODNN7EXAMPLE"}');
    expect(out.value).toBe('{"identity":{"accessKeyId":"AKIAIOSFODNN7EXAMPLE"},"note":"[REDACTED:aws_access_key_id]"}');
  });

  it("walks nested records, removes dropped fields and copies only what changed", () => {
    // Prepare
    const r = compileRedaction([...CREDENTIAL_RULES, { path: "**.ssn", detect: "value", action: "drop" }]);
    const input = { a: { ssn: "078-05-1120", keep: [1, { password: "x" }] }, b: { c: 1 } };
    // Act
    const out = r.redactRecord(input);
    // Assess
    expect(out.value).toStrictEqual({ a: { keep: [1, { password: "[REDACTED:secret_field]" }] }, b: { c: 1 } });
    expect(out.value.b).toBe(input.b);
    expect(input.a.ssn).toBe("078-05-1120");
  });

  it("hashes with the given HMAC so equal values stay equal", () => {
    const r = compileRedaction([{ path: "u", detect: "value", action: "hash" }], { hmac });
    const a = r.redactRecord({ u: "bob" }).value.u;
    const b = r.redactRecord({ u: "bob" }).value.u;
    expect([a, a === b, /^[0-9a-f]{64}$/.test(String(a))]).toStrictEqual([hmac("bob"), true, true]);
  });

  it.each([
    [{ detect: "email", action: "truncate" }, "truncate applies to IP addresses only"],
    [{ detect: "email", action: "hash" }, "hash needs an HMAC key"],
    [{ detect: "email", action: "mask", path: "a..b" }, 'must be keys joined by "." with none empty'],
  ] as const)("refuses %j", (rule, message) => {
    expect(() => compileRedaction([rule])).toThrow(RedactionRuleError);
    expect(() => compileRedaction([rule])).toThrow(message);
  });
});

describe("redactRecord on JSON fields", () => {
  it("stops reading after the last pre-check hit but still settles a dropped member", () => {
    // Prepare
    const r = compileRedaction([...CREDENTIAL_RULES, { path: "doc.**.gone", detect: "value", action: "drop" }]);
    const doc = '{"gone":1,"k":{"a":[1,2]},"t":"AKIAIOSFODNN7EXAMPLE","tail":{"deep":[{"x":"y"}]}}';
    // Act
    const out = r.redactRecord({ doc }, { jsonFields: new Set(["doc"]), fields: ["doc"] });
    // Assess
    expect(out).toStrictEqual({
      value: { doc: '{"k":{"a":[1,2]},"t":"[REDACTED:aws_access_key_id]","tail":{"deep":[{"x":"y"}]}}' },
      changed: true,
      counts: { value: { drop: 1 }, aws_access_key_id: { mask: 1 } },
    });
  });

  it("reads names and values spelled with \\u escapes, which no pre-check sees in the raw text", () => {
    // Prepare
    const r = compileRedaction(CREDENTIAL_RULES);
    const docs = [
      '{"\\u0070assword":"hunter2"}',
      '{"note":"x","k":"\\u0041KIAIOSFODNN7EXAMPLE"}',
      '{"user":"\\u00e9mile","\\u0070wd":"s3cret"}',
    ];
    // Act
    const out = docs.map((doc) => r.redactRecord({ doc }, { jsonFields: new Set(["doc"]), fields: ["doc"] }));
    // Assess
    expect(out).toStrictEqual([
      {
        value: { doc: '{"\\u0070assword":"[REDACTED:secret_field]"}' },
        changed: true,
        counts: { secret_field: { mask: 1 } },
      },
      {
        value: { doc: '{"note":"x","k":"[REDACTED:aws_access_key_id]"}' },
        changed: true,
        counts: { aws_access_key_id: { mask: 1 } },
      },
      {
        value: { doc: '{"user":"\\u00e9mile","\\u0070wd":"[REDACTED:secret_field]"}' },
        changed: true,
        counts: { secret_field: { mask: 1 } },
      },
    ]);
  });
});

describe("redactRaw", () => {
  it("applies every detector anywhere in unparsed text, and path rules when it is JSON", () => {
    // Prepare
    const r = compileRedaction([
      ...CREDENTIAL_RULES,
      { path: "message", detect: "email", action: "mask" },
      { path: "user_id", detect: "value", action: "mask" },
    ]);
    // Act
    const broken = r.redactRaw('{"note": "mail a@example.com", "password": "pw"');
    const json = r.redactRaw('{"user_id":"bob","x":"a@example.com"}');
    // Assess
    expect([broken.value, json.value]).toStrictEqual([
      '{"note": "mail [REDACTED:email]", "password": "[REDACTED:secret_field]"',
      '{"user_id":"[REDACTED]","x":"[REDACTED:email]"}',
    ]);
    // Counted once, although the text was first read as JSON.
    expect(broken.counts).toStrictEqual({ email: { mask: 1 }, secret_field: { mask: 1 } });
  });
});

describe("truncateIp", () => {
  it.each([
    ["192.0.2.55", "192.0.2.0"],
    ["2001:db8::1", "2001:db8:0::"],
    ["::1", "0:0:0::"],
    ["fe80::1:2:3:4", "fe80:0:0::"],
    ["not an ip", undefined],
  ])("%s -> %s", (ip, net) => {
    expect(truncateIp(ip)).toBe(net);
  });
});
