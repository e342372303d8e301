import type { KeyTemplatePart } from "../copy/key-template.ts";
import { defaultProductArn } from "../findings/asff.ts";
import {
  ALERTS_DIR,
  CHAIN_DIR,
  FINDINGS_MANIFEST_PREFIX,
  lakeManifestPrefix,
  lakeWritePrefixes,
  SECURITY_HUB_EXPORTS_DIR,
  tableDir,
} from "../lake-layout.ts";
import { objectsArn, type Statement } from "./policy.ts";

/**
 * Key prefixes a key template can write under, for IAM resources: `<env>` and `<source>` are expanded (one prefix per
 * source), and the prefix stops at the first placeholder known only at run time. `[""]` means the whole bucket.
 */
export function templatePrefixes(
  parts: readonly KeyTemplatePart[],
  values: { env: string; sources: readonly string[] },
): string[] {
  let prefixes = [""];
  for (const part of parts) {
    if ("literal" in part) prefixes = prefixes.map((p) => p + part.literal);
    else if (part.token === "env") prefixes = prefixes.map((p) => p + values.env);
    else if (part.token === "source") prefixes = prefixes.flatMap((p) => values.sources.map((s) => p + s));
    else break;
  }
  // A prefix that ends mid-segment still scopes correctly: IAM appends "*".
  return [...new Set(prefixes)].sort();
}

/** Objects under some prefixes of one bucket. */
export interface BucketScope {
  bucketArn: string;
  /** Key prefixes; `[""]` is the whole bucket. */
  prefixes: readonly string[];
}

function objectArns(scope: BucketScope): string[] {
  return scope.prefixes.map((p) => objectsArn(scope.bucketArn, p));
}

/**
 * Lake prefixes a writer of `tables` touches: one folder per table plus the manifests, which it also reads back.
 * Both come from the lake layout the writer builds its keys with.
 */
export function lakeScope(
  bucketArn: string,
  lakePrefix: string,
  tables: readonly string[],
): BucketScope & { manifestPrefix: string } {
  return {
    bucketArn,
    prefixes: lakeWritePrefixes(lakePrefix, tables),
    manifestPrefix: lakeManifestPrefix(lakePrefix),
  };
}

/** Use of the project KMS key by a writer and reader of objects it encrypts (multipart uploads need Decrypt). */
export function useProjectKey(sid: string, kmsKeyArn: string): Statement {
  return {
    Sid: sid,
    Effect: "Allow",
    Action: ["kms:Decrypt", "kms:GenerateDataKey"],
    Resource: [kmsKeyArn],
  };
}

/** What the ingest consumers need to alert on the rows they write (see `alertScope`). */
export interface AlertGrantsInput {
  /** The alerts topic. */
  topicArn: string;
  /** Lake prefixes of the tables the alert detections read (the rows just written, the allow-list). */
  readPrefixes: readonly string[];
  /** Lake prefix of the alert claims. */
  claimPrefix: string;
}

/**
 * Lake prefixes the alerting consumers read and claim under: the tables `tables` (those the `alert: true` detections
 * read, log tables and config tables alike) and the claims folder.
 */
export function alertScope(lakePrefix: string, tables: readonly string[]): Omit<AlertGrantsInput, "topicArn"> {
  return {
    readPrefixes: [...new Set(tables)].sort().map((t) => `${lakePrefix}${tableDir(t)}`),
    claimPrefix: `${lakePrefix}${ALERTS_DIR}`,
  };
}

/** Inputs shared by both ingest functions. */
export interface IngestGrantsInput {
  kmsKeyArn: string;
  /** Lake tables and manifests the function writes (and reads back, for manifests). */
  lake: BucketScope & { manifestPrefix: string };
  /** WORM prefixes raw copies go under; undefined when no source is archived. */
  worm?: BucketScope;
  /** Near-real-time alerts on ingest; undefined when the consumers do not alert. */
  alerts?: AlertGrantsInput;
  /** Forwarding to CloudWatch Logs (`forwardStatements`); empty when no destination is of that type. */
  forward?: readonly Statement[];
}

