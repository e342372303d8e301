import { join } from "node:path";
import { athenaRunner, s3ReportSink } from "@app/aws/athena";
import { makeS3Client } from "@app/aws/clients";
import { S3LakeStore } from "@app/aws/lake-store";
import { DEFAULT_COMPACTION } from "@app/core/compaction/plan";
import { ConfigError } from "@app/core/errors";
import { customPeriod, type PeriodKind, previousPeriod } from "@app/core/reports/period";
import { runReport } from "@app/core/reports/report";
import { TABLES } from "@app/core/sources/index";
import { lakeFileSizes } from "@app/lake/compact";
import { loadQueryDir } from "@app/lake/query-files";
import { writeReport } from "@app/lake/report";
import { AthenaClient } from "@aws-sdk/client-athena";
import { SecurityHubClient } from "@aws-sdk/client-securityhub";
import { loadFunctionConfig } from "./lib/config.ts";
import { exportFindings, securityHubAccount } from "./lib/findings-export.ts";
import { powertoolsLog } from "./lib/log.ts";

/** What EventBridge Scheduler sends: a report and the period kind its schedule implies, or explicit days. */
export type ExportReportEvent = { report: string } & ({ period: PeriodKind } | { from: string; to: string });

const need = (name: string): string => {
  const v = process.env[name]?.trim();
  if (!v) throw new ConfigError(`${name} is not set: the stack must pass it to the export-report function`);
  return v;
};
// Cold start: missing settings fail here. QUERIES_DIR defaults to the queries/ folder bundled next to the handler.
const [workGroup, database, bucket] = ["ATHENA_WORKGROUP", "GLUE_DATABASE", "REPORTS_BUCKET"].map(need);
const queries = await loadQueryDir(process.env.QUERIES_DIR ?? join(process.cwd(), "queries"));
const region = process.env.AWS_REGION ?? "us-east-1";
const athena = new AthenaClient({ region });
const s3 = makeS3Client({ region: process.env.AWS_REGION });
const log = powertoolsLog("loglake-export-report");
// Findings go to the lake's findings table when the stack names the lake bucket, and to Security Hub when the
// config (LOGLAKE_CONFIG) enables it.
const lakeBucket = process.env.LAKE_BUCKET?.trim();
const config = process.env.LOGLAKE_CONFIG ? loadFunctionConfig().config : undefined;
const hubAccount = securityHubAccount(config);
const maxFilesPerHour = config?.compaction.maxFilesPerHour ?? DEFAULT_COMPACTION.maxFilesPerHour;
const securityHub = hubAccount
  ? { client: new SecurityHubClient({ region }), region, accountId: hubAccount }
  : undefined;
const lake = lakeBucket
  ? new S3LakeStore({ bucket: lakeBucket, prefix: process.env.LAKE_PREFIX ?? "", client: s3 })
  : undefined;

/** Runs one report on Athena and writes its CSVs, summary.json and report.html to the reports bucket. */
export async function handler(event: ExportReportEvent): Promise<{ files: string[]; findings: number }> {
  const now = new Date();
  const period = "period" in event ? previousPeriod(event.period, now) : customPeriod(event.from, event.to);
  const runner = athenaRunner({ client: athena, workGroup: workGroup as string, database: database as string });
  const where = `Glue database ${database}, Athena workgroup ${workGroup}`;
  // The compliance report states what the lake's files cost, listed from the lake bucket when the stack names it.
  const storage =
    lake && event.report === "compliance"
      ? { files: await lakeFileSizes(lake, TABLES), tables: TABLES.map((t) => t.name), maxFilesPerHour }
      : undefined;
  const data = await runReport({
    runner,
    queries,
    report: event.report,
    period,
    lake: where,
    now,
    ...(storage ? { storage } : {}),
  });
  const files = await writeReport(data, s3ReportSink(s3, bucket as string, process.env.REPORTS_PREFIX ?? ""));
  const findings = data.summary.totals.findings;
  const exported = await exportFindings({ data, ...(lake ? { lake } : {}), ...(securityHub ? { securityHub } : {}) });
  log.info("report exported", {
    report: event.report,
    period,
    files: files.length,
    findings,
    securityHubImported: exported.imported,
    scanned: data.summary.scanned,
  });
  return { files, findings };
}
