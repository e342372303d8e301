import {
  accessLogBucketPolicy,
  ingestQueuePolicy,
  lakeBucketPolicy,
  privateBucketPolicy,
  wormBucketPolicy,
} from "@app/core/infra/buckets";
import type { PolicyDocument, Statement } from "@app/core/infra/policy";
import { describe, expect, it } from "vitest";

const LAKE = "arn:aws:s3:::loglake-prod-lake";
const WORM = "arn:aws:s3:::loglake-prod-worm";
const KEY = "arn:aws:kms:eu-west-1:111122223333:key/0b1c2d3e-aaaa-bbbb-cccc-111122223333";
const COMPACTOR = "arn:aws:iam::111122223333:role/loglake-prod-compactor";
const BREAK_GLASS = "arn:aws:iam::111122223333:role/security-break-glass";

function sid(doc: PolicyDocument, id: string): Statement {
  const s = doc.Statement.find((x) => x.Sid === id);
  if (!s) throw new Error(`no statement ${id} in ${JSON.stringify(doc.Statement.map((x) => x.Sid))}`);
  return s;
}

const TLS_STATEMENTS = (arn: string): Statement[] => [
  {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: ["s3:*"],
    Resource: [arn, `${arn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  },
  {
    Sid: "DenyOutdatedTls",
    Effect: "Deny",
    Principal: "*",
    Action: ["s3:*"],
    Resource: [arn, `${arn}/*`],
    Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
  },
];

describe("lakeBucketPolicy", () => {
  const doc = lakeBucketPolicy({ bucketArn: LAKE, kmsKeyArn: KEY, compactorRoleArn: COMPACTOR });

  it("denies every request without TLS, and TLS older than 1.2, on the bucket and its objects", () => {
    expect(doc.Statement.slice(0, 2)).toStrictEqual(TLS_STATEMENTS(LAKE));
  });

  it("denies uploads that ask for another encryption than SSE-KMS", () => {
    expect(sid(doc, "DenyNonKmsEncryption")).toStrictEqual({
      Sid: "DenyNonKmsEncryption",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:PutObject"],
      Resource: [`${LAKE}/*`],
      Condition: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption": "aws:kms" } },
    });
  });

  it("denies uploads that name a KMS key other than the project key", () => {
    expect(sid(doc, "DenyOtherKmsKey").Condition).toStrictEqual({
      StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption-aws-kms-key-id": KEY },
    });
  });

  it("denies s3:DeleteObject* on every object to every principal but the compactor role", () => {
    expect(sid(doc, "DenyDeleteExceptCompactor")).toStrictEqual({
      Sid: "DenyDeleteExceptCompactor",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:DeleteObject*"],
      Resource: [`${LAKE}/*`],
      Condition: { ArnNotEquals: { "aws:PrincipalArn": COMPACTOR } },
    });
  });

  it("grants nothing: every statement is a Deny", () => {
    expect(doc.Statement.map((s) => s.Effect)).toStrictEqual(doc.Statement.map(() => "Deny"));
  });
});

describe("lakeBucketPolicy with its readers", () => {
  const readers = ["arn:aws:iam::111122223333:role/ingest", "arn:aws:iam::111122223333:role/analyst", COMPACTOR];

  it("denies listing and reading the lake to every principal but its readers", () => {
    const doc = lakeBucketPolicy({
      bucketArn: LAKE,
      kmsKeyArn: KEY,
      compactorRoleArn: COMPACTOR,
      readerRoleArns: readers,
    });
    expect(sid(doc, "DenyReadExceptReaders")).toStrictEqual({
      Sid: "DenyReadExceptReaders",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:ListBucketVersions"],
      Resource: [LAKE, `${LAKE}/*`],
      Condition: { ArnNotEquals: { "aws:PrincipalArn": [...readers].sort() } },
    });
    expect(doc.Statement.map((s) => s.Effect)).toStrictEqual(doc.Statement.map(() => "Deny"));
  });

  it("leaves reads to IAM alone when no readers are given", () => {
    const doc = lakeBucketPolicy({ bucketArn: LAKE, kmsKeyArn: KEY, compactorRoleArn: COMPACTOR });
    expect(doc.Statement.map((s) => s.Sid)).toStrictEqual([
      "DenyInsecureTransport",
      "DenyOutdatedTls",
      "DenyNonKmsEncryption",
      "DenyOtherKmsKey",
      "DenyDeleteExceptCompactor",
    ]);
  });
});

describe("lakeBucketPolicy with derived-state prefixes", () => {
  it("lets the named roles delete under their prefix only, and nobody but the compactor anywhere else", () => {
    const ingest = "arn:aws:iam::111122223333:role/ingest";
    const doc = lakeBucketPolicy({
      bucketArn: LAKE,
      kmsKeyArn: KEY,
      compactorRoleArn: COMPACTOR,
      derivedDeletes: [{ prefix: "lake/_alerts/", roleArns: [ingest] }],
    });
    expect(doc.Statement.filter((s) => s.Action.includes("s3:DeleteObject*"))).toStrictEqual([
      {
        Sid: "DenyDeleteExceptCompactor",
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:DeleteObject*"],
        NotResource: [`${LAKE}/lake/_alerts/*`],
        Condition: { ArnNotEquals: { "aws:PrincipalArn": COMPACTOR } },
      },
      {
        Sid: "DenyDerivedDelete0",
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:DeleteObject*"],
        Resource: [`${LAKE}/lake/_alerts/*`],
        Condition: { ArnNotEquals: { "aws:PrincipalArn": [COMPACTOR, ingest].sort() } },
      },
    ]);
  });
});

describe("wormBucketPolicy", () => {
  it("denies BypassGovernanceRetention to everyone but the break-glass role", () => {
    const doc = wormBucketPolicy({ bucketArn: WORM, kmsKeyArn: KEY, breakGlassRoleArn: BREAK_GLASS });
    expect(sid(doc, "DenyGovernanceBypass")).toStrictEqual({
      Sid: "DenyGovernanceBypass",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:BypassGovernanceRetention"],
      Resource: [WORM, `${WORM}/*`],
      Condition: { ArnNotEquals: { "aws:PrincipalArn": BREAK_GLASS } },
    });
  });

  it("denies BypassGovernanceRetention to everyone, unconditionally, without a break-glass role", () => {
    const doc = wormBucketPolicy({ bucketArn: WORM, kmsKeyArn: KEY });
    expect(sid(doc, "DenyGovernanceBypass")).toStrictEqual({
      Sid: "DenyGovernanceBypass",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:BypassGovernanceRetention"],
      Resource: [WORM, `${WORM}/*`],
    });
  });

  it("is TLS only and SSE-KMS only", () => {
    const doc = wormBucketPolicy({ bucketArn: WORM, kmsKeyArn: KEY });
    expect(doc.Statement.map((s) => s.Sid)).toStrictEqual([
      "DenyInsecureTransport",
      "DenyOutdatedTls",
      "DenyNonKmsEncryption",
      "DenyOtherKmsKey",
      "DenyGovernanceBypass",
    ]);
    expect(doc.Statement.slice(0, 2)).toStrictEqual(TLS_STATEMENTS(WORM));
  });
});

describe("privateBucketPolicy", () => {
  it("is TLS only and SSE-KMS only, granting nothing", () => {
    const arn = "arn:aws:s3:::loglake-prod-reports";
    const doc = privateBucketPolicy({ bucketArn: arn, kmsKeyArn: KEY });
    expect(doc.Statement.map((s) => [s.Sid, s.Effect])).toStrictEqual([
      ["DenyInsecureTransport", "Deny"],
      ["DenyOutdatedTls", "Deny"],
      ["DenyNonKmsEncryption", "Deny"],
      ["DenyOtherKmsKey", "Deny"],
    ]);
  });
});

describe("accessLogBucketPolicy", () => {
  it("lets only the S3 logging service write, only for our buckets in our account", () => {
    const arn = "arn:aws:s3:::loglake-prod-access-logs";
    const doc = accessLogBucketPolicy({ bucketArn: arn, accountId: "111122223333", sourceBucketArns: [LAKE, WORM] });
    expect(sid(doc, "AllowServerAccessLogs")).toStrictEqual({
      Sid: "AllowServerAccessLogs",
      Effect: "Allow",
      Principal: { Service: "logging.s3.amazonaws.com" },
      Action: ["s3:PutObject"],
      Resource: [`${arn}/*`],
      Condition: {
        ArnLike: { "aws:SourceArn": [LAKE, WORM] },
        StringEquals: { "aws:SourceAccount": "111122223333" },
      },
    });
    expect(doc.Statement.slice(0, 2)).toStrictEqual(TLS_STATEMENTS(arn));
  });
});

describe("ingestQueuePolicy", () => {
  const queue = "arn:aws:sqs:eu-west-1:111122223333:loglake-prod-ingest";
  const rule = "arn:aws:events:eu-west-1:111122223333:rule/loglake-prod-objects";

  it("allows SendMessage only from the listed buckets and rules, over TLS", () => {
    const doc = ingestQueuePolicy({
      queueArn: queue,
      notifyingBuckets: [
        { bucketArn: "arn:aws:s3:::trail-logs", accountId: "444455556666" },
        { bucketArn: "arn:aws:s3:::cdn-logs" },
      ],
      eventRuleArns: [rule],
    });
    expect(doc).toStrictEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: ["sqs:*"],
          Resource: [queue],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
        {
          Sid: "AllowS3Notifications0",
          Effect: "Allow",
          Principal: { Service: "s3.amazonaws.com" },
          Action: ["sqs:SendMessage"],
          Resource: [queue],
          Condition: {
            ArnEquals: { "aws:SourceArn": "arn:aws:s3:::trail-logs" },
            StringEquals: { "aws:SourceAccount": "444455556666" },
          },
        },
        {
          Sid: "AllowS3Notifications1",
          Effect: "Allow",
          Principal: { Service: "s3.amazonaws.com" },
          Action: ["sqs:SendMessage"],
          Resource: [queue],
          Condition: { ArnEquals: { "aws:SourceArn": "arn:aws:s3:::cdn-logs" } },
        },
        {
          Sid: "AllowEventBridgeRules",
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: ["sqs:SendMessage"],
          Resource: [queue],
          Condition: { ArnEquals: { "aws:SourceArn": [rule] } },
        },
      ],
    });
  });

  it("allows no EventBridge sender when no bucket uses EventBridge", () => {
    const doc = ingestQueuePolicy({
      queueArn: queue,
      notifyingBuckets: [{ bucketArn: "arn:aws:s3:::a-bucket" }],
      eventRuleArns: [],
    });
    expect(doc.Statement.map((s) => s.Sid)).toStrictEqual(["DenyInsecureTransport", "AllowS3Notifications0"]);
  });
});
