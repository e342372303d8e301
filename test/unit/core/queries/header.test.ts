import { parseSavedQuery } from "@app/core/queries/header";
import { scanSql } from "@app/core/queries/scan";
import { describe, expect, it } from "vitest";

const TABLES = ["cloudtrail", "cloudfront", "app_events", "quarantine"];

const HEADER = `-- name: Root use
-- description: Calls made as root.
--   Root should be rare.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: CloudTrail
-- schedule: cron(0 6 * * ? *)
-- chart: event_name
`;
const BODY =
  "SELECT event_time, event_name\nFROM cloudtrail\nWHERE dt BETWEEN ? AND ?\n  AND user_identity_type = 'Root'";

describe("parseSavedQuery", () => {
  it("reads every header field, joins continuation lines and strips the header and trailing semicolon", () => {
    expect(parseSavedQuery("app/root", `${HEADER}${BODY};\n`, TABLES)).toStrictEqual({
      id: "app/root",
      name: "Root use",
      description: "Calls made as root. Root should be rare.",
      tables: ["cloudtrail"],
      params: ["from", "to"],
      severity: "high",
      report: "security",
      section: "CloudTrail",
      schedule: "cron(0 6 * * ? *)",
      chart: { label: "event_name" },
      output: "csv",
      sql: BODY,
    });
  });

  it("accepts an ad-hoc query without report, section, schedule or chart", () => {
    const text =
      "-- name: X\n-- description: Y\n-- tables: cloudfront\n-- params: to\n-- severity: info\n-- chart: c_ip requests\n-- output: parquet\nSELECT 1 FROM cloudfront WHERE dt = ?";
    expect(parseSavedQuery("x", text, TABLES)).toStrictEqual({
      id: "x",
      name: "X",
      description: "Y",
      tables: ["cloudfront"],
      params: ["to"],
      severity: "info",
      chart: { label: "c_ip", value: "requests" },
      output: "parquet",
      sql: "SELECT 1 FROM cloudfront WHERE dt = ?",
    });
  });

  const bad: [string, string, string][] = [
    ["an unknown key", HEADER.replace("-- chart:", "-- chrat:"), 'unknown header key "chrat"'],
    ["a key given twice", `${HEADER}-- name: Again\n`, 'header key "name" given twice'],
    ["a missing name", HEADER.replace("-- name: Root use\n", ""), 'missing "-- name:" in the header'],
    ["an unknown severity", HEADER.replace("severity: high", "severity: urgent"), 'severity: "urgent" is not one of'],
    [
      "an unknown table",
      HEADER.replace("tables: cloudtrail", "tables: cloudtrial"),
      'tables: unknown table "cloudtrial"',
    ],
    ["an unknown parameter", HEADER.replace("params: from, to", "params: from, until"), 'unknown parameter "until"'],
    ["a bad schedule", HEADER.replace("cron(0 6 * * ? *)", "daily at six"), 'schedule: "daily at six" is not'],
    ["a report without section", HEADER.replace("-- section: CloudTrail\n", ""), '"-- section:" is required'],
    ["a bad chart", HEADER.replace("chart: event_name", "chart: a b c"), "chart: expected"],
    ["a stray header line", HEADER.replace("-- severity: high", "-- severity high"), 'expected "-- key: value"'],
  ];
  it.each(bad)("rejects %s", (_what, header, message) => {
    expect(() => parseSavedQuery("q", `${header}${BODY}`, TABLES)).toThrow(message);
  });

  const badBodies: [string, string, string][] = [
    [
      "more placeholders than params",
      `${BODY} AND hour = ?`,
      'the statement has 3 "?" placeholders but params lists 2',
    ],
    ["two statements", `${BODY};\nSELECT 1 FROM cloudtrail WHERE dt = ?`, "one statement per file"],
    ["a ? inside a comment", `${BODY} -- why?`, "no `?` inside comments"],
    [
      "an undeclared table",
      `${BODY} AND event_id IN (SELECT request_id FROM app_events WHERE dt = '2024-01-01')`,
      'reads table "app_events"',
    ],
    ["a declared table it never reads", BODY.replace("FROM cloudtrail", "FROM (SELECT 1) x"), 'lists "cloudtrail" but'],
    [
      "a scan without a dt filter",
      BODY.replace("dt BETWEEN ? AND ?", "? < ?"),
      "filters on the partition column dt only 0 times",
    ],
    ["backquoted identifiers", `${BODY} AND \`event_name\` = 'x'`, "backquoted identifiers"],
    [
      "an array_agg without ORDER BY",
      BODY.replace("SELECT event_time, event_name", "SELECT array_agg(event_id) AS ids"),
      "array_agg(…) needs an ORDER BY inside it",
    ],
    [
      "an ORDER BY only inside a nested call",
      BODY.replace("SELECT event_time, event_name", "SELECT string_agg(concat_ws(',', a, b), ';') AS s"),
      "string_agg(…) needs an ORDER BY",
    ],
    ["an unterminated string", `${BODY} AND x = 'oops`, "unterminated"],
    ["no statement", "", "no SQL statement"],
  ];
  it.each(badBodies)("rejects a statement with %s", (_what, body, message) => {
    expect(() => parseSavedQuery("q", `${HEADER}${body}`, TABLES)).toThrow(message);
  });

  it.each([
    "array_agg(event_id ORDER BY event_time, event_id)",
    "array_sort(array_agg(DISTINCT event_id))",
    "ARRAY_AGG(x order  by y) || ARRAY[z]",
    "max(event_time) -- array_agg(x) in a comment",
    "'array_agg(x)' AS literal",
  ])("accepts an aggregate whose order is fixed, or text that only looks like one: %s", (select) => {
    const sql = BODY.replace("SELECT event_time, event_name", `SELECT ${select}`);
    expect(parseSavedQuery("q", `${HEADER}${sql}`, TABLES).sql).toBe(sql);
  });

  it("names the file in every error", () => {
    expect(() => parseSavedQuery("cloudtrail/x", "-- name: X\nSELECT 1", TABLES)).toThrow(
      'queries/cloudtrail/x.sql: missing "-- description:" in the header',
    );
  });

  it("rejects file names that are not kebab-case", () => {
    expect(() => parseSavedQuery("CloudTrail/Root_Use", `${HEADER}${BODY}`, TABLES)).toThrow("kebab-case");
  });
});

