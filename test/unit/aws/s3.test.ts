import { Readable } from "node:stream";
import { copyObject, copySource, readObject } from "@app/aws/s3";
import { ObjectGoneError } from "@app/pipeline/ports";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";

// The emulator has no UploadPartCopy and cannot break a response body half-way, so these cases mock the S3
// client; everything else about S3 is tested against the emulator in test/e2e.
const s3 = new S3Client({ region: "us-east-1" });
const mock = mockClient(s3);
const limits = { multipartThresholdBytes: 100, partSizeBytes: 40 };

beforeEach(() => {
  mock.reset();
});

async function collect(it: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const c of it) chunks.push(c);
  return Buffer.concat(chunks).toString("utf8");
}

describe("copyObject", () => {
  it("copies in one request with metadata kept, checksum, Object Lock and the source ETag pinned", async () => {
    // Prepare
    mock.on(CopyObjectCommand).resolves({});
    // Act
    const result = await copyObject(s3, {
      source: { bucket: "src", key: "a b/c+d.json.gz", eTag: "abc" },
      target: { bucket: "worm", key: "prod/cloudtrail/a b/c+d.json.gz" },
      size: 100,
      objectLock: { mode: "COMPLIANCE", retainUntil: "2031-01-01T00:00:00.000Z" },
      limits,
    });
    // Assess
    expect(result).toStrictEqual({ multipart: false });
    expect(mock.commandCalls(CopyObjectCommand).map((c) => c.args[0].input)).toStrictEqual([
      {
        Bucket: "worm",
        Key: "prod/cloudtrail/a b/c+d.json.gz",
        CopySource: "src/a%20b/c%2Bd.json.gz",
        MetadataDirective: "COPY",
        ChecksumAlgorithm: "SHA256",
        CopySourceIfMatch: '"abc"',
        ObjectLockMode: "COMPLIANCE",
        ObjectLockRetainUntilDate: new Date("2031-01-01T00:00:00.000Z"),
      },
    ]);
  });

  it("uses UploadPartCopy above the threshold, carrying metadata and SSE-KMS over by hand", async () => {
    // Prepare
    mock.on(HeadObjectCommand).resolves({
      ContentLength: 101,
      ETag: '"etag-1"',
      ContentType: "application/json",
      ContentEncoding: "gzip",
      Metadata: { signature: "sig" },
    });
    mock.on(CreateMultipartUploadCommand).resolves({ UploadId: "u1" });
    mock.on(UploadPartCopyCommand).callsFake((input: { PartNumber: number }) => ({
      CopyPartResult: { ETag: `"p${input.PartNumber}"`, ChecksumSHA256: `c${input.PartNumber}` },
    }));
    mock.on(CompleteMultipartUploadCommand).resolves({});
    // Act
    const result = await copyObject(s3, {
      source: { bucket: "src", key: "k" },
      target: { bucket: "acme", key: "prod/k" },
      kms: { kmsKeyId: "alias/acme" },
      limits,
    });
    // Assess
    expect(result).toStrictEqual({ multipart: true });
    expect(mock.commandCalls(CreateMultipartUploadCommand)[0]?.args[0].input).toStrictEqual({
      Bucket: "acme",
      Key: "prod/k",
      ChecksumAlgorithm: "SHA256",
      Metadata: { signature: "sig" },
      ContentType: "application/json",
      ContentEncoding: "gzip",
      ServerSideEncryption: "aws:kms",
      SSEKMSKeyId: "alias/acme",
    });
    expect(
      mock
        .commandCalls(UploadPartCopyCommand)
        .map((c) => [c.args[0].input.PartNumber, c.args[0].input.CopySourceRange, c.args[0].input.CopySourceIfMatch])
        .sort(),
    ).toStrictEqual([
      [1, "bytes=0-39", '"etag-1"'],
      [2, "bytes=40-79", '"etag-1"'],
      [3, "bytes=80-100", '"etag-1"'],
    ]);
    expect(mock.commandCalls(CompleteMultipartUploadCommand)[0]?.args[0].input.MultipartUpload).toStrictEqual({
      Parts: [
        { PartNumber: 1, ETag: '"p1"', ChecksumSHA256: "c1" },
        { PartNumber: 2, ETag: '"p2"', ChecksumSHA256: "c2" },
        { PartNumber: 3, ETag: '"p3"', ChecksumSHA256: "c3" },
      ],
    });
  });

  it("aborts the multipart upload when a part fails, and rethrows", async () => {
    // Prepare
    mock.on(HeadObjectCommand).resolves({ ContentLength: 200, ETag: '"e"' });
    mock.on(CreateMultipartUploadCommand).resolves({ UploadId: "u2" });
    mock.on(UploadPartCopyCommand).rejects(Object.assign(new Error("boom"), { name: "InternalError" }));
    mock.on(AbortMultipartUploadCommand).resolves({});
    // Act
    const copying = copyObject(s3, { source: { bucket: "s", key: "k" }, target: { bucket: "t", key: "k" }, limits });
    // Assess
    await expect(copying).rejects.toThrow("boom");
    expect(mock.commandCalls(AbortMultipartUploadCommand).map((c) => c.args[0].input)).toStrictEqual([
      { Bucket: "t", Key: "k", UploadId: "u2" },
    ]);
  });

  it("reports a source that changed since the notification as gone", async () => {
    // Prepare
    mock.on(CopyObjectCommand).rejects(Object.assign(new Error("precondition"), { name: "PreconditionFailed" }));
    // Act
    const copying = copyObject(s3, {
      source: { bucket: "s", key: "k", eTag: "old" },
      target: { bucket: "t", key: "k" },
      size: 1,
      limits,
    });
    // Assess
    await expect(copying).rejects.toBeInstanceOf(ObjectGoneError);
  });
});

