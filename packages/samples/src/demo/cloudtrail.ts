import { createHash } from "node:crypto";
import { digestSigningString } from "@app/core/integrity/cloudtrail";
import { awsDisplayDate, DAY_MS, HOUR_MS, isoSeconds, utcParts } from "../clock.ts";
import { MIXED_ALNUM, type Rng, UPPER_ALNUM } from "../random.ts";
import { DEMO, INCIDENT_COUNTS, INCIDENT_HOURS } from "./scenario.ts";
import { DEMO_TRAIL_FINGERPRINT, signWithDemoKey } from "./trail-key.ts";

/** A CloudTrail record as AWS writes it (field order kept, absent fields omitted). */
export type CloudTrailRecord = Record<string, unknown>;

/** Who made a call: the userIdentity block plus where such calls come from. */
export interface Actor {
  identity: (rng: Rng, timeMs: number) => Record<string, unknown>;
  ip: string;
  userAgent: string;
  /** Calls made from the console carry sessionCredentialFromConsole. */
  console?: boolean;
}

const ACCOUNT = DEMO.accountId;
const CONSOLE_UA =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
const CLI_UA =
  "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-aws exe/x86_64.ubuntu.22 prompt/off command/cloudformation.deploy";
const SDK_UA = "aws-sdk-js/3.552.0 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 lang/js md/nodejs#20.12.2 api/";

function sessionAttributes(timeMs: number, mfa: boolean): Record<string, string> {
  return { creationDate: isoSeconds(timeMs - 17 * 60_000), mfaAuthenticated: mfa ? "true" : "false" };
}

function iamUser(name: string, principalId: string, ip: string, userAgent: string, consoleMfa?: boolean): Actor {
  return {
    ip,
    userAgent,
    console: consoleMfa !== undefined,
    identity: (rng, timeMs) => {
      const id: Record<string, unknown> = {
        type: "IAMUser",
        principalId,
        arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
        accountId: ACCOUNT,
        accessKeyId: consoleMfa !== undefined ? `ASIA${rng.chars(16, UPPER_ALNUM)}` : longTermKey(name),
        userName: name,
      };
      if (consoleMfa !== undefined) {
        id.sessionContext = {
          sessionIssuer: {},
          webIdFederationData: {},
          attributes: sessionAttributes(timeMs, consoleMfa),
        };
      }
      return id;
    },
  };
}

function longTermKey(user: string): string {
  // Stable per user, so access key reports group by it.
  let h = 0;
  for (const ch of user) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  let out = "AKIA";
  for (let i = 0; i < 16; i++) {
    h = (Math.imul(h, 1103515245) + 12345) >>> 0;
    out += UPPER_ALNUM[h % UPPER_ALNUM.length];
  }
  return out;
}