function lakeAndWorm(input: IngestGrantsInput): Statement[] {
  const out: Statement[] = [
    {
      Sid: "WriteLake",
      Effect: "Allow",
      Action: ["s3:AbortMultipartUpload", "s3:PutObject"],
      Resource: objectArns(input.lake),
    },
    {
      // The Kinesis consumer lists a shard's manifests; without ListBucket, S3 also answers a read of a manifest
      // that does not exist yet with 403 instead of 404.
      Sid: "ListLake",
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: [input.lake.bucketArn],
    },
    {
      Sid: "ReadLakeManifests",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: [objectsArn(input.lake.bucketArn, input.lake.manifestPrefix)],
    },
  ];
  if (input.alerts) {
    const a = input.alerts;
    out.push(
      {
        Sid: "ReadAlertTables",
        Effect: "Allow",
        Action: ["s3:GetObject"],
        Resource: a.readPrefixes.map((p) => objectsArn(input.lake.bucketArn, p)),
      },
      {
        // A claim is a conditional PutObject; a claim whose alert could not be published is deleted, so the retry
        // publishes it.
        Sid: "ClaimAlerts",
        Effect: "Allow",
        Action: ["s3:DeleteObject", "s3:PutObject"],
        Resource: [objectsArn(input.lake.bucketArn, a.claimPrefix)],
      },
      { Sid: "PublishAlerts", Effect: "Allow", Action: ["sns:Publish"], Resource: [a.topicArn] },
    );
  }
  if (input.worm) {
    out.push({
      Sid: "WriteWorm",
      Effect: "Allow",
      // Retention on each copy is set with the write, which needs PutObjectRetention besides PutObject.
      Action: ["s3:AbortMultipartUpload", "s3:PutObject", "s3:PutObjectRetention", "s3:PutObjectTagging"],
      Resource: objectArns(input.worm),
    });
  }
  out.push(useProjectKey("UseProjectKey", input.kmsKeyArn));
  out.push(...(input.forward ?? []));
  return out;
}

/** IAM statements of the SQS ingest function (S3 notifications -> lake, WORM and customer copies). */
export function ingestSqsStatements(
  input: IngestGrantsInput & {
    queueArn: string;
    sources: readonly BucketScope[];
    customers: readonly Statement[];
  },
): Statement[] {
  return [
    {
      Sid: "ConsumeIngestQueue",
      Effect: "Allow",
      // ChangeMessageVisibility keeps a large object's message hidden while it is still being processed; the
      // heartbeat finds the queue URL from its ARN with GetQueueUrl.
      Action: [
        "sqs:ChangeMessageVisibility",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
        "sqs:ReceiveMessage",
      ],
      Resource: [input.queueArn],
    },
    {
      Sid: "ReadSourceObjects",
      Effect: "Allow",
      // Copies name the source version when the notification has one; the tagging reads let CopyObject carry tags.
      Action: ["s3:GetObject", "s3:GetObjectTagging", "s3:GetObjectVersion", "s3:GetObjectVersionTagging"],
      Resource: input.sources.flatMap(objectArns),
    },
    ...lakeAndWorm(input),
    ...input.customers,
  ];
}

/** IAM statements of the Kinesis ingest function. */
export function ingestKinesisStatements(
  input: IngestGrantsInput & { streamArn: string; failureQueueArn: string; customers: readonly Statement[] },
): Statement[] {
  return [
    {
      Sid: "ReadStream",
      Effect: "Allow",
      Action: [
        "kinesis:DescribeStream",
        "kinesis:DescribeStreamSummary",
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:ListShards",
      ],
      Resource: [input.streamArn],
    },
    {
      Sid: "SendFailedBatches",
      Effect: "Allow",
      Action: ["sqs:SendMessage"],
      Resource: [input.failureQueueArn],
    },
    ...lakeAndWorm(input),
    ...input.customers,
  ];
}

