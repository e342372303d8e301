import { stagePolicy } from "@app/core/infra/stage";
import { describe, expect, it } from "vitest";

describe("stagePolicy", () => {
  it("retains and protects a production stage and never empties its buckets", () => {
    expect(stagePolicy("production")).toStrictEqual({
      stage: "production",
      permanent: true,
      removal: "retain",
      protect: true,
      forceDestroy: false,
    });
  });

  it("lets a personal stage be removed completely", () => {
    expect(stagePolicy("alice")).toStrictEqual({
      stage: "alice",
      permanent: false,
      removal: "remove",
      protect: false,
      forceDestroy: true,
    });
  });

  it("follows the configured list of permanent stages", () => {
    expect(stagePolicy("staging", ["staging"]).permanent).toBe(true);
    expect(stagePolicy("production", ["staging"]).permanent).toBe(false);
  });
});