function assumedRole(role: string, roleId: string, session: string, ip: string, userAgent: string, ec2 = false): Actor {
  return {
    ip,
    userAgent,
    identity: (rng, timeMs) => {
      const sessionContext: Record<string, unknown> = {
        sessionIssuer: {
          type: "Role",
          principalId: roleId,
          arn: `arn:aws:iam::${ACCOUNT}:role/${role}`,
          accountId: ACCOUNT,
          userName: role,
        },
        webIdFederationData: {},
        attributes: sessionAttributes(timeMs, false),
      };
      if (ec2) sessionContext.ec2RoleDelivery = "2.0";
      return {
        type: "AssumedRole",
        principalId: `${roleId}:${session}`,
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}`,
        accountId: ACCOUNT,
        accessKeyId: `ASIA${rng.chars(16, UPPER_ALNUM)}`,
        sessionContext,
      };
    },
  };
}

function awsService(service: string): Actor {
  return { ip: service, userAgent: service, identity: () => ({ type: "AWSService", invokedBy: service }) };
}

function root(ip: string, mfa: boolean): Actor {
  return {
    ip,
    userAgent: CONSOLE_UA,
    console: true,
    identity: (rng, timeMs) => ({
      type: "Root",
      principalId: ACCOUNT,
      arn: `arn:aws:iam::${ACCOUNT}:root`,
      accountId: ACCOUNT,
      accessKeyId: `ASIA${rng.chars(16, UPPER_ALNUM)}`,
      sessionContext: { sessionIssuer: {}, webIdFederationData: {}, attributes: sessionAttributes(timeMs, mfa) },
    }),
  };
}

/** The principals of the demo account. */
export const ACTORS = {
  alice: iamUser("alice", "AIDAJ45Q7YFFAREXAMPLE", DEMO.officeIps[0], CONSOLE_UA, true),
  aliceHome: iamUser("alice", "AIDAJ45Q7YFFAREXAMPLE", DEMO.aliceHomeIp, CONSOLE_UA, true),
  bob: iamUser("bob", "AIDAQRSTUVWXYZEXAMPLE", DEMO.officeIps[1], CONSOLE_UA, false),
  ciDeployer: iamUser("ci-deployer", "AIDACKCEVSQ6C2EXAMPLE", DEMO.ciIp, CLI_UA),
  intruder: iamUser(
    "ci-deployer",
    "AIDACKCEVSQ6C2EXAMPLE",
    DEMO.intruderIp,
    "aws-cli/1.32.9 Python/3.12.1 Linux/6.6.9-kali",
  ),
  backdoor: iamUser(
    "svc-metrics",
    "AIDAZ7BACKDOOREXAMPLE",
    DEMO.intruderIp,
    "aws-cli/1.32.9 Python/3.12.1 Linux/6.6.9-kali",
  ),
  appServer: assumedRole(
    "app-server-role",
    "AROAJTEST2APPEXAMPLE",
    "i-0a1b2c3d4e5f67890",
    DEMO.natIp,
    `${SDK_UA}secrets-manager#3.552.0`,
    true,
  ),
  ordersFn: assumedRole("orders-fn-role", "AROAJORDERSFNEXAMPLE", "orders-fn", "192.0.2.30", `${SDK_UA}ssm#3.552.0`),
  monitoring: assumedRole(
    "observability-readonly",
    "AROAJMONITOREXAMPLE1",
    "observability-poller",
    "198.51.100.200",
    "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.15.0 md/arch#x86_64 lang/python#3.11.9 Botocore/1.34.84",
  ),
  lambdaService: awsService("lambda.amazonaws.com"),
  configService: awsService("config.amazonaws.com"),
  rootWithMfa: root(DEMO.officeIps[2], true),
  rootWithoutMfa: root(DEMO.intruderIp, false),
} as const satisfies Record<string, Actor>;

const EVENT_VERSIONS: Record<string, string> = {
  "signin.amazonaws.com": "1.09",
  "iam.amazonaws.com": "1.09",
  "sts.amazonaws.com": "1.08",
  "s3.amazonaws.com": "1.10",
  "ec2.amazonaws.com": "1.10",
  "kms.amazonaws.com": "1.10",
  "cloudtrail.amazonaws.com": "1.11",
  "secretsmanager.amazonaws.com": "1.11",
  "ssm.amazonaws.com": "1.09",
  "lambda.amazonaws.com": "1.08",
  "cloudformation.amazonaws.com": "1.09",
  "ecr.amazonaws.com": "1.08",
};

const GLOBAL_SERVICES = new Set(["iam.amazonaws.com", "signin.amazonaws.com"]);

/** What one API call looks like, before identity, ids and envelope are added. */
export interface Call {
  source: string;
  name: string;
  readOnly: boolean;
  params?: unknown;
  response?: unknown;
  resources?: { ARN: string; accountId: string; type: string }[];
  additional?: Record<string, unknown>;
  /** Failed calls; console sign-in failures carry a message but no code, as AWS logs them. */
  error?: { code?: string; message: string };
  eventType?: "AwsApiCall" | "AwsConsoleSignIn" | "AwsServiceEvent";
  region?: string;
  apiVersion?: string;
}

/** Builds one CloudTrail record with AWS's field order. */
export function cloudtrailRecord(rng: Rng, timeMs: number, actor: Actor, call: Call): CloudTrailRecord {
  const region = GLOBAL_SERVICES.has(call.source) ? "us-east-1" : (call.region ?? DEMO.region);
  const signIn = call.eventType === "AwsConsoleSignIn";
  const identity = actor.identity(rng, timeMs);
  const service = identity.type === "AWSService";
  const rec: CloudTrailRecord = {
    eventVersion: EVENT_VERSIONS[call.source] ?? "1.08",
    userIdentity: identity,
    eventTime: isoSeconds(timeMs),
    eventSource: call.source,
    eventName: call.name,
    awsRegion: region,
    sourceIPAddress: actor.ip,
    userAgent: actor.console && !signIn ? "AWS Internal" : actor.userAgent,
  };
  if (call.error) {
    if (call.error.code !== undefined) rec.errorCode = call.error.code;
    rec.errorMessage = call.error.message;
  }
  rec.requestParameters = call.params ?? null;
  rec.responseElements = call.response ?? null;
  if (call.additional) rec.additionalEventData = call.additional;
  if (!signIn) {
    rec.requestID = call.source === "s3.amazonaws.com" ? rng.chars(16, UPPER_ALNUM) : rng.uuid();
  }
  rec.eventID = rng.uuid();
  rec.readOnly = call.readOnly;
  if (call.resources) rec.resources = call.resources;
  rec.eventType = call.eventType ?? "AwsApiCall";
  if (call.apiVersion) rec.apiVersion = call.apiVersion;
  rec.managementEvent = true;
  rec.recipientAccountId = ACCOUNT;
  if (service && call.resources) rec.sharedEventID = rng.uuid();
  rec.eventCategory = "Management";
  if (!service) {
    const host = signIn
      ? "signin.aws.amazon.com"
      : GLOBAL_SERVICES.has(call.source)
        ? call.source
        : call.source.replace(".amazonaws.com", `.${region}.amazonaws.com`);
    rec.tlsDetails = {
      tlsVersion: actor.console ? "TLSv1.3" : rng.pick(["TLSv1.3", "TLSv1.2"]),
      cipherSuite: "TLS_AES_128_GCM_SHA256",
      clientProvidedHostHeader: host,
    };
  }
  if (actor.console && !signIn) rec.sessionCredentialFromConsole = "true";
  return rec;
}

function denied(actor: string, action: string, resource: string): { code: string; message: string } {
  return {
    code: "AccessDenied",
    message: `User: arn:aws:iam::${ACCOUNT}:user/${actor} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
  };
}

/** Console sign-in: success or failure, with or without MFA, optionally with a hidden user name. */
export function consoleLogin(
  rng: Rng,
  timeMs: number,
  opts: { user: string | "root" | "hidden"; ip: string; success: boolean; mfa: boolean },
): CloudTrailRecord {
  let identity: Record<string, unknown>;
  if (opts.user === "root") {
    identity = {
      type: "Root",
      principalId: ACCOUNT,
      arn: `arn:aws:iam::${ACCOUNT}:root`,
      accountId: ACCOUNT,
      accessKeyId: "",
    };
  } else if (opts.user === "hidden") {
    identity = { type: "IAMUser", accountId: ACCOUNT, accessKeyId: "", userName: "HIDDEN_DUE_TO_SECURITY_REASONS" };
  } else {
    identity = {
      type: "IAMUser",
      principalId: opts.user === "alice" ? "AIDAJ45Q7YFFAREXAMPLE" : "AIDAQRSTUVWXYZEXAMPLE",
      arn: `arn:aws:iam::${ACCOUNT}:user/${opts.user}`,
      accountId: ACCOUNT,
      userName: opts.user,
    };
  }
  const additional: Record<string, unknown> = {
    LoginTo: "https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1",
    MobileVersion: "No",
    MFAUsed: opts.mfa ? "Yes" : "No",
  };
  if (opts.mfa && opts.user !== "root" && opts.user !== "hidden") {
    additional.MFAIdentifier = `arn:aws:iam::${ACCOUNT}:mfa/${opts.user}`;
  }
  const actor: Actor = { ip: opts.ip, userAgent: CONSOLE_UA, identity: () => identity };
  return cloudtrailRecord(rng, timeMs, actor, {
    source: "signin.amazonaws.com",
    name: "ConsoleLogin",
    readOnly: false,
    eventType: "AwsConsoleSignIn",
    response: { ConsoleLogin: opts.success ? "Success" : "Failure" },
    error: opts.success ? undefined : { message: "Failed authentication" },
    additional,
  });
}

const KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${KEY_ID}`;
const SECRET_ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/orders/db-AbCdEf`;
const TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/${DEMO.trailName}`;

/** Calls one principal makes at a steady rate; `human` ones only in working hours. */
interface BaselineCall {
  actor: keyof typeof ACTORS;
  perHour: number;
  human?: boolean;
  call: (rng: Rng, timeMs: number) => Call;
}

/** Baseline calls of one principal: the steady background the anomaly reports compare against. */
const BASELINE: readonly BaselineCall[] = [
  {
    actor: "appServer",
    perHour: 6,
    call: () => ({
      source: "secretsmanager.amazonaws.com",
      name: "GetSecretValue",
      readOnly: true,
      params: { secretId: "prod/orders/db" },
    }),
  },
  {
    actor: "appServer",
    perHour: 8,
    call: () => ({
      source: "kms.amazonaws.com",
      name: "Decrypt",
      readOnly: true,
      params: { encryptionAlgorithm: "SYMMETRIC_DEFAULT", keyId: KEY_ARN },
      resources: [{ accountId: ACCOUNT, type: "AWS::KMS::Key", ARN: KEY_ARN }],
    }),
  },
  {
    actor: "ordersFn",
    perHour: 5,
    call: (rng) => ({
      source: "ssm.amazonaws.com",
      name: "GetParameter",
      readOnly: true,
      params: { name: rng.pick(["/orders/prod/api-url", "/orders/prod/feature-flags"]), withDecryption: true },
    }),
  },
  {
    actor: "lambdaService",
    perHour: 3,
    call: (rng, timeMs) => ({
      source: "sts.amazonaws.com",
      name: "AssumeRole",
      readOnly: true,
      params: { roleArn: `arn:aws:iam::${ACCOUNT}:role/orders-fn-role`, roleSessionName: "orders-fn" },
      response: {
        credentials: {
          accessKeyId: `ASIA${rng.chars(16, UPPER_ALNUM)}`,
          sessionToken: rng.chars(64, MIXED_ALNUM),
          expiration: awsDisplayDate(timeMs + HOUR_MS),
        },
      },
      resources: [{ accountId: ACCOUNT, type: "AWS::IAM::Role", ARN: `arn:aws:iam::${ACCOUNT}:role/orders-fn-role` }],
    }),
  },
  {
    actor: "monitoring",
    perHour: 10,
    call: () => ({
      source: "ec2.amazonaws.com",
      name: "DescribeInstances",
      readOnly: true,
      params: { instancesSet: {}, filterSet: {} },
    }),
  },
  {
    actor: "monitoring",
    perHour: 4,
    call: () => ({
      source: "ec2.amazonaws.com",
      name: "DescribeVolumes",
      readOnly: true,
      params: { volumeSet: {}, filterSet: {} },
    }),
  },
  {
    actor: "configService",
    perHour: 2,
    call: (rng) => {
      const bucket = rng.pick(["orders-prod-assets", "orders-prod-exports", DEMO.trailBucket]);
      return {
        source: "s3.amazonaws.com",
        name: "GetBucketAcl",
        readOnly: true,
        params: { bucketName: bucket, Host: `${bucket}.s3.us-east-1.amazonaws.com`, acl: "" },
        resources: [{ accountId: ACCOUNT, type: "AWS::S3::Bucket", ARN: `arn:aws:s3:::${bucket}` }],
      };
    },
  },
  {
    actor: "ciDeployer",
    perHour: 4,
    human: true,
    call: () => ({
      source: "cloudformation.amazonaws.com",
      name: "DescribeStacks",
      readOnly: true,
      params: { stackName: "orders-prod" },
    }),
  },
  {
    actor: "ciDeployer",
    perHour: 1,
    human: true,
    call: (rng) => ({
      source: "lambda.amazonaws.com",
      name: "UpdateFunctionCode20150331v2",
      readOnly: false,
      params: { functionName: "orders-fn", s3Bucket: "orders-prod-artifacts", s3Key: `orders-fn/${rng.hex(12)}.zip` },
      response: { functionName: "orders-fn", runtime: "nodejs20.x", codeSize: rng.int(2_000_000, 2_400_000) },
      apiVersion: "2015-03-31",
    }),
  },
  {
    actor: "alice",
    perHour: 2,
    human: true,
    call: (rng) =>
      rng.pick<Call>([
        { source: "ec2.amazonaws.com", name: "DescribeInstances", readOnly: true, params: { instancesSet: {} } },
        { source: "s3.amazonaws.com", name: "ListBuckets", readOnly: true, params: { Host: "s3.amazonaws.com" } },
        { source: "iam.amazonaws.com", name: "ListUsers", readOnly: true, params: null },
        { source: "cloudtrail.amazonaws.com", name: "LookupEvents", readOnly: true, params: { maxResults: 50 } },
      ]),
  },
  {
    actor: "bob",
    perHour: 1,
    human: true,
    call: (rng) =>
      rng.pick<Call>([
        { source: "ec2.amazonaws.com", name: "DescribeInstances", readOnly: true, params: { instancesSet: {} } },
        { source: "lambda.amazonaws.com", name: "ListFunctions20150331", readOnly: true, params: null },
      ]),
  },
];

/** Baseline of the second region: a monitoring poller, nothing else. */
const SECONDARY_BASELINE: readonly { perHour: number; call: Call }[] = [
  {
    perHour: 3,
    call: { source: "ec2.amazonaws.com", name: "DescribeInstances", readOnly: true, region: DEMO.secondaryRegion },
  },
  {
    perHour: 2,
    call: { source: "ec2.amazonaws.com", name: "DescribeSecurityGroups", readOnly: true, region: DEMO.secondaryRegion },
  },
];

const BASELINE_WEIGHTS = BASELINE.map((b, i) => [i, b.perHour] as const);

/**
 * One record drawn from the baseline mix (weighted by each principal's hourly rate), with occasional failures and
 * sign-ins: the steady traffic of a busy account, for volume tests.
 */
export function mixedRecord(rng: Rng, timeMs: number): CloudTrailRecord {
  const roll = rng.float();
  if (roll < 0.01) {
    return consoleLogin(rng, timeMs, {
      user: rng.pick(["alice", "bob"]),
      ip: rng.pick(DEMO.officeIps),
      success: true,
      mfa: rng.chance(0.5),
    });
  }
  const b = BASELINE[rng.weighted(BASELINE_WEIGHTS)] as (typeof BASELINE)[number];
  const call = b.call(rng, timeMs);
  if (roll > 0.97) call.error = { code: "AccessDenied", message: "Access Denied" };
  return cloudtrailRecord(rng, timeMs, ACTORS[b.actor], call);
}

function isWorkHour(ms: number): boolean {
  const d = new Date(ms);
  const day = d.getUTCDay();
  const hour = d.getUTCHours();
  return day >= 1 && day <= 5 && hour >= 8 && hour < 18;
}

/** The records of one hour of the primary region (global services included), unsorted. */
export function cloudtrailHour(rng: Rng, hourStartMs: number, lastDayMs: number): CloudTrailRecord[] {
  const out: CloudTrailRecord[] = [];
  const hour = new Date(hourStartMs).getUTCHours();
  const lastDay = hourStartMs >= lastDayMs;
  const at = (fromMin: number, toMin: number) => hourStartMs + rng.int(fromMin * 60_000, toMin * 60_000 - 1);

  for (const b of BASELINE) {
    if (b.human && !isWorkHour(hourStartMs)) continue;
    const n = rng.around(b.perHour, Math.max(2, b.perHour / 2));
    // The deploy user is quiet once its key is stolen and disabled.
    if (lastDay && b.actor === "ciDeployer" && hour >= INCIDENT_HOURS.intruder) continue;
    const actor = b.actor === "alice" && lastDay ? ACTORS.aliceHome : ACTORS[b.actor];
    for (let i = 0; i < n; i++) {
      const t = at(0, 60);
      out.push(cloudtrailRecord(rng, t, actor, b.call(rng, t)));
    }
  }

  const dayIndex = Math.floor((hourStartMs - lastDayMs) / DAY_MS);
  const weekday = isWorkHour(hourStartMs);
  if (weekday && hour === 8) {
    // Alice signs in with MFA each working morning (from home on the last day: a new IP for her).
    out.push(
      consoleLogin(rng, at(0, 20), {
        user: "alice",
        ip: lastDay ? DEMO.aliceHomeIp : DEMO.officeIps[0],
        success: true,
        mfa: true,
      }),
    );
  }
  if (weekday && hour === 9) {
    // Bob has no MFA device.
    out.push(consoleLogin(rng, at(0, 30), { user: "bob", ip: DEMO.officeIps[1], success: true, mfa: false }));
  }
  if (dayIndex === -4 && hour === 11) out.push(...adminChanges(rng, at(0, 50)));
  if (dayIndex === -3 && hour === 10) out.push(...rootSession(rng, at(10, 20)));
  if (lastDay) {
    if (hour === INCIDENT_HOURS.consoleLoginFailures) {
      for (let i = 0; i < INCIDENT_COUNTS.consoleLoginFailuresHidden; i++) {
        out.push(consoleLogin(rng, at(0, 4), { user: "hidden", ip: DEMO.bruteForceIp, success: false, mfa: false }));
      }
      for (let i = 0; i < INCIDENT_COUNTS.consoleLoginFailuresKnownUser; i++) {
        out.push(consoleLogin(rng, at(0, 4), { user: "alice", ip: DEMO.bruteForceIp, success: false, mfa: false }));
      }
    }
    if (hour === INCIDENT_HOURS.rootLoginWithoutMfa) out.push(...rootWithoutMfa(rng, hourStartMs + 5 * 60_000));
    if (hour === INCIDENT_HOURS.intruder) out.push(...intrusion(rng, hourStartMs));
    if (hour === INCIDENT_HOURS.apiRateSpike) {
      const call = BASELINE[0]?.call(rng, hourStartMs) as Call;
      for (let i = 0; i < INCIDENT_COUNTS.apiRateSpike; i++) {
        out.push(cloudtrailRecord(rng, at(0, 60), ACTORS.appServer, call));
      }
    }
    if (hour === INCIDENT_HOURS.errorRateSpike) {
      for (let i = 0; i < INCIDENT_COUNTS.errorRateSpike; i++) {
        out.push(
          cloudtrailRecord(rng, at(10, 30), ACTORS.ordersFn, {
            source: "ssm.amazonaws.com",
            name: "GetParameter",
            readOnly: true,
            params: { name: "/orders/prod/feature-flags", withDecryption: true },
            error: { code: "ThrottlingException", message: "Rate exceeded" },
          }),
        );
      }
    }
  }
  return out;
}

/** The records of one hour of the secondary region, unsorted. */
export function cloudtrailSecondaryHour(rng: Rng, hourStartMs: number): CloudTrailRecord[] {
  const out: CloudTrailRecord[] = [];
  for (const b of SECONDARY_BASELINE) {
    const n = rng.around(b.perHour, 2);
    for (let i = 0; i < n; i++) {
      out.push(cloudtrailRecord(rng, hourStartMs + rng.int(0, HOUR_MS - 1), ACTORS.monitoring, b.call));
    }
  }
  return out;
}

function adminChanges(rng: Rng, startMs: number): CloudTrailRecord[] {
  const a = ACTORS.alice;
  let t = startMs;
  const next = () => {
    t += rng.int(20_000, 90_000);
    return t;
  };
  return [
    cloudtrailRecord(rng, next(), a, {
      source: "iam.amazonaws.com",
      name: "AttachRolePolicy",
      readOnly: false,
      params: { roleName: "orders-fn-role", policyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" },
    }),
    cloudtrailRecord(rng, next(), a, {
      source: "iam.amazonaws.com",
      name: "CreatePolicyVersion",
      readOnly: false,
      params: {
        policyArn: `arn:aws:iam::${ACCOUNT}:policy/orders-app-policy`,
        policyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:PutItem"], Resource: "*" }],
        }),
        setAsDefault: true,
      },
      response: { policyVersion: { versionId: "v3", isDefaultVersion: true, createDate: awsDisplayDate(t) } },
    }),
    cloudtrailRecord(rng, next(), a, {
      source: "ec2.amazonaws.com",
      name: "AuthorizeSecurityGroupIngress",
      readOnly: false,
      params: {
        groupId: "sg-0123456789abcdef0",
        ipPermissions: {
          items: [
            {
              ipProtocol: "tcp",
              fromPort: 5432,
              toPort: 5432,
              groups: {},
              ipRanges: { items: [{ cidrIp: "10.0.0.0/16", description: "app subnets" }] },
              ipv6Ranges: {},
              prefixListIds: {},
            },
          ],
        },
      },
      response: { requestId: rng.uuid(), _return: true },
    }),
  ];
}

function rootSession(rng: Rng, startMs: number): CloudTrailRecord[] {
  const r = ACTORS.rootWithMfa;
  return [
    consoleLogin(rng, startMs, { user: "root", ip: DEMO.officeIps[2], success: true, mfa: true }),
    cloudtrailRecord(rng, startMs + 40_000, r, {
      source: "iam.amazonaws.com",
      name: "GetAccountSummary",
      readOnly: true,
      params: null,
    }),
    cloudtrailRecord(rng, startMs + 95_000, r, {
      source: "iam.amazonaws.com",
      name: "UpdateAccountPasswordPolicy",
      readOnly: false,
      params: { minimumPasswordLength: 14, requireSymbols: true, requireNumbers: true, maxPasswordAge: 90 },
    }),
  ];
}

function rootWithoutMfa(rng: Rng, startMs: number): CloudTrailRecord[] {
  const r = ACTORS.rootWithoutMfa;
  return [
    consoleLogin(rng, startMs, { user: "root", ip: DEMO.intruderIp, success: true, mfa: false }),
    cloudtrailRecord(rng, startMs + 30_000, r, {
      source: "iam.amazonaws.com",
      name: "ListUsers",
      readOnly: true,
      params: null,
    }),
    cloudtrailRecord(rng, startMs + 75_000, r, {
      source: "iam.amazonaws.com",
      name: "CreateAccessKey",
      readOnly: false,
      params: null,
      response: {
        accessKey: {
          accessKeyId: `AKIA${rng.chars(16, UPPER_ALNUM)}`,
          status: "Active",
          createDate: awsDisplayDate(startMs + 75_000),
        },
      },
    }),
  ];
}

const RECON_DENIED: readonly [string, string, string][] = [
  ["iam.amazonaws.com", "ListUsers", "iam:ListUsers"],
  ["iam.amazonaws.com", "ListRoles", "iam:ListRoles"],
  ["iam.amazonaws.com", "GetAccountAuthorizationDetails", "iam:GetAccountAuthorizationDetails"],
  ["secretsmanager.amazonaws.com", "ListSecrets", "secretsmanager:ListSecrets"],
  ["kms.amazonaws.com", "ListKeys", "kms:ListKeys"],
  ["s3.amazonaws.com", "GetBucketPolicy", "s3:GetBucketPolicy"],
  ["lambda.amazonaws.com", "ListFunctions20150331", "lambda:ListFunctions"],
  ["ssm.amazonaws.com", "DescribeParameters", "ssm:DescribeParameters"],
  ["cloudtrail.amazonaws.com", "DescribeTrails", "cloudtrail:DescribeTrails"],
];

/** The stolen deploy key: recon, AccessDenied burst, persistence, then tampering with logging, data and keys. */
function intrusion(rng: Rng, hourStartMs: number): CloudTrailRecord[] {
  const out: CloudTrailRecord[] = [];
  let t = hourStartMs + 60_000;
  const step = (min: number, max: number) => {
    t += rng.int(min, max);
    return t;
  };
  const k = ACTORS.intruder;
  out.push(
    cloudtrailRecord(rng, step(1_000, 5_000), k, {
      source: "sts.amazonaws.com",
      name: "GetCallerIdentity",
      readOnly: true,
      params: null,
      response: null,
    }),
    cloudtrailRecord(rng, step(5_000, 20_000), k, {
      source: "s3.amazonaws.com",
      name: "ListBuckets",
      readOnly: true,
      params: { Host: "s3.amazonaws.com" },
    }),
  );
  for (let i = 0; i < INCIDENT_COUNTS.accessDenied; i++) {
    const [source, name, action] = RECON_DENIED[i % RECON_DENIED.length] as [string, string, string];
    const region = i % 3 === 2 ? DEMO.secondaryRegion : DEMO.region;
    out.push(
      cloudtrailRecord(rng, step(2_000, 15_000), k, {
        source,
        name,
        readOnly: true,
        region,
        params: null,
        error: denied("ci-deployer", action, "*"),
      }),
    );
  }
  const user = "svc-metrics";
  const userArn = `arn:aws:iam::${ACCOUNT}:user/${user}`;
  out.push(
    cloudtrailRecord(rng, step(10_000, 30_000), k, {
      source: "iam.amazonaws.com",
      name: "CreateUser",
      readOnly: false,
      params: { userName: user },
      response: { user: { path: "/", userName: user, userId: "AIDAZ7BACKDOOREXAMPLE", arn: userArn } },
    }),
    cloudtrailRecord(rng, step(5_000, 15_000), k, {
      source: "iam.amazonaws.com",
      name: "CreateLoginProfile",
      readOnly: false,
      params: { userName: user, passwordResetRequired: false },
      response: { loginProfile: { userName: user, passwordResetRequired: false } },
    }),
    cloudtrailRecord(rng, step(5_000, 15_000), k, {
      source: "iam.amazonaws.com",
      name: "CreateAccessKey",
      readOnly: false,
      params: { userName: user },
      response: { accessKey: { userName: user, accessKeyId: `AKIA${rng.chars(16, UPPER_ALNUM)}`, status: "Active" } },
    }),
    cloudtrailRecord(rng, step(5_000, 15_000), k, {
      source: "iam.amazonaws.com",
      name: "AttachUserPolicy",
      readOnly: false,
      params: { userName: user, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
    }),
    cloudtrailRecord(rng, step(5_000, 15_000), k, {
      source: "iam.amazonaws.com",
      name: "PutUserPolicy",
      readOnly: false,
      params: {
        userName: user,
        policyName: "metrics-inline",
        policyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
        }),
      },
    }),
  );
  const b = ACTORS.backdoor;
  const policyArn = `arn:aws:iam::${ACCOUNT}:policy/orders-app-policy`;
  const calls: Call[] = [
    {
      source: "iam.amazonaws.com",
      name: "CreatePolicyVersion",
      readOnly: false,
      params: {
        policyArn,
        policyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
        }),
        setAsDefault: true,
      },
      response: { policyVersion: { versionId: "v4", isDefaultVersion: true } },
    },
    {
      source: "iam.amazonaws.com",
      name: "AttachRolePolicy",
      readOnly: false,
      params: { roleName: "app-server-role", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
    },
    {
      source: "iam.amazonaws.com",
      name: "DeletePolicy",
      readOnly: false,
      params: { policyArn: `arn:aws:iam::${ACCOUNT}:policy/deny-data-exfiltration` },
    },
    {
      source: "s3.amazonaws.com",
      name: "PutBucketPolicy",
      readOnly: false,
      params: {
        bucketName: "orders-prod-exports",
        Host: "orders-prod-exports.s3.us-east-1.amazonaws.com",
        bucketPolicy: {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::orders-prod-exports/*" },
          ],
        },
        policy: "",
      },
      resources: [{ accountId: ACCOUNT, type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::orders-prod-exports" }],
    },
    {
      source: "s3.amazonaws.com",
      name: "PutBucketAcl",
      readOnly: false,
      params: {
        bucketName: "orders-prod-exports",
        Host: "orders-prod-exports.s3.us-east-1.amazonaws.com",
        acl: "",
        "x-amz-acl": ["public-read"],
      },
      resources: [{ accountId: ACCOUNT, type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::orders-prod-exports" }],
    },
    {
      source: "s3.amazonaws.com",
      name: "DeletePublicAccessBlock",
      readOnly: false,
      params: { "x-amz-account-id": ACCOUNT, Host: `${ACCOUNT}.s3-control.us-east-1.amazonaws.com` },
    },
    {
      source: "s3.amazonaws.com",
      name: "DeleteBucket",
      readOnly: false,
      params: { bucketName: "orders-prod-access-logs", Host: "orders-prod-access-logs.s3.us-east-1.amazonaws.com" },
      resources: [{ accountId: ACCOUNT, type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::orders-prod-access-logs" }],
    },
    {
      source: "ec2.amazonaws.com",
      name: "AuthorizeSecurityGroupIngress",
      readOnly: false,
      params: {
        groupId: "sg-0123456789abcdef0",
        ipPermissions: {
          items: [
            {
              ipProtocol: "tcp",
              fromPort: 22,
              toPort: 22,
              groups: {},
              ipRanges: { items: [{ cidrIp: "0.0.0.0/0" }] },
              ipv6Ranges: { items: [{ cidrIpv6: "::/0" }] },
              prefixListIds: {},
            },
          ],
        },
      },
      response: { _return: true },
    },
    {
      source: "kms.amazonaws.com",
      name: "DisableKey",
      readOnly: false,
      params: { keyId: KEY_ID },
      resources: [{ accountId: ACCOUNT, type: "AWS::KMS::Key", ARN: KEY_ARN }],
    },
    {
      source: "kms.amazonaws.com",
      name: "ScheduleKeyDeletion",
      readOnly: false,
      params: { keyId: KEY_ID, pendingWindowInDays: 7 },
      response: {
        keyId: KEY_ARN,
        // Seven days after the call, which comes about forty minutes into the hour.
        deletionDate: awsDisplayDate(hourStartMs + 7 * DAY_MS + 40 * 60_000),
        keyState: "PendingDeletion",
        pendingWindowInDays: 7,
      },
      resources: [{ accountId: ACCOUNT, type: "AWS::KMS::Key", ARN: KEY_ARN }],
    },
    {
      source: "cloudtrail.amazonaws.com",
      name: "PutEventSelectors",
      readOnly: false,
      params: {
        trailName: DEMO.trailName,
        eventSelectors: [{ readWriteType: "ReadOnly", includeManagementEvents: true, dataResources: [] }],
      },
      response: { trailARN: TRAIL_ARN },
    },
    {
      source: "cloudtrail.amazonaws.com",
      name: "UpdateTrail",
      readOnly: false,
      params: { name: DEMO.trailName, isMultiRegionTrail: false, includeGlobalServiceEvents: false },
      response: {
        name: DEMO.trailName,
        trailARN: TRAIL_ARN,
        isMultiRegionTrail: false,
        includeGlobalServiceEvents: false,
      },
    },
    {
      source: "cloudtrail.amazonaws.com",
      name: "StopLogging",
      readOnly: false,
      params: { name: TRAIL_ARN },
    },
    {
      source: "cloudtrail.amazonaws.com",
      name: "DeleteTrail",
      readOnly: false,
      params: { name: TRAIL_ARN },
    },
  ];
  for (const call of calls) out.push(cloudtrailRecord(rng, step(15_000, 60_000), b, call));
  out.push(
    cloudtrailRecord(rng, step(30_000, 60_000), ACTORS.alice, {
      source: "secretsmanager.amazonaws.com",
      name: "GetSecretValue",
      readOnly: true,
      params: { secretId: SECRET_ARN },
      error: { code: "AccessDeniedException", message: "Access to KMS is not allowed" },
    }),
  );
  return out;
}

/** Serialises records as a CloudTrail log file body, `{"Records":[…]}`, sorted by event time. */
export function cloudtrailFileText(records: CloudTrailRecord[]): string {
  records.sort((a, b) => (a.eventTime as string).localeCompare(b.eventTime as string));
  return `{"Records":[${records.map((r) => JSON.stringify(r)).join(",")}]}`;
}

/** S3 key of a CloudTrail log file: `AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<rand>.json.gz`. */
export function cloudtrailKey(account: string, region: string, deliveryMs: number, random: string): string {
  const p = utcParts(deliveryMs);
  return `AWSLogs/${account}/CloudTrail/${region}/${p.yyyy}/${p.mm}/${p.dd}/${account}_CloudTrail_${region}_${p.yyyy}${p.mm}${p.dd}T${p.hh}${p.mi}Z_${random}.json.gz`;
}

/** S3 key of a digest file: `AWSLogs/<acct>/CloudTrail-Digest/<region>/YYYY/MM/DD/<acct>_CloudTrail-Digest_<region>_<trail>_<region>_<YYYYMMDDTHHmmssZ>.json.gz`. */
export function cloudtrailDigestKey(account: string, region: string, trail: string, endMs: number): string {
  const p = utcParts(endMs);
  return `AWSLogs/${account}/CloudTrail-Digest/${region}/${p.yyyy}/${p.mm}/${p.dd}/${account}_CloudTrail-Digest_${region}_${trail}_${region}_${p.yyyy}${p.mm}${p.dd}T${p.hh}${p.mi}${p.ss}Z.json.gz`;
}

/** A delivered log file as a digest lists it. */
export interface DeliveredLogFile {
  key: string;
  text: string;
  oldestEventTime: string;
  newestEventTime: string;
}

/**
 * Digest files for consecutive hours, chained through previousDigest* and signed with the demo key exactly as the
 * CloudTrail user guide describes: hashes are SHA-256 over the uncompressed text, the signature (what S3 would hold
 * as `x-amz-meta-signature`) is SHA256withRSA over the data signing string.
 */
export function cloudtrailDigests(
  hours: readonly { startMs: number; files: readonly DeliveredLogFile[] }[],
): { key: string; text: string; signature: string }[] {
  const out: { key: string; text: string; signature: string }[] = [];
  let previous: { key: string; text: string; signature: string } | undefined;
  for (const h of hours) {
    const endMs = h.startMs + HOUR_MS - 1_000;
    const key = cloudtrailDigestKey(DEMO.accountId, DEMO.region, DEMO.trailName, endMs);
    const times = h.files.flatMap((f) => [f.oldestEventTime, f.newestEventTime]).sort();
    const digest: Record<string, unknown> = {
      awsAccountId: DEMO.accountId,
      digestStartTime: isoSeconds(h.startMs),
      digestEndTime: isoSeconds(endMs),
      digestS3Bucket: DEMO.trailBucket,
      digestS3Object: key,
      digestPublicKeyFingerprint: DEMO_TRAIL_FINGERPRINT,
      digestSignatureAlgorithm: "SHA256withRSA",
      newestEventTime: times[times.length - 1] ?? null,
      oldestEventTime: times[0] ?? null,
      previousDigestS3Bucket: previous ? DEMO.trailBucket : null,
      previousDigestS3Object: previous ? previous.key : null,
      previousDigestHashValue: previous ? sha256(previous.text) : null,
      previousDigestHashAlgorithm: previous ? "SHA-256" : null,
      previousDigestSignature: previous ? previous.signature : null,
      logFiles: h.files.map((f) => ({
        s3Bucket: DEMO.trailBucket,
        s3Object: f.key,
        hashValue: sha256(f.text),
        hashAlgorithm: "SHA-256",
        newestEventTime: f.newestEventTime,
        oldestEventTime: f.oldestEventTime,
      })),
    };
    const text = JSON.stringify(digest);
    const signing = digestSigningString({
      digestEndTime: isoSeconds(endMs),
      digestS3Bucket: DEMO.trailBucket,
      digestS3Object: key,
      digestSha256: sha256(text),
      previousDigestSignature: previous?.signature ?? null,
    });
    const entry = { key, text, signature: signWithDemoKey(signing) };
    out.push(entry);
    previous = entry;
  }
  return out;
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