/** A CloudWatch Logs destination as far as IAM is concerned. */
export interface LogGroupGrantInput {
  name: string;
  /** `arn:<partition>:logs:<region>:<account>:log-group:<name>`. */
  logGroupArn: string;
  roleArn?: string;
  createIfMissing: boolean;
  retentionDays?: number;
}

/** The ARN of a log group, as IAM names it for CreateLogGroup and PutRetentionPolicy. */
export function logGroupArn(p: { partition: string; region: string; accountId: string; logGroup: string }): string {
  return `arn:${p.partition}:logs:${p.region}:${p.accountId}:log-group:${p.logGroup}`;
}

/**
 * What the ingest functions need to forward app events to CloudWatch Logs, nothing when no destination is of that
 * type: the forward claims (read back before a call, written after it) under the lake prefix (a missing claim reads
 * as 404 since the consumers may list the lake, see `ListLake`), and per destination either `sts:AssumeRole` on its role (the role's
 * own policy in its account then allows the writes) or the writes on its group and streams: streams are always
 * created when missing, the group (and its retention) only with `createIfMissing`.
 */
export function forwardStatements(input: {
  lakeBucketArn: string;
  claimPrefix: string;
  logGroups: readonly LogGroupGrantInput[];
}): Statement[] {
  if (input.logGroups.length === 0) return [];
  const out: Statement[] = [
    {
      Sid: "ForwardClaims",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject"],
      Resource: [objectsArn(input.lakeBucketArn, input.claimPrefix)],
    },
  ];
  for (const g of input.logGroups) out.push(...logGroupStatements(g));
  return out;
}

/** The statements of one CloudWatch Logs destination (see `forwardStatements`). */
export function logGroupStatements(g: LogGroupGrantInput): Statement[] {
  const id = sidPart(g.name);
  if (g.roleArn)
    return [{ Sid: `AssumeLogGroupRole${id}`, Effect: "Allow", Action: ["sts:AssumeRole"], Resource: [g.roleArn] }];
  const out: Statement[] = [
    {
      Sid: `WriteLogGroup${id}`,
      Effect: "Allow",
      // CreateLogStream is authorised on the group, PutLogEvents on the stream.
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: [g.logGroupArn, `${g.logGroupArn}:log-stream:*`],
    },
  ];
  if (g.createIfMissing)
    out.push({
      Sid: `CreateLogGroup${id}`,
      Effect: "Allow",
      Action: ["logs:CreateLogGroup", ...(g.retentionDays !== undefined ? ["logs:PutRetentionPolicy"] : [])],
      Resource: [g.logGroupArn],
    });
  return out;
}

/** A customer destination as far as IAM is concerned. */
export interface CustomerGrantInput {
  name: string;
  bucketArn: string;
  prefixes: readonly string[];
  roleArn?: string;
  kmsKeyArn?: string;
}

function sidPart(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join("");
}

/**
 * What our functions need to deliver to one customer. With a role, only `sts:AssumeRole` on that role: the writes
 * and the customer's key are then authorised by the role's own policy in the customer account (see
 * `customerRoleDocuments`). Without a role, the writes and the key use come from our function's own policy.
 */
export function customerStatements(c: CustomerGrantInput): Statement[] {
  const id = sidPart(c.name);
  if (c.roleArn) {
    return [{ Sid: `AssumeCustomerRole${id}`, Effect: "Allow", Action: ["sts:AssumeRole"], Resource: [c.roleArn] }];
  }
  const out: Statement[] = [
    {
      Sid: `WriteCustomer${id}`,
      Effect: "Allow",
      Action: ["s3:AbortMultipartUpload", "s3:PutObject", "s3:PutObjectTagging"],
      Resource: objectArns({ bucketArn: c.bucketArn, prefixes: c.prefixes }),
    },
  ];
  if (c.kmsKeyArn) {
    out.push({
      Sid: `UseCustomerKey${id}`,
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: [c.kmsKeyArn],
    });
  }
  return out;
}

