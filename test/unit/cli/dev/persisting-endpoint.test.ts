import { classifyRequest } from "@app/cli/dev/persisting-endpoint";
import { describe, expect, it } from "vitest";

const S3 = { host: "127.0.0.1:4566" };
const SQS = (op: string) => ({
  host: "127.0.0.1:4566",
  "content-type": "application/x-amz-json-1.0",
  "x-amz-target": `AmazonSQS.${op}`,
});

describe("classifyRequest", () => {
  it("names the bucket and the decoded key of every S3 request that changes an object, path-style", () => {
    const requests: [string, string][] = [
      ["PUT", "/lake/cloudtrail/dt%3D2025-06-12/a%20b%2Bc.parquet?x-id=PutObject"],
      ["POST", "/lake/big.parquet?uploadId=u1"],
      ["DELETE", "/lake/old.parquet?x-id=DeleteObject"],
      ["POST", "/lake?delete"],
      ["PUT", "/lake"],
      ["DELETE", "/lake"],
    ];
    expect(requests.map(([m, u]) => classifyRequest(m, u, S3))).toStrictEqual([
      { kind: "object-written", bucket: "lake", key: "cloudtrail/dt=2025-06-12/a b+c.parquet" },
      { kind: "object-written", bucket: "lake", key: "big.parquet" },
      { kind: "object-deleted", bucket: "lake", key: "old.parquet" },
      { kind: "objects-deleted", bucket: "lake" },
      { kind: "bucket-created", bucket: "lake" },
      { kind: "bucket-deleted", bucket: "lake" },
    ]);
  });

  it("takes the bucket from the host name for virtual-hosted requests", () => {
    expect(classifyRequest("PUT", "/logs/x.gz", { host: "source.localhost:4566" })).toStrictEqual({
      kind: "object-written",
      bucket: "source",
      key: "logs/x.gz",
    });
  });

  it("ignores reads, parts, starts and aborts of multipart uploads, and malformed URLs", () => {
    const requests: [string, string][] = [
      ["GET", "/lake/a.parquet"],
      ["HEAD", "/lake/a.parquet"],
      ["GET", "/lake?list-type=2"],
      ["PUT", "/lake/big.parquet?partNumber=1&uploadId=u1"],
      ["POST", "/lake/big.parquet?uploads"],
      ["DELETE", "/lake/big.parquet?uploadId=u1"],
      ["PUT", "/lake/%E0%A4%A"],
    ];
    expect(requests.map(([m, u]) => classifyRequest(m, u, S3))).toStrictEqual(requests.map(() => undefined));
  });

  it("counts SQS calls that add or remove messages or queues, and nothing that only reads or hides them", () => {
    const ops = [
      "SendMessage",
      "SendMessageBatch",
      "DeleteMessage",
      "DeleteMessageBatch",
      "PurgeQueue",
      "CreateQueue",
      "DeleteQueue",
      "ReceiveMessage",
      "ChangeMessageVisibility",
      "GetQueueAttributes",
    ];
    expect(ops.map((op) => classifyRequest("POST", "/", SQS(op))?.kind)).toStrictEqual([
      "queue-changed",
      "queue-changed",
      "queue-changed",
      "queue-changed",
      "queue-changed",
      "queue-changed",
      "queue-changed",
      undefined,
      undefined,
      undefined,
    ]);
  });
});
