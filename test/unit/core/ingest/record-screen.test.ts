import { resolveConfig } from "@app/core/config/index";
import { ingestRedaction } from "@app/core/ingest/redaction";
import { cloudTrailElementEvent } from "@app/core/sources/cloudtrail/parse";
import { cloudtrailTable } from "@app/core/sources/cloudtrail/schema";
import type { RedactionCounts } from "@loglake/redact";
import { describe, expect, it } from "vitest";

// `IngestRedaction.recordScreen` reads a CloudTrail record's text once; false must mean that no column of its row
// changes. Each case is a record text and whether the screen may pass it by (false) or must leave it to the columns.

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

const CASES: { name: string; text: string; passes: boolean }[] = [
  { name: "plain record with its caller's key id", text: json(base), passes: true },
  { name: "the same, indented", text: JSON.stringify(base, null, 2), passes: true },
  {
    name: "key ids at every exempt field",
    text: json({
      ...base,
      requestParameters: { accessKeyId: OTHER, userName: "ci" },
      responseElements: { accessKey: { accessKeyId: OTHER, status: "Active" }, credentials: { accessKeyId: ID } },
    }),
    passes: true,
  },
  {
    name: "an EventBridge event around a plain record",
    text: json({ "detail-type": "AWS API Call via CloudTrail", source: "aws.secretsmanager", detail: base }),
    passes: true,
  },
  {
    name: "a key id in a field that is not exempt",
    text: withIdentity({ sessionContext: { accessKeyId: ID } }),
    passes: false,
  },
  {
    name: "an exempt field written twice",
    text: json(base).replace(`"accessKeyId":"${ID}"`, `"accessKeyId":"${OTHER}","accessKeyId":"${ID}"`),
    passes: false,
  },
  { name: "a key id at the top level", text: json({ ...base, accessKeyId: ID }), passes: false },
  { name: "a session token", text: withIdentity({ sessionToken: "FwoGZXIvYXdzEJr" }), passes: false },
  { name: "an empty password", text: json({ ...base, requestParameters: { password: "" } }), passes: false },
  {
    name: "an SSM parameter value",
    text: json({ ...base, requestParameters: { name: "p", value: "v" } }),
    passes: false,
  },
  { name: "a bearer token in text", text: json({ ...base, userAgent: "curl Bearer abcdefgh12345678" }), passes: false },
  { name: "a word spelled by an escape", text: json(base).replace("secretId", "s\\u0065cretId"), passes: false },
  {
    name: "JSON held in a string",
    text: json({ ...base, requestParameters: { policy: json({ a: 1 }) } }),
    passes: false,
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

  it.each(CASES)("$name: passed by is $passes", ({ text, passes }) => {
    // Prepare
    if (redaction === undefined || screen === undefined) throw new Error("no record screen under the default rules");
    const ev = eventOf(text);
    const byColumns: RedactionCounts = {};
    const byRecord: RedactionCounts = {};

    // Act
    const want = redaction.row("cloudtrail", cloudtrailTable, ev.row, byColumns);
    const got = redaction.row("cloudtrail", cloudtrailTable, ev.row, byRecord, ev.record);

    // Assess
    expect({ passes: !screen(ev.record), got, byRecord }).toStrictEqual({ passes, got: want, byRecord: byColumns });
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
