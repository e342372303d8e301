import { findingsTable } from "@app/core/findings/schema";
import {
  ACCESS_TAG,
  type AccessGrantsInput,
  complianceStatements,
  type HumanTrust,
  humanTrustPolicy,
  lakeTablePrefixes,
  securityAnalystStatements,
} from "@app/core/infra/access";
import { lakeBucketPolicy } from "@app/core/infra/buckets";
import { alertScope, findingsScope } from "@app/core/infra/grants";
import { policyDocument, type Statement } from "@app/core/infra/policy";
import { TABLES } from "@app/core/sources/index";
import { complianceWorkgroup, dataCatalogArn, glueArns, workgroup } from "./catalog";
import { ingestKinesis, ingestSqs } from "./ingest";
import { secureBucketPolicy } from "./lib/secure-bucket";
import { exportReport } from "./reports";
import { config, deploy, prefix, region } from "./settings";
import { athenaResultsBucket, compactorRoleArn, kmsKey, lakeBucket, reportsBucket } from "./storage";

const scope: $util.Output<AccessGrantsInput> = glueArns.apply((glue) =>
  $resolve([
    region,
    kmsKey.arn,
    workgroup.arn,
    complianceWorkgroup.arn,
    dataCatalogArn,
    lakeBucket.arn,
    athenaResultsBucket.arn,
    reportsBucket.arn,
  ]).apply(([r, kmsKeyArn, workgroupArn, complianceWorkgroupArn, catalog, lakeArn, resultsArn, reportsArn]) => ({
    region: r,
    kmsKeyArn,
    workgroupArn,
    complianceWorkgroupArn,
    dataCatalogArn: catalog,
    glue,
    lake: {
      bucketArn: lakeArn,
      prefixes: lakeTablePrefixes(
        config.lakePrefix,
        TABLES.map((t) => t.name),
      ),
    },
    resultsBucketArn: resultsArn,
    // Where the workgroup configuration puts results (core/infra/athena.ts).
    resultsPrefix: "results/",
    reports: { bucketArn: reportsArn, prefixes: ["reports/"] },
  })),
);

// A role people assume (console, CLI): its trust comes from the config, its permissions from a tested builder.
function accessRole(name: string, purpose: string, trust: HumanTrust, statements: $util.Output<Statement[]>) {
  return new aws.iam.Role(name, {
    name: `${prefix}-${purpose}`.slice(0, 64),
    description: `${prefix}: ${purpose}, assumed by the principals named in deploy.access`,
    assumeRolePolicy: JSON.stringify(policyDocument(humanTrustPolicy(trust))),
    maxSessionDuration: 3600,
    tags: { [ACCESS_TAG]: purpose },
    inlinePolicies: [{ name: purpose, policy: statements.apply((s) => JSON.stringify(policyDocument(s))) }],
  });
}

/** Queries the lake in the workgroup and reads the reports; the one role people use to read the lake. */
export const securityAnalystRole = deploy.access.securityAnalyst
  ? accessRole(
      "SecurityAnalystRole",
      "security-analyst",
      deploy.access.securityAnalyst,
      scope.apply(securityAnalystStatements),
    )
  : undefined;

/** Reads the reports and the compliance named queries only. */
export const complianceRole = deploy.access.compliance
  ? accessRole("ComplianceRole", "compliance-reader", deploy.access.compliance, scope.apply(complianceStatements))
  : undefined;

/** Every role that reads the lake; the lake bucket policy refuses reads and listings to every other principal. */
const lakeReaders = [
  ingestSqs.nodes.role.arn,
  ingestKinesis.nodes.role.arn,
  exportReport.nodes.role.arn,
  compactorRoleArn,
  ...(securityAnalystRole ? [securityAnalystRole.arn] : []),
];

// Derived state some functions replace: the consumers give back an alert claim whose alert failed to publish, and a
// re-run report deletes the findings files it no longer writes.
const alertClaims = alertScope(config.lakePrefix, []).claimPrefix;
const findingsFiles = findingsScope(config.lakePrefix, findingsTable.name).table;

secureBucketPolicy(
  "LakeBucket",
  lakeBucket,
  $resolve([
    lakeBucket.arn,
    kmsKey.arn,
    compactorRoleArn,
    ingestSqs.nodes.role.arn,
    ingestKinesis.nodes.role.arn,
    exportReport.nodes.role.arn,
    ...lakeReaders,
  ]).apply(([bucketArn, kmsKeyArn, compactor, sqsRole, kinesisRole, exporterRole, ...readers]) =>
    lakeBucketPolicy({
      bucketArn,
      kmsKeyArn,
      compactorRoleArn: compactor,
      readerRoleArns: readers,
      derivedDeletes: [
        { prefix: alertClaims, roleArns: [sqsRole, kinesisRole] },
        { prefix: findingsFiles, roleArns: [exporterRole] },
      ],
    }),
  ),
);
