import { functionEnvironment } from "./lib/function";
import { scheduleDlq } from "./reports";
import { compactorFunctionName, compactorRoleArn } from "./storage";

/**
 * Merges each settled partition-hour's small files into few large ones (`loglake compact` on the deployed lake). It
 * runs as the compactor role, the only principal the lake bucket lets delete objects.
 */
export const compactLake = new sst.aws.Function("CompactLake", {
  name: compactorFunctionName,
  handler: "packages/functions/src/compact-lake.handler",
  description: "Lake compaction: each settled partition-hour merged into few ZSTD Parquet files sorted by event time",
  role: compactorRoleArn,
  // A 256 MiB merge downloads its inputs, sorts them in DuckDB (spilling to /tmp) and writes the merged file.
  timeout: "15 minutes",
  memory: "3008 MB",
  storage: "4 GB",
  nodejs: { install: ["@duckdb/node-api"] },
  environment: functionEnvironment,
});

/** Hourly, a quarter past: the hour that ended the settle window before is merged within the hour. */
export const compactLakeSchedule = new sst.aws.CronV2("CompactLakeSchedule", {
  function: compactLake.arn,
  schedule: "cron(15 * * * ? *)",
  timezone: "UTC",
  retries: 2,
  dlq: scheduleDlq.arn,
});
