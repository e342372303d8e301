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
