/** Logical column types. Every engine type (Parquet, Glue/Hive, DuckDB, TypeScript) is mapped from these in `types.ts`. */
export type LogicalType = "string" | "int32" | "int64" | "double" | "boolean" | "timestamp" | "json";

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

/** One input value as a reader sees it: the parsed value, and the input's own JSON text for it. */
export interface FieldInput {
  readonly value: unknown;
  /** The value's JSON text exactly as the input wrote it (whitespace between tokens dropped). */
  text(): string;
}

/**
 * Turns one input value into a column value. `undefined` means the value does not fit here: the next alias is tried
 * and the field stays in the table's rest column. `null` means the field says "no value": it is consumed, and the
 * next alias may still give one.
 */
export type FieldReader<V = unknown> = (input: FieldInput) => V | null | undefined;

/** One place a column's value may come from in a JSON record. */
export interface FieldRef<V = unknown> {
  /**
   * A top-level key, or a dot-separated path into nested objects (`userIdentity.sessionContext.sessionIssuer.arn`).
   * A top-level key spelled exactly like the path (`log.level`) is matched first.
   */
  readonly path: string;
  /** Reader for this alias only; otherwise the column's reader, else the default for its type. */
  readonly read?: FieldReader<V>;
  /** What the alias's own reader does, for the docs (`true → success, false → failure`). */
  readonly note?: string;
}

/** One column: its logical type, nullability, the description that ends up in Glue and the docs, and its input. */
export interface ColumnDef<T extends LogicalType = LogicalType, N extends boolean = boolean> {
  readonly type: T;
  readonly nullable: N;
  readonly description: string;
  /** Where the value comes from, in order of preference: the first usable alias wins. */
  readonly from?: readonly FieldRef<TsTypeOf[T]>[];
  /** Reader for every alias that has none of its own. */
  readonly read?: FieldReader<TsTypeOf[T]>;
  /** The JSON object of every top-level input field no other column used (`extra`, `attributes`). */
  readonly rest?: true;
}

interface ColumnOptions<T extends LogicalType, N extends boolean> {
  nullable?: N;
  from?: string | readonly (string | FieldRef<TsTypeOf[T]>)[];
  read?: FieldReader<TsTypeOf[T]>;
  rest?: true;
}

function builder<T extends LogicalType>(type: T) {
  function make(description: string): ColumnDef<T, true>;
  function make<const N extends boolean = true>(description: string, options: ColumnOptions<T, N>): ColumnDef<T, N>;
  function make(description: string, options?: ColumnOptions<T, boolean>): ColumnDef<T, boolean> {
    const def: { -readonly [K in keyof ColumnDef<T, boolean>]: ColumnDef<T, boolean>[K] } = {
      type,
      nullable: options?.nullable ?? true,
      description,
    };
    if (options?.from !== undefined) {
      const list = typeof options.from === "string" ? [options.from] : options.from;
      def.from = list.map((f) => (typeof f === "string" ? { path: f } : f));
    }
    if (options?.read) def.read = options.read;
    if (options?.rest) def.rest = true;
    return def;
  }
  return make;
}

/** An alias with its own reader, for a field that needs converting before it fits the column. */
export function field<V>(path: string, read: FieldReader<V>, note: string): FieldRef<V> {
  return { path, read, note };
}

/**
 * Column builders. Columns are nullable unless `{ nullable: false }` is given; `from` names the input fields that
 * fill the column, so adding a column is one line in the table's schema.
 *
 * @example
 * const cols = {
 *   event_time: column.timestamp("Request time, UTC", { nullable: false, from: ["eventTime", "@timestamp"] }),
 *   issuer_arn: column.string("Session issuer", { from: "userIdentity.sessionContext.sessionIssuer.arn" }),
 *   extra: column.json("Fields without a column", { rest: true }),
 * };
 */
export const column = {
  string: builder("string"),
  int32: builder("int32"),
  int64: builder("int64"),
  double: builder("double"),
  boolean: builder("boolean"),
  /** Instant in UTC. Row values are ISO-8601 strings ending in `Z` (see `toIsoUtc`). */
  timestamp: builder("timestamp"),
  /** Free-form JSON kept as the input's own text, the way Athena's CloudTrail tables keep payloads. */
  json: builder("json"),
};

export type ValueOf<C extends ColumnDef> =
  C extends ColumnDef<infer T, infer N> ? (N extends false ? TsTypeOf[T] : TsTypeOf[T] | null) : never;
