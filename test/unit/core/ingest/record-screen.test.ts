import { resolveConfig } from "@app/core/config/index";
import { ingestRedaction } from "@app/core/ingest/redaction";
import { cloudTrailElementEvent } from "@app/core/sources/cloudtrail/parse";
import { cloudtrailTable } from "@app/core/sources/cloudtrail/schema";
import type { RedactionCounts } from "@loglake/redact";
import { describe, expect, it } from "vitest";

// `IngestRedaction.recordScreen` reads a CloudTrail record's text once and names the columns of its row that may
// change (none: the row is passed by; undefined: any). Each case is a record text and what the screen must say; the
// row redacted with the screen must be the row redacted column by column.

const ID = "ASIAYQ7K3GW6LH3RO0E3";
const OTHER = "AKIAIOSFODNN7EXAMPLE";
const base = {
  eventVersion: "1.10",
  userIdentity: { type: "AssumedRole", arn: "arn:aws:sts::111122223333:assumed-role/app/i-1", accessKeyId: ID },
  eventTime: "2025-06-01T00:00:00Z",
  eventSource: "secretsmanager.amazonaws.com",
  eventName: "GetSecretValue",
  userAgent: "aws-sdk-js/3.552.0 api/secrets-manager#3.552.0",
  requestParameters: { secretId: "orders/db", nextToken: "page-2" },
  responseElements: null,
};
const json = (o: unknown) => JSON.stringify(o);
const withIdentity = (extra: Record<string, unknown>) =>
  json({ ...base, userIdentity: { ...base.userIdentity, ...extra } });

const ALL = undefined;
/** The columns drawn from `userIdentity`, and the rest column, which may take any member. */
const IDENTITY = [
  "user_identity_type",
  "user_identity_arn",
  "user_identity_account_id",
  "user_identity_user_name",
  "user_identity_principal_id",
  "user_identity_access_key_id",
  "user_identity_invoked_by",
  "user_identity_session_issuer_arn",
  "user_identity_session_issuer_user_name",
  "user_identity",
  "extra",
];
const CASES: { name: string; text: string; columns: readonly string[] | undefined }[] = [
  { name: "plain record with its caller's key id", text: json(base), columns: [] },
  { name: "the same, indented", text: JSON.stringify(base, null, 2), columns: [] },
  {
    name: "key ids at every exempt field",
    text: json({
      ...base,
      requestParameters: { accessKeyId: OTHER, userName: "ci" },
      responseElements: { accessKey: { accessKeyId: OTHER, status: "Active" }, credentials: { accessKeyId: ID } },
    }),
    columns: [],
  },
  {
    name: "an EventBridge event around a plain record",
    text: json({ "detail-type": "AWS API Call via CloudTrail", source: "aws.secretsmanager", detail: base }),
    columns: [],
  },
  {
    name: "a key id in a field that is not exempt",
    text: withIdentity({ sessionContext: { accessKeyId: ID } }),
    columns: ALL,
  },
  {
    name: "an exempt field written twice",
    text: json(base).replace(`"accessKeyId":"${ID}"`, `"accessKeyId":"${OTHER}","accessKeyId":"${ID}"`),
    columns: ALL,
  },
  { name: "a key id at the top level", text: json({ ...base, accessKeyId: ID }), columns: ALL },
  {
    name: "a session token in the identity",
    text: withIdentity({ sessionToken: "FwoGZXIvYXdzEJr" }),
    columns: IDENTITY,
  },
  {
    name: "an AssumeRole response's session token beside its exempt key id",
    text: json({
      ...base,
      responseElements: { credentials: { accessKeyId: OTHER, sessionToken: "FwoGZXIvYXdzEJr", expiration: "soon" } },
    }),
    columns: ["response_elements", "extra"],
  },
  {
    name: "an empty password",
    text: json({ ...base, requestParameters: { password: "" } }),
    columns: ["request_parameters", "extra"],
  },
  {
    name: "an SSM parameter value",
    text: json({ ...base, requestParameters: { name: "p", value: "v" } }),
    columns: ["request_parameters", "extra"],
  },
  {
    name: "a bearer token in text",
    text: json({ ...base, userAgent: "curl Bearer abcdefgh12345678" }),
    columns: ["user_agent", "extra"],
  },
  { name: "a word spelled by an escape", text: json(base).replace("secretId", "s\\u0065cretId"), columns: ALL },
  {
    name: "JSON held in a string",
    text: json({ ...base, requestParameters: { policy: json({ a: 1 }) } }),
    columns: ALL,
  },
];

function eventOf(text: string) {
  const ev = cloudTrailElementEvent({ index: 1, line: 1, status: "complete", text }, "events");
  if (ev.kind !== "row" || ev.record === undefined) throw new Error(`not a row with its record: ${text}`);
  return { row: ev.row as Record<string, unknown>, record: ev.record };
}

describe("IngestRedaction.recordScreen on CloudTrail records", () => {
  const redaction = ingestRedaction(resolveConfig({ env: "test", redaction: {} }).redaction);
  const screen = redaction?.recordScreen("cloudtrail", cloudtrailTable);

  it.each(CASES)("$name: $columns", ({ text, columns }) => {
    // Prepare
    if (redaction === undefined || screen === undefined) throw new Error("no record screen under the default rules");
    const ev = eventOf(text);
    const byColumns: RedactionCounts = {};
    const byRecord: RedactionCounts = {};

    // Act
    const want = redaction.row("cloudtrail", cloudtrailTable, ev.row, byColumns);
    const got = redaction.row("cloudtrail", cloudtrailTable, ev.row, byRecord, ev.record);

    // Assess
    expect({ columns: screen(ev.record), got, byRecord }).toStrictEqual({ columns, got: want, byRecord: byColumns });
  });

  it.each([
    ["a rule that detects outside strings", [{ detect: "card_number", action: "mask" }]],
    ["a rule that replaces a whole column", [{ path: "user_agent", detect: "value", action: "mask" }]],
    [
      "a whole-value rule with no key to look for",
      [{ path: "request_parameters.**", detect: "value", action: "mask" }],
    ],
  ] as const)("is not offered with %s", (_name, rules) => {
    const r = ingestRedaction(resolveConfig({ env: "test", redaction: { rules } }).redaction);
    expect(r?.recordScreen("cloudtrail", cloudtrailTable)).toBeUndefined();
  });
});
