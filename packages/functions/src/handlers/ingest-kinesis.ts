import type { PublishMetrics } from "@app/pipeline/counts";
import { KinesisBatch } from "@app/pipeline/ingest-kinesis";
import type { PipelineRuntime } from "@app/pipeline/runtime";
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";

/**
 * The Kinesis consumer: records in, one set of lake files and one WORM archive per batch (records an earlier delivery
 * wrote are left as they are), failures by sequence. `publishMetrics` receives each batch's counts (the Lambda entry
 * point publishes them to CloudWatch).
 */
export function createIngestKinesisHandler(rt: PipelineRuntime, publishMetrics?: PublishMetrics) {
  const processor = new BatchProcessor(EventType.KinesisDataStreams);
  return async (event: KinesisStreamEvent, context?: Context): Promise<KinesisStreamBatchResponse> => {
    const batch = new KinesisBatch(rt, event.Records);
    const recordHandler = (record: KinesisStreamRecord) =>
      batch.parse(record).catch((e: unknown) => {
        rt.log.error("record failed; it will be retried", {
          sequenceNumber: record.kinesis.sequenceNumber,
          error: String(e),
        });
        throw e;
      });
    const response = await processPartialResponse(event, recordHandler, processor, {
      ...(context ? { context } : {}),
      processInParallel: false,
    });
    const commit = await batch.commit(response.batchItemFailures.map((f) => f.itemIdentifier));
    publishMetrics?.(new Map([["kinesis", commit.summary]]), commit.forwarded);
    rt.log.info("batch processed", {
      records: event.Records.length,
      committed: commit.records,
      alreadyWritten: commit.alreadyWritten,
      failed: response.batchItemFailures.length,
      files: commit.files.length,
      summary: commit.summary,
      ...(commit.forwarded.size > 0 ? { forwarded: Object.fromEntries(commit.forwarded) } : {}),
    });
    return response;
  };
}
