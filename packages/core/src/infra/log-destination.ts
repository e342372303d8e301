import { type PolicyDocument, policyDocument, type Statement } from "./policy.ts";

const LOGS = { Service: "logs.amazonaws.com" } as const;

/** Where a CloudWatch Logs destination lives. */
export interface LogDestinationAccount {
  partition: string;
  region: string;
  accountId: string;
}

/** Who may send through the destination: an organization, optionally only some of its accounts. */
export interface LogDestinationSenders {
  organizationId: string;
  /** Member accounts allowed to subscribe; absent: every account of the organization. */
  accountIds?: readonly string[];
}

/**
 * Trust policy of the role CloudWatch Logs assumes to put the destination's records on the stream. CloudWatch Logs
 * assumes it on the sending account's behalf (`aws:SourceArn` is a `logs` ARN of that account) and, for the test
 * message sent when the destination is created, on ours; both in the destination's region, the only one whose log
 * groups can subscribe to it. With `accountIds` only those accounts and ours; without, any account, because the
 * members of an organization are not known here: the destination policy then decides who may subscribe.
 */
export function logDestinationTrustPolicy(
  input: LogDestinationAccount & { accountIds?: readonly string[] },
): Statement[] {
  const accounts = input.accountIds ? [...new Set([input.accountId, ...input.accountIds])].sort() : ["*"];
  return [
    {
      Sid: "CloudWatchLogsDelivers",
      Effect: "Allow",
      Principal: LOGS,
      Action: ["sts:AssumeRole"],
      Condition: {
        StringLike: { "aws:SourceArn": accounts.map((a) => `arn:${input.partition}:logs:${input.region}:${a}:*`) },
      },
    },
  ];
}

/**
 * Permissions of that role: put records on the ingest stream only, and the data keys of the stream's KMS key that
 * an encrypted stream's producers need.
 */
export function logDestinationRoleStatements(input: { streamArn: string; kmsKeyArn: string }): Statement[] {
  return [
    {
      Sid: "PutOnIngestStream",
      Effect: "Allow",
      Action: ["kinesis:PutRecord", "kinesis:PutRecords"],
      Resource: [input.streamArn],
    },
    { Sid: "EncryptIngestStream", Effect: "Allow", Action: ["kms:GenerateDataKey"], Resource: [input.kmsKeyArn] },
  ];
}

/**
 * Access policy of the destination: principals of the organization (`aws:PrincipalOrgID`), and with `accountIds`
 * only those accounts (`aws:PrincipalAccount`), may attach log groups to it with a subscription filter or an
 * account-level subscription policy; nobody else.
 */
export function logDestinationPolicy(input: LogDestinationSenders & { destinationArn: string }): PolicyDocument {
  const accounts = input.accountIds ? [...new Set(input.accountIds)].sort() : undefined;
  return policyDocument([
    {
      Sid: "OrganizationSubscribes",
      Effect: "Allow",
      Principal: "*",
      Action: ["logs:PutSubscriptionFilter", "logs:PutAccountPolicy"],
      Resource: [input.destinationArn],
      Condition: {
        StringEquals: {
          "aws:PrincipalOrgID": [input.organizationId],
          ...(accounts ? { "aws:PrincipalAccount": accounts } : {}),
        },
      },
    },
  ]);
}

/**
 * The role a member account creates to attach its log groups to an organization destination, as CloudWatch Logs
 * documents: it trusts `logs.amazonaws.com`, which assumes it to check that the sender may use the destination, and
 * may put log events in the account's log groups of the destination's region. Its ARN goes in each subscription
 * filter (`roleArn`). An identity policy reaches only its own account's log groups, so the account is left open and
 * one document fits every member.
 */
export function memberSubscriptionRole(input: { partition: string; region: string }): {
  trustPolicy: PolicyDocument;
  permissionPolicy: PolicyDocument;
} {
  return {
    trustPolicy: policyDocument([
      { Sid: "CloudWatchLogsChecksSender", Effect: "Allow", Principal: LOGS, Action: ["sts:AssumeRole"] },
    ]),
    permissionPolicy: policyDocument([
      {
        Sid: "SubscribedLogGroups",
        Effect: "Allow",
        Action: ["logs:PutLogEvents"],
        Resource: [`arn:${input.partition}:logs:${input.region}:*:log-group:*`],
      },
    ]),
  };
}
