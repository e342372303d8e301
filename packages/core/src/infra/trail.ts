import type { SourceId } from "../sources/types.ts";
import { denyInsecureTransport } from "./buckets.ts";
import { objectsArn, type PolicyDocument, policyDocument, type Statement } from "./policy.ts";

const CLOUDTRAIL = { Service: "cloudtrail.amazonaws.com" } as const;

/** The sources a trail delivers: its log files and its digests, both encrypted with the project key. */
export const TRAIL_SOURCE_IDS: readonly SourceId[] = ["cloudtrail", "cloudtrail_digest"];

/** Whether a customer receiving `sources` copies files the trail encrypted. */
export function receivesTrailFiles(sources: readonly string[]): boolean {
  return sources.some((s) => (TRAIL_SOURCE_IDS as readonly string[]).includes(s));
}

/** Where a trail delivers: `<keyPrefix>/AWSLogs/`, or `AWSLogs/` without a prefix. */
export function trailDeliveryPrefix(keyPrefix: string): string {
  return `${keyPrefix === "" ? "" : `${keyPrefix}/`}AWSLogs/`;
}

/** The ARN a trail will have, known before it exists: its bucket, key and topic policies name it. */
export function trailArn(input: { partition: string; region: string; accountId: string; name: string }): string {
  return `arn:${input.partition}:cloudtrail:${input.region}:${input.accountId}:trail/${input.name}`;
}

/** Inputs of the policy of the bucket a trail delivers to. */
export interface TrailBucketPolicyInput {
  bucketArn: string;
  trailArn: string;
  accountId: string;
  /** Key prefix in front of `AWSLogs/` ("" for none). */
  keyPrefix: string;
  /** Organization trails also write under `AWSLogs/<organization id>/`. */
  organizationId?: string;
}

/**
 * Policy of the bucket a trail delivers to: TLS only, and CloudTrail may call exactly `s3:GetBucketAcl` on the bucket
 * and `s3:PutObject` under `AWSLogs/<account>/` (and `AWSLogs/<organization>/` for an organization trail) with the
 * `bucket-owner-full-control` ACL, each only for this trail (`aws:SourceArn`), as the CloudTrail user guide's
 * "Amazon S3 bucket policy for CloudTrail" prescribes. It replaces the bucket's whole policy.
 */
export function trailBucketPolicy(input: TrailBucketPolicyInput): PolicyDocument {
  const logs = trailDeliveryPrefix(input.keyPrefix);
  const owners = [input.accountId, ...(input.organizationId ? [input.organizationId] : [])];
  const forTrail = { "aws:SourceArn": input.trailArn };
  return policyDocument([
    ...denyInsecureTransport(input.bucketArn),
    {
      Sid: "CloudTrailAclCheck",
      Effect: "Allow",
      Principal: CLOUDTRAIL,
      Action: ["s3:GetBucketAcl"],
      Resource: [input.bucketArn],
      Condition: { StringEquals: forTrail },
    },
    {
      Sid: "CloudTrailWrite",
      Effect: "Allow",
      Principal: CLOUDTRAIL,
      Action: ["s3:PutObject"],
      Resource: owners.map((o) => objectsArn(input.bucketArn, `${logs}${o}/`)),
      Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", ...forTrail } },
    },
  ]);
}

/** What the project key policy needs to know about the trail. */
export interface TrailKeyInput {
  trailArn: string;
  /** The trail's delivery-notification topic, encrypted with the same key. */
  topicArn: string;
  accountId: string;
  partition: string;
  /** Customer roles in other accounts that copy the trail's files (CopyObject decrypts them as the role). */
  customerRoleArns?: readonly string[];
}

/**
 * Key-policy statements that let CloudTrail use the project key for one trail: `kms:GenerateDataKey*` for log files
 * only with CloudTrail's encryption context and only for this trail (`aws:SourceArn`), `kms:DescribeKey` for that
 * trail, and the data keys of its encrypted notification topic, only under that topic's encryption context.
 */