/**
 * The documents a customer applies in its own account so our functions can write through its role: the role's
 * trust policy (our function roles, only with the agreed ExternalId) and the role's permission policy (reads of our
 * source objects, since a copy runs as the role, then its bucket prefixes and its key). `sourceKeyArn` is the key our
 * trail encrypts source objects with, when the customer receives them: the role then decrypts with it too.
 */
export function customerRoleDocuments(
  c: CustomerGrantInput & { externalId: string },
  writerRoleArns: readonly string[],
  sources: readonly BucketScope[],
  sourceKeyArn?: string,
): { trustPolicy: Statement[]; permissionPolicy: Statement[] } {
  const direct = customerStatements({ ...c, roleArn: undefined });
  // CopyObject runs as the assumed role, so the role reads the source objects (their bucket policy must allow it).
  direct.unshift({
    Sid: "ReadLoglakeSources",
    Effect: "Allow",
    Action: ["s3:GetObject", "s3:GetObjectTagging", "s3:GetObjectVersion", "s3:GetObjectVersionTagging"],
    Resource: sources.flatMap(objectArns),
  });
  if (sourceKeyArn)
    direct.splice(1, 0, {
      Sid: "DecryptLoglakeSources",
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: [sourceKeyArn],
    });
  return {
    trustPolicy: [
      {
        Sid: "AllowLoglakeWriters",
        Effect: "Allow",
        Principal: { AWS: [...writerRoleArns] },
        Action: ["sts:AssumeRole"],
        Condition: { StringEquals: { "sts:ExternalId": c.externalId } },
      },
    ],
    permissionPolicy: direct,
  };
}

/**
 * Lake prefixes the report exporter writes its findings under: the findings table, and its runs' manifests and
 * chain links.
 */
export function findingsScope(lakePrefix: string, findingsTable: string): { table: string; runs: string[] } {
  return {
    table: `${lakePrefix}${tableDir(findingsTable)}`,
    runs: [`${lakePrefix}${FINDINGS_MANIFEST_PREFIX}`, `${lakePrefix}${CHAIN_DIR}${findingsTable}/`],
  };
}

/**
 * Where the exporter imports findings into Security Hub (the product ARN the ASFF findings name) and the lake prefix
 * of its export markers.
 */
export function securityHubScope(input: { region: string; accountId: string; lakePrefix: string }): {
  productArn: string;
  markerPrefix: string;
} {
  return {
    productArn: defaultProductArn(input.region, input.accountId),
    markerPrefix: `${input.lakePrefix}${SECURITY_HUB_EXPORTS_DIR}`,
  };
}

/**
 * IAM statements of the report exporter: Athena in one workgroup, the catalog, the lake, results and reports, its
 * findings in the lake and, when enabled, the import into Security Hub with its export markers.
 */
