import { makeS3Client } from "@app/aws/clients";
import { S3LakeStore } from "@app/aws/lake-store";
import { compactLake } from "@app/lake/compact";
import type { Context } from "aws-lambda";
import { loadFunctionConfig } from "./lib/config.ts";
import { powertoolsLog } from "./lib/log.ts";

// Cold start: a bad config fails here. The function runs as the compactor role, the only one that may delete.
const { config, aws } = loadFunctionConfig();
const store = new S3LakeStore({ bucket: config.buckets.lake, prefix: config.lakePrefix, client: makeS3Client(aws) });
const settings = {
  settleHours: config.compaction.settleHours,
  targetFileBytes: config.compaction.targetFileMb * 1024 ** 2,
};
const log = powertoolsLog("loglake-compact-lake");
// No partition-hour is started with less time left: the largest merge (download, sort, upload) fits in it.
const RESERVE_MS = 4 * 60 * 1000;

/** Scheduled compaction of every settled partition-hour; a run cut short is finished by the next one. */
export async function handler(
  _event: unknown,
  context: Pick<Context, "getRemainingTimeInMillis">,
): Promise<{ merged: number; filesBefore: number; filesAfter: number; maxOverlapMs: number; stoppedEarly: boolean }> {
  const result = await compactLake({
    store,
    now: new Date(),
    settings,
    shouldStop: () => context.getRemainingTimeInMillis() < RESERVE_MS,
    onHour: (h) => {
      if (h.action !== "done") log.info("partition-hour compacted", { ...h });
    },
  });
  const summary = {
    merged: result.hours.filter((h) => h.action === "compact").length,
    filesBefore: result.files_before,
    filesAfter: result.files_after,
    maxOverlapMs: result.max_overlap_ms,
    stoppedEarly: result.stopped_early,
  };
  log.info("lake compacted", summary);
  return summary;
}
