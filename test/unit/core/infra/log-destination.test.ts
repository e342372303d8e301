import {
  logDestinationPolicy,
  logDestinationRoleStatements,
  logDestinationTrustPolicy,
  memberSubscriptionRole,
} from "@app/core/infra/log-destination";
import { describe, expect, it } from "vitest";

const HERE = { partition: "aws", region: "eu-west-1", accountId: "123456789012" };
const DESTINATION = "arn:aws:logs:eu-west-1:123456789012:destination:loglake-prod-logs";

describe("logDestinationTrustPolicy", () => {
  it("lets CloudWatch Logs of any account in the destination's region assume the role when the members are not listed", () => {
    expect(logDestinationTrustPolicy(HERE)).toStrictEqual([
      {
        Sid: "CloudWatchLogsDelivers",
        Effect: "Allow",
        Principal: { Service: "logs.amazonaws.com" },
        Action: ["sts:AssumeRole"],
        Condition: { StringLike: { "aws:SourceArn": ["arn:aws:logs:eu-west-1:*:*"] } },
      },
    ]);
  });

  it("lets only the listed members and this account (the destination's test message) when members are listed", () => {
    const trust = logDestinationTrustPolicy({ ...HERE, accountIds: ["210987654321", "111122223333", "210987654321"] });
    expect(trust[0]?.Condition).toStrictEqual({
      StringLike: {
        "aws:SourceArn": [
          "arn:aws:logs:eu-west-1:111122223333:*",
          "arn:aws:logs:eu-west-1:123456789012:*",
          "arn:aws:logs:eu-west-1:210987654321:*",
        ],
      },
    });
  });
});

describe("logDestinationRoleStatements", () => {
  it("puts records on the ingest stream only, with the data keys of the stream's key", () => {
    const streamArn = "arn:aws:kinesis:eu-west-1:123456789012:stream/loglake-prod-stream";
    const kmsKeyArn = "arn:aws:kms:eu-west-1:123456789012:key/k";
    expect(logDestinationRoleStatements({ streamArn, kmsKeyArn })).toStrictEqual([
      {
        Sid: "PutOnIngestStream",
        Effect: "Allow",
        Action: ["kinesis:PutRecord", "kinesis:PutRecords"],
        Resource: [streamArn],
      },
      { Sid: "EncryptIngestStream", Effect: "Allow", Action: ["kms:GenerateDataKey"], Resource: [kmsKeyArn] },
    ]);
  });
});

describe("logDestinationPolicy", () => {
  it("lets principals of the organization alone subscribe to the destination", () => {
    expect(logDestinationPolicy({ destinationArn: DESTINATION, organizationId: "o-a1b2c3d4e5" })).toStrictEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "OrganizationSubscribes",
          Effect: "Allow",
          Principal: "*",
          Action: ["logs:PutSubscriptionFilter", "logs:PutAccountPolicy"],
          Resource: [DESTINATION],
          Condition: { StringEquals: { "aws:PrincipalOrgID": ["o-a1b2c3d4e5"] } },
        },
      ],
    });
  });

  it("narrows the organization to the listed accounts", () => {
    const policy = logDestinationPolicy({
      destinationArn: DESTINATION,
      organizationId: "o-a1b2c3d4e5",
      accountIds: ["210987654321", "111122223333"],
    });
    expect(policy.Statement[0]?.Condition).toStrictEqual({
      StringEquals: {
        "aws:PrincipalOrgID": ["o-a1b2c3d4e5"],
        "aws:PrincipalAccount": ["111122223333", "210987654321"],
      },
    });
  });
});

describe("memberSubscriptionRole", () => {
  it("is the role CloudWatch Logs assumes in a member account to check the sender, for its log groups in the region", () => {
    expect(memberSubscriptionRole(HERE)).toStrictEqual({
      trustPolicy: {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "CloudWatchLogsChecksSender",
            Effect: "Allow",
            Principal: { Service: "logs.amazonaws.com" },
            Action: ["sts:AssumeRole"],
          },
        ],
      },
      permissionPolicy: {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "SubscribedLogGroups",
            Effect: "Allow",
            Action: ["logs:PutLogEvents"],
            Resource: ["arn:aws:logs:eu-west-1:*:log-group:*"],
          },
        ],
      },
    });
  });
});
