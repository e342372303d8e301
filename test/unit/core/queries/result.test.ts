import { canonicalTimestamp, kindOfType, toCell } from "@app/core/queries/result";
import { describe, expect, it } from "vitest";

describe("results", () => {
  it.each([
    ["2024-03-08 09:30:00", "2024-03-08T09:30:00.000Z"],
    ["2024-03-08 09:30:00.123456", "2024-03-08T09:30:00.123Z"],
    ["2024-03-08 09:30:00.000 UTC", "2024-03-08T09:30:00.000Z"],
    ["2024-03-08T09:30:00.5Z", "2024-03-08T09:30:00.500Z"],
  ])("canonicalTimestamp(%s) is %s", (text, want) => {
    expect(canonicalTimestamp(text)).toBe(want);
  });

  it("maps DuckDB and Trino type names to the same kinds", () => {
    expect(
      [
        "BIGINT",
        "bigint",
        "HUGEINT",
        "DOUBLE",
        "decimal(10,2)",
        "TIMESTAMP",
        "timestamp(3) with time zone",
        "DATE",
        "BOOLEAN",
        "VARCHAR",
        "array(varchar)",
        "INTEGER[]",
        "STRUCT(a INTEGER)",
        "TIMESTAMP[]",
        "MAP(VARCHAR, INTEGER)",
      ].map(kindOfType),
    ).toStrictEqual([
      "number",
      "number",
      "number",
      "number",
      "number",
      "timestamp",
      "timestamp",
      "date",
      "boolean",
      "string",
      "string",
      "string",
      "string",
      "string",
      "string",
    ]);
  });

  it("keeps every digit: safe integers and short decimals as numbers, the rest as the engine's text", () => {
    expect(
      ["42", "-9007199254740991", "9007199254740993", "1.50", "123456789012.345", "1234567890123456.7", 2.5].map((v) =>
        toCell(v, "number"),
      ),
    ).toStrictEqual([42, -9007199254740991, "9007199254740993", 1.5, 123456789012.345, "1234567890123456.7", 2.5]);
  });

  it("writes timestamps as ISO 8601 UTC, with sub-millisecond digits only when asked, and nested values as JSON", () => {
    expect([
      toCell("2024-03-08 09:30:00.123456", "timestamp"),
      toCell("2024-03-08 09:30:00.123456", "timestamp", "exact"),
      toCell("2024-03-08 09:30:00.120000", "timestamp", "exact"),
      toCell("infinity", "timestamp"),
      toCell([1, { a: 2 }], "string"),
    ]).toStrictEqual([
      "2024-03-08T09:30:00.123Z",
      "2024-03-08T09:30:00.123456Z",
      "2024-03-08T09:30:00.120Z",
      "infinity",
      '[1,{"a":2}]',
    ]);
  });

  it("converts engine text to typed cells", () => {
    expect([
      toCell("40", "number"),
      toCell("true", "boolean"),
      toCell(undefined, "string"),
      toCell("NaN", "number"),
    ]).toStrictEqual([40, true, null, "NaN"]);
  });
});
