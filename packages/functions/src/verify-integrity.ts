import { makeS3Client } from "@app/aws/clients";
import { cloudTrailPublicKeys, makeCloudTrailClient, s3TrailObjects } from "@app/aws/integrity";
import { INTEGRITY_METRICS } from "@app/core/infra/alarms";
import { verifyCloudTrail } from "@app/core/integrity/cloudtrail";
import { isFinding } from "@app/core/integrity/results";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { loadFunctionConfig } from "./lib/config.ts";
import { powertoolsLog } from "./lib/log.ts";

// Cold start: the config names the trail buckets (the deploy's source buckets) and fails here when it is bad.
const { aws } = loadFunctionConfig();
const trails = (process.env.TRAIL_BUCKETS ?? "").split(",").filter((b) => b !== "");
const s3 = makeS3Client(aws);
const keys = cloudTrailPublicKeys(makeCloudTrailClient(aws));
const log = powertoolsLog("loglake-verify-integrity");
const metrics = new Metrics({ namespace: INTEGRITY_METRICS.namespace, serviceName: INTEGRITY_METRICS.service });

/** Scheduled CloudTrail log file validation over every trail bucket; each finding is logged, the count published. */
export async function handler(): Promise<{ findings: number; logFiles: number }> {
  let findings = 0;
  let logFiles = 0;
  for (const bucket of trails) {
    const v = await verifyCloudTrail({ objects: s3TrailObjects(s3, bucket), keys });
    for (const r of v.results) if (isFinding(r.verdict)) log.warn("integrity finding", { bucket, ...r });
    findings += v.findings;
    logFiles += v.logFiles;
  }
  metrics.addMetric(INTEGRITY_METRICS.findings, MetricUnit.Count, findings);
  metrics.publishStoredMetrics();
  log.info("integrity verified", { buckets: trails.length, logFiles, findings });
  return { findings, logFiles };
}
