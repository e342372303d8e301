import { logGroupDestinations } from "@app/core/config/destinations";
import {
  type AlarmSpec,
  dlqDepthAlarm,
  forwardFailedAlarm,
  functionErrorsAlarm,
  INGEST_METRICS,
  integrityFindingsAlarm,
  iteratorAgeAlarm,
  missingLogsAlarm,
  quarantineRateAlarm,
} from "@app/core/infra/alarms";
import { logicalName } from "@app/core/infra/queries";
import { alertsTopic } from "./alerts";
import { compactLake } from "./compaction";
import { ingestDlq, ingestKinesis, ingestSqs, streamFailureQueue, streamFailureQueueName } from "./ingest";
import { functionName } from "./lib/function";
import { exportReport, scheduleDlq, scheduleDlqName, verifyIntegrity } from "./reports";
import { config, deploy, prefix } from "./settings";
import { compactorFunctionName } from "./storage";

function alarm(spec: AlarmSpec, dependsOn: $util.Resource[] = []) {
  const { logicalName: name, metric, metricQueries, ...rest } = spec;
  return new aws.cloudwatch.MetricAlarm(
    name,
    {
      name: `${prefix}-${name}`,
      ...rest,
      ...(metric ? metric : {}),
      ...(metricQueries ? { metricQueries } : {}),
      alarmActions: [alertsTopic.arn],
      okActions: [alertsTopic.arn],
    },
    { dependsOn },
  );
}

alarm(dlqDepthAlarm("IngestDlqDepth", config.queues.dlq), [ingestDlq]);
alarm(dlqDepthAlarm("StreamFailureQueueDepth", streamFailureQueueName), [streamFailureQueue]);
alarm(dlqDepthAlarm("ReportScheduleDlqDepth", scheduleDlqName), [scheduleDlq]);

alarm(functionErrorsAlarm("IngestSqsErrors", functionName("ingest-sqs")), [ingestSqs]);
alarm(functionErrorsAlarm("IngestKinesisErrors", functionName("ingest-kinesis")), [ingestKinesis]);
alarm(functionErrorsAlarm("ExportReportErrors", functionName("export-report")), [exportReport]);
alarm(functionErrorsAlarm("VerifyIntegrityErrors", functionName("verify-integrity")), [verifyIntegrity]);
alarm(functionErrorsAlarm("CompactLakeErrors", compactorFunctionName), [compactLake]);
// Hourly runs: two hours without a data point, or any finding, alarms.
alarm(integrityFindingsAlarm("IntegrityFindings", 2 * 3600), [verifyIntegrity]);

alarm(
  iteratorAgeAlarm("StreamIteratorAge", functionName("ingest-kinesis"), deploy.alarms.iteratorAgeMinutes * 60_000),
  [ingestKinesis],
);

alarm(quarantineRateAlarm("QuarantineRate", INGEST_METRICS, deploy.alarms.quarantinePercent));

for (const d of logGroupDestinations(config)) {
  alarm(forwardFailedAlarm(logicalName("ForwardFailed", d.name), INGEST_METRICS, d.name), [ingestSqs, ingestKinesis]);
}

for (const [source, hours] of Object.entries(deploy.alarms.missingLogsHours)) {
  alarm(missingLogsAlarm(logicalName("MissingLogs", source), INGEST_METRICS, source, hours as number));
}
