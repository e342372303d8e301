import type { PublishMetrics } from "@app/pipeline/counts";
import { SqsBatch } from "@app/pipeline/ingest-s3";
import type { PipelineRuntime } from "@app/pipeline/runtime";
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";

/** The SQS consumer: S3 notifications in, lake rows and raw copies out, partial batch failures back. */
/** `publishMetrics` receives each batch's counts per source (the Lambda entry point publishes them to CloudWatch). */
export function createIngestSqsHandler(rt: PipelineRuntime, publishMetrics?: PublishMetrics) {
  const processor = new BatchProcessor(EventType.SQS);
  return async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    const batch = await SqsBatch.start(rt, event.Records);
    try {
      const response = await processPartialResponse(event, (r: SQSRecord) => batch.process(r), processor, {
        ...(context ? { context } : {}),
        processInParallel: false,
      });
      publishMetrics?.(batch.bySource, batch.forwarded);
      batch.processed(response.batchItemFailures.length);
      return response;
    } finally {
      await batch.stop();
    }
  };
}
