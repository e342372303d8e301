import { ACCESS_TAG } from "./access.ts";
import { LAKE_READERS_SID } from "./buckets.ts";
import { type InventoryResource, policyOf } from "./inventory.ts";

/** A compliance rule a resource breaks. */
export interface Violation {
  rule: string;
  resource: string;
  message: string;
}

const T = {
  bucket: "aws:s3/bucket:Bucket",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  policy: "aws:s3/bucketPolicy:BucketPolicy",
  objectLock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
  logging: "aws:s3/bucketLogging:BucketLogging",
  ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  queue: "aws:sqs/queue:Queue",
  stream: "aws:kinesis/stream:Stream",
  topic: "aws:sns/topic:Topic",
  workgroup: "aws:athena/workgroup:Workgroup",
  eventSource: "aws:lambda/eventSourceMapping:EventSourceMapping",
  lambda: "aws:lambda/function:Function",
  logDestinationPolicy: "aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy",
} as const;

type Json = Record<string, unknown>;
const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

function forBucket(all: readonly InventoryResource[], type: string, bucket: InventoryResource): InventoryResource[] {
  return all.filter((r) => r.type === type && r.inputs.bucket === bucket.id);
}

function bucketRules(all: readonly InventoryResource[], b: InventoryResource, out: Violation[]): void {
  const bad = (rule: string, message: string) => out.push({ rule, resource: b.name, message });
  const role = (b.inputs.tags as Json | undefined)?.["loglake:data"];
  const pab = forBucket(all, T.publicAccessBlock, b)[0]?.inputs;
  if (
    !pab ||
    !["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].every((k) => pab[k] === true)
  )
    bad("public-access-block", "every bucket blocks public ACLs and policies (all four settings)");
  if (forBucket(all, T.ownership, b)[0]?.inputs.rule === undefined)
    bad("acls-disabled", "every bucket enforces bucket-owner object ownership (ACLs disabled)");
  const versioning = forBucket(all, T.versioning, b)[0]?.inputs.versioningConfiguration as Json | undefined;
  if (versioning?.status !== "Enabled") bad("versioning", "every bucket is versioned");

  const sse = ((forBucket(all, T.encryption, b)[0]?.inputs.rules as Json[] | undefined) ?? [])[0]
    ?.applyServerSideEncryptionByDefault as Json | undefined;
  const logTarget = all.some((r) => r.type === T.logging && r.inputs.targetBucket === b.id);
  if (!sse) bad("encryption", "every bucket has default encryption");
  else if (sse.sseAlgorithm !== "aws:kms" && !logTarget)
    bad("encryption", "data buckets use SSE-KMS; only access-log targets may use SSE-S3 (an S3 requirement)");

  const policy = policyOf(forBucket(all, T.policy, b)[0]?.inputs.policy);
  const tlsOnly = policy?.Statement.some(
    (s) =>
      s.Effect === "Deny" &&
      s.Principal === "*" &&
      list(s.Action).includes("s3:*") &&
      (s.Condition?.Bool as Json | undefined)?.["aws:SecureTransport"] === "false",
  );
  if (!tlsOnly) bad("tls-only", "every bucket policy denies requests without TLS");

  if (role === "worm") {
    const lock = forBucket(all, T.objectLock, b)[0]?.inputs;
    const retention = (lock?.rule as Json | undefined)?.defaultRetention as Json | undefined;
    if (b.inputs.objectLockEnabled !== true || !retention?.mode || !retention.days)
      bad("object-lock", "the WORM bucket has Object Lock enabled at creation with a default retention");
    const bypass = policy?.Statement.some(
      (s) => s.Effect === "Deny" && s.Principal === "*" && list(s.Action).includes("s3:BypassGovernanceRetention"),
    );
    if (!bypass) bad("governance-bypass", "the WORM bucket policy denies s3:BypassGovernanceRetention");
  }
  if ((role === "lake" || role === "worm") && forBucket(all, T.logging, b).length === 0)
    bad("access-logging", "data buckets log server access to the access-log bucket");
  if (role === "lake") {
    const deleteDenied = policy?.Statement.some(
      (s) => s.Effect === "Deny" && s.Principal === "*" && list(s.Action).some((a) => a.startsWith("s3:DeleteObject")),
    );
    if (!deleteDenied) bad("lake-delete", "the lake bucket policy denies object deletion to all but the compactor");
  }
}

function identityStatements(r: InventoryResource): { Effect?: string; Action?: unknown; Resource?: unknown }[] {
  if (r.type === T.rolePolicy) return policyOf(r.inputs.policy)?.Statement ?? [];
  return ((r.inputs.inlinePolicies as Json[] | undefined) ?? []).flatMap((p) => policyOf(p.policy)?.Statement ?? []);
}

/** Actions IAM cannot scope to a resource (no resource types): a statement of only these may name `*`. */
const UNSCOPED_ACTIONS = new Set(["cloudtrail:ListPublicKeys"]);

function iamRules(r: InventoryResource, out: Violation[]): void {
  const bad = (rule: string, message: string) => out.push({ rule, resource: r.name, message });
  for (const s of identityStatements(r)) {
    if (s.Effect !== "Allow") continue;
    const wild = list(s.Action).filter((a) => a === "*" || a.endsWith(":*"));
    if (wild.length > 0) bad("no-wildcard-actions", `allows ${wild.join(", ")}`);
    const unscoped = list(s.Action).length > 0 && list(s.Action).every((a) => UNSCOPED_ACTIONS.has(a));
    if (list(s.Resource).includes("*") && !unscoped)
      bad("no-wildcard-resources", `allows ${list(s.Action).join(", ")} on *`);
    const bucketWide = list(s.Resource).filter((x) => /^arn:aws[a-z-]*:s3:::\*/.test(x));
    if (bucketWide.length > 0) bad("no-wildcard-resources", `names every bucket: ${bucketWide.join(", ")}`);
  }
  if (r.type === T.role) {
    const human = (r.inputs.tags as Json | undefined)?.[ACCESS_TAG] !== undefined;
    const trust = policyOf(r.inputs.assumeRolePolicy);
    for (const s of trust?.Statement ?? []) {
      const p = s.Principal as Json | string | undefined;
      if (p === "*" || (p && typeof p === "object" && list(p.AWS).includes("*")))
        bad("no-public-trust", "trusts every principal");
      else if (p && typeof p === "object" && "AWS" in p && !human)
        bad("service-trust-only", `trusts account principals ${list(p.AWS).join(", ")}, not only a service`);
    }
  }
}

// The role ARN a statement or policy names, matched to a role of the inventory by its physical name.
function roleNamed(arn: string, roleName: string): boolean {
  return arn.endsWith(`:role/${roleName}`);
}

/** Every role that may read lake objects by its identity policy is one of the readers the lake bucket lets read. */
function lakeReaderRules(all: readonly InventoryResource[], lake: InventoryResource, out: Violation[]): void {
  const bad = (message: string) => out.push({ rule: "lake-readers", resource: lake.name, message });
  const policy = policyOf(forBucket(all, T.policy, lake)[0]?.inputs.policy);
  const deny = policy?.Statement.find((s) => s.Sid === LAKE_READERS_SID && s.Effect === "Deny");
  if (!deny) {
    bad("the lake bucket policy denies listing and reading to all but the lake's readers");
    return;
  }
  const readers = list((deny.Condition?.ArnNotEquals as Json | undefined)?.["aws:PrincipalArn"]);
  const objects = new RegExp(`^arn:aws[a-z-]*:s3:::${lake.id.replace(/[.]/g, "\\.")}/`);
  for (const r of all) {
    if (r.type !== T.role && r.type !== T.rolePolicy) continue;
    const roleName = r.type === T.role ? r.id : String(r.inputs.role);
    const reads = identityStatements(r).some(
      (s) =>
        s.Effect === "Allow" &&
        list(s.Action).some((a) => a === "s3:GetObject" || a === "s3:GetObjectVersion") &&
        list(s.Resource).some((x) => objects.test(x)),
    );
    if (reads && !readers.some((arn) => roleNamed(arn, roleName)))
      out.push({
        rule: "lake-readers",
        resource: r.name,
        message: `reads the lake, but the lake bucket policy denies reads to role ${roleName}: add it to the readers`,
      });
  }
}

/**
 * Compliance invariants over everything a program declares: buckets private, versioned, encrypted and TLS-only,
 * Object Lock and the bypass guard on the WORM bucket, the delete and read guards on the lake (every role that reads
 * it is one of its readers), no wildcard grants, roles that only services can assume (people's roles: only named
 * principals), log destinations only an organization may subscribe to, encrypted queues, stream and topic, an enforced Athena workgroup, partial batch
 * responses and the Lambda runtime. An empty list means the program complies.
 */
export function checkInvariants(resources: readonly InventoryResource[]): Violation[] {
  const out: Violation[] = [];
  for (const r of resources) {
    const bad = (rule: string, message: string) => out.push({ rule, resource: r.name, message });
    const i = r.inputs;
    switch (r.type) {
      case T.bucket:
        bucketRules(resources, r, out);
        if ((r.inputs.tags as Json | undefined)?.["loglake:data"] === "lake") lakeReaderRules(resources, r, out);
        break;
      case T.role:
      case T.rolePolicy:
        iamRules(r, out);
        break;
      case T.queue:
        if (i.sqsManagedSseEnabled !== true && !i.kmsMasterKeyId) bad("encryption", "queues are encrypted at rest");
        break;
      case T.stream:
        if (i.encryptionType !== "KMS") bad("encryption", "the stream is KMS-encrypted");
        break;
      case T.topic:
        if (!i.kmsMasterKeyId) bad("encryption", "topics are KMS-encrypted");
        break;
      case T.workgroup: {
        const c = (i.configuration ?? {}) as Json;
        const enc = ((c.resultConfiguration as Json | undefined)?.encryptionConfiguration ?? {}) as Json;
        if (c.enforceWorkgroupConfiguration !== true) bad("athena", "the workgroup enforces its configuration");
        if (enc.encryptionOption !== "SSE_KMS") bad("athena", "query results are KMS-encrypted");
        if (typeof c.bytesScannedCutoffPerQuery !== "number") bad("athena", "queries have a scan cutoff");
        break;
      }
      case T.eventSource:
        if (!list(i.functionResponseTypes).includes("ReportBatchItemFailures"))
          bad("partial-batch", "event sources report partial batch failures");
        break;
      case T.logDestinationPolicy:
        for (const s of policyOf(i.accessPolicy)?.Statement ?? []) {
          const p = s.Principal as Json | string | undefined;
          const everyone = p === "*" || (p && typeof p === "object" && list(p.AWS).includes("*"));
          const org = (s.Condition?.StringEquals as Json | undefined)?.["aws:PrincipalOrgID"];
          if (s.Effect === "Allow" && everyone && list(org).length === 0)
            bad(
              "no-public-destination",
              "a log destination policy lets any principal subscribe without aws:PrincipalOrgID",
            );
        }
        break;
      case T.lambda:
        if (i.runtime !== "nodejs22.x" || !list(i.architectures).includes("arm64"))
          bad("lambda-runtime", "functions run Node 22 on arm64");
        break;
    }
  }
  return out;
}
