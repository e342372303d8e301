import { reportInfo } from "@app/core/reports/info";
import { describe, expect, it } from "vitest";

describe("reportInfo", () => {
  it("says plainly what the compliance report cannot show", () => {
    expect(reportInfo("compliance").limits.length).toBe(3);
    expect(reportInfo("other")).toStrictEqual({ title: "other report", description: "", limits: [] });
  });
});
