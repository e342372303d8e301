import { customerDestinations } from "@app/core/config/destinations";
import type { LoglakeConfig } from "@app/core/config/types";
import { CreateStreamCommand, DescribeStreamSummaryCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { CreateBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import { CreateTopicCommand, type SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";

/** What `provision` created, named as the stacks name them. */
export interface Provisioned {
  buckets: { source: string; lake: string; worm: string; customer: string[] };
  queues: { ingest: string; dlq: string; ingestArn: string };
  /** `created`: the stream did not exist before (its records, and any kept checkpoints, are gone). */
  stream: { name: string; arn: string; created: boolean };
}

/**
 * Creates the buckets, the ingest queue with its DLQ and redrive policy, and the stream, from the same config
 * the stacks use. Idempotent: existing resources are kept.
 */
export async function provision(
  config: LoglakeConfig,
  clients: { s3: S3Client; sqs: SQSClient; kinesis: KinesisClient },
): Promise<Provisioned> {
  const customer = [...new Set(customerDestinations(config).map((d) => d.bucket))];
  for (const bucket of [config.buckets.source, config.buckets.lake, config.buckets.worm, ...customer]) {
    await clients.s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((e: unknown) => {
      if (!/BucketAlready(OwnedByYou|Exists)/.test((e as Error).name)) throw e;
    });
  }

  const dlq = await clients.sqs.send(
    new CreateQueueCommand({ QueueName: config.queues.dlq, Attributes: { MessageRetentionPeriod: "1209600" } }),
  );
  const dlqUrl = dlq.QueueUrl as string;
  const dlqArn = await queueArn(clients.sqs, dlqUrl);
  const ingest = await clients.sqs.send(
    new CreateQueueCommand({
      QueueName: config.queues.ingest,
      Attributes: {
        VisibilityTimeout: String(config.queues.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: config.queues.maxReceiveCount }),
      },
    }),
  );
  const ingestUrl = ingest.QueueUrl as string;

  const created = await clients.kinesis
    .send(new CreateStreamCommand({ StreamName: config.stream.name, ShardCount: config.stream.shardCount }))
    .then(
      () => true,
      (e: unknown) => {
        if ((e as Error).name !== "ResourceInUseException") throw e;
        return false;
      },
    );
  let arn = "";
  for (let i = 0; i < 100; i++) {
    const d = await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: config.stream.name }));
    if (d.StreamDescriptionSummary?.StreamStatus === "ACTIVE") {
      arn = d.StreamDescriptionSummary.StreamARN as string;
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!arn) throw new Error(`stream ${config.stream.name} did not become ACTIVE`);

  return {
    buckets: { ...config.buckets, customer },
    queues: { ingest: ingestUrl, dlq: dlqUrl, ingestArn: await queueArn(clients.sqs, ingestUrl) },
    stream: { name: config.stream.name, arn, created },
  };
}

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const res = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }));
  const arn = res.Attributes?.QueueArn;
  if (!arn) throw new Error(`queue ${url} has no QueueArn`);
  return arn;
}

/**
 * Creates the alerts topic and a queue subscribed to it with raw delivery, where the alerts the consumers publish
 * can be read. Idempotent.
 */
export async function provisionAlerts(
  config: LoglakeConfig,
  clients: { sns: SNSClient; sqs: SQSClient },
): Promise<{ topicArn: string; inboxUrl: string }> {
  const name = `loglake-${config.env}-alerts`;
  const topic = await clients.sns.send(new CreateTopicCommand({ Name: name }));
  const topicArn = topic.TopicArn as string;
  const inbox = await clients.sqs.send(new CreateQueueCommand({ QueueName: `${name}-inbox` }));
  const inboxUrl = inbox.QueueUrl as string;
  await clients.sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: "sqs",
      Endpoint: await queueArn(clients.sqs, inboxUrl),
      Attributes: { RawMessageDelivery: "true" },
    }),
  );
  return { topicArn, inboxUrl };
}
