import type { LoglakeConfig } from "@app/core/config/types";
import type { IngestRedaction } from "@app/core/ingest/redaction";
import { SOURCES } from "@app/core/sources/index";
import type { LogSource, SourceOptions } from "@app/core/sources/types";
import type { LakeStore } from "@app/lake/store";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { AlertRuntime } from "./alerts.ts";
import type { ForwardRuntime } from "./forward.ts";
import type { Log } from "./log.ts";
import type { KeepInvisible, ObjectCopier, ObjectReader, ObjectWriter } from "./ports.ts";

/** Everything the consumers need, built once per cold start and shared by every invocation. */
export interface PipelineRuntime {
  config: LoglakeConfig;
  /** Reads source objects. */
  reader: ObjectReader;
  /** Makes the raw copies to WORM and customer buckets. */
  copier: ObjectCopier;
  /** Writes the WORM archive of Kinesis batches. */
  writer: ObjectWriter;
  lake: LakeStore;
  db: DuckDBConnection;
  /** Enabled sources, in registry order. */
  sources: readonly LogSource[];
  sourceOptions: SourceOptions;
  log: Log;
  /** Keeps slow batches invisible on their queue; absent where nothing redelivers (tests). */
  keepInvisible?: KeepInvisible;
  /** Near-real-time alerts on the rows just written; absent when no detection alerts or no topic is set. */
  alerts?: AlertRuntime;
  /** Redaction of every row and quarantine row (`ingestRedaction` of the config); absent: none. */
  redaction?: IngestRedaction;
  /** Forwarding of app events to CloudWatch Logs; absent when no destination is of that type. */
  forward?: ForwardRuntime;
}

/** The sources a config enables, in registry order, and the options they read from it. */
export function sourceSettings(config: LoglakeConfig): Pick<PipelineRuntime, "sources" | "sourceOptions"> {
  const enabled = new Set(Object.keys(config.sources));
  const realtimeFields = config.sources.cloudfront_realtime?.realtimeFields;
  return {
    sources: SOURCES.filter((s) => enabled.has(s.id)),
    sourceOptions: realtimeFields ? { realtimeFields } : {},
  };
}
