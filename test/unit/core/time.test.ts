import { describe, expect, it } from "vitest";
import { toIsoUtc } from "../../../packages/core/src/time.ts";

describe("toIsoUtc", () => {
  it.each([
    ["2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z"],
    ["2024-01-02T03:04:05.123Z", "2024-01-02T03:04:05.123Z"],
    ["2024-01-02T05:04:05+02:00", "2024-01-02T03:04:05.000Z"],
    ["2024-01-02 03:04:05", "2024-01-02T03:04:05.000Z"],
    ["1704164645", "2024-01-02T03:04:05.000Z"],
    ["1704164645.123", "2024-01-02T03:04:05.123Z"],
    [1704164645123, "2024-01-02T03:04:05.123Z"],
    ["2024-02-30T00:00:00Z", null],
    ["yesterday", null],
    ["", null],
    [-5, null],
    [{}, null],
  ])("normalises %j to %j", (input, expected) => {
    expect(toIsoUtc(input)).toBe(expected);
  });
});
