// fauxqs keeps no Object Lock configuration (it answers `{}` for every bucket), so the S3 client is mocked here.
import { GetObjectLockConfigurationCommand, S3Client } from "@aws-sdk/client-s3";
import { checkWormBucket } from "@loglake/audit";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";

const s3mock = mockClient(S3Client);
const s3 = new S3Client({ region: "us-east-1" });
const error = (name: string) => Object.assign(new Error(name), { name });

afterEach(() => {
  s3mock.reset();
});

describe("checkWormBucket", () => {
  it("reports the mode and default retention of a locked bucket", async () => {
    s3mock.on(GetObjectLockConfigurationCommand, { Bucket: "audit" }).resolves({
      ObjectLockConfiguration: {
        ObjectLockEnabled: "Enabled",
        Rule: { DefaultRetention: { Mode: "COMPLIANCE", Years: 7 } },
      },
    });
    expect(await checkWormBucket(s3, "audit")).toStrictEqual({
      ok: true,
      defaultRetention: { mode: "COMPLIANCE", years: 7 },
    });
  });

  it("accepts a locked bucket without a default rule (the sink locks every object itself)", async () => {
    s3mock
      .on(GetObjectLockConfigurationCommand)
      .resolves({ ObjectLockConfiguration: { ObjectLockEnabled: "Enabled" } });
    expect(await checkWormBucket(s3, "audit")).toStrictEqual({ ok: true, defaultRetention: null });
  });

  it.each([
    [{ ObjectLockConfiguration: {} }, "bucket audit does not have Object Lock enabled"],
    [
      error("ObjectLockConfigurationNotFoundError"),
      "bucket audit has no Object Lock configuration (Object Lock is enabled when a bucket is created, or later with versioning on)",
    ],
    [error("NoSuchBucket"), "bucket audit does not exist"],
    [
      error("AccessDenied"),
      "not allowed to read bucket audit's Object Lock configuration (s3:GetBucketObjectLockConfiguration)",
    ],
    [error("SlowDown"), "cannot read bucket audit's Object Lock configuration: SlowDown: SlowDown"],
  ])("names the problem when S3 answers %o", async (answer, problem) => {
    if (answer instanceof Error) s3mock.on(GetObjectLockConfigurationCommand).rejects(answer);
    else s3mock.on(GetObjectLockConfigurationCommand).resolves(answer);
    expect(await checkWormBucket(s3, "audit")).toStrictEqual({ ok: false, problem });
  });
});
