import {
  type AccessGrantsInput,
  complianceStatements,
  humanTrustPolicy,
  lakeTablePrefixes,
  securityAnalystStatements,
} from "@app/core/infra/access";
import { TABLES } from "@app/core/sources/index";
import { describe, expect, it } from "vitest";

const KEY = "arn:aws:kms:eu-west-1:111122223333:key/k";
const LAKE = "arn:aws:s3:::acme-lake";
const RESULTS = "arn:aws:s3:::acme-athena";
const REPORTS = "arn:aws:s3:::acme-reports";
const WORKGROUP = "arn:aws:athena:eu-west-1:111122223333:workgroup/loglake-prod";
const COMPLIANCE_WORKGROUP = "arn:aws:athena:eu-west-1:111122223333:workgroup/loglake-prod-compliance";
const CATALOG = "arn:aws:athena:eu-west-1:111122223333:datacatalog/AwsDataCatalog";
const GLUE = {
  catalogArn: "arn:aws:glue:eu-west-1:111122223333:catalog",
  databaseArn: "arn:aws:glue:eu-west-1:111122223333:database/loglake_prod",
  tablesArn: "arn:aws:glue:eu-west-1:111122223333:table/loglake_prod/*",
};

const input: AccessGrantsInput = {
  region: "eu-west-1",
  kmsKeyArn: KEY,
  workgroupArn: WORKGROUP,
  complianceWorkgroupArn: COMPLIANCE_WORKGROUP,
  dataCatalogArn: CATALOG,
  glue: GLUE,
  lake: { bucketArn: LAKE, prefixes: ["lake/cloudtrail/", "lake/quarantine/"] },
  resultsBucketArn: RESULTS,
  resultsPrefix: "results/",
  reports: { bucketArn: REPORTS, prefixes: ["reports/"] },
};

const READ_NAMED_QUERIES = [
  "athena:BatchGetNamedQuery",
  "athena:GetNamedQuery",
  "athena:GetWorkGroup",
  "athena:ListNamedQueries",
];

describe("humanTrustPolicy", () => {
  it("trusts exactly the configured principals", () => {
    expect(
      humanTrustPolicy({ principals: ["arn:aws:iam::111122223333:role/Analysts"], requireMfa: false }),
    ).toStrictEqual([
      {
        Sid: "ConfiguredPrincipalsAssume",
        Effect: "Allow",
        Principal: { AWS: ["arn:aws:iam::111122223333:role/Analysts"] },
        Action: ["sts:AssumeRole"],
      },
    ]);
  });

  it("refuses sessions without MFA when asked to", () => {
    expect(
      humanTrustPolicy({ principals: ["arn:aws:iam::111122223333:user/a"], requireMfa: true })[0]?.Condition,
    ).toStrictEqual({ Bool: { "aws:MultiFactorAuthPresent": "true" } });
  });
});

describe("lakeTablePrefixes", () => {
  it("names each table's folder under the lake prefix and not the manifests", () => {
    expect(lakeTablePrefixes("lake/", ["cloudtrail", "quarantine"])).toStrictEqual([
      "lake/cloudtrail/",
      "lake/quarantine/",
    ]);
    expect(
      lakeTablePrefixes(
        "",
        TABLES.map((t) => t.name),
      ).filter((p) => p.startsWith("_ingest")),
    ).toStrictEqual([]);
  });
});

describe("securityAnalystStatements", () => {
  it("runs queries in the workgroup, reads the catalog, the lake's tables, the reports, and writes only results", () => {
    expect(securityAnalystStatements(input)).toStrictEqual([
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
        Resource: [WORKGROUP],
      },
      { Sid: "ReadComplianceQueries", Effect: "Allow", Action: READ_NAMED_QUERIES, Resource: [COMPLIANCE_WORKGROUP] },
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
        Resource: [CATALOG],
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
        Resource: [GLUE.catalogArn, GLUE.databaseArn, GLUE.tablesArn],
      },
      { Sid: "LocateBuckets", Effect: "Allow", Action: ["s3:GetBucketLocation"], Resource: [LAKE, RESULTS, REPORTS] },
      {
        Sid: "ListLakeTables",
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: [LAKE],
        Condition: { StringLike: { "s3:prefix": ["lake/cloudtrail/*", "lake/quarantine/*"] } },
      },
      {
        Sid: "ReadLakeTables",
        Effect: "Allow",
        Action: ["s3:GetObject"],
        Resource: [`${LAKE}/lake/cloudtrail/*`, `${LAKE}/lake/quarantine/*`],
      },
      {
        Sid: "UseResultsBucket",
        Effect: "Allow",
        Action: ["s3:ListBucket", "s3:ListBucketMultipartUploads"],
        Resource: [RESULTS],
      },
      {
        Sid: "WriteResults",
        Effect: "Allow",
        Action: ["s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"],
        Resource: [`${RESULTS}/results/*`],
      },
      {
        Sid: "ListReports",
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: [REPORTS],
        Condition: { StringLike: { "s3:prefix": ["reports/*"] } },
      },
      { Sid: "ReadReports", Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${REPORTS}/reports/*`] },
      {
        Sid: "UseProjectKeyThroughS3",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: [KEY],
        Condition: {
          StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" },
          StringLike: {
            "kms:EncryptionContext:aws:s3:arn": [LAKE, `${LAKE}/*`, RESULTS, `${RESULTS}/*`, REPORTS, `${REPORTS}/*`],
          },
        },
      },
    ]);
  });
});

describe("complianceStatements", () => {
  const statements = complianceStatements(input);

  it("reads the reports and the compliance named queries, decrypting only the reports bucket's objects", () => {
    expect(statements).toStrictEqual([
      { Sid: "ReadComplianceQueries", Effect: "Allow", Action: READ_NAMED_QUERIES, Resource: [COMPLIANCE_WORKGROUP] },
      { Sid: "LocateReports", Effect: "Allow", Action: ["s3:GetBucketLocation"], Resource: [REPORTS] },
      {
        Sid: "ListReports",
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: [REPORTS],
        Condition: { StringLike: { "s3:prefix": ["reports/*"] } },
      },
      { Sid: "ReadReports", Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${REPORTS}/reports/*`] },
      {
        Sid: "DecryptReports",
        Effect: "Allow",
        Action: ["kms:Decrypt"],
        Resource: [KEY],
        Condition: {
          StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" },
          StringLike: { "kms:EncryptionContext:aws:s3:arn": [REPORTS, `${REPORTS}/*`] },
        },
      },
    ]);
  });

  it("names neither the lake, nor query results, nor the query workgroup", () => {
    const resources = statements.flatMap((s) => s.Resource ?? []);
    expect(
      resources.filter((r) => [LAKE, RESULTS, WORKGROUP].some((x) => r === x || r.startsWith(`${x}/`))),
    ).toStrictEqual([]);
    expect(statements.flatMap((s) => s.Action).filter((a) => /Start|Put|Delete|GenerateDataKey/.test(a))).toStrictEqual(
      [],
    );
  });
});
