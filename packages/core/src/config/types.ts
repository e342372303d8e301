import type { KeyTemplatePart } from "../copy/key-template.ts";
import type { SourceId } from "../sources/types.ts";

/** S3 Object Lock retention mode for the WORM bucket. */
export type WormMode = "GOVERNANCE" | "COMPLIANCE";

/** Per-source settings as a user writes them. */
export interface SourceConfigInput {
  /** Copy this source's raw objects to the WORM bucket (default true). */
  worm?: boolean;
  /** CloudFront real-time field list as configured on the distribution (cloudfront_realtime only). */
  realtimeFields?: string[];
}

/** A customer bucket that receives raw copies, as a user writes it. */
export interface CustomerDestinationInput {
  /** Short unique name used in logs and error messages. */
  name: string;
  bucket: string;
  /** Key template (default `<env>/<source>/<key>`); placeholders: env, source, key, bucket, yyyy, mm, dd, hh. */
  keyTemplate?: string;
  /** Customer KMS key (id, ARN or alias) for SSE-KMS on every copy. */
  kmsKeyId?: string;
  /** Role to assume for cross-account writes; requires `externalId`. */
  roleArn?: string;
  externalId?: string;
  /** Sources this customer receives (default: every enabled source). */
  sources?: SourceId[];
}

/** The deployment config as a user writes it (`loglake.config.ts`): everything but `env` has a default. */
export interface LoglakeConfigInput {
  /** Environment (stage) name: lowercase letters, digits and hyphens; used in names and key prefixes. */
  env: string;
  region?: string;
  /** Enabled sources and their settings; omitted means every registered source with defaults. */
  sources?: Partial<Record<SourceId, SourceConfigInput>>;
  buckets?: { source?: string; lake?: string; worm?: string };
  /** Key prefix for Parquet files inside the lake bucket (default none). */
  lakePrefix?: string;
  worm?: { mode?: WormMode; retentionDays?: number; keyTemplate?: string };
  destinations?: CustomerDestinationInput[];
  queues?: {
    ingest?: string;
    dlq?: string;
    visibilityTimeoutSeconds?: number;
    maxReceiveCount?: number;
    batchSize?: number;
    batchingWindowSeconds?: number;
  };
  stream?: {
    name?: string;
    shardCount?: number;
    batchSize?: number;
    batchingWindowSeconds?: number;
    maxRetryAttempts?: number;
    maxRecordAgeSeconds?: number;
  };
  sizes?: {
    functionTimeoutSeconds?: number;
    memoryMb?: number;
    /** Copies above this size use multipart UploadPartCopy (S3's single CopyObject limit is 5 GiB). */
    multipartCopyThresholdBytes?: number;
    copyPartSizeBytes?: number;
    /** How often a message's visibility is extended while its object is still being processed. */
    heartbeatSeconds?: number;
  };
}

/** A validated customer destination with defaults applied and its key template parsed. */
export interface CustomerDestination {
  name: string;
  bucket: string;
  keyTemplate: string;
  keyTemplateParts: KeyTemplatePart[];
  kmsKeyId?: string;
  roleArn?: string;
  externalId?: string;
  sources: SourceId[];
}

/** Validated per-source settings. */
export interface SourceConfig {
  worm: boolean;
  realtimeFields?: string[];
}

/** The ONE deployment config, validated and with every default applied; infra, handlers and `loglake dev` share it. */
export interface LoglakeConfig {
  env: string;
  region: string;
  sources: Partial<Record<SourceId, SourceConfig>>;
  buckets: { source: string; lake: string; worm: string };
  lakePrefix: string;
  worm: { mode: WormMode; retentionDays: number; keyTemplate: string; keyTemplateParts: KeyTemplatePart[] };
  destinations: CustomerDestination[];
  queues: {
    ingest: string;
    dlq: string;
    visibilityTimeoutSeconds: number;
    maxReceiveCount: number;
    batchSize: number;
    batchingWindowSeconds: number;
  };
  stream: {
    name: string;
    shardCount: number;
    batchSize: number;
    batchingWindowSeconds: number;
    maxRetryAttempts: number;
    maxRecordAgeSeconds: number;
  };
  sizes: {
    functionTimeoutSeconds: number;
    memoryMb: number;
    multipartCopyThresholdBytes: number;
    copyPartSizeBytes: number;
    heartbeatSeconds: number;
  };
}
