import { alertsTopicPolicy, projectKeyPolicy } from "@app/core/infra/keys";
import { policyDocument, toFunctionPermissions } from "@app/core/infra/policy";
import { describe, expect, it } from "vitest";

describe("policyDocument", () => {
  it("rejects two statements with the same Sid", () => {
    const s = { Sid: "A", Effect: "Allow" as const, Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::b/*"] };
    expect(() => policyDocument([s, s])).toThrow('policy has two statements with Sid "A"');
  });

  it("rejects a Sid that is not alphanumeric", () => {
    expect(() => policyDocument([{ Sid: "a-b", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["x"] }])).toThrow(
      'statement Sid "a-b" must be alphanumeric',
    );
  });
});

describe("toFunctionPermissions", () => {
  it("converts statements and their conditions to sst.aws.Function permissions", () => {
    expect(
      toFunctionPermissions([
        {
          Sid: "A",
          Effect: "Allow",
          Action: ["s3:GetObject"],
          Resource: ["arn:aws:s3:::b/*"],
          Condition: { StringEquals: { "s3:ExistingObjectTag/x": ["1", "2"], "aws:SourceAccount": "1" } },
        },
        { Sid: "B", Effect: "Deny", Action: ["s3:DeleteObject"], Resource: ["arn:aws:s3:::b/*"] },
      ]),
    ).toStrictEqual([
      {
        effect: "allow",
        actions: ["s3:GetObject"],
        resources: ["arn:aws:s3:::b/*"],
        conditions: [
          { test: "StringEquals", variable: "s3:ExistingObjectTag/x", values: ["1", "2"] },
          { test: "StringEquals", variable: "aws:SourceAccount", values: ["1"] },
        ],
      },
      { effect: "deny", actions: ["s3:DeleteObject"], resources: ["arn:aws:s3:::b/*"] },
    ]);
  });

  it("refuses a statement with a principal (a resource policy, not an identity policy)", () => {
    expect(() =>
      toFunctionPermissions([{ Sid: "A", Effect: "Allow", Principal: "*", Action: ["s3:GetObject"], Resource: ["x"] }]),
    ).toThrow("statement A: identity policies have no Principal");
  });
});

describe("projectKeyPolicy", () => {
  const doc = projectKeyPolicy({ partition: "aws", accountId: "111122223333" });

  it("delegates to IAM policies of the own account only", () => {
    expect(doc.Statement[0]).toStrictEqual({
      Sid: "EnableIamPolicies",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::111122223333:root" },
      Action: ["kms:*"],
      Resource: ["*"],
    });
  });

  it("lets CloudWatch use the key only for alarms of the own account", () => {
    expect(doc.Statement[1]).toStrictEqual({
      Sid: "AllowCloudWatchAlarms",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: ["*"],
      Condition: { StringEquals: { "aws:SourceAccount": "111122223333" } },
    });
    expect(doc.Statement).toHaveLength(2);
  });
});

describe("alertsTopicPolicy", () => {
  it("lets only CloudWatch of the own account publish, and only over TLS", () => {
    const topic = "arn:aws:sns:eu-west-1:111122223333:loglake-alerts";
    expect(alertsTopicPolicy({ topicArn: topic, accountId: "111122223333" }).Statement).toStrictEqual([
      {
        Sid: "AllowCloudWatchAlarms",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["sns:Publish"],
        Resource: [topic],
        Condition: { StringEquals: { "aws:SourceAccount": "111122223333" } },
      },
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: ["sns:Publish"],
        Resource: [topic],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });
});
