import { createHmac } from "node:crypto";
import {
  CREDENTIAL_RULES,
  compileRedaction,
  type DetectorId,
  isSecretKey,
  mergeCounts,
  type RedactionCounts,
  type RedactionRule,
  type Redactor,
  triggerOf,
} from "@loglake/redact";
import type { LoglakeConfig } from "../config/types.ts";
import { ConfigError } from "../errors.ts";
import { lineageColumns, type TableDef } from "../schema/table.ts";
import { cloudtrailTable } from "../sources/cloudtrail/schema.ts";
import type { SourceId } from "../sources/types.ts";

/** The validated `redaction` block of the config. */
export type RedactionSettings = LoglakeConfig["redaction"];

/**
 * CloudTrail fields that hold access key ids as identifiers of the caller or of the key a call managed: kept, as the
 * saved detections join on them (`bedrock-invoked-with-long-term-key`, `sts-federation-token-issued`,
 * `iam-users-and-keys-created`). Elsewhere an access key id is masked.
 */
export const CLOUDTRAIL_KEY_ID_FIELDS: readonly string[] = [
  "user_identity_access_key_id",
  "user_identity.accessKeyId",
  "request_parameters.accessKeyId",
  "response_elements.accessKey.accessKeyId",
  "response_elements.credentials.accessKeyId",
];

/**
 * CloudTrail request and response fields that carry secrets under names that are no credential names: an SSM
 * PutParameter `value` (a SecureString's plaintext when the caller sent one) and Lambda environment variables.
 * Credential-named parameters (Secrets Manager `secretString`/`secretBinary`, RDS and Redshift
 * `masterUserPassword`, IAM login profile `password`, ACM `privateKey`, STS `sessionToken`, …) are masked by name.
 */
export const CLOUDTRAIL_SECRET_PARAMETERS: readonly string[] = [
  "request_parameters.value",
  "request_parameters.environment.variables.*",
  "response_elements.environment.variables.*",
];

/** The same fields in a quarantined record's raw text, which keeps CloudTrail's own names. */
const CLOUDTRAIL_RAW_SECRET_PARAMETERS: readonly string[] = [
  "**.requestParameters.value",
  "**.requestParameters.environment.variables.*",
  "**.responseElements.environment.variables.*",
];

const LINEAGE = Object.keys(lineageColumns);

/** Redaction at ingest: rows of every table and the text of quarantine rows, by the config's rules. */
export interface IngestRedaction {
  /** The row with its content columns redacted (a copy when something changed); counts are added to `counts`. */
  row(
    source: SourceId | "unknown",
    table: TableDef,
    row: Record<string, unknown>,
    counts: RedactionCounts,
  ): Record<string, unknown>;
  /** Quarantined text (raw record, message) of a source: every detector its rules name, wherever it matches. */
  text(source: SourceId | "unknown", text: string, counts: RedactionCounts): string;
  /**
   * A screen for text that holds every value of `columns` of a table's rows, each whole, without a line end, and
   * delimited by a tab or a line end, the table's other content columns being null (a CloudFront body after URL
   * decoding): false proves that `row` changes no row drawn from that text. It runs every detector the table's rules
   * name over each line where one of their pre-checks matches, so it relies only on each detector finding in a line
   * what it finds in a value of that line standing there alone. Undefined
   * when the rules may replace whole values (a `value` rule, a column named like a credential) or a column holds
   * JSON, which no scan of the text can tell.
   */
  screen(source: SourceId, table: TableDef, columns: readonly string[]): ((text: string) => boolean) | undefined;
}

/**
 * Compiles the config's redaction for ingest; undefined when it changes nothing. `hmacKey` is the resolved key of
 * `redaction.hmacKey` (see `redactionKeySource`), needed when a rule hashes.
 */
