import { HOUR_MS } from "../clock.ts";
import { Rng } from "../random.ts";
import { ACTORS, type Call, type CloudTrailRecord, cloudtrailRecord } from "./cloudtrail.ts";
import { DEMO } from "./scenario.ts";

/** UTC hour on the last demo day in which the backdoor user blinds monitoring and destroys backups. */
export const EVASION_HOUR = 16;

const ACCOUNT = DEMO.accountId;
const DETECTOR = "12abc34d567e8fa901bc2d34e56789f0";
const DB = "orders-prod-db";
const SH_ARN = `arn:aws:securityhub:${DEMO.region}:${ACCOUNT}:subscription/aws-foundational-security-best-practices/v/1.0.0`;

const s3 = (bucket: string, extra: Record<string, unknown>) => ({
  bucketName: bucket,
  Host: `${bucket}.s3.${DEMO.region}.amazonaws.com`,
  ...extra,
});
const bucketArn = (bucket: string) => [{ accountId: ACCOUNT, type: "AWS::S3::Bucket", ARN: `arn:aws:s3:::${bucket}` }];

/** What the backdoor user does, in order: blind the monitoring, then remove what a recovery would need. */
const ATTACK: readonly Call[] = [
  {
    source: "guardduty.amazonaws.com",
    name: "CreateFilter",
    readOnly: false,
    params: {
      detectorId: DETECTOR,
      name: "suppress-noise",
      action: "ARCHIVE",
      rank: 1,
      findingCriteria: { criterion: { severity: { gte: 1 } } },
    },
    response: { name: "suppress-noise" },
  },
  { source: "guardduty.amazonaws.com", name: "DeleteDetector", readOnly: false, params: { detectorId: DETECTOR } },
  {
    source: "securityhub.amazonaws.com",
    name: "BatchDisableStandards",
    readOnly: false,
    params: { StandardsSubscriptionArns: [SH_ARN] },
  },
  {
    source: "config.amazonaws.com",
    name: "StopConfigurationRecorder",
    readOnly: false,
    params: { configurationRecorderName: "default" },
  },
  {
    source: "ec2.amazonaws.com",
    name: "DeleteFlowLogs",
    readOnly: false,
    params: { DeleteFlowLogsRequest: { FlowLogId: { content: "fl-0e17aa62a21d4bbfe", tag: 1 } } },
    response: {
      DeleteFlowLogsResponse: { unsuccessful: "", xmlns: "http://ec2.amazonaws.com/doc/2016-11-15/" },
    },
  },
  {
    source: "route53resolver.amazonaws.com",
    name: "DeleteResolverQueryLogConfig",
    readOnly: false,
    params: { resolverQueryLogConfigId: "rqlc-4473f20ca554c07" },
  },
  {
    source: "s3.amazonaws.com",
    name: "PutBucketLifecycle",
    readOnly: false,
    params: s3(DEMO.trailBucket, {
      lifecycle: "",
      LifecycleConfiguration: {
        xmlns: "http://s3.amazonaws.com/doc/2006-03-01/",
        Rule: { ID: "expire", Status: "Enabled", Filter: { Prefix: "" }, Expiration: { Days: 1 } },
      },
    }),
    resources: bucketArn(DEMO.trailBucket),
  },
  {
    source: "s3.amazonaws.com",
    name: "PutBucketVersioning",
    readOnly: false,
    params: s3("orders-prod-exports", {
      versioning: "",
      VersioningConfiguration: { xmlns: "http://s3.amazonaws.com/doc/2006-03-01/", Status: "Suspended" },
    }),
    resources: bucketArn("orders-prod-exports"),
  },
  {
    source: "rds.amazonaws.com",
    name: "ModifyDBInstance",
    readOnly: false,
    params: { dBInstanceIdentifier: DB, deletionProtection: false, applyImmediately: true },
  },
  {
    source: "rds.amazonaws.com",
    name: "DeleteDBSnapshot",
    readOnly: false,
    params: { dBSnapshotIdentifier: `${DB}-2025-06-11` },
  },
  {
    source: "rds.amazonaws.com",
    name: "DeleteDBInstance",
    readOnly: false,
    params: { dBInstanceIdentifier: DB, skipFinalSnapshot: true, deleteAutomatedBackups: true },
  },
  {
    source: "organizations.amazonaws.com",
    name: "LeaveOrganization",
    readOnly: false,
    params: null,
    error: {
      code: "AccessDeniedException",
      message: `User: arn:aws:iam::${ACCOUNT}:user/svc-metrics is not authorized to perform: organizations:LeaveOrganization with an explicit deny in a service control policy`,
    },
  },
];

/**
 * The defence-evasion and destruction incident of the last demo day: the backdoor user created in the intrusion turns
 * off GuardDuty, Security Hub standards, Config, flow and DNS query logging, shortens the trail bucket's retention,
 * suspends versioning, deletes the orders database with its snapshot, and tries to leave the organization (denied).
 * An administrator's 400-day lifecycle rule on the same bucket is the look-alike that must not be reported. Its own
 * generator, so adding it shifts no other record of the demo.
 */
export function evasionIncidents(hourStartMs: number): CloudTrailRecord[] {
  if (new Date(hourStartMs).getUTCHours() !== EVASION_HOUR) return [];
  const rng = new Rng(`evasion ${hourStartMs}`);
  let t = hourStartMs + 4 * 60_000;
  const out = ATTACK.map((call) => {
    t += rng.int(20_000, 90_000);
    return cloudtrailRecord(rng, t, ACTORS.backdoor, call);
  });
  out.push(
    cloudtrailRecord(rng, hourStartMs + HOUR_MS - 10 * 60_000, ACTORS.aliceHome, {
      source: "s3.amazonaws.com",
      name: "PutBucketLifecycle",
      readOnly: false,
      params: s3("orders-prod-assets", {
        lifecycle: "",
        LifecycleConfiguration: {
          xmlns: "http://s3.amazonaws.com/doc/2006-03-01/",
          Rule: { ID: "retention", Status: "Enabled", Filter: { Prefix: "" }, Expiration: { Days: 400 } },
        },
      }),
      resources: bucketArn("orders-prod-assets"),
    }),
  );
  return out;
}
