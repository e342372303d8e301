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
import { loadFunctionConfig } from "./config.ts";
import { exportFindings, securityHubAccount } from "./findings-export.ts";
import { powertoolsLog } from "./log.ts";

/** What EventBridge Scheduler sends: a report and the period kind its schedule implies, or explicit days. */
export type ExportReportEvent = { report: string } & ({ period: PeriodKind } | { from: string; to: string });

/** What the exporter builds once per cold start from its environment; missing settings fail here. */
export async function reportRuntime(env: NodeJS.ProcessEnv = process.env) {
  const need = (name: string): string => {
    const v = env[name]?.trim();
    if (!v) throw new ConfigError(`${name} is not set: the stack must pass it to the export-report function`);
    return v;
  };
  // QUERIES_DIR defaults to the queries/ folder bundled next to the handler.
  const [workGroup, database, bucket] = ["ATHENA_WORKGROUP", "GLUE_DATABASE", "REPORTS_BUCKET"].map(need) as [
    string,
    string,
    string,
  ];
  const queries = await loadQueryDir(env.QUERIES_DIR ?? join(process.cwd(), "queries"));
  const region = env.AWS_REGION ?? "us-east-1";
  const s3 = makeS3Client({ region: env.AWS_REGION });
  // Findings go to the lake's findings table when the stack names the lake bucket, and to Security Hub when the
  // config (LOGLAKE_CONFIG) enables it.
  const lakeBucket = env.LAKE_BUCKET?.trim();
  const config = env.LOGLAKE_CONFIG ? loadFunctionConfig(env).config : undefined;
  const hubAccount = securityHubAccount(config);
  return {
    workGroup,
    database,
    bucket,
    reportsPrefix: env.REPORTS_PREFIX ?? "",
    queries,
    athena: new AthenaClient({ region }),
    s3,
    log: powertoolsLog("loglake-export-report"),
    maxFilesPerHour: config?.compaction.maxFilesPerHour ?? DEFAULT_COMPACTION.maxFilesPerHour,
    securityHub: hubAccount ? { client: new SecurityHubClient({ region }), region, accountId: hubAccount } : undefined,
    lake: lakeBucket ? new S3LakeStore({ bucket: lakeBucket, prefix: env.LAKE_PREFIX ?? "", client: s3 }) : undefined,
  };
}

/** The exporter's clients and settings (`reportRuntime`). */
export type ReportRuntime = Awaited<ReturnType<typeof reportRuntime>>;

/** Runs one report on Athena and writes its CSVs, summary.json and report.html to the reports bucket. */
export async function exportReport(
  rt: ReportRuntime,
  event: ExportReportEvent,
): Promise<{ files: string[]; findings: number }> {
  const { athena, workGroup, database, bucket, queries, lake, maxFilesPerHour, securityHub, s3, log } = rt;
  const now = new Date();
  const period = "period" in event ? previousPeriod(event.period, now) : customPeriod(event.from, event.to);
  const runner = athenaRunner({ client: athena, workGroup, database });
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
  const files = await writeReport(data, s3ReportSink(s3, bucket, rt.reportsPrefix));
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
