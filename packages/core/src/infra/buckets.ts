import { objectsArn, type PolicyDocument, policyDocument, type Statement } from "./policy.ts";

/** Oldest TLS version a bucket accepts; S3 still negotiates 1.0 and 1.1 unless a policy refuses them. */
export const MIN_TLS_VERSION = "1.2";

/** Denies every request that is not HTTPS, or that uses TLS older than 1.2. */
export function denyInsecureTransport(bucketArn: string): Statement[] {
  const resources = [bucketArn, objectsArn(bucketArn)];
  return [
    {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:*"],
      Resource: resources,
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
    {
      Sid: "DenyOutdatedTls",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:*"],
      Resource: resources,
      Condition: { NumericLessThan: { "s3:TlsVersion": MIN_TLS_VERSION } },
    },
  ];
}

/**
 * Denies uploads that ask for anything but SSE-KMS with the project key. Uploads without encryption headers get
 * the bucket default (the same key), so writers need not send them.
 */
export function denyOtherEncryption(bucketArn: string, kmsKeyArn: string): Statement[] {
  return [
    {
      Sid: "DenyNonKmsEncryption",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:PutObject"],
      Resource: [objectsArn(bucketArn)],
      Condition: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption": "aws:kms" } },
    },
    {
      Sid: "DenyOtherKmsKey",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:PutObject"],
      Resource: [objectsArn(bucketArn)],
      Condition: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption-aws-kms-key-id": kmsKeyArn } },
    },
  ];
}

/** Inputs of the lake bucket policy. */
export interface LakeBucketPolicyInput {
  bucketArn: string;
  kmsKeyArn: string;
  /** The only principal that may delete lake objects (it rewrites small files into large ones). */
  compactorRoleArn: string;
  /** The only principals that may list or read the lake; undefined leaves reads to IAM alone. */
  readerRoleArns?: readonly string[];
  /**
   * Key prefixes of derived state (alert claims, the findings table: nothing a log record lives in) that the given
   * roles may delete besides the compactor.
   */
  derivedDeletes?: readonly { prefix: string; roleArns: readonly string[] }[];
}

/** Sid of the lake bucket statement that denies reads to every principal but the lake's readers. */
export const LAKE_READERS_SID = "DenyReadExceptReaders";

/**
 * Lake bucket policy: TLS only, SSE-KMS with the project key only, no object deletion by anyone but the compactor
 * role (and, under a derived-state prefix, the roles named for it), and, given its readers, no listing or reading by anyone else (account administrators included). Lifecycle
 * expiry is done by S3 itself and is not affected.
 */
export function lakeBucketPolicy(input: LakeBucketPolicyInput): PolicyDocument {
  return policyDocument([
    ...denyInsecureTransport(input.bucketArn),
    ...denyOtherEncryption(input.bucketArn, input.kmsKeyArn),
    ...deleteGuards(input),
    ...(input.readerRoleArns
      ? [
          {
            Sid: LAKE_READERS_SID,
            Effect: "Deny" as const,
            Principal: "*" as const,
            Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:ListBucketVersions"],
            Resource: [input.bucketArn, objectsArn(input.bucketArn)],
            Condition: { ArnNotEquals: { "aws:PrincipalArn": [...input.readerRoleArns].sort() } },
          },
        ]
      : []),
  ]);
}

function deleteGuards(input: LakeBucketPolicyInput): Statement[] {
  const derived = input.derivedDeletes ?? [];
  const everything = [objectsArn(input.bucketArn)];
  return [
    {
      Sid: "DenyDeleteExceptCompactor",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:DeleteObject*"],
      ...(derived.length > 0
        ? { NotResource: derived.map((d) => objectsArn(input.bucketArn, d.prefix)) }
        : { Resource: everything }),
      Condition: { ArnNotEquals: { "aws:PrincipalArn": input.compactorRoleArn } },
    },
    ...derived.map((d, i) => ({
      Sid: `DenyDerivedDelete${i}`,
      Effect: "Deny" as const,
      Principal: "*" as const,
      Action: ["s3:DeleteObject*"],
      Resource: [objectsArn(input.bucketArn, d.prefix)],
      Condition: { ArnNotEquals: { "aws:PrincipalArn": [input.compactorRoleArn, ...d.roleArns].sort() } },
    })),
  ];
}

/** Inputs of the WORM bucket policy. */
export interface WormBucketPolicyInput {
  bucketArn: string;
  kmsKeyArn: string;
  /** Role allowed to shorten GOVERNANCE retention in an emergency; without it nobody can. */
  breakGlassRoleArn?: string;
}

/**
 * WORM bucket policy: TLS only, SSE-KMS with the project key only, and `s3:BypassGovernanceRetention` denied to
 * every principal except the optional break-glass role (account admins included, who would otherwise hold it).
 */
export function wormBucketPolicy(input: WormBucketPolicyInput): PolicyDocument {
  return policyDocument([
    ...denyInsecureTransport(input.bucketArn),
    ...denyOtherEncryption(input.bucketArn, input.kmsKeyArn),
    {
      Sid: "DenyGovernanceBypass",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:BypassGovernanceRetention"],
      Resource: [input.bucketArn, objectsArn(input.bucketArn)],
      ...(input.breakGlassRoleArn
        ? { Condition: { ArnNotEquals: { "aws:PrincipalArn": input.breakGlassRoleArn } } }
        : {}),
    },
  ]);
}

/** Policy of a bucket that only needs TLS and the project key (reports, Athena results). */
export function privateBucketPolicy(input: { bucketArn: string; kmsKeyArn: string }): PolicyDocument {
  return policyDocument([
    ...denyInsecureTransport(input.bucketArn),
    ...denyOtherEncryption(input.bucketArn, input.kmsKeyArn),
  ]);
}

/** Inputs of the access-log bucket policy. */
export interface AccessLogBucketPolicyInput {
  bucketArn: string;
  accountId: string;
  /** Buckets whose server access logs land here. */
  sourceBucketArns: string[];
}

/**
 * Access-log bucket policy: TLS only, and the S3 logging service may write only for our own buckets in our own
 * account (the confused-deputy guard AWS documents for server access logging).
 */
export function accessLogBucketPolicy(input: AccessLogBucketPolicyInput): PolicyDocument {
  return policyDocument([
    ...denyInsecureTransport(input.bucketArn),
    {
      Sid: "AllowServerAccessLogs",
      Effect: "Allow",
      Principal: { Service: "logging.s3.amazonaws.com" },
      Action: ["s3:PutObject"],
      Resource: [objectsArn(input.bucketArn)],
      Condition: {
        ArnLike: { "aws:SourceArn": [...input.sourceBucketArns] },
        StringEquals: { "aws:SourceAccount": input.accountId },
      },
    },
  ]);
}

/** A bucket that sends object-created events to the ingest queue. */
export interface QueueSender {
  bucketArn: string;
  /** Account that owns the bucket, when known: guards against a bucket of the same name in another account. */
  accountId?: string;
}

/** Inputs of the ingest queue policy. */
export interface IngestQueuePolicyInput {
  queueArn: string;
  /** Buckets that notify the queue directly. */
  notifyingBuckets: QueueSender[];
  /** EventBridge rules that forward "Object Created" events for buckets that already have notifications. */
  eventRuleArns: string[];
}

/**
 * Ingest queue policy: only the listed buckets (through S3 notifications) and the listed EventBridge rules may send,
 * and only over TLS.
 */
export function ingestQueuePolicy(input: IngestQueuePolicyInput): PolicyDocument {
  const statements: Statement[] = [
    {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: ["sqs:*"],
      Resource: [input.queueArn],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
  ];
  input.notifyingBuckets.forEach((b, i) => {
    statements.push({
      Sid: `AllowS3Notifications${i}`,
      Effect: "Allow",
      Principal: { Service: "s3.amazonaws.com" },
      Action: ["sqs:SendMessage"],
      Resource: [input.queueArn],
      Condition: {
        ArnEquals: { "aws:SourceArn": b.bucketArn },
        ...(b.accountId ? { StringEquals: { "aws:SourceAccount": b.accountId } } : {}),
      },
    });
  });
  if (input.eventRuleArns.length > 0) {
    statements.push({
      Sid: "AllowEventBridgeRules",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: ["sqs:SendMessage"],
      Resource: [input.queueArn],
      Condition: { ArnEquals: { "aws:SourceArn": [...input.eventRuleArns] } },
    });
  }
  return policyDocument(statements);
}
