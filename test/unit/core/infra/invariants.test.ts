import { lakeBucketPolicy, wormBucketPolicy } from "@app/core/infra/buckets";
import { checkInvariants } from "@app/core/infra/invariants";
import type { InventoryResource } from "@app/core/infra/inventory";
import { logDestinationPolicy } from "@app/core/infra/log-destination";
import { describe, expect, it } from "vitest";

const KEY = "arn:aws:kms:eu-west-1:111122223333:key/k";
const DESTINATION = "arn:aws:logs:eu-west-1:1:destination:d";
const READERS = ["arn:aws:iam::1:role/FnRole-id", "arn:aws:iam::1:role/c"];

function res(type: string, name: string, inputs: Record<string, unknown>, id = `${name}-id`): InventoryResource {
  return { type, name, id, custom: true, inputs, protect: false, retainOnDelete: false };
}

function bucketSet(
  name: string,
  id: string,
  role: string,
  policy: object,
  extra: Record<string, unknown> = {},
): InventoryResource[] {
  return [
    res("aws:s3/bucket:Bucket", name, { bucket: id, tags: { "loglake:data": role }, ...extra }, id),
    res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${name}Pab`, {
      bucket: id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }),
    res("aws:s3/bucketOwnershipControls:BucketOwnershipControls", `${name}Own`, {
      bucket: id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    }),
    res("aws:s3/bucketVersioning:BucketVersioning", `${name}Ver`, {
      bucket: id,
      versioningConfiguration: { status: "Enabled" },
    }),
    res("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `${name}Sse`, {
      bucket: id,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY } }],
    }),
    res("aws:s3/bucketPolicy:BucketPolicy", `${name}Policy`, { bucket: id, policy: JSON.stringify(policy) }),
    res("aws:s3/bucketLogging:BucketLogging", `${name}Logs`, {
      bucket: id,
      targetBucket: "logs",
      targetPrefix: `${role}/`,
    }),
  ];
}

function compliant(): InventoryResource[] {
  return [
    ...bucketSet(
      "Lake",
      "lake",
      "lake",
      lakeBucketPolicy({
        bucketArn: "arn:aws:s3:::lake",
        kmsKeyArn: KEY,
        compactorRoleArn: "arn:aws:iam::1:role/c",
        readerRoleArns: READERS,
      }),
    ),
    ...bucketSet("Worm", "worm", "worm", wormBucketPolicy({ bucketArn: "arn:aws:s3:::worm", kmsKeyArn: KEY }), {
      objectLockEnabled: true,
    }),
    res("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "WormLock", {
      bucket: "worm",
      rule: { defaultRetention: { mode: "GOVERNANCE", days: 1 } },
    }),
    res("aws:iam/role:Role", "FnRole", {
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
      inlinePolicies: [
        {
          name: "inline",
          policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::lake/cloudtrail/*"] }],
          }),
        },
      ],
    }),
    res("aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy", "DestinationPolicy", {
      accessPolicy: JSON.stringify(
        logDestinationPolicy({ destinationArn: DESTINATION, organizationId: "o-a1b2c3d4e5" }),
      ),
    }),
    res("aws:sqs/queue:Queue", "Queue", { sqsManagedSseEnabled: true }),
    res("aws:kinesis/stream:Stream", "Stream", { encryptionType: "KMS" }),
    res("aws:sns/topic:Topic", "Topic", { kmsMasterKeyId: KEY }),
    res("aws:lambda/function:Function", "Fn", { runtime: "nodejs22.x", architectures: ["arm64"] }),
    res("aws:lambda/eventSourceMapping:EventSourceMapping", "Esm", {
      functionResponseTypes: ["ReportBatchItemFailures"],
    }),
    res("aws:athena/workgroup:Workgroup", "Wg", {
      configuration: {
        enforceWorkgroupConfiguration: true,
        bytesScannedCutoffPerQuery: 10_000_000,
        resultConfiguration: { encryptionConfiguration: { encryptionOption: "SSE_KMS" } },
      },
    }),
  ];
}

function without(resources: InventoryResource[], name: string): InventoryResource[] {
  return resources.filter((r) => r.name !== name);
}

function patched(resources: InventoryResource[], name: string, inputs: Record<string, unknown>): InventoryResource[] {
  return resources.map((r) => (r.name === name ? { ...r, inputs: { ...r.inputs, ...inputs } } : r));
}

const rules = (resources: InventoryResource[]) => checkInvariants(resources).map((v) => `${v.rule} ${v.resource}`);

describe("checkInvariants", () => {
  it("accepts a compliant set", () => {
    expect(checkInvariants(compliant())).toStrictEqual([]);
  });

  it("flags a bucket without a complete public access block", () => {
    expect(rules(patched(compliant(), "LakePab", { restrictPublicBuckets: false }))).toStrictEqual([
      "public-access-block Lake",
    ]);
    expect(rules(without(compliant(), "LakePab"))).toStrictEqual(["public-access-block Lake"]);
  });

  it("flags a bucket with ACLs enabled", () => {
    expect(rules(without(compliant(), "LakeOwn"))).toStrictEqual(["acls-disabled Lake"]);
  });

  it("flags an unversioned bucket", () => {
    expect(rules(patched(compliant(), "LakeVer", { versioningConfiguration: { status: "Suspended" } }))).toStrictEqual([
      "versioning Lake",
    ]);
  });

  it("flags a data bucket encrypted with SSE-S3, or not at all", () => {
    const sse = { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] };
    expect(rules(patched(compliant(), "LakeSse", sse))).toStrictEqual(["encryption Lake"]);
    expect(rules(without(compliant(), "LakeSse"))).toStrictEqual(["encryption Lake"]);
  });

  it("allows SSE-S3 on the access-log target, which S3 requires", () => {
    const logs = bucketSet("Logs", "logs", "access-logs", {
      Statement: [
        { Effect: "Deny", Principal: "*", Action: ["s3:*"], Condition: { Bool: { "aws:SecureTransport": "false" } } },
      ],
    });
    const sseS3 = patched(logs, "LogsSse", {
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    expect(rules([...compliant(), ...sseS3])).toStrictEqual([]);
  });

  it("flags a bucket policy without the TLS-only deny", () => {
    const policy = { Statement: [{ Sid: "X", Effect: "Deny", Principal: "*", Action: ["s3:DeleteObject*"] }] };
    expect(rules(patched(compliant(), "LakePolicy", { policy: JSON.stringify(policy) }))).toStrictEqual([
      "tls-only Lake",
      "lake-readers Lake",
    ]);
  });

  it("flags a lake policy that lets anyone delete", () => {
    const doc = lakeBucketPolicy({
      bucketArn: "arn:aws:s3:::lake",
      kmsKeyArn: KEY,
      compactorRoleArn: "c",
      readerRoleArns: READERS,
    });
    const policy = { ...doc, Statement: doc.Statement.filter((s) => s.Sid !== "DenyDeleteExceptCompactor") };
    expect(rules(patched(compliant(), "LakePolicy", { policy: JSON.stringify(policy) }))).toStrictEqual([
      "lake-delete Lake",
    ]);
  });

  it("flags a WORM bucket without Object Lock at creation or without a default retention", () => {
    expect(rules(patched(compliant(), "Worm", { objectLockEnabled: false }))).toStrictEqual(["object-lock Worm"]);
    expect(rules(without(compliant(), "WormLock"))).toStrictEqual(["object-lock Worm"]);
  });

  it("flags a WORM policy that does not deny the governance bypass", () => {
    const doc = wormBucketPolicy({ bucketArn: "arn:aws:s3:::worm", kmsKeyArn: KEY });
    const policy = { ...doc, Statement: doc.Statement.filter((s) => s.Sid !== "DenyGovernanceBypass") };
    expect(rules(patched(compliant(), "WormPolicy", { policy: JSON.stringify(policy) }))).toStrictEqual([
      "governance-bypass Worm",
    ]);
  });

  it("flags a data bucket without access logging", () => {
    expect(rules(without(compliant(), "WormLogs"))).toStrictEqual(["access-logging Worm"]);
  });

  it("flags wildcard actions and resources in identity policies", () => {
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: ["s3:*"], Resource: ["arn:aws:s3:::lake/*"] },
        { Effect: "Allow", Action: ["sqs:SendMessage"], Resource: "*" },
        { Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::*/x"] },
      ],
    });
    expect(rules(patched(compliant(), "FnRole", { inlinePolicies: [{ name: "inline", policy }] }))).toStrictEqual([
      "no-wildcard-actions FnRole",
      "no-wildcard-resources FnRole",
      "no-wildcard-resources FnRole",
    ]);
  });

  it("flags a role that account principals can assume", () => {
    const trust = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "lambda.amazonaws.com", AWS: "arn:aws:iam::1:root" },
          Action: "sts:AssumeRole",
        },
      ],
    });
    expect(rules(patched(compliant(), "FnRole", { assumeRolePolicy: trust }))).toStrictEqual([
      "service-trust-only FnRole",
    ]);
  });

  it("flags a lake policy that lets every principal read", () => {
    const doc = lakeBucketPolicy({ bucketArn: "arn:aws:s3:::lake", kmsKeyArn: KEY, compactorRoleArn: "c" });
    expect(rules(patched(compliant(), "LakePolicy", { policy: JSON.stringify(doc) }))).toStrictEqual([
      "lake-readers Lake",
    ]);
  });

  it("flags a role or role policy that reads the lake without being one of its readers", () => {
    const reads = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: ["s3:GetObjectVersion"], Resource: ["arn:aws:s3:::lake/_ingest/*"] }],
    });
    const roleAndPolicy = [
      res("aws:iam/role:Role", "Verify", { inlinePolicies: [{ name: "inline", policy: reads }] }, "verify-role"),
      res("aws:iam/rolePolicy:RolePolicy", "VerifyPolicy", { role: "other-role", policy: reads }),
    ];
    expect(rules([...compliant(), ...roleAndPolicy])).toStrictEqual([
      "lake-readers Verify",
      "lake-readers VerifyPolicy",
    ]);
    const granted = patched(compliant(), "LakePolicy", {
      policy: JSON.stringify(
        lakeBucketPolicy({
          bucketArn: "arn:aws:s3:::lake",
          kmsKeyArn: KEY,
          compactorRoleArn: "c",
          readerRoleArns: [...READERS, "arn:aws:iam::1:role/verify-role", "arn:aws:iam::1:role/other-role"],
        }),
      ),
    });
    expect(rules([...granted, ...roleAndPolicy])).toStrictEqual([]);
  });

  it("lets a role people use trust named principals, and no role trust everyone", () => {
    const trust = (principal: unknown) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole" }],
      });
    const human = res("aws:iam/role:Role", "Analyst", {
      assumeRolePolicy: trust({ AWS: ["arn:aws:iam::1:role/Analysts"] }),
      tags: { "loglake:access": "security-analyst" },
    });
    expect(rules([...compliant(), human])).toStrictEqual([]);
    expect(
      rules([...compliant(), { ...human, inputs: { ...human.inputs, assumeRolePolicy: trust("*") } }]),
    ).toStrictEqual(["no-public-trust Analyst"]);
    expect(
      rules([...compliant(), { ...human, inputs: { ...human.inputs, assumeRolePolicy: trust({ AWS: "*" }) } }]),
    ).toStrictEqual(["no-public-trust Analyst"]);
  });

  it("flags a log destination policy that lets everyone subscribe, with or without another condition", () => {
    const open = (Principal: unknown, Condition?: unknown) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal, Action: "logs:PutSubscriptionFilter", Resource: DESTINATION, Condition },
        ],
      });
    const named = patched(compliant(), "DestinationPolicy", { accessPolicy: open({ AWS: "210987654321" }) });
    expect(rules(named)).toStrictEqual([]);
    for (const policy of [
      open("*"),
      open({ AWS: "*" }),
      open("*", { StringEquals: { "aws:PrincipalAccount": "210987654321" } }),
    ])
      expect(rules(patched(compliant(), "DestinationPolicy", { accessPolicy: policy }))).toStrictEqual([
        "no-public-destination DestinationPolicy",
      ]);
  });

  it("flags unencrypted queues, streams and topics", () => {
    let r = patched(compliant(), "Queue", { sqsManagedSseEnabled: false });
    r = patched(r, "Stream", { encryptionType: "NONE" });
    r = patched(r, "Topic", { kmsMasterKeyId: undefined });
    expect(rules(r)).toStrictEqual(["encryption Queue", "encryption Stream", "encryption Topic"]);
  });

  it("flags an unenforced workgroup, a mapping without partial batch responses and another runtime", () => {
    let r = patched(compliant(), "Wg", { configuration: { enforceWorkgroupConfiguration: false } });
    r = patched(r, "Esm", { functionResponseTypes: [] });
    r = patched(r, "Fn", { runtime: "nodejs20.x" });
    expect(rules(r)).toStrictEqual(["lambda-runtime Fn", "partial-batch Esm", "athena Wg", "athena Wg", "athena Wg"]);
  });
});
