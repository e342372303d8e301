import { DEFAULT_BYTES_SCANNED_CUTOFF, workgroupConfiguration } from "@app/core/infra/athena";
import { describe, expect, it } from "vitest";

const KEY = "arn:aws:kms:eu-west-1:111122223333:key/abc";

describe("workgroupConfiguration", () => {
  const config = workgroupConfiguration({
    resultsBucket: "loglake-prod-athena",
    kmsKeyArn: KEY,
    bytesScannedCutoffPerQuery: DEFAULT_BYTES_SCANNED_CUTOFF,
  });

  it("uses engine version 3", () => {
    expect(config.engineVersion).toStrictEqual({ selectedEngineVersion: "Athena engine version 3" });
  });

  it("enforces its configuration on every client", () => {
    expect(config.enforceWorkgroupConfiguration).toBe(true);
  });

  it("encrypts results with the project KMS key in the results bucket", () => {
    expect(config.resultConfiguration).toStrictEqual({
      outputLocation: "s3://loglake-prod-athena/results/",
      encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: KEY },
    });
  });

  it("cuts off a query after 50 GiB scanned by default", () => {
    expect(config.bytesScannedCutoffPerQuery).toBe(53_687_091_200);
  });

  it("rejects a cutoff below Athena's 10 MB minimum", () => {
    expect(() =>
      workgroupConfiguration({ resultsBucket: "b", kmsKeyArn: KEY, bytesScannedCutoffPerQuery: 1000 }),
    ).toThrow("bytesScannedCutoffPerQuery must be a whole number of bytes >= 10000000");
  });
});