export function trailKeyStatements(input: TrailKeyInput): Statement[] {
  const forTrail = { "aws:SourceArn": input.trailArn };
  return [
    {
      Sid: "AllowCloudTrailEncryptLogs",
      Effect: "Allow",
      Principal: CLOUDTRAIL,
      Action: ["kms:GenerateDataKey*"],
      Resource: ["*"],
      Condition: {
        StringEquals: forTrail,
        StringLike: {
          "kms:EncryptionContext:aws:cloudtrail:arn": `arn:${input.partition}:cloudtrail:*:${input.accountId}:trail/*`,
        },
      },
    },
    {
      Sid: "AllowCloudTrailDescribeKey",
      Effect: "Allow",
      Principal: CLOUDTRAIL,
      Action: ["kms:DescribeKey"],
      Resource: ["*"],
      Condition: { StringEquals: forTrail },
    },
    {
      Sid: "AllowCloudTrailNotifications",
      Effect: "Allow",
      Principal: CLOUDTRAIL,
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: ["*"],
      // SNS asks for the data keys of an encrypted topic on the publisher's behalf, under the topic's context.
      Condition: { StringEquals: { "kms:EncryptionContext:aws:sns:topicArn": input.topicArn } },
    },
    ...customerDecrypt(input),
  ];
}

// Named through their account roots and matched by `aws:PrincipalArn`: KMS refuses a key policy that names a role
// which does not exist yet, and a customer creates its role from our stack's outputs, after the first deploy.
function customerDecrypt(input: TrailKeyInput): Statement[] {
  const roles = [...new Set(input.customerRoleArns ?? [])].sort();
  if (roles.length === 0) return [];
  const roots = [...new Set(roles.map((r) => `arn:${input.partition}:iam::${r.split(":")[4]}:root`))];
  return [
    {
      Sid: "AllowCustomerRolesDecryptTrailLogs",
      Effect: "Allow",
      Principal: { AWS: roots },
      Action: ["kms:Decrypt"],
      Resource: ["*"],
      Condition: {
        ArnEquals: { "aws:PrincipalArn": roles },
        StringEquals: { "kms:EncryptionContext:aws:cloudtrail:arn": input.trailArn },
      },
    },
  ];
}

/** Policy of the delivery-notification topic: only this trail may publish, over TLS only. */
export function trailTopicPolicy(input: { topicArn: string; trailArn: string }): PolicyDocument {
  return policyDocument([
    {
      Sid: "AllowTrailNotifications",
      Effect: "Allow",
      Principal: CLOUDTRAIL,
      Action: ["sns:Publish"],
      Resource: [input.topicArn],
      Condition: { StringEquals: { "aws:SourceArn": input.trailArn } },
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

/** One advanced event selector in the shape `aws.cloudtrail.Trail` takes. */
export interface EventSelector {
  name: string;
  fieldSelectors: { field: string; equals?: string[]; startsWiths?: string[] }[];
}

/**
 * Advanced event selectors of the trail: every management event, plus object-level data events of the chosen
 * buckets and invocations of the chosen functions. Without data events the trail logs management events only.
 */
export function trailEventSelectors(input: {
  partition: string;
  buckets: readonly string[];
  functionArns: readonly string[];
}): EventSelector[] {
  const out: EventSelector[] = [
    { name: "Management events", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] },
  ];
  if (input.buckets.length > 0)
    out.push({
      name: "S3 object events",
      fieldSelectors: [
        { field: "eventCategory", equals: ["Data"] },
        { field: "resources.type", equals: ["AWS::S3::Object"] },
        { field: "resources.ARN", startsWiths: input.buckets.map((b) => `arn:${input.partition}:s3:::${b}/`) },
      ],
    });
  if (input.functionArns.length > 0)
    out.push({
      name: "Lambda invocations",
      fieldSelectors: [
        { field: "eventCategory", equals: ["Data"] },
        { field: "resources.type", equals: ["AWS::Lambda::Function"] },
        { field: "resources.ARN", equals: [...input.functionArns] },
      ],
    });
  return out;
}
