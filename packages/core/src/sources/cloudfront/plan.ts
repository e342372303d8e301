import { ConfigError } from "../../errors.ts";
import type { LogicalType } from "../../schema/column.ts";
import { lineageColumns, type TableDef } from "../../schema/table.ts";
import { fieldColumnName } from "./fields.ts";
import { BAD, type Converter, converterFor } from "./values.ts";

/** Fields that carry the request time; they become the time column and are not kept in the rest column. */
type TimeField = "date" | "time" | "timestamp" | "timestamp_ms";

/** What one log field name means for a table. */
type FieldRole =
  | { readonly kind: "column"; readonly column: string; readonly type: LogicalType; readonly conv: Converter }
  | { readonly kind: "time"; readonly time: TimeField }
  | { readonly kind: "extra" };

const EXTRA: FieldRole = { kind: "extra" };

// Keyed by the compact form so `timestamp(ms)`, `Timestamp_Ms` and `timestampMs` all agree. A Map, because field
// names come from the input and must never hit Object.prototype (`constructor`, `toString`).
const TIME_FIELDS: ReadonlyMap<string, TimeField> = new Map([
  ["date", "date"],
  ["time", "time"],
  ["timestamp", "timestamp"],
  ["timestampms", "timestamp_ms"],
]);

/** Lower-case letters and digits only: `cs(User-Agent)`, `cs_user_agent` and `csUserAgent` all give `csuseragent`. */
export function compactName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/** A table's field columns and a resolver from log field names (W3C, snake, camel) to them. */
export interface TableFields {
  readonly table: TableDef;
  /** Parsed columns (lineage excluded) in storage order. */
  readonly columns: readonly string[];
  /** The column that keeps fields without a column of their own (`extra`), if the table has one. */
  readonly rest: string | undefined;
  /** Resolves a field name as it appears in a `#Fields` header, a JSON key or a real-time field list. */
  resolve(name: string): FieldRole;
  /** A row with every parsed column set to null (lineage excluded), in storage order, so rows share one shape. */
  template(distributionId: string | null): Record<string, unknown>;
}

/**
 * Field columns of `table`, as its schema declares them: every column with a `from` except the time column, found
 * by its field names and its own name in any spelling (`cs(User-Agent)`, `cs-user-agent`, `cs_user_agent`). Built
 * once per table.
 */
export function tableFields(table: TableDef): TableFields {
  const byName = new Map<string, FieldRole>();
  const byCompact = new Map<string, FieldRole>();
  let rest: string | undefined;
  for (const [column, def] of Object.entries(table.columns)) {
    if (def.rest) rest = column;
    if (column === table.timeColumn || def.from === undefined) continue;
    const role: FieldRole = { kind: "column", column, type: def.type, conv: converterFor(def.type) };
    byName.set(column, role);
    byCompact.set(compactName(column), role);
    for (const f of def.from) {
      byName.set(f.path, role);
      byCompact.set(compactName(f.path), role);
    }
  }
  const parsedColumns = Object.keys(table.columns).filter((c) => !Object.hasOwn(lineageColumns, c));
  const cache = new Map<string, FieldRole>();
  return {
    table,
    columns: parsedColumns,
    rest,
    resolve(name) {
      const hit = cache.get(name);
      if (hit) return hit;
      const c = compactName(name);
      const time = TIME_FIELDS.get(c);
      const role: FieldRole = time
        ? { kind: "time", time }
        : (byName.get(name) ?? byName.get(fieldColumnName(name)) ?? byCompact.get(c) ?? EXTRA);
      // Bounded: JSON keys come from the input, and hostile input must not grow memory.
      if (cache.size < 4096) cache.set(name, role);
      return role;
    },
    template(distributionId) {
      const row: Record<string, unknown> = {};
      for (const c of parsedColumns) row[c] = null;
      if (Object.hasOwn(row, "distribution_id")) row.distribution_id = distributionId;
      return row;
    },
  };
}

/** Where a line's event time comes from, by field position. */
type TimePlan =
  | { readonly kind: "millis"; readonly index: number }
  | { readonly kind: "seconds"; readonly index: number }
  | { readonly kind: "datetime"; readonly date: number; readonly time: number }
  | { readonly kind: "none" };

/** One modelled field of a delimited line: its position, its column and how to convert it. */
interface Slot {
  readonly index: number;
  readonly field: string;
  readonly column: string;
  readonly type: LogicalType;
  readonly conv: Converter;
}

