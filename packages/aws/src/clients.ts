import { KinesisClient } from "@aws-sdk/client-kinesis";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

/** Settings every client shares; `endpoint` points them at local emulators. */
export interface AwsClientOptions {
  region?: string;
  /** Custom endpoint (emulators); S3 then uses path-style addressing. */
  endpoint?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Attempts per call, the first included (SDK standard retry mode: backoff, throttling and 5xx retried). */
  maxAttempts?: number;
  /** Milliseconds until response headers arrive before the attempt fails with TimeoutError and is retried. */
  requestTimeoutMs?: number;
  /** Milliseconds a socket may stay idle (a stalled body) before the read fails. */
  socketTimeoutMs?: number;
}

/** Emulators accept any credentials; real AWS uses the default provider chain when none are given. */
const EMULATOR_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

function common(opts: AwsClientOptions) {
  const credentials = opts.credentials ?? (opts.endpoint ? EMULATOR_CREDENTIALS : undefined);
  return {
    region: opts.region ?? process.env.AWS_REGION ?? "us-east-1",
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    maxAttempts: opts.maxAttempts ?? 5,
    retryMode: "standard",
    // HTTP/1.1 everywhere: kinesalite speaks nothing else, and these APIs gain nothing from HTTP/2.
    requestHandler: new NodeHttpHandler({
      connectionTimeout: 5_000,
      requestTimeout: opts.requestTimeoutMs ?? 30_000,
      throwOnRequestTimeout: true,
      socketTimeout: opts.socketTimeoutMs ?? 60_000,
    }),
  } as const;
}

/** An S3 client; path-style when an endpoint is set, since emulators do not resolve bucket subdomains. */
export function makeS3Client(opts: AwsClientOptions = {}): S3Client {
  return new S3Client({ ...common(opts), forcePathStyle: opts.endpoint !== undefined });
}

/** An SQS client. */
export function makeSqsClient(opts: AwsClientOptions = {}): SQSClient {
  return new SQSClient(common(opts));
}

/** An SNS client. */
export function makeSnsClient(opts: AwsClientOptions = {}): SNSClient {
  return new SNSClient(common(opts));
}

/** A Kinesis client on HTTP/1.1. */
export function makeKinesisClient(opts: AwsClientOptions = {}): KinesisClient {
  return new KinesisClient(common(opts));
}

/** Settings any other SDK client is built with (CloudTrail, KMS): region, endpoint, retries and timeouts. */
export function awsClientConfig(opts: AwsClientOptions = {}) {
  return common(opts);
}

/** Settings of the STS client that `fromTemporaryCredentials` builds to assume customer roles. */
export function stsClientConfig(opts: AwsClientOptions = {}) {
  return common(opts);
}
