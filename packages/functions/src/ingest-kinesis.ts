import { createRuntime } from "@app/aws/runtime";
import { createIngestKinesisHandler } from "./handlers/ingest-kinesis.ts";
import { loadFunctionConfig } from "./lib/config.ts";
import { powertoolsLog } from "./lib/log.ts";
import { ingestMetrics, publishIngestMetrics } from "./lib/metrics.ts";

// Cold start: a bad config fails here, before any record is received.
const { config, aws } = loadFunctionConfig();
const metrics = ingestMetrics();
const log = powertoolsLog("loglake-ingest-kinesis");

/** Lambda entry point for the stream's event source mapping. */
export const handler = createIngestKinesisHandler(await createRuntime({ config, aws, log }), (counts) =>
  publishIngestMetrics(counts, metrics),
);
