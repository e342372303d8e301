import { expiringLifecycle, lakeLifecycle, reportsLifecycle, wormLifecycle } from "@app/core/infra/lifecycle";
import { describe, expect, it } from "vitest";

describe("wormLifecycle", () => {
  it("moves objects to Standard-IA after 30 days, Glacier after 90 and Deep Archive after 365", () => {
    const [rule] = wormLifecycle(2557);
    expect(rule?.transitions).toStrictEqual([
      { days: 30, storageClass: "STANDARD_IA" },
      { days: 90, storageClass: "GLACIER" },
      { days: 365, storageClass: "DEEP_ARCHIVE" },
    ]);
  });

  it("never expires current objects, and older versions only after the retention period", () => {
    const [rule] = wormLifecycle(2557);
    expect(rule?.expiration).toBeUndefined();
    expect(rule?.noncurrentVersionExpiration).toStrictEqual({ noncurrentDays: 2557 });
  });

  it("drops noncurrent transitions that would not come before the noncurrent expiry", () => {
    const [rule] = wormLifecycle(90);
    expect(rule?.noncurrentVersionTransitions).toStrictEqual([{ noncurrentDays: 30, storageClass: "STANDARD_IA" }]);
  });
});

describe("lakeLifecycle", () => {
  it("keeps current objects in a permanent stage and removes old versions and aborted uploads", () => {
    expect(lakeLifecycle({ noncurrentDays: 30 })).toStrictEqual([
      {
        id: "lake-versions",
        status: "Enabled",
        filter: { prefix: "" },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        noncurrentVersionExpiration: { noncurrentDays: 30 },
      },
    ]);
  });

  it("expires current objects of a throwaway stage", () => {
    expect(lakeLifecycle({ noncurrentDays: 7, expireDays: 14 })[0]?.expiration).toStrictEqual({ days: 14 });
  });
});

describe("expiringLifecycle", () => {
  it("expires every object after the given days", () => {
    expect(expiringLifecycle("athena-results", 7)).toStrictEqual([
      {
        id: "athena-results",
        status: "Enabled",
        filter: { prefix: "" },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
        expiration: { days: 7 },
        noncurrentVersionExpiration: { noncurrentDays: 1 },
      },
    ]);
  });
});

describe("reportsLifecycle", () => {
  it("keeps exports (no expiration of current objects)", () => {
    expect(reportsLifecycle().map((r) => r.expiration)).toStrictEqual([undefined]);
  });
});