export function ingestRedaction(settings: RedactionSettings, hmacKey?: string): IngestRedaction | undefined {
  if (!settings.credentials && settings.rules.length === 0) return undefined;
  if (hmacKey === undefined && settings.rules.some((r) => r.action === "hash"))
    throw new ConfigError("redaction.hmacKey: a rule hashes, but no HMAC key was given");
  const hmac = hmacKey === undefined ? undefined : (t: string) => createHmac("sha256", hmacKey).update(t).digest("hex");
  const rulesFor = (source: string, table: string | undefined) => ingestRedactionRules(settings, source, table);
  interface Compiled {
    redactor: Redactor;
    fields: readonly string[];
    /** The options of `redactRecord` for the table's rows, made once. */
    options: { jsonFields: ReadonlySet<string>; fields: readonly string[] };
    /** What a dropped field becomes: null, or the empty string where the column may not be null. */
    dropped: readonly (null | "")[];
    /** A copy of a row that has exactly the table's content columns, made by one object literal. */
    copy: (row: Record<string, unknown>) => Record<string, unknown>;
    content: ReadonlySet<string>;
  }
  const compiled = new Map<string, Compiled>();
  let last: { source: string; table: TableDef; c: Compiled } | undefined;
  const forRow = (source: string, table: TableDef): Compiled => {
    if (last !== undefined && last.source === source && last.table === table) return last.c;
    const id = `${source}\n${table.name}`;
    let c = compiled.get(id);
    if (!c) {
      const columns = Object.entries(table.columns).filter(([name]) => !LINEAGE.includes(name));
      const json = new Set(columns.flatMap(([name, col]) => (col.type === "json" ? [name] : [])));
      // Text columns only: numbers, flags and timestamps hold nothing a detector looks for.
      const fields = columns.flatMap(([name, col]) => (col.type === "string" || col.type === "json" ? [name] : []));
      c = {
        redactor: compileRedaction(rulesFor(source, table.name), hmac ? { hmac } : {}),
        fields,
        options: { jsonFields: json, fields },
        dropped: fields.map((name) => (table.columns[name]?.nullable ? null : "")),
        copy: rowCopier(columns.map(([name]) => name)),
        content: new Set(columns.map(([name]) => name)),
      };
      compiled.set(id, c);
    }
    last = { source, table, c };
    return c;
  };
  const textRedactors = new Map<string, Redactor>();
  const forText = (source: string) => {
    let r = textRedactors.get(source);
    if (!r) {
      r = compileRedaction(rulesFor(source, undefined), hmac ? { hmac } : {});
      textRedactors.set(source, r);
    }
    return r;
  };
  const screens = new Map<string, ((text: string) => boolean) | undefined>();
  const screenFor = (source: SourceId, table: TableDef, columns: readonly string[]) => {
    const id = `${source}\n${table.name}\n${columns.join("\n")}`;
    if (!screens.has(id)) screens.set(id, compileScreen(source, table, columns));
    return screens.get(id);
  };
  const compileScreen = (
    source: SourceId,
    table: TableDef,
    names: readonly string[],
  ): ((text: string) => boolean) | undefined => {
    const rules = rulesFor(source, table.name);
    const columns = names.flatMap((name) => {
      const col = table.columns[name];
      return col && !LINEAGE.includes(name) ? [[name, col] as const] : [];
    });
    if (columns.length !== names.length || columns.some(([, col]) => col.type === "json")) return undefined;
    const detectors = new Set<DetectorId>();
    for (const r of rules) {
      if (r.detect === "value" || r.detect === "secret_parameter") return undefined;
      detectors.add(r.detect);
    }
    // `secret_field` masks the whole value of a column named like a credential.
    if (detectors.has("secret_field") && columns.some(([name, col]) => col.type === "string" && isSecretKey(name)))
      return undefined;
    if (detectors.size === 0) return () => false;
    // Masking, whatever the rules do: every span found then changes the text or is counted.
    const any = compileRedaction([...detectors].map((detect) => ({ detect, action: "mask" })));
    const found = (line: string) => {
      const r = any.redactValue("text", line);
      return r.changed || Object.keys(r.counts).length > 0;
    };
    // The detectors' pre-checks, as `redactValue` joins them: a value where a detector finds something matches one
    // of them inside it, hence inside its line (no alternative spans a line end). Only lines holding such a match
    // need the detectors themselves, which cost several times more per byte (bench/evidence/cf-perf.md).
    const sources = [...new Set([...detectors].flatMap((d) => triggerOf(d).split("|")))];
    const trigger = new RegExp(sources.join("|"), "gi");
    return (text) => {
      trigger.lastIndex = 0;
      for (let m = trigger.exec(text); m !== null; m = trigger.exec(text)) {
        const start = text.lastIndexOf("\n", m.index) + 1;
        const nl = text.indexOf("\n", m.index);
        const end = nl === -1 ? text.length : nl;
        if (found(text.slice(start, end))) return true;
        if (nl === -1) break;
        trigger.lastIndex = nl + 1;
      }
      return false;
    };
  };
  return {
    screen: screenFor,
    row(source, table, row, counts) {
      const c = forRow(source, table);
      const r = c.redactor.redactRecord(row, c.options);
      if (!r.changed) return row;
      mergeCounts(counts, r.counts);
      // A row of the table's own shape is copied by a literal, whose shape the engine already knows, so the lineage
      // columns added next cost what they cost on an unchanged row: on a spread copy 13 µs against 0.4 µs a row
      // (20,000 CloudTrail bench rows, node 20, 2026-12-01).
      const out = hasKeys(row, c.content) ? c.copy(row) : r.value;
      // A dropped column is null (the empty string where the column may not be null).
      for (let i = 0; i < c.fields.length; i++) {
        const name = c.fields[i] as string;
        if (name in r.value) out[name] = r.value[name];
        else if (name in row) out[name] = c.dropped[i] ?? null;
      }
      return out;
    },
    text(source, text, counts) {
      const r = forText(source).redactRaw(text);
      if (r.changed) mergeCounts(counts, r.counts);
      return r.value;
    },
  };
}

