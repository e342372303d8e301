import type { CustomerDestination, LoglakeConfig } from "@app/core/config/types";
import type { IngestRedaction } from "@app/core/ingest/redaction";
import type { LogSource } from "@app/core/sources/types";
import { openDuckDb } from "@app/lake/duckdb";
import type { LakeStore } from "@app/lake/store";
import type { AlertRuntime } from "@app/pipeline/alerts";
import type { ForwardRuntime } from "@app/pipeline/forward";
import type { Log } from "@app/pipeline/log";
import { type PipelineRuntime, sourceSettings } from "@app/pipeline/runtime";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { DuckDBConnection } from "@duckdb/node-api";
import { s3AlertClaims } from "./alerts.ts";
import { type AwsClientOptions, makeS3Client, makeSqsClient } from "./clients.ts";
import { awsForward } from "./cloudwatch-logs.ts";
import { S3LakeStore } from "./lake-store.ts";
import { configRedaction } from "./redaction.ts";
import { S3Objects } from "./s3.ts";
import { sqsKeepInvisible } from "./sqs.ts";
import { assumeRoleCredentials } from "./sts.ts";

/** The pipeline runtime on AWS, with the clients behind its adapters (closed by whoever built it). */
export interface AwsRuntime extends PipelineRuntime {
  s3: S3Client;
  sqs: SQSClient;
}

/**
 * Wires the pipeline to given clients: S3 reads, copies, WORM writes and the lake through `s3` (customer copies
 * through `customerClient`), visibility extensions through `sqs`.
 */
export function wireRuntime(args: {
  config: LoglakeConfig;
  s3: S3Client;
  sqs: SQSClient;
  db: DuckDBConnection;
  log: Log;
  /** The lake bucket by default. */
  lake?: LakeStore;
  /** The config's enabled sources by default (tests add one that fails on purpose). */
  sources?: readonly LogSource[];
  customerClient?: (dest: CustomerDestination) => S3Client;
  alerts?: AlertRuntime;
  redaction?: IngestRedaction;
  forward?: ForwardRuntime;
}): AwsRuntime {
  const { config, s3, sqs, log } = args;
  const objects = new S3Objects(s3, args.customerClient);
  const settings = sourceSettings(config);
  return {
    config,
    s3,
    sqs,
    reader: objects,
    copier: objects,
    writer: objects,
    lake: args.lake ?? new S3LakeStore({ bucket: config.buckets.lake, prefix: config.lakePrefix, client: s3 }),
    db: args.db,
    sources: args.sources ?? settings.sources,
    sourceOptions: settings.sourceOptions,
    log,
    keepInvisible: sqsKeepInvisible(sqs, {
      visibilityTimeoutSeconds: config.queues.visibilityTimeoutSeconds,
      intervalSeconds: config.sizes.heartbeatSeconds,
      log,
    }),
    ...(args.alerts ? { alerts: args.alerts } : {}),
    ...(args.redaction ? { redaction: args.redaction } : {}),
    ...(args.forward ? { forward: args.forward } : {}),
  };
}

/** Builds the runtime from a validated config; `aws` points every client at an endpoint (emulators). */
export async function createRuntime(args: {
  config: LoglakeConfig;
  aws?: AwsClientOptions;
  log: Log;
  /** Replaces the enabled sources (tests add one that fails on purpose). */
  sources?: readonly LogSource[];
  db?: DuckDBConnection;
  /** False writes to every destination with the function's own credentials (emulators have no STS). */
  assumeRoles?: boolean;
  /** Near-real-time alerts on ingest (see `awsAlerts`). */
  alerts?: AlertRuntime;
  /** Where `redaction.hmacKey.env` is read (default the process environment). */
  env?: NodeJS.ProcessEnv;
  /**
   * Forwarding to CloudWatch Logs; by default, when the config has such destinations, `awsForward` with its claims
   * as markers under the lake prefix of the lake bucket.
   */
  forward?: ForwardRuntime;
}): Promise<AwsRuntime> {
  const { config } = args;
  const aws: AwsClientOptions = { region: config.region, ...args.aws };
  // Cold start: the HMAC key is read (Secrets Manager, environment) before any record is.
  const redaction = await configRedaction(config.redaction, { env: args.env ?? process.env, aws });
  const s3 = makeS3Client(aws);
  const forward =
    args.forward ??
    awsForward({
      config,
      aws,
      claims: s3AlertClaims(s3, config.buckets.lake, config.lakePrefix),
      ...(args.assumeRoles !== undefined ? { assumeRoles: args.assumeRoles } : {}),
    });
  const customerClients = new Map<string, S3Client>();
  return wireRuntime({
    config,
    s3,
    sqs: makeSqsClient(aws),
    db: args.db ?? (await openDuckDb({ threads: 1 })),
    log: args.log,
    ...(args.sources ? { sources: args.sources } : {}),
    ...(args.alerts ? { alerts: args.alerts } : {}),
    ...(redaction ? { redaction } : {}),
    ...(forward ? { forward } : {}),
    customerClient(dest) {
      if (!dest.roleArn || !dest.externalId || args.assumeRoles === false) return s3;
      let client = customerClients.get(dest.name);
      if (!client) {
        client = makeS3Client({
          ...aws,
          credentials: assumeRoleCredentials(aws, {
            roleArn: dest.roleArn,
            externalId: dest.externalId,
            sessionName: `loglake-${config.env}-${dest.name}`.slice(0, 64),
          }),
        });
        customerClients.set(dest.name, client);
      }
      return client;
    },
  });
}
