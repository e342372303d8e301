import { createHmac } from "node:crypto";
import { resolveConfig } from "@app/core/config/index";
import { ingestRedaction, ingestRedactionRules, type RedactionSettings } from "@app/core/ingest/redaction";
import { cloudTrailElementEvent } from "@app/core/sources/cloudtrail/parse";
import { cloudtrailTable } from "@app/core/sources/cloudtrail/schema";
import { compileRedaction, mergeCounts, type RedactionCounts } from "@loglake/redact";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

// `IngestRedaction.row` decides most columns of a CloudTrail row without reading them (pre-checks, flat JSON
// objects, results of repeated values, the row copy). The general path redacts every content column on its own, a
// JSON column by a full scan of its text (`redactJsonText`) and a text column by `redactValue`, with a redactor that
// has seen nothing. Both must give the same rows and the same counts for each object.

const KEY = "test-hmac-key-of-at-least-32-characters";
const DEFAULT = resolveConfig({ env: "test", redaction: {} }).redaction;
const PII = resolveConfig({
  env: "test",
  redaction: {
    hmacKey: { value: KEY },
    rules: [
      { path: "user_identity_user_name", detect: "value", action: "hash" },
      { path: "user_identity.userName", detect: "value", action: "hash" },
      { path: "request_parameters.userName", detect: "value", action: "drop" },
      { detect: "email", action: "mask" },
      { detect: "card_number", action: "mask" },
      { detect: "ip_address", action: "truncate" },
    ],
  },
}).redaction;

const chars = (alphabet: string, min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength: min, maxLength: max });
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ALNUM = `${UPPER}abcdefghijklmnopqrstuvwxyz0123456789`;

const keyId = fc.tuple(fc.constantFrom("ASIA", "AKIA"), chars(`${UPPER}0123456789`, 16, 16)).map(([p, s]) => p + s);
const secretKey = chars(`${ALNUM}/+`, 40, 40);
/** Credentials of every detector, and near misses of each (one character short, no separator, not a name). */
const planted = fc.oneof(
  keyId,
  keyId.map((k) => k.slice(0, 19)),
  fc.tuple(keyId, secretKey).map(([k, s]) => `${k}:${s}`),
  secretKey.map((s) => `aws_secret_access_key=${s}`),
  secretKey.map((s) => `secret_key ${s.slice(1)}`),
  fc.tuple(chars(ALNUM, 4, 12), chars(ALNUM, 4, 12)).map(([a, b]) => `eyJ${a}.eyJ${b}.sig`),
  chars(ALNUM, 4, 12).map((a) => `eyJ${a}`),
  chars(ALNUM, 8, 24).map((t) => `Bearer ${t}`),
  fc.constant("Bearer short"),
  chars(ALNUM, 6, 16).map((v) => `password=${v}`),
  chars(ALNUM, 6, 16).map((v) => `to_ken=${v}`),
  fc.constant("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"),
  fc.constant("ops@example.com"),
  fc.constantFrom("[REDACTED:secret_field]", "[REDACTED:aws_access_key_id]"),
  fc.constant("4111 1111 1111 1111"),
  fc.constant("4111 1111 1111 1112"),
  fc.constant("198.51.100.23"),
  fc.constant("2001:db8::1"),
);
const word = fc.constantFrom(
  "aws-sdk-js/3.552.0 ua/2.0 api/secrets-manager#3.552.0",
  "secretsmanager.amazonaws.com",
  "arn:aws:sts::111122223333:assumed-role/token-broker/i-0a1b2c3d4e5f67890",
  "passport",
  "asia-pacific",
  "x",
  "",
);
/** Words a `\u` escape may spell, in keys and values. */
const ESCAPES: readonly [RegExp, string][] = [
  [/password/g, "\\u0070assword"],
  [/accessKeyId/g, "access\\u004beyId"],
  [/ASIA/g, "\\u0041SIA"],
  [/secret/g, "s\\u0065cret"],
  [/Token/g, "T\\u006fken"],
  [/eyJ/g, "e\\u0079J"],
  [/variables/g, "variable\\u0073"],
  [/"value"/g, '"v\\u0061lue"'],
];
/**
 * CloudTrail record texts whose free text is drawn from `text` and the keys of their request parameters and response
 * elements from `paramKey`: as a trail writes them, indented, or with some words spelled with `\u` escapes.
 */