/**
 * The rules ingest applies to rows of `table` from `source`, or to its quarantined text when `table` is undefined:
 * credential filtering (when on) with CloudTrail's exempt key ids and secret parameters, then the config's rules.
 */
export function ingestRedactionRules(
  settings: RedactionSettings,
  source: string,
  table: string | undefined,
): RedactionRule[] {
  const out: RedactionRule[] = [];
  if (settings.credentials) {
    for (const r of CREDENTIAL_RULES)
      out.push(r.detect === "aws_access_key_id" ? { ...r, except: CLOUDTRAIL_KEY_ID_FIELDS } : r);
    const params =
      table === cloudtrailTable.name
        ? CLOUDTRAIL_SECRET_PARAMETERS
        : table === undefined
          ? [...CLOUDTRAIL_SECRET_PARAMETERS, ...CLOUDTRAIL_RAW_SECRET_PARAMETERS]
          : [];
    for (const path of params) out.push({ detect: "secret_parameter", action: "mask", path });
  }
  for (const r of settings.rules) {
    if (r.sources && !r.sources.includes(source as SourceId)) continue;
    if (table !== undefined && r.tables && !r.tables.includes(table)) continue;
    out.push({ detect: r.detect, action: r.action, path: r.path });
  }
  // Lineage says where a record came from and is never content.
  return out.map((r) => ({ ...r, except: [...(r.except ?? []), ...LINEAGE] }));
}

/** A function that copies an object with exactly these keys by one object literal. */
function rowCopier(names: readonly string[]): (row: Record<string, unknown>) => Record<string, unknown> {
  // Only column names from the schema, quoted with JSON.stringify, enter the source.
  return new Function(
    "r",
    `return { ${names.map((n) => `${JSON.stringify(n)}: r[${JSON.stringify(n)}]`).join(", ")} };`,
  ) as (row: Record<string, unknown>) => Record<string, unknown>;
}

/** True when the object's own enumerable keys are exactly `names`. */
function hasKeys(row: Record<string, unknown>, names: ReadonlySet<string>): boolean {
  let n = 0;
  for (const k in row) {
    if (!Object.hasOwn(row, k) || !names.has(k)) return false;
    n++;
  }
  return n === names.size;
}

/** Where the HMAC key of `redaction.hmacKey` comes from; undefined when none is configured. */
export function redactionKeySource(
  settings: RedactionSettings,
): { kind: "value"; value: string } | { kind: "env"; name: string } | { kind: "secret"; arn: string } | undefined {
  const k = settings.hmacKey;
  if (k === undefined) return undefined;
  if (k.value !== undefined) return { kind: "value", value: k.value };
  if (k.env !== undefined) return { kind: "env", name: k.env };
  if (k.secretArn !== undefined) return { kind: "secret", arn: k.secretArn };
  return undefined;
}
