import { findingsTable } from "@app/core/findings/schema";
import {
  exportReportStatements,
  findingsScope,
  lakeScope,
  securityHubScope,
  verifyIntegrityStatements,
} from "@app/core/infra/grants";
import { reportSchedules } from "@app/core/infra/queries";
import { TABLES } from "@app/core/sources/index";
import { database, glueArns, savedQueries, workgroup } from "./catalog";
import { functionEnvironment, functionName, permissionsOf } from "./lib/function";
import { config, deploy, partition, prefix, region } from "./settings";
import { athenaResultsBucket, kmsKey, lakeBucket, reportsBucket } from "./storage";

/** Runs a report's saved queries on Athena and writes CSV, JSON and HTML under `reports/` in the reports bucket. */
export const exportReport = new sst.aws.Function("ExportReport", {
  name: functionName("export-report"),
  handler: "packages/functions/src/export-report.handler",
  description: "Scheduled reports: saved queries on Athena to CSV, JSON and HTML in the reports bucket",
  // Athena queries of a quarterly report can take minutes each; memory only holds result pages.
  timeout: "15 minutes",
  memory: "1024 MB",
  copyFiles: [{ from: "queries", to: "queries" }],
  // Candidate rows of the one-scan report are evaluated by each detection's own SQL in embedded DuckDB.
  nodejs: { install: ["@duckdb/node-api"] },
  // Findings go to the lake's findings table, and to Security Hub when the config enables it (LOGLAKE_CONFIG).
  environment: {
    ...functionEnvironment,
    ATHENA_WORKGROUP: workgroup.name,
    GLUE_DATABASE: database.name,
    REPORTS_BUCKET: reportsBucket.bucket,
    LAKE_BUCKET: lakeBucket.bucket,
    LAKE_PREFIX: config.lakePrefix,
  },
  permissions: permissionsOf(
    $resolve([kmsKey.arn, workgroup.arn, lakeBucket.arn, athenaResultsBucket.arn, reportsBucket.arn, region]).apply(
      ([kmsKeyArn, workgroupArn, lakeArn, resultsBucketArn, reportsArn, r]) =>
        glueArns.apply((glue) =>
          exportReportStatements({
            kmsKeyArn,
            workgroupArn,
            glue,
            lake: lakeScope(
              lakeArn,
              config.lakePrefix,
              TABLES.map((t) => t.name),
            ),
            resultsBucketArn,
            reports: { bucketArn: reportsArn, prefixes: ["reports/"] },
            findings: findingsScope(config.lakePrefix, findingsTable.name),
            ...(config.securityHub.enabled && config.securityHub.accountId
              ? {
                  securityHub: securityHubScope({
                    region: r,
                    accountId: config.securityHub.accountId,
                    lakePrefix: config.lakePrefix,
                  }),
                }
              : {}),
          }),
        ),
    ),
  ),
});

/** Failed scheduled invocations land here instead of vanishing. */
export const scheduleDlqName = `${prefix}-report-schedule-dlq`;
export const scheduleDlq = new aws.sqs.Queue("ReportScheduleDlq", {
  name: scheduleDlqName,
  messageRetentionSeconds: 14 * 24 * 3600,
  sqsManagedSseEnabled: true,
});

/** One schedule per report declared in the query headers, invoking the exporter with the report and its period. */
export const schedules = reportSchedules(savedQueries).map(
  (s) =>
    new sst.aws.CronV2(s.logicalName, {
      function: exportReport.arn,
      schedule: s.schedule as `cron(${string})`,
      timezone: "UTC",
      event: s.event,
      retries: 2,
      dlq: scheduleDlq.arn,
    }),
);

/** Hourly CloudTrail log file validation over the source buckets; its findings feed the integrity alarm. */
export const verifyIntegrity = new sst.aws.Function("VerifyIntegrity", {
  name: functionName("verify-integrity"),
  handler: "packages/functions/src/verify-integrity.handler",
  description: "CloudTrail log file validation: digest signatures, the digest chain and log file hashes",
  timeout: "15 minutes",
  environment: { ...functionEnvironment, TRAIL_BUCKETS: deploy.sourceBuckets.map((b) => b.name).join(",") },
  permissions: permissionsOf(
    $resolve([kmsKey.arn, partition]).apply(([kmsKeyArn, p]) =>
      verifyIntegrityStatements({
        kmsKeyArn,
        trailBucketArns: deploy.sourceBuckets.map((b) => `arn:${p}:s3:::${b.name}`),
      }),
    ),
  ),
});

/** Runs just after CloudTrail delivers each hour's digests. */
export const verifyIntegritySchedule = new sst.aws.CronV2("VerifyIntegritySchedule", {
  function: verifyIntegrity.arn,
  schedule: "cron(30 * * * ? *)",
  timezone: "UTC",
  retries: 2,
  dlq: scheduleDlq.arn,
});
