import { alertDetections } from "@app/core/alerts/alert";
import type { LoglakeConfig } from "@app/core/config/types";
import { loadQueryDir } from "@app/lake/query-files";
import type { AlertClaims, AlertPublisher, AlertRuntime } from "@app/pipeline/alerts";
import type { ForwardClaims } from "@app/pipeline/forward";
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { type AwsClientOptions, makeS3Client, makeSnsClient } from "./clients.ts";

/**
 * Alert claims as S3 markers in the lake bucket: a conditional PutObject (`If-None-Match: *`) creates the marker
 * only when no object has its key, so of two consumers (or a redelivery) exactly one gets 200 and every other 412.
 * Forwarding to CloudWatch Logs uses the same markers, and `claimed` (HeadObject: 404 is no marker, which S3 says
 * only to a caller that may list the bucket; any other error throws).
 */
export function s3AlertClaims(s3: S3Client, bucket: string, prefix = ""): AlertClaims & ForwardClaims {
  const base = prefix.replace(/^\/+|\/+$/g, "");
  const key = (k: string) => (base ? `${base}/${k}` : k);
  return {
    async claimed(k) {
      try {
        await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key(k) }));
        return true;
      } catch (e) {
        const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 404 || (e as Error).name === "NotFound") return false;
        throw e;
      }
    },
    async claim(k, body) {
      try {
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key(k),
            Body: body,
            IfNoneMatch: "*",
            ContentType: "application/json",
          }),
        );
        return true;
      } catch (e) {
        const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        // 412: the marker exists. 409 (a conditional write racing another on the same key) is retried by throwing.
        if (status === 412 || (e as Error).name === "PreconditionFailed") return false;
        throw e;
      }
    },
    async release(k) {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key(k) }));
    },
  };
}

/**
 * Publishes alerts to an SNS topic. A FIFO topic (`.fifo`) also gets the claim key as deduplication id and the
 * detection as message group.
 */
export function snsAlertPublisher(sns: SNSClient, topicArn: string): AlertPublisher {
  const fifo = topicArn.endsWith(".fifo");
  return {
    async publish({ subject, message, dedupId }) {
      await sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: subject,
          Message: message,
          ...(fifo
            ? { MessageDeduplicationId: dedupId.replace(/[^A-Za-z0-9]/g, "").slice(-128), MessageGroupId: "alerts" }
            : {}),
        }),
      );
    },
  };
}

/**
 * The consumers' alert runtime on AWS: the `alert: true` detections of the queries folder, claims as conditional
 * writes under the lake prefix of the lake bucket, and the alerts topic.
 */
export async function awsAlerts(args: {
  config: LoglakeConfig;
  aws: AwsClientOptions;
  topicArn: string;
  queriesDir: string;
}): Promise<AlertRuntime | undefined> {
  const detections = alertDetections(await loadQueryDir(args.queriesDir));
  if (detections.length === 0) return undefined;
  return {
    detections,
    claims: s3AlertClaims(makeS3Client(args.aws), args.config.buckets.lake, args.config.lakePrefix),
    publisher: snsAlertPublisher(makeSnsClient(args.aws), args.topicArn),
  };
}
