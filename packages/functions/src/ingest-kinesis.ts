import { awsAlerts } from "@app/aws/alerts";
import { createRuntime } from "@app/aws/runtime";
import { createIngestKinesisHandler } from "./handlers/ingest-kinesis.ts";
import { loadAlertSettings, loadFunctionConfig } from "./lib/config.ts";
import { powertoolsLog } from "./lib/log.ts";
import { ingestMetrics, publishIngestMetrics } from "./lib/metrics.ts";

// Cold start: a bad config fails here, before any record is received.
const { config, aws } = loadFunctionConfig();
const { topicArn, queriesDir } = loadAlertSettings();
const alerts = topicArn ? await awsAlerts({ config, aws, topicArn, queriesDir }) : undefined;
const metrics = ingestMetrics();
const log = powertoolsLog("loglake-ingest-kinesis");

/** Lambda entry point for the stream's event source mapping. */
export const handler = createIngestKinesisHandler(
  await createRuntime({ config, aws, log, ...(alerts ? { alerts } : {}) }),
  (counts, forwarded) => publishIngestMetrics(counts, metrics, forwarded),
);
