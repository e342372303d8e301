import { ParseError } from "../errors.ts";
import { toIsoUtc } from "../time.ts";

/** The parts of a Kinesis record the pipeline needs, as Lambda's event shape carries them. */
export interface KinesisRecordRef {
  /** Base64 of the record's data blob (Lambda encodes it once; the bytes may themselves be gzip). */
  data: string;
  sequenceNumber: string;
  partitionKey: string;
  /** Epoch seconds (with fraction) when Kinesis accepted the record. */
  approximateArrivalTimestamp: number;
}

/**
 * The record's data bytes: base64-decoded once. CloudWatch Logs payloads stay gzip here; the ingest pipeline
 * gunzips by magic bytes, never by a second base64 pass (the double-encoding confusion of some emulators).
 */
export function kinesisDataBytes(data: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 === 1) {
    throw new ParseError(`Kinesis record data is not base64 (${data.length} characters)`);
  }
  return new Uint8Array(Buffer.from(data, "base64"));
}

/** Arrival time of a record as ISO-8601 UTC: the rows' ingest_time, never the wall clock. */
export function kinesisArrivalTime(approximateArrivalTimestamp: number): string {
  const iso = toIsoUtc(Math.round(approximateArrivalTimestamp * 1000));
  if (!iso) throw new ParseError(`approximateArrivalTimestamp is not a time: ${approximateArrivalTimestamp}`);
  return iso;
}

/** Stream name and shard id of a Kinesis Lambda record (`eventSourceARN`, `eventID` = `<shardId>:<sequence>`). */
export function kinesisOrigin(eventSourceARN: string, eventID: string): { stream: string; shardId: string } {
  const stream = /:stream\/([^/]+)$/.exec(eventSourceARN)?.[1];
  const shardId = /^(shardId-\d+):/.exec(eventID)?.[1];
  if (!stream) throw new ParseError(`eventSourceARN is not a Kinesis stream ARN: ${eventSourceARN}`);
  if (!shardId) throw new ParseError(`eventID does not start with a shard id: ${eventID}`);
  return { stream, shardId };
}
