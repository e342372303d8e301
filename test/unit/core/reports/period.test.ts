import { customPeriod, paramValues, previousPeriod } from "@app/core/reports/period";
import { describe, expect, it } from "vitest";

describe("previousPeriod", () => {
  it.each([
    ["daily", "2024-03-10T06:00:00Z", { kind: "daily", from: "2024-03-09", to: "2024-03-09", label: "2024-03-09" }],
    ["daily", "2024-03-01T00:00:00Z", { kind: "daily", from: "2024-02-29", to: "2024-02-29", label: "2024-02-29" }],
    // Sunday 2024-03-10: last complete ISO week is Mon 2024-02-26 .. Sun 2024-03-03.
    ["weekly", "2024-03-10T06:00:00Z", { kind: "weekly", from: "2024-02-26", to: "2024-03-03", label: "2024-W09" }],
    ["weekly", "2024-03-11T06:00:00Z", { kind: "weekly", from: "2024-03-04", to: "2024-03-10", label: "2024-W10" }],
    // ISO week-year differs from the calendar year around New Year.
    ["weekly", "2021-01-05T06:00:00Z", { kind: "weekly", from: "2020-12-28", to: "2021-01-03", label: "2020-W53" }],
    ["weekly", "2025-01-06T06:00:00Z", { kind: "weekly", from: "2024-12-30", to: "2025-01-05", label: "2025-W01" }],
    ["monthly", "2024-03-01T07:00:00Z", { kind: "monthly", from: "2024-02-01", to: "2024-02-29", label: "2024-02" }],
    ["monthly", "2024-01-15T07:00:00Z", { kind: "monthly", from: "2023-12-01", to: "2023-12-31", label: "2023-12" }],
    [
      "quarterly",
      "2024-01-15T07:00:00Z",
      { kind: "quarterly", from: "2023-10-01", to: "2023-12-31", label: "2023-Q4" },
    ],
    [
      "quarterly",
      "2024-05-01T07:00:00Z",
      { kind: "quarterly", from: "2024-01-01", to: "2024-03-31", label: "2024-Q1" },
    ],
    ["annual", "2024-01-01T07:00:00Z", { kind: "annual", from: "2023-01-01", to: "2023-12-31", label: "2023" }],
  ] as const)("%s as of %s", (kind, now, want) => {
    expect(previousPeriod(kind, new Date(now))).toStrictEqual(want);
  });
});

describe("customPeriod", () => {
  it("labels a range by both days, a single day by itself", () => {
    expect(customPeriod("2024-03-08", "2024-03-09")).toStrictEqual({
      kind: "custom",
      from: "2024-03-08",
      to: "2024-03-09",
      label: "2024-03-08_2024-03-09",
    });
    expect(customPeriod("2024-03-08", "2024-03-08").label).toBe("2024-03-08");
  });

  it.each([
    ["2024-02-30", "2024-03-01", '--from: "2024-02-30" is not a YYYY-MM-DD date'],
    ["2024-3-1", "2024-03-01", '--from: "2024-3-1" is not a YYYY-MM-DD date'],
    ["2024-03-02", "2024-03-01", "--to 2024-03-01 is before --from 2024-03-02"],
  ])("rejects %s .. %s", (from, to, message) => {
    expect(() => customPeriod(from, to)).toThrow(message);
  });
});

describe("paramValues", () => {
  it("orders the period's days as the query's placeholders need them", () => {
    expect(
      paramValues({ params: ["from", "to", "from", "from"] }, { from: "2024-03-08", to: "2024-03-09" }),
    ).toStrictEqual(["2024-03-08", "2024-03-09", "2024-03-08", "2024-03-08"]);
  });
});