describe("readObject", () => {
  it("resumes a body that breaks mid-way with a ranged GET pinned to the ETag", async () => {
    // Prepare
    const broken = new Readable({
      read() {
        this.push(Buffer.from("hello "));
        this.destroy(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
      },
    });
    mock
      .on(GetObjectCommand)
      .resolvesOnce({ ETag: '"e1"', Body: broken as never })
      .resolvesOnce({ ETag: '"e1"', Body: Readable.from([Buffer.from("world")]) as never });
    const resumed: number[] = [];
    // Act
    const text = await collect(
      readObject(s3, { bucket: "b", key: "k" }, { onResume: (offset) => resumed.push(offset) }),
    );
    // Assess
    expect(text).toBe("hello world");
    expect(resumed).toStrictEqual([6]);
    expect(mock.commandCalls(GetObjectCommand).map((c) => c.args[0].input)).toStrictEqual([
      { Bucket: "b", Key: "k" },
      { Bucket: "b", Key: "k", IfMatch: '"e1"', Range: "bytes=6-" },
    ]);
  });

  it("reads a pinned version by id", async () => {
    // Prepare
    mock.on(GetObjectCommand).resolves({ ETag: '"e"', Body: Readable.from([Buffer.from("x")]) as never });
    // Act
    await collect(readObject(s3, { bucket: "b", key: "k", versionId: "v1", eTag: "e" }));
    // Assess
    expect(mock.commandCalls(GetObjectCommand)[0]?.args[0].input).toStrictEqual({
      Bucket: "b",
      Key: "k",
      VersionId: "v1",
    });
  });

  it("turns NoSuchKey into ObjectGoneError", async () => {
    // Prepare
    mock.on(GetObjectCommand).rejects(Object.assign(new Error("gone"), { name: "NoSuchKey" }));
    // Act + Assess
    await expect(collect(readObject(s3, { bucket: "b", key: "k" }))).rejects.toBeInstanceOf(ObjectGoneError);
  });
});

describe("copySource", () => {
  it("URL-encodes each key segment and appends the version", () => {
    expect(copySource({ bucket: "b", key: "a/é ü/x?y#z", versionId: "3/L4kqtJl" })).toBe(
      "b/a/%C3%A9%20%C3%BC/x%3Fy%23z?versionId=3%2FL4kqtJl",
    );
  });
});
