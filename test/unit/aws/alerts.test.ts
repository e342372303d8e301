// fauxqs (the S3 emulator the e2e tests use) ignores If-None-Match on PutObject, so the conditional write that
// claims an alert on AWS is tested here with the S3 client mocked by aws-sdk-client-mock.

import { s3AlertClaims } from "@app/aws/alerts";
import { DeleteObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";

const s3mock = mockClient(S3Client);
const client = new S3Client({ region: "us-east-1" });
const KEY = "_alerts/cloudtrail/root-account-usage/e1.json";

function s3Error(name: string, status: number) {
  return new S3ServiceException({ name, $fault: "client", $metadata: { httpStatusCode: status }, message: name });
}

beforeEach(() => {
  s3mock.reset();
});

describe("s3AlertClaims", () => {
  it("claims with a conditional PutObject under the lake prefix and reports a 412 as claimed before", async () => {
    // Arrange
    s3mock.on(PutObjectCommand).resolvesOnce({}).rejects(s3Error("PreconditionFailed", 412));
    const claims = s3AlertClaims(client, "lake-bucket", "lake/");
    // Act
    const outcomes = [await claims.claim(KEY, "{}"), await claims.claim(KEY, "{}")];
    // Assess
    expect(outcomes).toStrictEqual([true, false]);
    expect(s3mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input)).toStrictEqual([
      { Bucket: "lake-bucket", Key: `lake/${KEY}`, Body: "{}", IfNoneMatch: "*", ContentType: "application/json" },
      { Bucket: "lake-bucket", Key: `lake/${KEY}`, Body: "{}", IfNoneMatch: "*", ContentType: "application/json" },
    ]);
  });

  it("throws a conflict (a concurrent conditional write) so the message is retried, and releases by deleting", async () => {
    // Arrange
    s3mock.on(PutObjectCommand).rejects(s3Error("ConditionalRequestConflict", 409));
    s3mock.on(DeleteObjectCommand).resolves({});
    const claims = s3AlertClaims(client, "lake-bucket");
    // Act
    const claimed = await claims.claim(KEY, "{}").then(
      () => "claimed",
      (e: Error) => e.name,
    );
    await claims.release(KEY);
    // Assess
    expect(claimed).toBe("ConditionalRequestConflict");
    expect(s3mock.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input)).toStrictEqual([
      { Bucket: "lake-bucket", Key: KEY },
    ]);
  });
});
