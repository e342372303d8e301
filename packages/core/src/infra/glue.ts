import type { ConfigTableDef } from "../detections/allowlist.ts";
import { toGlueColumns, toGluePartitionKeys, toGlueProjection } from "../schema/glue.ts";
import type { TableDef } from "../schema/table.ts";
import { TYPE_MAP } from "../schema/types.ts";

/** Hive classes Athena uses for Parquet. */
export const PARQUET_FORMAT = {
  inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
  outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
  serializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
} as const;

/**
 * Glue database name for a stage: lowercase letters, digits and underscores (what Athena accepts unquoted), at most
 * 255 characters.
 */
export function glueDatabaseName(app: string, stage: string): string {
  const name = `${app}_${stage}`.toLowerCase().replace(/[^a-z0-9_]+/g, "_");
  if (!/^[a-z0-9_]{1,255}$/.test(name)) throw new Error(`cannot make a Glue database name from "${app}", "${stage}"`);
  return name;
}

/** S3 location of a table's files: `s3://<lake bucket>/<lake prefix><table>/`. */
export function tableLocation(bucket: string, lakePrefix: string, table: string): string {
  return `s3://${bucket}/${lakePrefix}${table}/`;
}

/** Arguments of `aws.glue.CatalogTable` for one lake table, all derived from its schema. */
export interface GlueTableArgs {
  name: string;
  databaseName: string;
  description: string;
  tableType: "EXTERNAL_TABLE";
  parameters: Record<string, string>;
  partitionKeys: { name: string; type: string; comment: string }[];
  storageDescriptor: {
    location: string;
    inputFormat: string;
    outputFormat: string;
    compressed: boolean;
    serDeInfo: { name: string; serializationLibrary: string; parameters: Record<string, string> };
    columns: { name: string; type: string; comment: string }[];
  };
}

/**
 * The Glue table of a lake table: Parquet SerDe, every column with its description as comment, partition keys
 * `dt` and `hour` with partition projection over the lake layout, so no partition is ever registered by hand.
 */
export function glueTableArgs(
  table: TableDef,
  input: { databaseName: string; bucket: string; lakePrefix: string; projectionStart: string },
): GlueTableArgs {
  const location = tableLocation(input.bucket, input.lakePrefix, table.name);
  return {
    name: table.name,
    databaseName: input.databaseName,
    description: table.description,
    tableType: "EXTERNAL_TABLE",
    parameters: {
      EXTERNAL: "TRUE",
      ...toGlueProjection(location, input.projectionStart),
    },
    partitionKeys: toGluePartitionKeys(),
    storageDescriptor: {
      location,
      inputFormat: PARQUET_FORMAT.inputFormat,
      outputFormat: PARQUET_FORMAT.outputFormat,
      compressed: true,
      serDeInfo: {
        name: "parquet",
        serializationLibrary: PARQUET_FORMAT.serializationLibrary,
        parameters: { "serialization.format": "1" },
      },
      columns: toGlueColumns(table),
    },
  };
}

/** Hive SerDe Athena uses for newline-delimited JSON. */
export const JSON_SERDE = "org.openx.data.jsonserde.JsonSerDe";

/** The Glue table of a config table: one JSON object per line, no partitions, columns from the registry. */
export function glueConfigTableArgs(
  table: ConfigTableDef,
  input: { databaseName: string; bucket: string; lakePrefix: string },
): GlueTableArgs {
  return {
    name: table.name,
    databaseName: input.databaseName,
    description: table.description,
    tableType: "EXTERNAL_TABLE",
    parameters: { EXTERNAL: "TRUE", classification: "json" },
    partitionKeys: [],
    storageDescriptor: {
      location: tableLocation(input.bucket, input.lakePrefix, table.name),
      inputFormat: "org.apache.hadoop.mapred.TextInputFormat",
      outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
      compressed: false,
      serDeInfo: { name: "json", serializationLibrary: JSON_SERDE, parameters: { "serialization.format": "1" } },
      columns: Object.entries(table.columns).map(([name, c]) => ({
        name,
        type: TYPE_MAP[c.type].glue,
        comment: c.description.slice(0, 255),
      })),
    },
  };
}