function recordTexts(
  text: fc.Arbitrary<string>,
  paramKey: fc.Arbitrary<string>,
  /** Leave out most of what is always masked (session tokens, environment variables). */
  plain = false,
): fc.Arbitrary<string> {
  const scalar = fc.oneof(text, fc.integer(), fc.constant(4111111111111111), fc.boolean(), fc.constant(null));
  /** Request parameters and response elements: flat, nested, arrays, JSON held in a string, environment variables. */
  const params: fc.Arbitrary<Record<string, unknown>> = fc.letrec<{ obj: Record<string, unknown> }>((tie) => ({
    obj: fc.dictionary(
      paramKey,
      fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        scalar,
        scalar,
        tie("obj"),
        fc.array(scalar, { maxLength: 3 }),
        tie("obj").map((o) => JSON.stringify(o)),
      ),
      { maxKeys: 5 },
    ),
  })).obj;
  const withEnvironment = fc
    .tuple(params, fc.dictionary(chars(UPPER, 1, 6), scalar, { minKeys: 1, maxKeys: 3 }))
    .map(([p, variables]) => ({ ...p, functionName: "orders", environment: { variables } }));
  const credentials = fc.tuple(keyId, chars(ALNUM, 20, 40), fc.boolean()).map(([k, t, nested]) => ({
    credentials: { accessKeyId: k, ...(plain ? {} : { sessionToken: t }), expiration: "Jun 1, 2025, 1:00:01 AM" },
    ...(nested ? { accessKey: { accessKeyId: k, userName: "ci" } } : {}),
  }));
  // A key id where it is not exempt (the same member name as the exempt ones), and free text.
  const sessionContext = plain
    ? { attributes: fc.record({ mfaAuthenticated: fc.constantFrom("true", "false") }), accessKeyId: keyId }
    : {
        attributes: fc.record({ mfaAuthenticated: fc.constantFrom("true", "false") }),
        accessKeyId: keyId,
        note: text,
      };
  const identity = fc
    .record(
      {
        type: fc.constantFrom("AssumedRole", "IAMUser"),
        principalId: fc.constantFrom("AROAJTEST2APPEXAMPLE:i-0a1b2c3d4e5f67890", "AIDACKCEVSQ6C2EXAMPLE"),
        arn: word,
        accountId: fc.constant("111122223333"),
        accessKeyId: keyId,
        userName: fc.oneof(word, fc.constant("alice@example.com"), text),
        sessionContext: fc.record(
          { sessionIssuer: fc.record({ type: fc.constant("Role"), arn: word, userName: word }), ...sessionContext },
          { requiredKeys: ["attributes"] },
        ),
        ...(plain ? {} : { sessionToken: chars(ALNUM, 20, 30) }),
      },
      { requiredKeys: ["type", "accessKeyId"] },
    )
    .map((o) => ({ ...o }));
  const record = fc.record(
    {
      eventVersion: fc.constant("1.10"),
      userIdentity: identity,
      eventTime: fc.constant("2025-06-01T00:00:00Z"),
      eventSource: fc.constantFrom("kms.amazonaws.com", "secretsmanager.amazonaws.com", "lambda.amazonaws.com"),
      eventName: fc.constantFrom("Decrypt", "GetSecretValue", "UpdateFunctionConfiguration"),
      awsRegion: fc.constant("us-east-1"),
      sourceIPAddress: fc.constantFrom("192.0.2.10", "lambda.amazonaws.com"),
      userAgent: text,
      errorMessage: text,
      requestParameters: plain
        ? fc.oneof(
            params,
            params.map((p) => ({ ...p, accessKeyId: "AKIAIOSFODNN7EXAMPLE" })),
            fc.constant(null),
          )
        : fc.oneof(params, withEnvironment, fc.constant(null)),
      responseElements: fc.oneof(credentials, plain ? params : withEnvironment, params, fc.constant(null)),
      additionalEventData: params,
      tlsDetails: fc.record({ tlsVersion: fc.constant("TLSv1.3"), clientProvidedHostHeader: word }),
      requestID: fc.uuid(),
      eventID: fc.uuid(),
      someNewField: text,
    },
    { requiredKeys: ["eventVersion", "userIdentity", "eventTime", "eventSource", "eventName"] },
  );
  return fc.tuple(record, fc.constantFrom("compact", "indented", "escaped"), fc.nat()).map(([r, style, pick]) => {
    if (style === "indented") return JSON.stringify(r, null, 2);
    let t = JSON.stringify(r);
    if (style !== "escaped") return t;
    for (const [i, [re, s]] of ESCAPES.entries()) if (((pick >> i) & 1) === 1) t = t.replace(re, s);
    return t;
  });
}
/** Free text: plain words, credentials and near misses, and both together. */
const text = fc.oneof(
  word,
  planted,
  fc.tuple(word, planted).map(([w, p]) => `${w} ${p}`),
);
const recordText = recordTexts(
  text,
  fc.constantFrom(
    "value",
    "name",
    "secretString",
    "password",
    "masterUserPassword",
    "sessionToken",
    "accessKeyId",
    "userName",
    "Api Key",
    "to_ken",
    "nextToken",
    "policy",
  ),
);
/** Mostly plain words and keys (some that hit the pre-checks among them), a credential now and then. */
const plainRecordText = recordTexts(
  fc.oneof({ arbitrary: word, weight: 12 }, { arbitrary: planted, weight: 1 }),
  fc.oneof(
    { arbitrary: fc.constantFrom("name", "secretId", "nextToken", "policy", "accessKeyId", "values"), weight: 12 },
    { arbitrary: fc.constantFrom("value", "password", "Api Key"), weight: 1 },
  ),
  true,
);

