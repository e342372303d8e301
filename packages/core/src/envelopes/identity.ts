import { createHash } from "node:crypto";
import type { S3ObjectRef } from "./s3-notification.ts";

/**
 * Lake file name for one S3 object, deterministic from its identity (bucket, key, then version id, ETag or
 * sequencer), so a redelivered notification rewrites the same files instead of adding duplicate rows.
 */
export function s3ObjectName(ref: Pick<S3ObjectRef, "bucket" | "key" | "versionId" | "eTag" | "sequencer">): string {
  const version = ref.versionId ?? ref.eTag ?? ref.sequencer ?? "";
  const digest = createHash("sha256").update(`${ref.bucket}\n${ref.key}\n${version}`).digest("hex");
  return `s3-${digest.slice(0, 24)}`;
}

/** Lake file name for a run of Kinesis records: stream, shard and the first and last sequence numbers. */
export function kinesisBatchName(stream: string, shardId: string, firstSequence: string, lastSequence: string): string {
  return `kinesis-${stream}-${shardId}-${firstSequence}-${lastSequence}`;
}