describe("parseSavedQuery: detection headers", () => {
  const DETECTION = `-- name: Trust opened
-- description: A role's trust policy names another account.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Persistence
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0003, TA0004
-- techniques: T1098.001, T1078.004
-- cis: 4.4
-- stratus: aws.persistence.iam-backdoor-role
-- alert: true
-- runbook: Check who changed the trust policy;
--   restore the previous one.
-- actor: user_identity_arn
-- target: role_name
`;
  const SQL =
    "SELECT event_time, event_id FROM cloudtrail\nWHERE dt BETWEEN ? AND ?\n  AND recipient_account_id NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'account')";
  const KNOWN = [...TABLES, "detection_allowlist"];

  it("reads kind, ATT&CK and CIS ids, Stratus ids, alert, runbook, actor and target; the allow-list needs no dt", () => {
    expect(parseSavedQuery("cloudtrail/trust", `${DETECTION}${SQL}`, KNOWN).detection).toStrictEqual({
      kind: "event",
      tactics: ["TA0003", "TA0004"],
      techniques: ["T1098.001", "T1078.004"],
      cis: ["4.4"],
      stratus: ["aws.persistence.iam-backdoor-role"],
      alert: true,
      runbook: "Check who changed the trust policy; restore the previous one.",
      actor: ["user_identity_arn"],
      target: ["role_name"],
    });
  });

  const bad: [string, string, string][] = [
    [
      "an unknown kind",
      DETECTION.replace("kind: event", "kind: burst"),
      'kind: "burst" must be one of event, aggregate',
    ],
    ["a bad tactic id", DETECTION.replace("TA0003, TA0004", "TA0003, TA04"), 'tactics: "TA04" is not an ATT&CK tactic'],
    ["an unknown tactic id", DETECTION.replace("TA0003, TA0004", "TA0099"), 'tactics: "TA0099" is not'],
    ["a bad technique id", DETECTION.replace("T1098.001", "T1098.1"), 'techniques: "T1098.1" is not'],
    ["a CIS control outside 4.1-4.15", DETECTION.replace("cis: 4.4", "cis: 4.16"), 'cis: "4.16" is not'],
    [
      "a bad Stratus id",
      DETECTION.replace("aws.persistence.iam-backdoor-role", "iam-backdoor"),
      'stratus: "iam-backdoor"',
    ],
    ["a bad alert flag", DETECTION.replace("alert: true", "alert: yes"), 'alert: "yes" must be true or false'],
    ["no tactics", DETECTION.replace("-- tactics: TA0003, TA0004\n", ""), '"-- tactics:" is required'],
    ["no techniques", DETECTION.replace("-- techniques: T1098.001, T1078.004\n", ""), '"-- techniques:" is required'],
    ["no actor", DETECTION.replace("-- actor: user_identity_arn\n", ""), '"-- actor:" is required'],
    ["no target", DETECTION.replace("-- target: role_name\n", ""), '"-- target:" is required'],
    ["a bad actor column", DETECTION.replace("actor: user_identity_arn", "actor: who?"), 'actor: "who?" is not'],
    [
      "a section that is not the first tactic",
      DETECTION.replace("section: Persistence", "section: IAM"),
      "must be the first tactic's name",
    ],
    ["a tactic given twice", DETECTION.replace("TA0003, TA0004", "TA0003, TA0003"), "tactics: lists a value twice"],
    ["a security CloudTrail query without kind", DETECTION.replace("-- kind: event\n", ""), '"-- kind:" is required'],
  ];
  it.each(bad)("rejects %s", (_what, header, message) => {
    expect(() => parseSavedQuery("cloudtrail/trust", `${header}${SQL}`, KNOWN)).toThrow(message);
  });

  it("rejects detection keys on a query that is no detection", () => {
    const adhoc = DETECTION.replace("-- kind: event\n", "").replace("-- report: security\n", "");
    expect(() => parseSavedQuery("cloudtrail/trust", `${adhoc}${SQL}`, KNOWN)).toThrow(
      '"-- tactics:" needs "-- kind:"',
    );
  });
});

describe("scanSql", () => {
  it("counts placeholders outside literals, identifiers and comments", () => {
    expect(
      scanSql(`SELECT '?', "a?b", x -- what?\nFROM t /* ? */ WHERE y = ? AND z = 'it''s ?' AND w = ?;`),
    ).toStrictEqual({
      placeholders: 2,
      separators: 0,
      placeholdersInComments: 2,
      code: `SELECT '', "a?b", x         \nFROM t         WHERE y = ? AND z = '' AND w = ? `,
      mask: `SELECT ' ', "a?b", x         \nFROM t         WHERE y = ? AND z = '       ' AND w = ? `,
      unterminated: false,
    });
  });

  it("counts a semicolon followed by more SQL as a second statement, not a trailing one", () => {
    expect(scanSql("SELECT 1; SELECT 2;").separators).toBe(1);
    expect(scanSql("SELECT 1;  \n").separators).toBe(0);
  });

  it("reports unterminated literals and comments", () => {
    expect(scanSql("SELECT 'x").unterminated).toBe(true);
    expect(scanSql("SELECT 1 /* open").unterminated).toBe(true);
  });
});
