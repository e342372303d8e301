import { reportError } from "@app/cli/errors";
import { closest, integerIn, oneOf, parseDay } from "@app/cli/values";
import { describe, expect, it } from "vitest";

const NOW = new Date("2025-06-13T08:00:00Z");

describe("parseDay", () => {
  it.each([
    ["2025-06-12", "2025-06-12"],
    ["today", "2025-06-13"],
    ["Yesterday", "2025-06-12"],
    ["-7d", "2025-06-06"],
    ["-0d", "2025-06-13"],
  ])("reads %s as %s", (value, day) => {
    expect(parseDay("--from", value, NOW)).toBe(day);
  });

  it.each([
    ["2025-13-45", '--from: "2025-13-45" is not a calendar date'],
    ["2024-02-30", '--from: "2024-02-30" is not a calendar date'],
    [
      "tomorrow",
      '--from: "tomorrow" is not a date (use YYYY-MM-DD, today, yesterday or -Nd (N days before today, UTC))',
    ],
    [
      "2025-06-12T00:00:00Z",
      '--from: "2025-06-12T00:00:00Z" is not a date (use YYYY-MM-DD, today, yesterday or -Nd (N days before today, UTC))',
    ],
  ])("refuses %s", (value, message) => {
    expect(() => parseDay("--from", value, NOW)).toThrow(message);
  });
});

describe("closest and oneOf", () => {
  it("names the known value a typo most likely meant, and nothing for a far miss", () => {
    expect([
      closest("cloudtrial", ["cloudfront", "cloudtrail"]),
      closest("dialy", ["daily", "weekly"]),
      closest("syslog", ["cloudtrail", "app_json"]),
    ]).toStrictEqual(["cloudtrail", "daily", undefined]);
    expect(() => oneOf("--format", "jsno", ["table", "csv", "json"], "format")).toThrow(
      "--format jsno: unknown format; did you mean json? (one of table, csv, json)",
    );
  });

  it("reads whole numbers in a range and refuses the rest", () => {
    const days = integerIn("--days", 1, 366);
    expect(days("7")).toBe(7);
    expect(() => days("abc")).toThrow("--days abc: not a whole number (use 1 to 366)");
    expect(() => days("1.5")).toThrow("--days 1.5: not a whole number (use 1 to 366)");
    expect(() => days("367")).toThrow("--days 367: out of range (use 1 to 366)");
  });
});

describe("reportError", () => {
  const named = (name: string, message: string, extra: object = {}) =>
    Object.assign(new Error(message), { name }, extra);

  it("turns input problems into one line and exit code 2, and anything else into exit code 3", () => {
    const sql = new Error(
      'Failed to extract statements: Parser Error: syntax error at or near "selec"\n\nLINE 1: selec 1\n        ^',
    );
    expect(
      [
        sql,
        named("CredentialsProviderError", "Could not load credentials from any providers"),
        Object.assign(new Error("getaddrinfo ENOTFOUND nosuchhost.invalid"), {
          code: "ENOTFOUND",
          hostname: "nosuchhost.invalid",
        }),
        named("AccessDenied", "Access Denied", { $metadata: { httpStatusCode: 403 } }),
        new Error("query cloudtrail/x failed on duckdb: IO Error: No files found", { cause: new Error("IO Error: x") }),
        named("ConfigValidationError", "invalid", { issues: [{ field: "worm.mode", message: "must be X" }] }),
        new TypeError("Cannot read properties of undefined (reading 'x')"),
      ].map(reportError),
    ).toStrictEqual([
      { lines: ['SQL Parser Error: syntax error at or near "selec" (LINE 1: selec 1)'], code: 2 },
      {
        lines: [
          "no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (local emulators: give --endpoint)",
        ],
        code: 2,
      },
      { lines: ["cannot reach nosuchhost.invalid: ENOTFOUND (unknown host)"], code: 2 },
      { lines: ["AWS AccessDenied (HTTP 403): Access Denied"], code: 2 },
      { lines: ["query cloudtrail/x failed on duckdb: SQL IO Error: No files found"], code: 2 },
      { lines: ["worm.mode: must be X"], code: 2 },
      {
        lines: [
          "unexpected error: Cannot read properties of undefined (reading 'x') (run with --verbose for the stack)",
        ],
        code: 3,
      },
    ]);
  });
});
