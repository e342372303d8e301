import { CONFIG_TABLE_NAMES } from "../detections/allowlist.ts";
import { findingsTable } from "../findings/schema.ts";
import { integrityTable } from "../integrity/schema.ts";
import type { TableDef } from "../schema/table.ts";
import { createAppJsonSource } from "./app-json/index.ts";
import { appEventRecords } from "./app-json/parse.ts";
import { cloudfrontRealtimeSource, cloudfrontSource } from "./cloudfront/index.ts";
import { cloudtrailDigestSource, cloudtrailSource } from "./cloudtrail/index.ts";
import { cloudtrailDigests, cloudtrailRecords } from "./cloudtrail/parse.ts";
import { createCloudWatchLogsSource } from "./cloudwatch-logs/index.ts";
import { quarantineTable } from "./quarantine/schema.ts";
import type { LogSource } from "./types.ts";

/** CloudWatch Logs payloads: CloudTrail messages as CloudTrail records, other JSON messages as app events. */
export const cloudwatchLogsSource = createCloudWatchLogsSource({ cloudtrail: cloudtrailRecords, app: appEventRecords });

/** Application JSON: any JSON object with a time field that is not a CloudTrail record or digest. */
export const appJsonSource = createAppJsonSource([cloudtrailRecords, cloudtrailDigests]);

/**
 * Every registered log source, in detection order: infra, the CLI and tests iterate this list and no other.
 *
 * @example
 * const source = SOURCES.find((s) => s.matchKey("AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/01/x.json.gz"));
 */
export const SOURCES = [
  cloudtrailDigestSource,
  cloudtrailSource,
  cloudfrontSource,
  cloudfrontRealtimeSource,
  cloudwatchLogsSource,
  appJsonSource,
] as const satisfies readonly LogSource<string>[];

/** Every table in the lake: each source's tables, then quarantine, the reports' findings and the integrity checks' results. */
export const TABLES: readonly TableDef[] = [
  ...new Map(SOURCES.flatMap((s) => s.tables).map((t) => [t.name, t])).values(),
  quarantineTable,
  findingsTable,
  integrityTable,
];

/** Looks a table up by name. */
export function tableByName(name: string): TableDef | undefined {
  return TABLES.find((t) => t.name === name);
}

/** Every table a saved query may read: the lake tables, then the tables built from the config. */
export const QUERYABLE_TABLE_NAMES: readonly string[] = [...TABLES.map((t) => t.name), ...CONFIG_TABLE_NAMES];