function eventOf(text: string) {
  const ev = cloudTrailElementEvent({ index: 1, line: 1, status: "complete", text }, "events");
  if (ev.kind !== "row" || ev.record === undefined) throw new Error(`not a row with its record: ${JSON.stringify(ev)}`);
  return { row: ev.row as Record<string, unknown>, record: ev.record };
}

function rowOf(text: string): Record<string, unknown> {
  return eventOf(text).row;
}

/**
 * Every content column redacted on its own by a redactor that has seen nothing; a row that comes out unchanged
 * (a mask over text that already is one) adds no counts.
 */
function generalPath(settings: RedactionSettings, row: Record<string, unknown>, counts: RedactionCounts) {
  const hmac = (t: string) => createHmac("sha256", KEY).update(t).digest("hex");
  const r = compileRedaction(ingestRedactionRules(settings, "cloudtrail", cloudtrailTable.name), { hmac });
  const out = { ...row };
  const own: RedactionCounts = {};
  let changed = false;
  for (const [name, col] of Object.entries(cloudtrailTable.columns)) {
    const v = row[name];
    if (typeof v !== "string" || (col.type !== "string" && col.type !== "json")) continue;
    const got = col.type === "json" ? r.redactJsonText(v, name) : r.redactValue(name, v);
    mergeCounts(own, got.counts);
    if (got.value === v) continue;
    changed = true;
    out[name] = got.value === null ? (col.nullable ? null : "") : got.value;
  }
  if (changed) mergeCounts(counts, own);
  return changed ? out : row;
}

