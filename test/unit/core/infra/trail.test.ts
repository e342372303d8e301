import { projectKeyPolicy } from "@app/core/infra/keys";
import {
  receivesTrailFiles,
  trailArn,
  trailBucketPolicy,
  trailEventSelectors,
  trailKeyStatements,
  trailTopicPolicy,
} from "@app/core/infra/trail";
import { describe, expect, it } from "vitest";

const ACCOUNT = "111122223333";
const BUCKET = "arn:aws:s3:::acme-trail-logs";
const TRAIL = "arn:aws:cloudtrail:eu-west-1:111122223333:trail/loglake-prod-trail";
const TOPIC = "arn:aws:sns:eu-west-1:111122223333:loglake-prod-trail-notifications";
const TLS = [
  {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: ["s3:*"],
    Resource: [BUCKET, `${BUCKET}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  },
  {
    Sid: "DenyOutdatedTls",
    Effect: "Deny",
    Principal: "*",
    Action: ["s3:*"],
    Resource: [BUCKET, `${BUCKET}/*`],
    Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
  },
];
const ACL_CHECK = {
  Sid: "CloudTrailAclCheck",
  Effect: "Allow",
  Principal: { Service: "cloudtrail.amazonaws.com" },
  Action: ["s3:GetBucketAcl"],
  Resource: [BUCKET],
  Condition: { StringEquals: { "aws:SourceArn": TRAIL } },
};

describe("trailArn", () => {
  it("builds the ARN the trail will have from its home region, account and name", () => {
    expect(trailArn({ partition: "aws", region: "eu-west-1", accountId: ACCOUNT, name: "loglake-prod-trail" })).toBe(
      TRAIL,
    );
  });
});

describe("trailBucketPolicy", () => {
  it("grants CloudTrail exactly GetBucketAcl and PutObject under AWSLogs/<account>/, with the owner ACL, for this trail", () => {
    expect(trailBucketPolicy({ bucketArn: BUCKET, trailArn: TRAIL, accountId: ACCOUNT, keyPrefix: "" })).toStrictEqual({
      Version: "2012-10-17",
      Statement: [
        ...TLS,
        ACL_CHECK,
        {
          Sid: "CloudTrailWrite",
          Effect: "Allow",
          Principal: { Service: "cloudtrail.amazonaws.com" },
          Action: ["s3:PutObject"],
          Resource: [`${BUCKET}/AWSLogs/111122223333/*`],
          Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL } },
        },
      ],
    });
  });

  it("also lets an organization trail write under AWSLogs/<organization id>/, below the key prefix", () => {
    const doc = trailBucketPolicy({
      bucketArn: BUCKET,
      trailArn: TRAIL,
      accountId: ACCOUNT,
      keyPrefix: "trails/org",
      organizationId: "o-a1b2c3d4e5",
    });
    expect(doc.Statement.slice(2)).toStrictEqual([
      ACL_CHECK,
      {
        Sid: "CloudTrailWrite",
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: ["s3:PutObject"],
        Resource: [`${BUCKET}/trails/org/AWSLogs/111122223333/*`, `${BUCKET}/trails/org/AWSLogs/o-a1b2c3d4e5/*`],
        Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL } },
      },
    ]);
  });
});

describe("trailKeyStatements", () => {
  it("lets CloudTrail generate data keys for this trail's files only, describe the key, and encrypt its topic", () => {
    expect(
      trailKeyStatements({ trailArn: TRAIL, topicArn: TOPIC, accountId: ACCOUNT, partition: "aws" }),
    ).toStrictEqual([
      {
        Sid: "AllowCloudTrailEncryptLogs",
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: ["kms:GenerateDataKey*"],
        Resource: ["*"],
        Condition: {
          StringEquals: { "aws:SourceArn": TRAIL },
          StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:111122223333:trail/*" },
        },
      },
      {
        Sid: "AllowCloudTrailDescribeKey",
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: ["kms:DescribeKey"],
        Resource: ["*"],
        Condition: { StringEquals: { "aws:SourceArn": TRAIL } },
      },
      {
        Sid: "AllowCloudTrailNotifications",
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: ["*"],
        Condition: { StringEquals: { "kms:EncryptionContext:aws:sns:topicArn": TOPIC } },
      },
    ]);
  });

  it("lets customer roles that copy the trail's files decrypt them, named through their account roots", () => {
    const roles = ["arn:aws:iam::444455556666:role/writer", "arn:aws:iam::777788889999:role/w"];
    const [statement] = trailKeyStatements({
      trailArn: TRAIL,
      topicArn: TOPIC,
      accountId: ACCOUNT,
      partition: "aws",
      customerRoleArns: roles,
    }).slice(3);
    expect(statement).toStrictEqual({
      Sid: "AllowCustomerRolesDecryptTrailLogs",
      Effect: "Allow",
      Principal: { AWS: ["arn:aws:iam::444455556666:root", "arn:aws:iam::777788889999:root"] },
      Action: ["kms:Decrypt"],
      Resource: ["*"],
      Condition: {
        ArnEquals: { "aws:PrincipalArn": roles },
        StringEquals: { "kms:EncryptionContext:aws:cloudtrail:arn": TRAIL },
      },
    });
  });

  it("are in the project key policy only when a trail is deployed", () => {
    const sids = (trail?: { trailArn: string; topicArn: string }) =>
      projectKeyPolicy({ partition: "aws", accountId: ACCOUNT, ...(trail ? { trail } : {}) }).Statement.map(
        (s) => s.Sid,
      );
    expect(sids()).toStrictEqual(["EnableIamPolicies", "AllowCloudWatchAlarms"]);
    expect(sids({ trailArn: TRAIL, topicArn: TOPIC })).toStrictEqual([
      "EnableIamPolicies",
      "AllowCloudWatchAlarms",
      "AllowCloudTrailEncryptLogs",
      "AllowCloudTrailDescribeKey",
      "AllowCloudTrailNotifications",
    ]);
  });
});

describe("trailTopicPolicy", () => {
  it("lets only this trail publish, over TLS", () => {
    expect(trailTopicPolicy({ topicArn: TOPIC, trailArn: TRAIL })).toStrictEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AllowTrailNotifications",
          Effect: "Allow",
          Principal: { Service: "cloudtrail.amazonaws.com" },
          Action: ["sns:Publish"],
          Resource: [TOPIC],
          Condition: { StringEquals: { "aws:SourceArn": TRAIL } },
        },
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: ["sns:Publish"],
          Resource: [TOPIC],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    });
  });
});

describe("trailEventSelectors", () => {
  it("logs management events only when no data events are chosen", () => {
    expect(trailEventSelectors({ partition: "aws", buckets: [], functionArns: [] })).toStrictEqual([
      { name: "Management events", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] },
    ]);
  });

  it("adds object events of the chosen buckets and invocations of the chosen functions", () => {
    const fn = "arn:aws:lambda:eu-west-1:111122223333:function:payments";
    expect(trailEventSelectors({ partition: "aws", buckets: ["lake", "worm"], functionArns: [fn] })).toStrictEqual([
      { name: "Management events", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] },
      {
        name: "S3 object events",
        fieldSelectors: [
          { field: "eventCategory", equals: ["Data"] },
          { field: "resources.type", equals: ["AWS::S3::Object"] },
          { field: "resources.ARN", startsWiths: ["arn:aws:s3:::lake/", "arn:aws:s3:::worm/"] },
        ],
      },
      {
        name: "Lambda invocations",
        fieldSelectors: [
          { field: "eventCategory", equals: ["Data"] },
          { field: "resources.type", equals: ["AWS::Lambda::Function"] },
          { field: "resources.ARN", equals: [fn] },
        ],
      },
    ]);
  });
});

describe("receivesTrailFiles", () => {
  it("is true for a customer of CloudTrail logs or digests only", () => {
    expect([
      receivesTrailFiles(["cloudtrail_digest"]),
      receivesTrailFiles(["cloudfront", "cloudtrail"]),
      receivesTrailFiles(["cloudfront", "app_json"]),
    ]).toStrictEqual([true, true, false]);
  });
});
