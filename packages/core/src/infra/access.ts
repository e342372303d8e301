import { tableDir } from "../lake-layout.ts";
import type { BucketScope } from "./grants.ts";
import { objectsArn, type Statement } from "./policy.ts";

/** Tag that marks a role people assume, the only roles that may trust account principals. */
export const ACCESS_TAG = "loglake:access";

/** Who may assume a role people use. */
export interface HumanTrust {
  /** Account roots, roles or users (ARNs). */
  principals: readonly string[];
  /** Refuse sessions without MFA. */
  requireMfa: boolean;
}

/** Trust policy of a role people assume: only the listed principals, with MFA when asked for. */
export function humanTrustPolicy(trust: HumanTrust): Statement[] {
  return [
    {
      Sid: "ConfiguredPrincipalsAssume",
      Effect: "Allow",
      Principal: { AWS: [...trust.principals] },
      Action: ["sts:AssumeRole"],
      ...(trust.requireMfa ? { Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } } : {}),
    },
  ];
}

/** Key prefixes of the lake's tables, from the lake layout; manifests are not among them. */
export function lakeTablePrefixes(lakePrefix: string, tables: readonly string[]): string[] {
  return tables.map((t) => `${lakePrefix}${tableDir(t)}`);
}

/** What the people's roles are scoped to. */
export interface AccessGrantsInput {
  region: string;
  kmsKeyArn: string;
  /** The workgroup queries run in. */
  workgroupArn: string;
  /** The workgroup that holds the compliance report's named queries and runs nothing. */
  complianceWorkgroupArn: string;
  /** Athena's view of the Glue catalog (`datacatalog/AwsDataCatalog`). */
  dataCatalogArn: string;
  glue: { catalogArn: string; databaseArn: string; tablesArn: string };
  /** The lake bucket and the prefixes of its tables. */
  lake: BucketScope;
  resultsBucketArn: string;
  /** Where Athena writes query results inside the results bucket. */
  resultsPrefix: string;
  reports: BucketScope;
}

const READ_NAMED_QUERIES = [
  "athena:BatchGetNamedQuery",
  "athena:GetNamedQuery",
  "athena:GetWorkGroup",
  "athena:ListNamedQueries",
];

function listUnder(sid: string, scope: BucketScope): Statement {
  return {
    Sid: sid,
    Effect: "Allow",
    Action: ["s3:ListBucket"],
    Resource: [scope.bucketArn],
    Condition: { StringLike: { "s3:prefix": scope.prefixes.map((p) => `${p}*`) } },
  };
}

// Data keys of the project key only through S3, and only for objects of the given buckets: with S3 Bucket Keys the
// encryption context is the bucket's ARN, without them the object's.
function useKeyThroughS3(sid: string, input: AccessGrantsInput, actions: string[], bucketArns: string[]): Statement {
  return {
    Sid: sid,
    Effect: "Allow",
    Action: actions,
    Resource: [input.kmsKeyArn],
    Condition: {
      StringEquals: { "kms:ViaService": `s3.${input.region}.amazonaws.com` },
      StringLike: { "kms:EncryptionContext:aws:s3:arn": bucketArns.flatMap((b) => [b, objectsArn(b)]) },
    },
  };
}

/**
 * The security analyst: queries in the workgroup (results written where the workgroup puts them), the catalog read,
 * the lake's tables and the reports read, and the compliance queries read. No manifests, no WORM, no writes but
 * query results.
 */
export function securityAnalystStatements(input: AccessGrantsInput): Statement[] {
  return [
    {
      Sid: "RunQueries",
      Effect: "Allow",
      Action: [
        "athena:BatchGetNamedQuery",
        "athena:BatchGetQueryExecution",
        "athena:GetNamedQuery",
        "athena:GetQueryExecution",
        "athena:GetQueryResults",
        "athena:GetWorkGroup",
        "athena:ListNamedQueries",
        "athena:ListQueryExecutions",
        "athena:StartQueryExecution",
        "athena:StopQueryExecution",
      ],
      Resource: [input.workgroupArn],
    },
    {
      Sid: "ReadComplianceQueries",
      Effect: "Allow",
      Action: READ_NAMED_QUERIES,
      Resource: [input.complianceWorkgroupArn],
    },
    {
      Sid: "BrowseCatalog",
      Effect: "Allow",
      Action: [
        "athena:GetDataCatalog",
        "athena:GetDatabase",
        "athena:GetTableMetadata",
        "athena:ListDatabases",
        "athena:ListTableMetadata",
      ],
      Resource: [input.dataCatalogArn],
    },
    {
      Sid: "ReadCatalog",
      Effect: "Allow",
      Action: [
        "glue:GetDatabase",
        "glue:GetDatabases",
        "glue:GetPartition",
        "glue:GetPartitions",
        "glue:GetTable",
        "glue:GetTables",
      ],
      Resource: [input.glue.catalogArn, input.glue.databaseArn, input.glue.tablesArn],
    },
    {
      Sid: "LocateBuckets",
      Effect: "Allow",
      Action: ["s3:GetBucketLocation"],
      Resource: [input.lake.bucketArn, input.resultsBucketArn, input.reports.bucketArn],
    },
    // Athena reads the lake with the caller's credentials.
    listUnder("ListLakeTables", input.lake),
    {
      Sid: "ReadLakeTables",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: input.lake.prefixes.map((p) => objectsArn(input.lake.bucketArn, p)),
    },
    {
      Sid: "UseResultsBucket",
      Effect: "Allow",
      Action: ["s3:ListBucket", "s3:ListBucketMultipartUploads"],
      Resource: [input.resultsBucketArn],
    },
    {
      Sid: "WriteResults",
      Effect: "Allow",
      Action: ["s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"],
      Resource: [objectsArn(input.resultsBucketArn, input.resultsPrefix)],
    },
    listUnder("ListReports", input.reports),
    {
      Sid: "ReadReports",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: input.reports.prefixes.map((p) => objectsArn(input.reports.bucketArn, p)),
    },
    useKeyThroughS3(
      "UseProjectKeyThroughS3",
      input,
      ["kms:Decrypt", "kms:GenerateDataKey"],
      [input.lake.bucketArn, input.resultsBucketArn, input.reports.bucketArn],
    ),
  ];
}

/**
 * The compliance reader: the exported reports and the compliance report's named queries (the SQL behind each
 * figure), read only. It runs no query, so it reads neither the lake nor query results.
 */
export function complianceStatements(input: AccessGrantsInput): Statement[] {
  return [
    {
      Sid: "ReadComplianceQueries",
      Effect: "Allow",
      Action: READ_NAMED_QUERIES,
      Resource: [input.complianceWorkgroupArn],
    },
    { Sid: "LocateReports", Effect: "Allow", Action: ["s3:GetBucketLocation"], Resource: [input.reports.bucketArn] },
    listUnder("ListReports", input.reports),
    {
      Sid: "ReadReports",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: input.reports.prefixes.map((p) => objectsArn(input.reports.bucketArn, p)),
    },
    useKeyThroughS3("DecryptReports", input, ["kms:Decrypt"], [input.reports.bucketArn]),
  ];
}