describe("IngestRedaction.row on CloudTrail rows", () => {
  for (const [name, settings] of [
    ["credential filtering", DEFAULT],
    ["credential filtering and PII rules", PII],
  ] as const) {
    it(`gives the general path's rows and per-object counts under ${name}`, () => {
      // One redaction for every run, so its results of repeated values and its row shapes carry over.
      const redaction = ingestRedaction(settings, KEY);
      if (redaction === undefined) throw new Error("no redaction");
      fc.assert(
        fc.property(fc.array(recordText, { minLength: 1, maxLength: 6 }), (texts) => {
          const events = texts.map(eventOf);
          const fast: RedactionCounts = {};
          const general: RedactionCounts = {};
          const got = events.map((ev) => redaction.row("cloudtrail", cloudtrailTable, ev.row, fast, ev.record));
          const want = events.map((ev) => generalPath(settings, ev.row, general));
          expect({ rows: got, counts: fast }).toStrictEqual({ rows: want, counts: general });
        }),
        { numRuns: 100, seed: 16 },
      );
    });
  }

  it("passes by a record only when the general path changes none of its columns, and passes most plain records", () => {
    const redaction = ingestRedaction(DEFAULT);
    const screen = redaction?.recordScreen("cloudtrail", cloudtrailTable);
    if (redaction === undefined || screen === undefined) throw new Error("no record screen under the default rules");
    let records = 0;
    let passed = 0;
    let unchanged = 0;
    fc.assert(
      fc.property(fc.array(plainRecordText, { minLength: 1, maxLength: 6 }), (texts) => {
        const events = texts.map(eventOf);
        const fast: RedactionCounts = {};
        const general: RedactionCounts = {};
        const want = events.map((ev) => generalPath(DEFAULT, ev.row, general));
        for (const [i, ev] of events.entries()) {
          records++;
          // Text with escapes is left to the columns.
          if (want[i] === ev.row && !ev.record.text.includes("\\")) unchanged++;
          // A pass is a proof that nothing changes.
          if (screen(ev.record)?.length === 0) {
            passed++;
            expect(want[i]).toBe(ev.row);
          }
        }
        const got = events.map((ev) => redaction.row("cloudtrail", cloudtrailTable, ev.row, fast, ev.record));
        expect({ rows: got, counts: fast }).toStrictEqual({ rows: want, counts: general });
      }),
      { numRuns: 150, seed: 12 },
    );
    // The screen must do its work: most records nothing changes in are passed by without reading their columns.
    expect(
      passed,
      `${passed} of ${unchanged} unchanged records without escapes (of ${records}) passed`,
    ).toBeGreaterThan(Math.max(20, 0.5 * unchanged));
  });

  it("masks every environment variable and keeps the exempt key ids", () => {
    // Prepare
    const redaction = ingestRedaction(DEFAULT);
    const k = "ASIAYQ7K3GW6LH3RO0E3";
    const row = rowOf(
      JSON.stringify({
        eventVersion: "1.10",
        eventTime: "2025-06-01T00:00:00Z",
        eventSource: "lambda.amazonaws.com",
        eventName: "UpdateFunctionConfiguration",
        userIdentity: { type: "IAMUser", accessKeyId: k, sessionContext: { accessKeyId: k } },
        requestParameters: { functionName: "orders", environment: { variables: { A: "1", B: "two", C: "3" } } },
        responseElements: { credentials: { accessKeyId: k, sessionToken: "FwoGZXIvYXdzEJr" } },
      }),
    );
    const counts: RedactionCounts = {};

    // Act
    const out = redaction?.row("cloudtrail", cloudtrailTable, row, counts);

    // Assess
    expect({
      user_identity: out?.user_identity,
      request_parameters: out?.request_parameters,
      response_elements: out?.response_elements,
      counts,
    }).toStrictEqual({
      user_identity: `{"type":"IAMUser","accessKeyId":"${k}","sessionContext":{"accessKeyId":"[REDACTED:aws_access_key_id]"}}`,
      request_parameters:
        '{"functionName":"orders","environment":{"variables":{"A":"[REDACTED:secret_parameter]","B":"[REDACTED:secret_parameter]","C":"[REDACTED:secret_parameter]"}}}',
      response_elements: `{"credentials":{"accessKeyId":"${k}","sessionToken":"[REDACTED:secret_field]"}}`,
      counts: { aws_access_key_id: { mask: 1 }, secret_parameter: { mask: 3 }, secret_field: { mask: 1 } },
    });
  });
});
