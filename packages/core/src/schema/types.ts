import type { LogicalType } from "./column.ts";

/** The one mapping from logical types to each engine. The round-trip test pins what engines really do. */
export const TYPE_MAP: Readonly<
  Record<LogicalType, { readonly parquet: string; readonly glue: string; readonly duckdb: string }>
> = {
  string: { parquet: "BYTE_ARRAY (STRING)", glue: "string", duckdb: "VARCHAR" },
  int32: { parquet: "INT32", glue: "int", duckdb: "INTEGER" },
  int64: { parquet: "INT64", glue: "bigint", duckdb: "BIGINT" },
  double: { parquet: "DOUBLE", glue: "double", duckdb: "DOUBLE" },
  boolean: { parquet: "BOOLEAN", glue: "boolean", duckdb: "BOOLEAN" },
  timestamp: { parquet: "INT64 (TIMESTAMP(MICROS,false))", glue: "timestamp", duckdb: "TIMESTAMP" },
  json: { parquet: "BYTE_ARRAY (STRING)", glue: "string", duckdb: "VARCHAR" },
};
