import type { CustomerDestination, LoglakeConfig } from "@app/core/config/types";
import { SOURCES } from "@app/core/sources/index";
import type { LogSource, SourceOptions } from "@app/core/sources/types";
import { openDuckDb } from "@app/lake/duckdb";
import type { LakeStore } from "@app/lake/store";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { DuckDBConnection } from "@duckdb/node-api";
import { type AwsClientOptions, makeS3Client, makeSqsClient } from "./clients.ts";
import { S3LakeStore } from "./lake-store.ts";
import type { Log } from "./log.ts";
import { assumeRoleCredentials } from "./sts.ts";

/** Everything the consumers need, built once per cold start and shared by every invocation. */
export interface PipelineRuntime {
  config: LoglakeConfig;
  /** Reads source objects and writes the lake and WORM buckets (the function's own account). */
  s3: S3Client;
  sqs: SQSClient;
  lake: LakeStore;
  db: DuckDBConnection;
  /** Enabled sources, in registry order. */
  sources: readonly LogSource[];
  sourceOptions: SourceOptions;
  log: Log;
  /** The client that writes to a customer destination: assumed-role credentials when it names a role. */
  customerClient(dest: CustomerDestination): S3Client;
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
}): Promise<PipelineRuntime> {
  const { config } = args;
  const aws: AwsClientOptions = { region: config.region, ...args.aws };
  const s3 = makeS3Client(aws);
  const customerClients = new Map<string, S3Client>();
  const enabled = new Set(Object.keys(config.sources));
  const realtimeFields = config.sources.cloudfront_realtime?.realtimeFields;
  return {
    config,
    s3,
    sqs: makeSqsClient(aws),
    lake: new S3LakeStore({ bucket: config.buckets.lake, prefix: config.lakePrefix, client: s3 }),
    db: args.db ?? (await openDuckDb({ threads: 1 })),
    sources: args.sources ?? SOURCES.filter((s) => enabled.has(s.id)),
    sourceOptions: realtimeFields ? { realtimeFields } : {},
    log: args.log,
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
  };
}
