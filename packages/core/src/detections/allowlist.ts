import { configTableKey, tableDir } from "../lake-layout.ts";
import { type ColumnDef, column } from "../schema/column.ts";
import { escapeGlob, quoteIdent, quoteLiteral } from "../schema/sql.ts";
import { TYPE_MAP } from "../schema/types.ts";

/**
 * A small table built from the config rather than from logs: no partitions, no lineage, one newline-delimited JSON
 * object in the lake (Athena reads it with the OpenX JSON SerDe, DuckDB with `read_json`).
 */
export interface ConfigTableDef {
  readonly name: string;
  readonly description: string;
  readonly columns: Readonly<Record<string, ColumnDef<"string", false>>>;
}

/** What each `detection_allowlist` row kind holds. */
export const ALLOWLIST_KINDS = {
  principal: "approved principal ARN, compared exactly",
  account: "approved AWS account id for sharing and trust",
  saml_provider: "approved SAML provider ARN",
  region: "expected AWS region",
  max_public_prefix: "widest allowed IPv4 prefix length (one row); a CIDR with a shorter prefix is open",
  max_public_prefix_v6: "widest allowed IPv6 prefix length (one row); a CIDR with a shorter prefix is open",
} as const;
export type AllowlistKind = keyof typeof ALLOWLIST_KINDS;

/**
 * Allow-lists detections read through a lake table, never through SQL text: `AND x NOT IN (SELECT value FROM
 * detection_allowlist WHERE kind = 'principal')`.
 */
export const allowlistTable = {
  name: "detection_allowlist",
  description: "Allow-lists from loglake.config.ts (detections.*) that detections read: one row per approved value",
  columns: {
    kind: column.string(
      `What the value is: ${Object.entries(ALLOWLIST_KINDS)
        .map(([k, d]) => `${k} (${d})`)
        .join("; ")}`,
      { nullable: false },
    ),
    value: column.string("The approved value, as text", { nullable: false }),
  },
} as const satisfies ConfigTableDef;

/** Every table built from the config. */
export const CONFIG_TABLES: readonly ConfigTableDef[] = [allowlistTable];

/** Names of the tables built from the config: they have no `dt` partition to filter on. */
export const CONFIG_TABLE_NAMES: readonly string[] = CONFIG_TABLES.map((t) => t.name);

/** The widest IPv4 prefix a rule may allow before a CIDR counts as open to the internet. */
export const DEFAULT_MAX_PUBLIC_PREFIX = 16;
/** The widest IPv6 prefix, likewise (a /48 is one site). */
export const DEFAULT_MAX_PUBLIC_PREFIX_V6 = 48;

/** The `detections` section of the config, with defaults applied. */
export interface DetectionSettings {
  approvedPrincipals: readonly string[];
  approvedAccounts: readonly string[];
  samlProviders: readonly string[];
  expectedRegions: readonly string[];
  maxPublicPrefix: number;
  maxPublicPrefixV6: number;
}

/** Settings when the config says nothing: nothing approved, the default prefixes. */
export const DEFAULT_DETECTION_SETTINGS: DetectionSettings = {
  approvedPrincipals: [],
  approvedAccounts: [],
  samlProviders: [],
  expectedRegions: [],
  maxPublicPrefix: DEFAULT_MAX_PUBLIC_PREFIX,
  maxPublicPrefixV6: DEFAULT_MAX_PUBLIC_PREFIX_V6,
};

/** One `detection_allowlist` row. */
export interface AllowlistRow {
  kind: AllowlistKind;
  value: string;
}

/** The rows of `detection_allowlist` for the settings, in a stable order (kind, then value), without duplicates. */
export function allowlistRows(settings: DetectionSettings): AllowlistRow[] {
  const lists: [AllowlistKind, readonly string[]][] = [
    ["principal", settings.approvedPrincipals],
    ["account", settings.approvedAccounts],
    ["saml_provider", settings.samlProviders],
    ["region", settings.expectedRegions],
    ["max_public_prefix", [String(settings.maxPublicPrefix)]],
    ["max_public_prefix_v6", [String(settings.maxPublicPrefixV6)]],
  ];
  return lists.flatMap(([kind, values]) => [...new Set(values)].sort().map((value) => ({ kind, value })));
}

/**
 * The table's file: one JSON object per line, keys in column order. The same bytes for the same settings, so
 * rewriting it on every ingest or report changes nothing when the config did not change.
 *
 * @example
 * allowlistJsonLines(allowlistRows(DEFAULT_DETECTION_SETTINGS));
 * // {"kind":"max_public_prefix","value":"16"}\n{"kind":"max_public_prefix_v6","value":"48"}\n
 */
export function allowlistJsonLines(rows: readonly AllowlistRow[]): string {
  return rows.map((r) => `${JSON.stringify({ kind: r.kind, value: r.value })}\n`).join("");
}

/** The lake-relative key of a config table's file. */
export function configTableFile(table: ConfigTableDef): string {
  return configTableKey(table.name);
}

/** `CREATE VIEW` over a config table's file under `root`, with the registry's column types. */
export function toDuckDbConfigView(table: ConfigTableDef, root: string): string {
  const file = `${escapeGlob(root.replace(/\/+$/, ""))}/${escapeGlob(tableDir(table.name))}*.json`;
  const columns = Object.entries(table.columns)
    .map(([name, c]) => `${quoteLiteral(name)}: ${quoteLiteral(TYPE_MAP[c.type].duckdb)}`)
    .join(", ");
  const select = Object.keys(table.columns)
    .map((name) => quoteIdent(name))
    .join(", ");
  return `CREATE OR REPLACE VIEW ${quoteIdent(table.name)} AS SELECT ${select}\nFROM read_json(${quoteLiteral(file)}, format = 'newline_delimited', columns = {${columns}})`;
}

/** The same view over given rows, for a lake whose config table was never written (the defaults apply). */
export function toDuckDbConfigRowsView(table: ConfigTableDef, rows: readonly AllowlistRow[]): string {
  const names = Object.keys(table.columns);
  const cast = names.map((n) => `CAST(${quoteIdent(n)} AS VARCHAR) AS ${quoteIdent(n)}`).join(", ");
  const values = rows.map((r) => `(${quoteLiteral(r.kind)}, ${quoteLiteral(r.value)})`).join(", ");
  const body =
    rows.length > 0
      ? `FROM (VALUES ${values}) AS t(${names.map((n) => quoteIdent(n)).join(", ")})`
      : `FROM (SELECT NULL AS ${quoteIdent("kind")}, NULL AS ${quoteIdent("value")}) WHERE false`;
  return `CREATE OR REPLACE VIEW ${quoteIdent(table.name)} AS SELECT ${cast}\n${body}`;
}
