/** Logical column types. Every engine type (Parquet, Glue/Hive, DuckDB, TypeScript) is mapped from these in `types.ts`. */
export type LogicalType = "string" | "int32" | "int64" | "double" | "boolean" | "timestamp" | "json";

/** One column: its logical type, nullability and the description that ends up in Glue and the docs. */
export interface ColumnDef<T extends LogicalType = LogicalType, N extends boolean = boolean> {
  readonly type: T;
  readonly nullable: N;
  readonly description: string;
}

interface ColumnOptions<N extends boolean> {
  nullable?: N;
}

function builder<T extends LogicalType>(type: T) {
  function make(description: string): ColumnDef<T, true>;
  function make<const N extends boolean>(description: string, options: ColumnOptions<N>): ColumnDef<T, N>;
  function make(description: string, options?: ColumnOptions<boolean>): ColumnDef<T, boolean> {
    return { type, nullable: options?.nullable ?? true, description };
  }
  return make;
}

/**
 * Column builders. Columns are nullable unless `{ nullable: false }` is given.
 *
 * @example
 * const cols = { event_time: column.timestamp("Request time, UTC", { nullable: false }), sc_bytes: column.int64("Bytes sent") };
 */
export const column = {
  string: builder("string"),
  int32: builder("int32"),
  int64: builder("int64"),
  double: builder("double"),
  boolean: builder("boolean"),
  /** Instant in UTC. Row values are ISO-8601 strings ending in `Z` (see `toIsoUtc`). */
  timestamp: builder("timestamp"),
  /** Free-form JSON kept as a string, the way Athena's CloudTrail tables keep payloads. */
  json: builder("json"),
};

/** TypeScript value type of a logical type. Timestamps travel as ISO-8601 UTC strings. */
export interface TsTypeOf {
  string: string;
  int32: number;
  int64: number;
  double: number;
  boolean: boolean;
  timestamp: string;
  json: string;
}

export type ValueOf<C extends ColumnDef> =
  C extends ColumnDef<infer T, infer N> ? (N extends false ? TsTypeOf[T] : TsTypeOf[T] | null) : never;
