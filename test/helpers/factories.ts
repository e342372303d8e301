import type { SQSRecord } from "aws-lambda";

/**
 * An SQS record as Lambda delivers it, carrying `body`; the rest is what a standard queue in us-east-1 sets.
 * Envelopes AWS recorded live in test/fixtures/events/lambda; this is for bodies a test chooses.
 */
export function sqsRecord(body: string, fields: Partial<Omit<SQSRecord, "body">> = {}): SQSRecord {
  return {
    messageId: "5d1b6c2e-0f3a-4e59-9a57-2c8f1f0e6b11",
    receiptHandle: "AQEB5d1b6c2e",
    body,
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: "1749384331500",
      SenderId: "AIDAIENQZJOLO23YVJ4VO",
      ApproximateFirstReceiveTimestamp: "1749384331510",
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:111122223333:loglake-unit-ingest",
    awsRegion: "us-east-1",
    ...fields,
  };
}
