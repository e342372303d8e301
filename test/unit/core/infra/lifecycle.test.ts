import {
  expiringLifecycle,
  lakeLifecycle,
  reportsLifecycle,
  tableRetentionDays,
  wormLifecycle,
} from "@app/core/infra/lifecycle";
import { lakeWritePrefixes } from "@app/core/lake-layout";
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

  it("expires current copies after the retention period, and older versions the retention after they were replaced", () => {
    const [rule] = wormLifecycle(2557);
    expect(rule?.expiration).toStrictEqual({ days: 2557 });
    expect(rule?.noncurrentVersionExpiration).toStrictEqual({ noncurrentDays: 2557 });
  });

  it("keeps only the tiers that come before the expiry, for current and older versions", () => {
    expect(wormLifecycle(90)).toStrictEqual([
      {
        id: "worm-retention",
        status: "Enabled",
        filter: { prefix: "" },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        transitions: [{ days: 30, storageClass: "STANDARD_IA" }],
        expiration: { days: 90 },
        noncurrentVersionTransitions: [{ noncurrentDays: 30, storageClass: "STANDARD_IA" }],
        noncurrentVersionExpiration: { noncurrentDays: 90 },
      },
    ]);
  });
});

describe("lakeLifecycle", () => {
  const tables = ["cloudtrail", "cloudfront", "quarantine"];
  const versions = {
    id: "lake-versions",
    status: "Enabled",
    filter: { prefix: "" },
    abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
    noncurrentVersionExpiration: { noncurrentDays: 30 },
  };

  it("keeps every table and the manifests when no table has a retention", () => {
    expect(lakeLifecycle({ noncurrentDays: 30, lakePrefix: "", tables, tableDays: {} })).toStrictEqual([versions]);
  });

  it("expires each table with a retention under its own folder, and keeps the manifests while a table is kept", () => {
    expect(
      lakeLifecycle({
        noncurrentDays: 30,
        lakePrefix: "lake/",
        tables,
        tableDays: { cloudfront: 400, quarantine: 90 },
      }),
    ).toStrictEqual([
      versions,
      {
        id: "lake-table-cloudfront",
        status: "Enabled",
        filter: { prefix: "lake/cloudfront/" },
        expiration: { days: 400 },
      },
      {
        id: "lake-table-quarantine",
        status: "Enabled",
        filter: { prefix: "lake/quarantine/" },
        expiration: { days: 90 },
      },
    ]);
  });

  it("caps every table outside permanent stages and expires the manifests with the longest-kept table", () => {
    const rules = lakeLifecycle({
      noncurrentDays: 30,
      lakePrefix: "",
      tables,
      tableDays: { cloudfront: 400, quarantine: 7 },
      maxDays: 30,
    });
    expect(rules.map((r) => [r.id, r.filter.prefix, r.expiration])).toStrictEqual([
      ["lake-versions", "", undefined],
      ["lake-table-cloudtrail", "cloudtrail/", { days: 30 }],
      ["lake-table-cloudfront", "cloudfront/", { days: 30 }],
      ["lake-table-quarantine", "quarantine/", { days: 7 }],
      ["lake-manifests", "_ingest/", { days: 30 }],
      ["lake-chain", "_chain/", { days: 30 }],
      ["lake-compactions", "_compact/", { days: 30 }],
    ]);
  });

  it("covers exactly the prefixes the lake writer puts objects under", () => {
    const rules = lakeLifecycle({ noncurrentDays: 30, lakePrefix: "l/", tables, tableDays: {}, maxDays: 30 });
    expect(rules.slice(1).map((r) => r.filter.prefix)).toStrictEqual(lakeWritePrefixes("l/", tables));
  });
});

describe("tableRetentionDays", () => {
  it("takes the shorter of a table's days and the stage's cap, and leaves a table without either kept", () => {
    expect(
      tableRetentionDays({ noncurrentDays: 1, lakePrefix: "", tables: ["a", "b", "c"], tableDays: { a: 10, b: 90 } }),
    ).toStrictEqual([{ table: "a", days: 10 }, { table: "b", days: 90 }, { table: "c" }]);
    expect(
      tableRetentionDays({ noncurrentDays: 1, lakePrefix: "", tables: ["a", "c"], tableDays: { a: 10 }, maxDays: 5 }),
    ).toStrictEqual([
      { table: "a", days: 5 },
      { table: "c", days: 5 },
    ]);
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
