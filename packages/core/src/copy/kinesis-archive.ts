import { gzipSync } from "node:zlib";
import type { KinesisRecordRef } from "../envelopes/kinesis.ts";

/**
 * The raw archive of a run of Kinesis records: gzipped NDJSON, one line per record in sequence order, data kept
 * as base64 so binary payloads (gzipped CloudWatch Logs) survive byte for byte. Same records, same bytes.
 */
export function kinesisArchiveBody(stream: string, shardId: string, records: readonly KinesisRecordRef[]): Uint8Array {
  const lines = records.map((r) =>
    JSON.stringify({
      stream,
      shardId,
      sequenceNumber: r.sequenceNumber,
      partitionKey: r.partitionKey,
      approximateArrivalTimestamp: r.approximateArrivalTimestamp,
      data: r.data,
    }),
  );
  // zlib's gzip header carries no timestamp from Node, so the output depends on the input alone.
  return new Uint8Array(gzipSync(`${lines.join("\n")}\n`, { level: 6 }));
}
