import { createHmac } from "node:crypto";
import {
  ACCESS_KEY_ID_SOURCE,
  CREDENTIAL_DETECTORS,
  CREDENTIAL_RULES,
  compileRedaction,
  type DetectorId,
  detached,
  escapeRegExp,
  isSecretKey,
  keyBelow,
  matchesPath,
  mergeCounts,
  type PathPattern,
  type RedactionCounts,
  type RedactionRule,
  type Redactor,
  splitPath,
  TriggerSearch,
  triggerOf,
} from "@loglake/redact";
import type { LoglakeConfig } from "../config/types.ts";
import { ConfigError } from "../errors.ts";
import { lineageColumns, type TableDef } from "../schema/table.ts";
import { cloudtrailTable } from "../sources/cloudtrail/schema.ts";
import type { Member } from "../sources/json-record.ts";
import type { SourceId, SourceRecord } from "../sources/types.ts";

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
    /** The JSON record every content column of `row` was drawn from, when there is one: screened first. */
    record?: SourceRecord,
  ): Record<string, unknown>;
  /**
   * A screen for the JSON record a table's row was drawn from (`ParseEvent.record`), from one pass over the record's
   * text instead of one per column: the only content columns `row` may change in such a row (none: the row stays as
   * it is), or undefined when any may. Undefined itself when the rules hold what the record's text cannot show (a
   * rule replacing a whole column, a detector whose pre-check can match outside a JSON string).
   */
  recordScreen(source: SourceId, table: TableDef): RecordScreen | undefined;
  /** Quarantined text (raw record, message) of a source: every detector its rules name, wherever it matches. */
  text(source: SourceId | "unknown", text: string, counts: RedactionCounts): string;
  /**
   * A screen for text that holds every value of `columns` of a table's rows, each whole, without a line end, and
   * delimited by a tab or a line end, the table's other content columns being null (a CloudFront body after URL
   * decoding): false proves that `row` changes no row drawn from that text. It runs every detector the table's rules
   * name over each line where one of their pre-checks matches, so it relies only on each detector finding in a line
   * what it finds in a value of that line standing there alone. Undefined
   * when the rules may replace whole values (a `value` rule, a column named like a credential) or a column holds
   * JSON, which no scan of the text can tell. `bytes`, when given, are the UTF-8 bytes the text was decoded from
   * (they spare an encoding for the byte scan).
   */
  screen(
    source: SourceId,
    table: TableDef,
    columns: readonly string[],
  ): ((text: string, bytes?: Uint8Array) => boolean) | undefined;
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
    /** `recordScreen` of the table. */
    screen: RecordScreen | undefined;
    /** `options` for rows of which only some columns are redacted, by the screen's lists of them. */
    some: Map<readonly string[], { jsonFields: ReadonlySet<string>; fields: readonly string[] }>;
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
      const rules = rulesFor(source, table.name);
      c = {
        redactor: compileRedaction(rules, hmac ? { hmac } : {}),
        fields,
        options: { jsonFields: json, fields },
        dropped: fields.map((name) => (table.columns[name]?.nullable ? null : "")),
        copy: rowCopier(columns.map(([name]) => name)),
        content: new Set(columns.map(([name]) => name)),
        screen: recordScreen(rules, table, fields),
        some: new Map(),
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
  const screens = new Map<string, ((text: string, bytes?: Uint8Array) => boolean) | undefined>();
  const screenFor = (source: SourceId, table: TableDef, columns: readonly string[]) => {
    const id = `${source}\n${table.name}\n${columns.join("\n")}`;
    if (!screens.has(id)) screens.set(id, compileScreen(source, table, columns));
    return screens.get(id);
  };
  const compileScreen = (
    source: SourceId,
    table: TableDef,
    names: readonly string[],
  ): ((text: string, bytes?: Uint8Array) => boolean) | undefined => {
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
    const any = maskingAll(detectors);
    // The detectors' pre-checks, as `redactValue` joins them: a value where a detector finds something matches one
    // of them inside it, hence inside its line (no alternative spans a line end). Only lines holding such a match
    // need the detectors themselves, which cost several times more per byte (bench/evidence/cf-perf.md).
    const search = new TriggerSearch(triggerSources(detectors));
    return (text, bytes) => {
      search.reset(text, bytes);
      for (let p = search.next(0); p !== -1; ) {
        const start = text.lastIndexOf("\n", p) + 1;
        const nl = text.indexOf("\n", p);
        if (found(any, text.slice(start, nl === -1 ? text.length : nl))) return true;
        if (nl === -1) break;
        p = search.next(nl + 1);
      }
      return false;
    };
  };
  return {
    screen: screenFor,
    recordScreen: (source, table) => forRow(source, table).screen,
    row(source, table, row, counts, record) {
      const c = forRow(source, table);
      let options = c.options;
      const some = record !== undefined && c.screen !== undefined ? c.screen(record) : undefined;
      if (some !== undefined) {
        if (some.length === 0) return row;
        let o = c.some.get(some);
        if (o === undefined) {
          o = { jsonFields: c.options.jsonFields, fields: some };
          // The screen's lists are kept up to a bound, past which each is new: so are these.
          if (c.some.size < CLEAN_STRINGS) c.some.set(some, o);
        }
        options = o;
      }
      const r = c.redactor.redactRecord(row, options);
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

/** See `IngestRedaction.recordScreen`. */
export type RecordScreen = (record: SourceRecord) => readonly string[] | undefined;

// Detectors whose pre-checks match only letters, spaces, `_.-` and `@`: in valid JSON text, inside one string.
const IN_STRINGS: ReadonlySet<DetectorId> = new Set<DetectorId>([...CREDENTIAL_DETECTORS, "email"]);
const KEY_ID = new RegExp(`^${ACCESS_KEY_ID_SOURCE}$`);
const CLEAN_STRINGS = 4096;
const CLEAN_STRING_CHARS = 256;

/**
 * `IngestRedaction.recordScreen` for a table's rules (`fields`: its text content columns). Every pre-check match of
 * a detector in a column's value is a match inside one string of the record's text, as long as that text has no
 * escape (a column's string is then a string of the text as written, a JSON column a slice of it): so the screen
 * finds the record's strings that hold a pre-check match and runs every detector over each, standing alone, as the
 * row's redaction would. A string where one finds something, a member named like a credential, or one with the key
 * a whole-value rule looks for marks its top-level member, which is read no further: only the columns drawn from
 * marked members may change. Access key ids the rules exempt would match in nearly every CloudTrail record: a member of an exempt
 * field's name holding exactly a key id is passed over, and the answer stands only when the record's exempt fields
 * (outside those members) hold exactly as many key ids as were passed over (no other field of that name got
 * through); else any column may change.
 */
function recordScreen(
  rules: readonly RedactionRule[],
  table: TableDef,
  fields: readonly string[],
): RecordScreen | undefined {
  const detectors = new Set<DetectorId>();
  const wholeKeys = new Set<string>();
  const keyIdRules = rules.filter((r) => r.detect === "aws_access_key_id");
  for (const r of rules) {
    if (r.detect === "value" || r.detect === "secret_parameter") {
      const pattern = splitPath(r.path ?? "**");
      if (fields.some((f) => matchesPath(pattern, [f]))) return undefined;
      const key = keyBelow(pattern, 1);
      if (key === undefined) return undefined;
      wholeKeys.add(key.name);
    } else if (IN_STRINGS.has(r.detect)) detectors.add(r.detect);
    else return undefined;
  }
  // `secret_field` masks the whole value of a column named like a credential, a name the record's text never holds.
  if (detectors.has("secret_field") && fields.some((f) => table.columns[f]?.type === "string" && isSecretKey(f)))
    return undefined;
  const exempt = keyIdRules.length === 1 ? exemptRecordPaths(table, fields, keyIdRules[0]?.except ?? []) : [];
  const any = maskingAll(detectors);
  const sources = triggerSources(detectors);
  const exemptKeys = [...new Set(exempt.map((p) => p[p.length - 1] as string))];
  const secretField = detectors.has("secret_field");
  const search = new TriggerSearch([...new Set([...sources, ...[...wholeKeys].map(escapeRegExp)])]);
  // Strings seen to hold nothing, as member names and as values: the same service names, user agents and member
  // names come back in every record.
  const cleanNames = new Set<string>();
  const cleanValues = new Set<string>();
  const columnsOf = memberColumns(table, fields);
  const subsets = new Map<string, readonly string[]>();
  const none: readonly string[] = [];
  // The member of each exempt key id passed over in the record being screened (-1: outside every member).
  const passes: number[] = [];
  return (record) => {
    const text = record.text;
    // An escape may spell anything.
    if (text.indexOf("\\") !== -1) return undefined;
    const members = record.members();
    let m = 0;
    let dirty: Set<string> | undefined;
    passes.length = 0;
    search.reset(text);
    for (let p = search.next(0), next = 0; p !== -1; p = search.next(next)) {
      // The string around the match: without escapes, the quotes before and after it.
      // A loop, not `lastIndexOf`, which costs about 0.3 µs however near the quote is (node 20).
      let start = p - 1;
      while (start >= 0 && text.charCodeAt(start) !== 34) start--;
      const end = text.indexOf('"', search.end);
      if (start === -1 || end === -1) return undefined;
      next = end + 1;
      while (m < members.length && (members[m] as Member).end <= p) m++;
      const member = m < members.length && (members[m] as Member).keyStart <= p ? m : -1;
      if (exemptKeys.length > 0 && isKeyIdAt(text, start + 1, end) && exemptMember(text, start, exemptKeys)) {
        passes.push(member);
        continue;
      }
      const s = text.slice(start + 1, end);
      let k = end + 1;
      while (k < text.length && text.charCodeAt(k) <= 32) k++;
      const name = text.charCodeAt(k) === 58;
      const clean = name ? cleanNames : cleanValues;
      if (clean.has(s)) continue;
      if (!(name && (wholeKeys.has(s) || (secretField && isSecretKey(s)))) && !found(any, s)) {
        // A copy: a slice of the record's text could keep the whole batch it was read in alive.
        if (clean.size < CLEAN_STRINGS && s.length <= CLEAN_STRING_CHARS) clean.add(detached(s));
        continue;
      }
      // Only the columns drawn from this member may change: the rest of it need not be read.
      if (member === -1) return undefined;
      const mem = members[member] as Member;
      dirty ??= new Set();
      dirty.add(mem.key);
      next = Math.max(next, mem.end);
    }
    // Every exempt field holding a key id outside the members found to change was passed over above, so there are
    // never fewer passes than such fields; more means a member of an exempt field's name elsewhere (or a repeated
    // one) was passed over.
    let passed = 0;
    for (const at of passes) if (at === -1 || !dirty?.has((members[at] as Member).key)) passed++;
    if (passed > 0) {
      let ids = 0;
      for (const path of exempt) {
        if (dirty?.has(path[0] as string)) continue;
        const v = valueAt(record.value, path);
        if (typeof v === "string" && KEY_ID.test(v)) ids++;
      }
      if (ids !== passed) return undefined;
    }
    if (dirty === undefined) return none;
    const keys = [...dirty].sort().join("\n");
    let subset = subsets.get(keys);
    if (subset === undefined) {
      const wanted = new Set([...dirty].flatMap((key) => columnsOf(key)));
      subset = fields.filter((f) => wanted.has(f));
      if (subsets.size < CLEAN_STRINGS) subsets.set(detached(keys), subset);
    }
    return subset;
  };
}

/** The detectors' pre-checks as one list of alternatives (each trigger is a plain top-level alternation). */
function triggerSources(detectors: Iterable<DetectorId>): string[] {
  return [...new Set([...detectors].flatMap((d) => triggerOf(d).split("|")))];
}

/** A redactor that masks whatever the detectors find: every span found then changes the text or is counted. */
function maskingAll(detectors: Iterable<DetectorId>): Redactor {
  return compileRedaction([...detectors].map((detect) => ({ detect, action: "mask" })));
}

/** True when a detector of `maskingAll` finds something in the text standing alone. */
function found(any: Redactor, text: string): boolean {
  const r = any.redactValue("text", text);
  return r.changed || Object.keys(r.counts).length > 0;
}

/**
 * The content columns a top-level member of a record may reach: those drawn from its key (a path starting with it,
 * or spelled like it), and the rest column, which takes members no column used.
 */
function memberColumns(table: TableDef, fields: readonly string[]): (key: string) => readonly string[] {
  const rest = fields.filter((f) => table.columns[f]?.rest === true);
  const byKey = new Map<string, string[]>();
  return (key) => {
    let out = byKey.get(key);
    if (out === undefined) {
      out = fields.filter(
        (f) =>
          table.columns[f]?.rest === true ||
          (table.columns[f]?.from ?? []).some((r) => r.path === key || r.path.startsWith(`${key}.`)),
      );
      if (out.length === 0) out = rest;
      if (byKey.size < CLEAN_STRINGS) byKey.set(detached(key), out);
    }
    return out;
  };
}

/**
 * The record paths of the exempt fields of `except` (column paths without wildcards) whose every copy in a column
 * is exempt too: the column drawn from the path itself, or from an object holding it, at a path `except` names.
 */
function exemptRecordPaths(table: TableDef, fields: readonly string[], except: readonly string[]): string[][] {
  const patterns: PathPattern[] = except.map(splitPath);
  const routes = fields.flatMap((f) =>
    (table.columns[f]?.from ?? []).map((r) => ({
      field: f,
      path: splitPath(r.path),
      // A JSON column that reads with the default reader takes any value it finds.
      json: table.columns[f]?.type === "json" && !table.columns[f]?.read && !r.read,
    })),
  );
  // A top-level member no column takes goes to the rest column whole, where nothing is exempt.
  const rest = fields.some((f) => table.columns[f]?.rest === true);
  const kept = new Set<string>();
  const out: string[][] = [];
  for (const [head, ...tail] of patterns) {
    if (head === undefined || [head, ...tail].some((k) => k === "*" || k === "**")) continue;
    const own = routes.filter((r) => r.field === head);
    if (own.length !== 1) continue;
    const path = [...(own[0]?.path ?? []), ...tail];
    const id = path.join(".");
    if (kept.has(id)) continue;
    const covered = routes.every(
      ({ field, path: from }) =>
        !(from.length <= path.length && from.every((k, i) => k === path[i])) ||
        patterns.some((p) => matchesPath(p, [field, ...path.slice(from.length)])),
    );
    const taken = !rest || routes.some((r) => r.path.length === 1 && r.path[0] === path[0] && r.json);
    if (!covered || !taken) continue;
    kept.add(id);
    out.push(path);
  }
  return out;
}

const KEY_ID_AT = new RegExp(ACCESS_KEY_ID_SOURCE, "y");

/** True when `[at, end)` of the text is exactly a key id. */
function isKeyIdAt(text: string, at: number, end: number): boolean {
  KEY_ID_AT.lastIndex = at;
  return KEY_ID_AT.test(text) && KEY_ID_AT.lastIndex === end;
}

/** True when the string opening at `quote` of JSON text without escapes is the value of a member named in `names`. */
function exemptMember(text: string, quote: number, names: readonly string[]): boolean {
  let k = quote - 1;
  while (k >= 0 && text.charCodeAt(k) <= 32) k--;
  if (text.charCodeAt(k) !== 58) return false;
  k--;
  while (k >= 0 && text.charCodeAt(k) <= 32) k--;
  if (text.charCodeAt(k) !== 34) return false;
  for (const n of names) if (text.charCodeAt(k - n.length - 1) === 34 && text.startsWith(n, k - n.length)) return true;
  return false;
}

function valueAt(value: unknown, path: readonly string[]): unknown {
  let cur = value;
  for (const key of path) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur) || !Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
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
