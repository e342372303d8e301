import { processSqsMessage } from "@app/aws/ingest-s3";
import type { PipelineRuntime } from "@app/aws/runtime";
import { queueUrlForArn, VisibilityHeartbeat } from "@app/aws/sqs";
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { type IngestCounts, tally } from "../lib/metrics.ts";

/** The SQS consumer: S3 notifications in, lake rows and raw copies out, partial batch failures back. */
/** `publishMetrics` receives each batch's counts per source (the Lambda entry point publishes them to CloudWatch). */
export function createIngestSqsHandler(rt: PipelineRuntime, publishMetrics?: (bySource: IngestCounts) => void) {
  const processor = new BatchProcessor(EventType.SQS);
  const { visibilityTimeoutSeconds } = rt.config.queues;
  return async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    const arn = event.Records[0]?.eventSourceARN;
    const queueUrl = arn ? await queueUrlForArn(rt.sqs, arn).catch(() => undefined) : undefined;
    const heartbeat = queueUrl
      ? new VisibilityHeartbeat(rt.sqs, queueUrl, {
          visibilityTimeoutSeconds,
          intervalSeconds: rt.config.sizes.heartbeatSeconds,
          log: rt.log,
        })
      : undefined;
    heartbeat?.start(event.Records.map((r) => ({ id: r.messageId, receiptHandle: r.receiptHandle })));
    const kinds: Record<string, number> = {};
    const bySource: IngestCounts = new Map();
    const recordHandler = async (record: SQSRecord) => {
      try {
        const result = await processSqsMessage(rt, record);
        kinds[result.kind] = (kinds[result.kind] ?? 0) + 1;
        if (result.kind === "objects") {
          for (const o of result.objects) if (o.summary) tally(bySource, o.summary.source, o.summary);
        }
        return result;
      } catch (e) {
        rt.log.error("message failed; it will be retried", { messageId: record.messageId, error: String(e) });
        throw e;
      } finally {
        heartbeat?.done(record.messageId);
      }
    };
    try {
      const response = await processPartialResponse(event, recordHandler, processor, {
        ...(context ? { context } : {}),
        processInParallel: false,
      });
      publishMetrics?.(bySource);
      rt.log.info("batch processed", {
        messages: event.Records.length,
        failed: response.batchItemFailures.length,
        kinds,
      });
      return response;
    } finally {
      await heartbeat?.stop();
    }
  };
}