/**
 * Builds a row from a line whose field `i` is `line.slice(starts[i], ends[i])`, its event time and the distribution
 * id to use when the line has none; returns the index (into `slots`) of the first field whose value does not fit
 * its column instead.
 */
type RowBuilder = (
  line: string,
  starts: Int32Array,
  ends: Int32Array,
  eventTime: string,
  distributionId: string | null,
) => Record<string, unknown> | number;

/** Precomputed mapping of a delimited field list (a `#Fields` header or a real-time configuration) to a table. */
export interface LinePlan {
  readonly fields: readonly string[];
  readonly width: number;
  readonly slots: readonly Slot[];
  readonly extras: readonly { readonly index: number; readonly field: string }[];
  readonly time: TimePlan;
  readonly build: RowBuilder;
}

/**
 * Compiles a row builder specialised to one field list. The generated function converts each field at its own call
 * site and returns one object literal with every column in storage order, so all rows of a plan share one hidden
 * class: about twice the throughput of a generic loop with keyed stores (bench/parse-cloudfront.ts). Only column
 * names (checked snake_case by `defineTable`) and field positions enter the generated source, never input text.
 */
function compileBuilder(tf: TableFields, slots: readonly Slot[]): RowBuilder {
  const lastSlot = new Map<string, number>();
  slots.forEach((s, k) => {
    lastSlot.set(s.column, k);
  });
  const props = tf.columns.map((column) => {
    const key = JSON.stringify(column);
    const k = lastSlot.get(column);
    if (column === tf.table.timeColumn) return `${key}: t`;
    if (column === "distribution_id") return `${key}: ${k === undefined ? "d" : `v${k} === null ? d : v${k}`}`;
    return `${key}: ${k === undefined ? "null" : `v${k}`}`;
  });
  const source = [
    ...slots.map((_, k) => `const c${k} = convs[${k}];`),
    "return function build(line, s, e, t, d) {",
    ...slots.map(
      (x, k) => `  const v${k} = c${k}(line, s[${x.index}], e[${x.index}]); if (v${k} === BAD) return ${k};`,
    ),
    `  return { ${props.join(", ")} };`,
    "};",
  ].join("\n");
  const factory = new Function("convs", "BAD", source) as (convs: Converter[], bad: typeof BAD) => RowBuilder;
  return factory(
    slots.map((s) => s.conv),
    BAD,
  );
}

/** Builds the plan for a field list. The most precise time wins: `timestamp(ms)`, then `timestamp`, then `date`+`time`. */
export function linePlan(fields: readonly string[], tf: TableFields): LinePlan {
  const slots: Slot[] = [];
  const extras: { index: number; field: string }[] = [];
  const times: Partial<Record<TimeField, number>> = {};
  fields.forEach((field, index) => {
    const role = tf.resolve(field);
    if (role.kind === "column") slots.push({ index, field, column: role.column, type: role.type, conv: role.conv });
    else if (role.kind === "time") times[role.time] ??= index;
    else extras.push({ index, field });
  });
  let time: TimePlan = { kind: "none" };
  if (times.timestamp_ms !== undefined) time = { kind: "millis", index: times.timestamp_ms };
  else if (times.timestamp !== undefined) time = { kind: "seconds", index: times.timestamp };
  else if (times.date !== undefined && times.time !== undefined) {
    time = { kind: "datetime", date: times.date, time: times.time };
  }
  return { fields, width: fields.length, slots, extras, time, build: compileBuilder(tf, slots) };
}

/**
 * Plan for a real-time log configuration's field list. Throws `ConfigError` when the list cannot describe records:
 * empty, with duplicates, or without a time field.
 */
export function realtimePlan(fields: readonly string[], tf: TableFields): LinePlan {
  if (fields.length === 0) throw new ConfigError("realtimeFields: the field list is empty");
  const seen = new Set<string>();
  for (const f of fields) {
    if (seen.has(f)) throw new ConfigError(`realtimeFields: field "${f}" is listed twice`);
    seen.add(f);
  }
  const plan = linePlan(fields, tf);
  if (plan.time.kind === "none") {
    throw new ConfigError(`realtimeFields: no time field (timestamp) in ${JSON.stringify(fields)}`);
  }
  return plan;
}
