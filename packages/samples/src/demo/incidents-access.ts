import { HOUR_MS } from "../clock.ts";
import { Rng } from "../random.ts";
import { ACTORS, type Call, type CloudTrailRecord, cloudtrailRecord } from "./cloudtrail.ts";
import { DEMO } from "./scenario.ts";

/** UTC hour on the last demo day in which the backdoor user takes secrets, runs commands and opens ways back in. */
export const ACCESS_HOUR = 20;

/** The account the backdoor user shares data with and opens the role to (not approved for sharing). */
export const OUTSIDE_ACCOUNT = "444455556666";

const ACCOUNT = DEMO.accountId;
const EXPORTS = "orders-prod-exports";
const SNAPSHOT = "snap-0f3e2d1c0b9a87654";
const INSTANCES = ["i-0a1b2c3d4e5f67890", "i-0b2c3d4e5f6a78901", "i-0c3d4e5f6a7b89012"];
/** Secrets the backdoor user reads one after another: an application reads one or two of them. */
const SECRETS = [
  "prod/orders/db",
  "prod/orders/stripe",
  "prod/auth/jwt-signing",
  "prod/auth/oauth-client",
  "prod/crm/api-key",
  "prod/mail/smtp",
  "prod/search/admin",
  "prod/backup/encryption",
];

const policy = (statements: readonly Record<string, unknown>[]) =>
  JSON.stringify({ Version: "2012-10-17", Statement: statements });

/** What the backdoor user does, in order: collect credentials, execute on instances, share data, keep access. */
const ATTACK: readonly Call[] = [
  ...SECRETS.map(
    (secretId): Call => ({
      source: "secretsmanager.amazonaws.com",
      name: "GetSecretValue",
      readOnly: true,
      params: { secretId },
    }),
  ),
  {
    source: "ssm.amazonaws.com",
    name: "SendCommand",
    readOnly: false,
    params: {
      instanceIds: INSTANCES,
      documentName: "AWS-RunShellScript",
      parameters: "HIDDEN_DUE_TO_SECURITY_REASONS",
      interactive: false,
    },
    response: {
      command: {
        commandId: "5f2d3c4b-1a09-4e8d-9c7b-6a5f4e3d2c1b",
        documentName: "AWS-RunShellScript",
        instanceIds: INSTANCES,
        status: "Pending",
        targetCount: INSTANCES.length,
      },
    },
  },
  {
    source: "ec2.amazonaws.com",
    name: "ModifySnapshotAttribute",
    readOnly: false,
    params: {
      snapshotId: SNAPSHOT,
      createVolumePermission: { add: { items: [{ userId: OUTSIDE_ACCOUNT }] } },
      attributeType: "CREATE_VOLUME_PERMISSION",
    },
    response: { _return: true },
  },
  {
    source: "s3.amazonaws.com",
    name: "PutBucketPolicy",
    readOnly: false,
    params: {
      bucketName: EXPORTS,
      Host: `${EXPORTS}.s3.amazonaws.com`,
      bucketPolicy: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${OUTSIDE_ACCOUNT}:root` },
            Action: ["s3:GetObject", "s3:ListBucket"],
            Resource: [`arn:aws:s3:::${EXPORTS}`, `arn:aws:s3:::${EXPORTS}/*`],
          },
        ],
      },
      policy: [""],
    },
    resources: [{ accountId: ACCOUNT, type: "AWS::S3::Bucket", ARN: `arn:aws:s3:::${EXPORTS}` }],
  },
  {
    source: "iam.amazonaws.com",
    name: "UpdateAssumeRolePolicy",
    readOnly: false,
    params: {
      roleName: "observability-readonly",
      policyDocument: policy([
        { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
        { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${OUTSIDE_ACCOUNT}:root` }, Action: "sts:AssumeRole" },
      ]),
    },
  },
  {
    source: "lambda.amazonaws.com",
    name: "AddPermission20150331v2",
    readOnly: false,
    params: {
      functionName: "orders-fn",
      statementId: "invoke",
      action: "lambda:InvokeFunction",
      principal: "*",
    },
    response: {
      statement: `{"Sid":"invoke","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:${DEMO.region}:${ACCOUNT}:function:orders-fn"}`,
    },
    apiVersion: "2015-03-31",
  },
  {
    source: "sts.amazonaws.com",
    name: "GetFederationToken",
    readOnly: true,
    params: { name: "metrics", durationSeconds: 129600 },
    response: {
      federatedUser: {
        federatedUserId: `${ACCOUNT}:metrics`,
        arn: `arn:aws:sts::${ACCOUNT}:federated-user/metrics`,
      },
      packedPolicySize: 0,
    },
  },
];

/**
 * The credential-access, execution and sharing incident of the last demo day: the backdoor user created in the
 * intrusion reads eight secrets, runs a shell script on three instances through SSM, shares an EBS snapshot and the
 * exports bucket with an outside account, opens a role's trust to that account, makes a Lambda function invocable by
 * anyone and mints a federation token. An administrator's trust change to a service principal is the look-alike that
 * must not be reported. Its own generator, so adding it shifts no other record of the demo.
 */
export function accessIncidents(hourStartMs: number): CloudTrailRecord[] {
  if (new Date(hourStartMs).getUTCHours() !== ACCESS_HOUR) return [];
  const rng = new Rng(`access ${hourStartMs}`);
  let t = hourStartMs + 3 * 60_000;
  const out = ATTACK.map((call) => {
    t += rng.int(5_000, 60_000);
    return cloudtrailRecord(rng, t, ACTORS.backdoor, call);
  });
  out.push(
    cloudtrailRecord(rng, hourStartMs + HOUR_MS - 8 * 60_000, ACTORS.aliceHome, {
      source: "iam.amazonaws.com",
      name: "UpdateAssumeRolePolicy",
      readOnly: false,
      params: {
        roleName: "orders-fn-role",
        policyDocument: policy([
          { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
        ]),
      },
    }),
  );
  return out;
}