export function exportReportStatements(input: {
  kmsKeyArn: string;
  workgroupArn: string;
  glue: { catalogArn: string; databaseArn: string; tablesArn: string };
  lake: BucketScope;
  resultsBucketArn: string;
  reports: BucketScope;
  findings: { table: string; runs: string[] };
  securityHub?: { productArn: string; markerPrefix: string };
}): Statement[] {
  const bucket = input.lake.bucketArn;
  const hub = input.securityHub;
  return [
    {
      Sid: "RunQueries",
      Effect: "Allow",
      Action: [
        "athena:GetQueryExecution",
        "athena:GetQueryResults",
        "athena:GetWorkGroup",
        "athena:StartQueryExecution",
        "athena:StopQueryExecution",
      ],
      Resource: [input.workgroupArn],
    },
    {
      Sid: "ReadCatalog",
      Effect: "Allow",
      Action: ["glue:GetDatabase", "glue:GetPartition", "glue:GetPartitions", "glue:GetTable", "glue:GetTables"],
      Resource: [input.glue.catalogArn, input.glue.databaseArn, input.glue.tablesArn],
    },
    {
      // Athena reads the lake with the caller's credentials.
      Sid: "ListLake",
      Effect: "Allow",
      Action: ["s3:GetBucketLocation", "s3:ListBucket"],
      Resource: [input.lake.bucketArn],
    },
    { Sid: "ReadLake", Effect: "Allow", Action: ["s3:GetObject"], Resource: objectArns(input.lake) },
    {
      Sid: "UseResultsBucket",
      Effect: "Allow",
      Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
      Resource: [input.resultsBucketArn],
    },
    {
      Sid: "WriteResults",
      Effect: "Allow",
      Action: ["s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"],
      Resource: [objectsArn(input.resultsBucketArn)],
    },
    { Sid: "WriteReports", Effect: "Allow", Action: ["s3:PutObject"], Resource: objectArns(input.reports) },
    {
      // A re-run of a period replaces its findings: files it no longer writes are deleted.
      Sid: "WriteFindings",
      Effect: "Allow",
      Action: ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:PutObject"],
      Resource: [objectsArn(bucket, input.findings.table)],
    },
    {
      Sid: "RecordFindingsRuns",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject"],
      Resource: input.findings.runs.map((p) => objectsArn(bucket, p)),
    },
    ...(hub
      ? [
          {
            Sid: "ImportFindings",
            Effect: "Allow" as const,
            Action: ["securityhub:BatchImportFindings"],
            Resource: [hub.productArn],
          },
          {
            Sid: "MarkExportedFindings",
            Effect: "Allow" as const,
            Action: ["s3:PutObject"],
            Resource: [objectsArn(bucket, hub.markerPrefix)],
          },
        ]
      : []),
    useProjectKey("UseProjectKey", input.kmsKeyArn),
  ];
}

/**
 * IAM statements of the scheduled integrity check: list and read the trail buckets (digests, log files, metadata)
 * and fetch CloudTrail's public keys; `ListPublicKeys` has no resource-level permissions, so its resource is `*`.
 */
export function verifyIntegrityStatements(input: {
  kmsKeyArn: string;
  trailBucketArns: readonly string[];
}): Statement[] {
  return [
    { Sid: "ListTrails", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [...input.trailBucketArns] },
    {
      Sid: "ReadTrails",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: input.trailBucketArns.map((b) => objectsArn(b)),
    },
    { Sid: "CloudTrailPublicKeys", Effect: "Allow", Action: ["cloudtrail:ListPublicKeys"], Resource: ["*"] },
    { Sid: "UseProjectKey", Effect: "Allow", Action: ["kms:Decrypt"], Resource: [input.kmsKeyArn] },
  ];
}

/**
 * IAM statements of the compactor role: the only principal the lake bucket lets delete objects. With `logGroupArn`
 * (the compaction function's log group), the function running as this role may write its logs.
 */
export function compactorStatements(input: {
  kmsKeyArn: string;
  lake: BucketScope;
  logGroupArn?: string;
}): Statement[] {
  return [
    ...(input.logGroupArn
      ? [
          {
            Sid: "WriteFunctionLogs",
            Effect: "Allow" as const,
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: [`${input.logGroupArn}:*`],
          },
        ]
      : []),
    {
      Sid: "ListLake",
      Effect: "Allow",
      Action: ["s3:ListBucket", "s3:ListBucketVersions"],
      Resource: [input.lake.bucketArn],
    },
    {
      Sid: "RewriteLake",
      Effect: "Allow",
      Action: ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
      Resource: objectArns(input.lake),
    },
    useProjectKey("UseProjectKey", input.kmsKeyArn),
  ];
}

/** Trust policy of a role only the Lambda service may assume (no account principals). */
export function lambdaTrustPolicy(): Statement[] {
  return [
    {
      Sid: "LambdaAssumes",
      Effect: "Allow",
      Principal: { Service: "lambda.amazonaws.com" },
      Action: ["sts:AssumeRole"],
    },
  ];
}
