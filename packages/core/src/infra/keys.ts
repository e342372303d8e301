import { type PolicyDocument, policyDocument } from "./policy.ts";
import { type TrailKeyInput, trailKeyStatements } from "./trail.ts";

/**
 * Policy of the project KMS key. Account principals are authorised by their IAM policies (the functions get only
 * Decrypt and GenerateDataKey on this key); CloudWatch may use it only to publish alarms of this account to the
 * encrypted alerts topic; with a deployed trail, CloudTrail may use it for that trail's files and notifications.
 */
export function projectKeyPolicy(input: {
  partition: string;
  accountId: string;
  trail?: Omit<TrailKeyInput, "partition" | "accountId">;
}): PolicyDocument {
  return policyDocument([
    {
      Sid: "EnableIamPolicies",
      Effect: "Allow",
      Principal: { AWS: `arn:${input.partition}:iam::${input.accountId}:root` },
      Action: ["kms:*"],
      Resource: ["*"],
    },
    {
      Sid: "AllowCloudWatchAlarms",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: ["*"],
      Condition: { StringEquals: { "aws:SourceAccount": input.accountId } },
    },
    ...(input.trail
      ? trailKeyStatements({ ...input.trail, partition: input.partition, accountId: input.accountId })
      : []),
  ]);
}

/** Policy of the alerts topic: CloudWatch alarms of this account may publish, over TLS only. */
export function alertsTopicPolicy(input: { topicArn: string; accountId: string }): PolicyDocument {
  return policyDocument([
    {
      Sid: "AllowCloudWatchAlarms",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["sns:Publish"],
      Resource: [input.topicArn],
      Condition: { StringEquals: { "aws:SourceAccount": input.accountId } },
    },
    {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: ["sns:Publish"],
      Resource: [input.topicArn],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
  ]);
}
