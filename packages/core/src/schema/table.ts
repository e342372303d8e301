import { PARTITION_KEYS } from "../lake-layout.ts";
import { type ColumnDef, column, type ValueOf } from "./column.ts";

/** Columns every table carries so each row can be traced to its input. */
export const lineageColumns = {
  source_object: column.string(
    "Where the record came from: s3://bucket/key, a file path, or kinesis://stream/shard/sequence",
    {
      nullable: false,
    },
  ),
  source_line: column.int64("1-based line (or record index) within the source object", { nullable: false }),
  ingest_time: column.timestamp(
    "When the source object arrived (S3 event time, Kinesis arrival time or file mtime), UTC; deterministic so redelivery rewrites identical bytes",
    { nullable: false },
  ),
  cwl_owner: column.string("CloudWatch Logs: account that owns the log group the record arrived in; null otherwise"),
  cwl_log_group: column.string("CloudWatch Logs: log group the record arrived in; null otherwise"),
  cwl_log_stream: column.string("CloudWatch Logs: log stream the record arrived in; null otherwise"),
  cwl_event_id: column.string("CloudWatch Logs: id of the log event that carried the record; null otherwise"),
} as const;

export type ColumnMap = Readonly<Record<string, ColumnDef>>;

export interface TableDef<Name extends string = string, C extends ColumnMap = ColumnMap> {
  readonly name: Name;
  readonly description: string;
  readonly referenceUrl?: string;
  /** Timestamp column that decides the partition (`dt`, `hour`). */
  readonly timeColumn: string;
  /** All columns in storage order: the table's own, then lineage. */
  readonly columns: C & typeof lineageColumns;
}

/**
 * Declares a table. Lineage columns are appended, so no table can forget them.
 *
 * @example
 * export const demo = defineTable({
 *   name: "demo",
 *   description: "Example",
 *   timeColumn: "event_time",
 *   columns: { event_time: column.timestamp("When", { nullable: false }), n: column.int64("Count") },
 * });
 * type DemoRow = RowOf<typeof demo>;
 */
export function defineTable<Name extends string, C extends ColumnMap>(def: {
  name: Name;
  description: string;
  referenceUrl?: string;
  timeColumn: keyof C & string;
  columns: C;
}): TableDef<Name, C> {
  for (const key of Object.keys(def.columns)) {
    if (!/^[a-z][a-z0-9_]*$/.test(key)) throw new Error(`table ${def.name}: column "${key}" is not snake_case`);
    if (key in lineageColumns || PARTITION_KEYS.some((p) => p.name === key)) {
      throw new Error(`table ${def.name}: column "${key}" is reserved`);
    }
  }
  const time = def.columns[def.timeColumn];
  if (time?.type !== "timestamp" || time.nullable) {
    throw new Error(`table ${def.name}: time column "${def.timeColumn}" must be a non-null timestamp`);
  }
  const rest = Object.entries(def.columns).filter(([, c]) => c.rest);
  if (rest.length > 1 || rest.some(([, c]) => c.type !== "json" || c.from !== undefined)) {
    throw new Error(`table ${def.name}: at most one rest column, of type json and without from`);
  }
  return { ...def, columns: { ...def.columns, ...lineageColumns } };
}

/** The TypeScript row type of a table, lineage included. */
export type RowOf<T extends { readonly columns: ColumnMap }> = {
  -readonly [K in keyof T["columns"]]: ValueOf<T["columns"][K]>;
};

/** A row as a parser emits it: lineage is added by the ingest pipeline. */
export type ParsedRowOf<T extends { readonly columns: ColumnMap }> = Omit<RowOf<T>, keyof typeof lineageColumns>;

/** Column names in storage order. */
export function columnNames(table: TableDef): string[] {
  return Object.keys(table.columns);
}
