// Valibot, not zod: bundled by esbuild (--bundle --minify, node22, esm) a schema of this shape costs 8.6 KB with
// valibot 1.5, 24 KB with zod/mini 4.6 and 456 KB with zod 4.6, and it ships in every handler and in sst.config.ts.
import { DETECTORS, pathPatternProblems, REDACT_ACTIONS } from "@loglake/redact";
import * as v from "valibot";
import { DEFAULT_COMPACTION } from "../compaction/plan.ts";
import {
  DEFAULT_CUSTOMER_KEY_TEMPLATE,
  DEFAULT_WORM_KEY_TEMPLATE,
  parseKeyTemplate,
  pathProblems,
} from "../copy/key-template.ts";
import { DEFAULT_MAX_PUBLIC_PREFIX, DEFAULT_MAX_PUBLIC_PREFIX_V6 } from "../detections/allowlist.ts";
import { ConfigError } from "../errors.ts";
import { DEFAULT_BYTES_SCANNED_CUTOFF, MIN_BYTES_SCANNED_CUTOFF } from "../infra/athena.ts";
import { DEFAULT_PERMANENT_STAGES, stagePolicy } from "../infra/stage.ts";
import { trailDeliveryPrefix } from "../infra/trail.ts";
import { cloudfrontRealtimeSource } from "../sources/cloudfront/index.ts";
import { validateRealtimeFields } from "../sources/cloudfront/parse.ts";
import { SOURCES, TABLES } from "../sources/index.ts";
import type { SourceId } from "../sources/types.ts";
import { closestKey } from "./closest.ts";
import { crossRule, problems, strict } from "./issues.ts";

/** Every source id a config may name: the registry's. */
export const CONFIG_SOURCE_IDS: readonly SourceId[] = SOURCES.map((s) => s.id);

/** Ten years and two leap days: the default WORM retention (7 years is the usual floor; 2557 days keeps a margin). */
export const DEFAULT_RETENTION_DAYS = 2557;

/** WORM retention of a stage that is not permanent: long enough to test retention, short enough to remove the stage. */
export const DEFAULT_TEMPORARY_WORM_DAYS = 90;

/** S3's single-request CopyObject limit; larger objects need multipart UploadPartCopy. */
export const MAX_SINGLE_COPY_BYTES = 5 * 1024 ** 3;

/**
 * AWS's advice for an SQS event source: a visibility timeout of at least six function timeouts, so a batch Lambda
 * retries after throttling is not delivered again while the first invocation still runs.
 */
export const VISIBILITY_PER_FUNCTION_TIMEOUT = 6;

/** SQS's longest visibility timeout, 12 hours. */
const MAX_VISIBILITY_SECONDS = 43200;

// CloudWatch Logs accepts only these retention periods (PutRetentionPolicy).
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557];

const ENV_RE = /^[a-z0-9](?:[a-z0-9-]{0,28}[a-z0-9])?$/;
const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const QUEUE_RE = /^[A-Za-z0-9_-]{1,80}$/;
const STREAM_RE = /^[A-Za-z0-9_.-]{1,128}$/;
const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d$/;
const ROLE_ARN_RE = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const EXTERNAL_ID_RE = /^[\w+=,.@:/-]{2,1224}$/;
const KMS_KEY_RE =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}|alias\/[\w/-]{1,250}|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(?:key\/[\w-]+|alias\/[\w/-]+))$/;
const KMS_KEY_ARN_RE = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
const LOG_GROUP_RE = /^[A-Za-z0-9._/#-]{1,512}$/;
const TYPES_MESSAGE = "must be a list of event types (1-64 characters each), e.g. auth, api, audit";
const ACCOUNT_RE = /^\d{12}$/;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TRAIL_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$/;
const ORG_ID_RE = /^o-[a-z0-9]{10,32}$/;
const LOG_DESTINATION_RE = /^[^:*]{1,512}$/;
const FUNCTION_ARN_RE = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}$/;
const PRINCIPAL_ARN_RE = /^arn:aws[a-z-]*:iam::\d{12}:(?:root|role\/[\w+=,.@/-]{1,512}|user\/[\w+=,.@/-]{1,512})$/;
/** A principal a detection may approve: any IAM or STS ARN, assumed-role sessions included. */
const ALLOWED_PRINCIPAL_ARN_RE = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:[\w+=,.@/:-]+$/;
const SAML_PROVIDER_RE = /^arn:aws[a-z-]*:iam::\d{12}:saml-provider\/[\w.-]{1,128}$/;

const BUCKET_MESSAGE =
  "must be 3-63 characters of lowercase letters, digits, dots and hyphens, starting and ending alphanumeric";

/** Problems with an S3 bucket name under S3's general-purpose naming rules. */
export function bucketNameProblems(name: string): string[] {
  if (!BUCKET_RE.test(name)) return [BUCKET_MESSAGE];
  if (name.includes("..")) return ['must not contain ".."'];
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return ["must not look like an IP address"];
  if (name.startsWith("xn--") || name.endsWith("-s3alias")) return ["uses a prefix or suffix S3 reserves"];
  return [];
}

// ---------------------------------------------------------------------------------------------------------------
// Field schemas: each rule once.

function int(min: number, max: number, unit = "", why = "") {
  const message = `must be a whole number${unit} from ${min} to ${max}${why}`;
  return v.pipe(
    v.number(message),
    v.check((n) => Number.isInteger(n) && n >= min && n <= max, message),
    // -0 passes as a whole number but becomes 0 in JSON: settle it here so a config survives the trip to a function.
    v.transform((n) => n + 0),
  );
}

function text(re: RegExp, message: string) {
  return v.pipe(v.string(message), v.regex(re, message));
}

const bucketName = v.pipe(v.string(BUCKET_MESSAGE), problems(bucketNameProblems));
const roleArn = text(ROLE_ARN_RE, "must be an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)");

function keyTemplate(fallback: string) {
  return v.optional(
    v.pipe(
      v.string("must be a string"),
      problems((t: string) => {
        const parsed = parseKeyTemplate(t);
        return "problems" in parsed ? parsed.problems : [];
      }),
    ),
    fallback,
  );
}

// Only called on templates the schema accepted.
function templateParts(template: string) {
  const parsed = parseKeyTemplate(template);
  return "parts" in parsed ? parsed.parts : [];
}

const sourceId = v.picklist(CONFIG_SOURCE_IDS, (issue) => {
  const guess = closestKey(String(issue.input), CONFIG_SOURCE_IDS);
  return `"${String(issue.input)}" is not a source${guess ? ` (did you mean "${guess}"?)` : ""}`;
});

const FIELD_LIST_MESSAGE = "must be a list of non-empty field names";

function realtimeFieldProblems(id: SourceId, fields: string[]): string[] {
  if (id !== cloudfrontRealtimeSource.id) return [`only applies to ${cloudfrontRealtimeSource.id}`];
  if (fields.some((f) => f === "")) return [FIELD_LIST_MESSAGE];
  // The parser's own check: a list it cannot use fails here, not on every record.
  try {
    validateRealtimeFields(fields);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return [e.message.replace(/^realtimeFields: /, "")];
  }
  return [];
}

function sourceSettings(id: SourceId) {
  return strict({
    /** Copy this source's raw objects to the WORM bucket. */
    worm: v.optional(v.boolean("must be true or false"), true),
    /** CloudFront real-time field list as configured on the distribution (cloudfront_realtime only). */
    realtimeFields: v.optional(
      v.pipe(
        v.array(v.string(FIELD_LIST_MESSAGE), FIELD_LIST_MESSAGE),
        problems((f: string[]) => realtimeFieldProblems(id, f)),
      ),
    ),
  });
}

type SourceEntries = { [K in SourceId]: v.OptionalSchema<ReturnType<typeof sourceSettings>, undefined> };

const sourceEntries = Object.fromEntries(
  CONFIG_SOURCE_IDS.map((id) => [id, v.optional(sourceSettings(id))]),
) as SourceEntries;

const externalId = text(EXTERNAL_ID_RE, "must be 2-1224 characters of letters, digits and +=,.@:/-_");
const regionName = v.pipe(
  v.string("must be an AWS region name"),
  v.regex(REGION_RE, (issue) => `"${String(issue.input)}" is not an AWS region name`),
);

const sourceList = v.pipe(
  v.array(sourceId, "must list at least one source"),
  v.check((s) => s.length > 0, "must list at least one source"),
);

// A role is assumed with its ExternalId, or not at all.
function roleRule<T extends { roleArn?: string; externalId?: string }>() {
  return crossRule<T>((d) => {
    if (d.roleArn !== undefined && d.externalId === undefined)
      return [["externalId", "is required with roleArn (it protects the customer against the confused deputy)"]];
    if (d.externalId !== undefined && d.roleArn === undefined) return [["externalId", "is only used with roleArn"]];
    return [];
  });
}

const s3DestinationFields = strict({
  /** `s3` (the default): raw copies of source objects to a customer bucket. */
  type: v.optional(v.literal("s3", 'must be "s3" or "cloudwatch_logs"'), "s3"),
  /** Short unique name used in logs and error messages. */
  name: text(NAME_RE, "must be 1-63 letters, digits, hyphens or underscores"),
  bucket: bucketName,
  /** Placeholders: env, source, key, bucket, yyyy, mm, dd, hh. */
  keyTemplate: keyTemplate(DEFAULT_CUSTOMER_KEY_TEMPLATE),
  /** Customer KMS key (id, ARN or alias) for SSE-KMS on every copy. */
  kmsKeyId: v.optional(text(KMS_KEY_RE, "must be a KMS key id, multi-Region key id, alias/<name>, or key/alias ARN")),
  /** Role to assume for cross-account writes; requires `externalId`. */
  roleArn: v.optional(roleArn),
  externalId: v.optional(externalId),
  /** Sources this customer receives (default: every enabled source). */
  sources: v.optional(sourceList),
});

const s3Destination = v.pipe(
  s3DestinationFields,
  roleRule<v.InferOutput<typeof s3DestinationFields>>(),
  v.transform((d) => ({ ...d, keyTemplateParts: templateParts(d.keyTemplate) })),
);

/** Sources whose records can be app events: the ones that write `app_events`. */
export const APP_EVENT_SOURCE_IDS: readonly SourceId[] = SOURCES.filter((s) =>
  s.tables.some((t) => t.name === "app_events"),
).map((s) => s.id);

/** How a forwarded event's log stream is named: one stream per source, or one per function instance. */
export const LOG_STREAM_NAMING = ["source", "instance"] as const;

const logGroupDestinationFields = strict({
  /** `cloudwatch_logs`: parsed app events, as their original JSON text, to a CloudWatch Logs log group. */
  type: v.literal("cloudwatch_logs", 'must be "s3" or "cloudwatch_logs"'),
  name: text(NAME_RE, "must be 1-63 letters, digits, hyphens or underscores"),
  logGroup: text(LOG_GROUP_RE, "must be 1-512 letters, digits, periods, hyphens, underscores, slashes or #"),
  /** `source`: one stream per source (`app_json`); `instance`: one per function instance. */
  logStream: v.optional(
    v.picklist(LOG_STREAM_NAMING, 'must be "source" (one stream per source) or "instance" (one per function instance)'),
    "source",
  ),
  /** Region of the log group (default the config's `region`). */
  region: v.optional(regionName),
  /** Account of the log group (default the role's account, or the deploying account without a role). */
  accountId: v.optional(text(ACCOUNT_RE, "must be a 12-digit account id")),
  /** Role to assume for a log group in another account; requires `externalId`. */
  roleArn: v.optional(roleArn),
  externalId: v.optional(externalId),
  /** App event sources forwarded (default: every enabled one of `app_json` and `cloudwatch_logs`). */
  sources: v.optional(sourceList),
  /** Only events whose `type` column is one of these (default: every event). */
  types: v.optional(
    v.pipe(
      v.array(v.pipe(v.string(TYPES_MESSAGE), v.regex(/^.{1,64}$/s, TYPES_MESSAGE)), TYPES_MESSAGE),
      v.check((t) => t.length > 0, TYPES_MESSAGE),
    ),
  ),
  /** Create the log group and stream when they do not exist (else a missing group is a counted failure). */
  createIfMissing: v.optional(v.boolean("must be true or false"), false),
  /** Retention of a log group created here (default: CloudWatch's, never expire). */
  retentionDays: v.optional(
    v.picklist(LOG_RETENTION_DAYS, `must be one of CloudWatch's periods: ${LOG_RETENTION_DAYS.join(", ")}`),
  ),
});

const logGroupDestination = v.pipe(
  logGroupDestinationFields,
  roleRule<v.InferOutput<typeof logGroupDestinationFields>>(),
  crossRule<v.InferOutput<typeof logGroupDestinationFields>>((d, clean) => {
    const out: [string, string][] = [];
    if (clean("retentionDays") && d.retentionDays !== undefined && d.createIfMissing !== true)
      out.push(["retentionDays", "is only used with createIfMissing: true (it is set when the group is created)"]);
    const roleAccount = clean("roleArn") ? d.roleArn?.split(":")[4] : undefined;
    if (clean("accountId") && d.accountId !== undefined && roleAccount !== undefined && d.accountId !== roleAccount)
      out.push(["accountId", `must be the account of roleArn (${roleAccount}): the role writes in its own account`]);
    if (Array.isArray(d.sources))
      d.sources.forEach((s, i) => {
        if (clean(`sources[${i}]`) && !APP_EVENT_SOURCE_IDS.includes(s))
          out.push([
            `sources[${i}]`,
            `"${s}" has no app events (app event sources: ${APP_EVENT_SOURCE_IDS.join(", ")})`,
          ]);
      });
    return out;
  }),
);

const destination = v.variant("type", [s3Destination, logGroupDestination], 'must be "s3" or "cloudwatch_logs"');

const queueFields = strict({
  /** Queue names; default `loglake-<env>-ingest` and `loglake-<env>-ingest-dlq`. */
  ingest: v.optional(text(QUEUE_RE, "must be 1-80 letters, digits, hyphens or underscores")),
  dlq: v.optional(text(QUEUE_RE, "must be 1-80 letters, digits, hyphens or underscores")),
  /** Default: six function timeouts (at most SQS's 12 hours). */
  visibilityTimeoutSeconds: v.optional(int(0, MAX_VISIBILITY_SECONDS)),
  maxReceiveCount: v.optional(
    int(3, 5, "", ": fewer gives up on a message after throttling, more keeps poison messages cycling"),
    3,
  ),
  batchSize: v.optional(int(1, 10000), 10),
  batchingWindowSeconds: v.optional(int(0, 300), 5),
});

const queueRules = crossRule<v.InferOutput<typeof queueFields>>((q, clean) =>
  clean("batchSize") && clean("batchingWindowSeconds") && q.batchSize > 10 && q.batchingWindowSeconds < 1
    ? [["batchingWindowSeconds", "must be at least 1 when batchSize is above 10 (an SQS event source rule)"]]
    : [],
);

const SECRET_ARN_RE = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]{1,512}$/;
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const RULE_TARGETS = [...DETECTORS, "value"] as const;
const TABLE_NAMES = TABLES.map((t) => t.name);

const redactionRuleFields = strict({
  /** Sources whose records the rule applies to (default every source). */
  sources: v.optional(
    v.pipe(
      v.array(sourceId, "must list at least one source"),
      v.check((s) => s.length > 0, "must list at least one source"),
    ),
  ),
  /** Tables the rule applies to (default every table). */
  tables: v.optional(
    v.pipe(
      v.array(
        v.picklist(TABLE_NAMES, (issue) => {
          const guess = closestKey(String(issue.input), TABLE_NAMES);
          return `"${String(issue.input)}" is not a table${guess ? ` (did you mean "${guess}"?)` : ""}`;
        }),
        "must list at least one table",
      ),
      v.check((t) => t.length > 0, "must list at least one table"),
    ),
  ),
  /** Field path: a column, then keys inside a JSON column (`attributes.user.email`); `*` one key, `**` any. */
  path: v.optional(
    v.pipe(v.string("must be a field path such as user_id or attributes.**"), problems(pathPatternProblems)),
    "**",
  ),
  detect: v.picklist(RULE_TARGETS, `must be one of ${RULE_TARGETS.join(", ")}`),
  action: v.picklist(REDACT_ACTIONS, `must be one of ${REDACT_ACTIONS.join(", ")}`),
});

const redactionRule = v.pipe(
  redactionRuleFields,
  crossRule<v.InferOutput<typeof redactionRuleFields>>((r, clean) =>
    clean("action") && clean("detect") && r.action === "truncate" && r.detect !== "ip_address" && r.detect !== "value"
      ? [["action", "truncate applies to IP addresses only (detect ip_address or value)"]]
      : [],
  ),
);

const hmacKeyFields = strict({
  /** The key itself (at least 32 characters); prefer `env` or `secretArn` outside local runs. */
  value: v.optional(
    v.pipe(
      v.string("must be a string of at least 32 characters"),
      v.check((k) => k.length >= 32, "must be at least 32 characters"),
    ),
  ),
  /** Environment variable holding the key (local runs and `loglake dev`). */
  env: v.optional(text(ENV_NAME_RE, "must be an environment variable name")),
  /** Secrets Manager secret whose SecretString is the key, read by the consumers at cold start. */
  secretArn: v.optional(text(SECRET_ARN_RE, "must be a Secrets Manager secret ARN")),
});

const redactionFields = strict({
  /** Mask credentials (keys, tokens, passwords, secret request parameters) in every table; on by default. */
  credentials: v.optional(v.boolean("must be true or false"), true),
  /** Key of the `hash` action (HMAC-SHA256): exactly one of value, env or secretArn. */
  hmacKey: v.optional(
    v.pipe(
      hmacKeyFields,
      v.check(
        (k) => [k.value, k.env, k.secretArn].filter((x) => x !== undefined).length === 1,
        "must give exactly one of value, env or secretArn",
      ),
    ),
  ),
  /** PII rules, applied after the credential rules, in order. */
  rules: v.optional(v.array(redactionRule, "must be a list of rules"), []),
});

const redactionSettings = v.pipe(
  redactionFields,
  crossRule<v.InferOutput<typeof redactionFields>>((r, clean) => {
    if (!clean("rules") || r.hmacKey !== undefined || !Array.isArray(r.rules)) return [];
    return r.rules.flatMap((rule, i): [string, string][] =>
      rule.action === "hash" ? [[`rules[${i}].action`, "hash needs redaction.hmacKey"]] : [],
    );
  }),
);

// ---------------------------------------------------------------------------------------------------------------
// The base config: `export default defineConfig({ … })` in loglake.config.ts, and what every function receives.

const configFields = strict({
  /** Environment (stage) name: lowercase letters, digits and hyphens; used in names and key prefixes. */
  env: v.pipe(
    v.string("is required (a string)"),
    problems((env: string) => {
      const p = pathProblems(env);
      if (p.length > 0) return p;
      return ENV_RE.test(env)
        ? []
        : ["must be 1-30 lowercase letters, digits or hyphens, starting and ending alphanumeric"];
    }),
  ),
  region: v.optional(regionName, "us-east-1"),
  /** Enabled sources and their settings; omitted means every registered source with defaults. */
  sources: v.optional(
    v.pipe(
      strict(sourceEntries, "source"),
      v.check((s) => Object.keys(s).length > 0, "must enable at least one source"),
    ),
    () => Object.fromEntries(CONFIG_SOURCE_IDS.map((id) => [id, {}])),
  ),
  /** Bucket names; each defaults to `loglake-<env>-<purpose>`. */
  buckets: v.optional(
    strict({ source: v.optional(bucketName), lake: v.optional(bucketName), worm: v.optional(bucketName) }),
    {},
  ),
  /** Key prefix for Parquet files inside the lake bucket (default none). */
  lakePrefix: v.optional(
    v.pipe(
      v.string("must be a string"),
      problems((p: string) =>
        p === "" ? [] : [...pathProblems(p), ...(p.endsWith("/") ? [] : ['must end with "/"'])],
      ),
    ),
    "",
  ),
  worm: v.optional(
    v.pipe(
      strict({
        mode: v.optional(v.picklist(["GOVERNANCE", "COMPLIANCE"], "must be GOVERNANCE or COMPLIANCE"), "GOVERNANCE"),
        retentionDays: v.optional(int(1, 36500, " of days"), DEFAULT_RETENTION_DAYS),
        keyTemplate: keyTemplate(DEFAULT_WORM_KEY_TEMPLATE),
      }),
      v.transform((w) => ({ ...w, keyTemplateParts: templateParts(w.keyTemplate) })),
    ),
    {},
  ),
  /** Customer buckets that receive raw copies (`type: "s3"`) and log groups that receive app events (`type: "cloudwatch_logs"`). */
  destinations: v.optional(
    v.pipe(
      v.array(destination, "must be a list"),
      crossRule<v.InferOutput<typeof destination>[]>((list, clean) => {
        const seen = new Set<string>();
        return list.flatMap((d, i): [string, string][] => {
          if (!clean(`[${i}].name`)) return [];
          if (seen.has(d.name)) return [[`[${i}].name`, `"${d.name}" is used by another destination`]];
          seen.add(d.name);
          return [];
        });
      }),
    ),
    [],
  ),
  queues: v.optional(v.pipe(queueFields, queueRules), {}),

  stream: v.optional(
    strict({
      /** Default `loglake-<env>-stream`. */
      name: v.optional(text(STREAM_RE, "must be 1-128 letters, digits, dots, hyphens or underscores")),
      shardCount: v.optional(int(1, 500), 1),
      batchSize: v.optional(int(1, 10000), 100),
      batchingWindowSeconds: v.optional(int(0, 300), 1),
      maxRetryAttempts: v.optional(int(0, 10000), 3),
      maxRecordAgeSeconds: v.optional(int(60, 604800), 3600),
    }),
    {},
  ),
  securityHub: v.optional(
    strict({
      /** Export each scheduled report's findings to AWS Security Hub (ASFF, BatchImportFindings) in the report's region. */
      enabled: v.optional(v.boolean("must be true or false"), false),
      /** The account Security Hub imports into (the product ARN's account); required when enabled. */
      accountId: v.optional(text(ACCOUNT_RE, "must be a 12-digit AWS account id")),
    }),
    {},
  ),
  /** Allow-lists and thresholds the detections read through the `detection_allowlist` lake table. */
  detections: v.optional(
    strict({
      /** IAM and STS principal ARNs whose changes are approved (automation, break-glass roles), compared exactly. */
      approvedPrincipals: v.optional(
        v.array(text(ALLOWED_PRINCIPAL_ARN_RE, "must be an IAM or STS principal ARN"), "must be a list of ARNs"),
        [],
      ),
      /** Outside AWS accounts that resources may be shared with and roles may trust. */
      approvedAccounts: v.optional(
        v.array(text(ACCOUNT_RE, "must be a 12-digit account id"), "must be a list of account ids"),
        [],
      ),
      /** SAML identity providers whose creation or update is expected. */
      samlProviders: v.optional(
        v.array(
          text(SAML_PROVIDER_RE, "must be a SAML provider ARN (arn:aws:iam::<account>:saml-provider/<name>)"),
          "must be a list of ARNs",
        ),
        [],
      ),
      /** Regions the accounts use; activity elsewhere is a finding for detections that read it. */
      expectedRegions: v.optional(
        v.array(
          v.pipe(
            v.string("must be an AWS region name"),
            v.regex(REGION_RE, (issue) => `"${String(issue.input)}" is not an AWS region name`),
          ),
          "must be a list of region names",
        ),
        [],
      ),
      /** Widest IPv4 prefix an ingress rule may allow: a shorter prefix (a wider range) counts as open. */
      maxPublicPrefix: v.optional(int(0, 32), DEFAULT_MAX_PUBLIC_PREFIX),
      /** The same for IPv6. */
      maxPublicPrefixV6: v.optional(int(0, 128), DEFAULT_MAX_PUBLIC_PREFIX_V6),
    }),
    {},
  ),
  /** The compactor (`loglake compact` and the scheduled function) and the status threshold that says it is behind. */
  compaction: v.optional(
    strict({
      /** Hours after a partition-hour ends before its files are merged: late files still arrive until then. */
      settleHours: v.optional(int(0, 168, " of hours"), DEFAULT_COMPACTION.settleHours),
      /** Largest merged file, in MiB of its inputs' Parquet. */
      targetFileMb: v.optional(int(1, 4096, " of MiB"), DEFAULT_COMPACTION.targetFileBytes / 1024 ** 2),
      /** Files in one partition-hour of a table above which `loglake status` and the compliance report warn. */
      maxFilesPerHour: v.optional(int(1, 1_000_000, " of files"), DEFAULT_COMPACTION.maxFilesPerHour),
    }),
    {},
  ),
  /** Credential filtering and PII redaction of every table's rows and of quarantined text at ingest. */
  redaction: v.optional(redactionSettings, {}),
  sizes: v.optional(
    strict({
      functionTimeoutSeconds: v.optional(int(1, 900), 900),
      memoryMb: v.optional(int(128, 10240), 2048),
      /** Lambda's /tmp: a CloudFront object is staged there compressed and decoded for DuckDB's CSV reader. */
      tmpStorageMb: v.optional(int(512, 10240), 2048),
      /** Copies above this size use multipart UploadPartCopy. */
      multipartCopyThresholdBytes: v.optional(int(5 * 1024 ** 2, MAX_SINGLE_COPY_BYTES), MAX_SINGLE_COPY_BYTES),
      copyPartSizeBytes: v.optional(int(5 * 1024 ** 2, MAX_SINGLE_COPY_BYTES), 512 * 1024 ** 2),
      /** How often a message's visibility is extended while its object is still being processed. */
      heartbeatSeconds: v.optional(int(1, 43200), 60),
    }),
    {},
  ),
});

type ConfigFields = v.InferOutput<typeof configFields>;

/** Names that default from `env`. */
function defaultNames(env: string) {
  return {
    source: `loglake-${env}-source`,
    lake: `loglake-${env}-lake`,
    worm: `loglake-${env}-worm`,
    ingest: `loglake-${env}-ingest`,
    dlq: `loglake-${env}-ingest-dlq`,
    stream: `loglake-${env}-stream`,
  };
}

/** The visibility default: six function timeouts, at most SQS's 12 hours. */
function defaultVisibility(functionTimeoutSeconds: number): number {
  return Math.min(MAX_VISIBILITY_SECONDS, VISIBILITY_PER_FUNCTION_TIMEOUT * functionTimeoutSeconds);
}

// Rules read a field only once `clean` says it passed its own checks (the value may be partly raw input otherwise).
const configRules = crossRule<ConfigFields>((c, clean) => {
  const out: [string, string][] = [];
  // A defaulted name is known once env is clean; a bad env is its own error.
  const names = clean("env") ? defaultNames(c.env) : undefined;
  const bucket = (k: "source" | "lake" | "worm") => (clean(`buckets.${k}`) ? (c.buckets[k] ?? names?.[k]) : undefined);
  const buckets = [bucket("source"), bucket("lake"), bucket("worm")];
  const own = new Set(buckets.filter((b) => b !== undefined));
  if (own.size < 3 && buckets.every((b) => b !== undefined))
    out.push(["buckets", "source, lake and worm must be three different buckets"]);
  const enabled = clean("sources") ? new Set(Object.keys(c.sources)) : undefined;
  if (Array.isArray(c.destinations))
    c.destinations.forEach((dest, i) => {
      const at = `destinations[${i}]`;
      if (typeof dest !== "object" || dest === null) return;
      if (dest.type === "s3" && clean(`${at}.bucket`) && own.has(dest.bucket))
        out.push([`${at}.bucket`, "must not be the source, lake or WORM bucket"]);
      const listed: unknown = dest.sources;
      if (enabled && Array.isArray(listed))
        listed.forEach((s, j) => {
          if (clean(`${at}.sources[${j}]`) && !enabled.has(s))
            out.push([`${at}.sources[${j}]`, `"${s}" is not an enabled source`]);
        });
    });
  const ingest = clean("queues.ingest") ? (c.queues.ingest ?? names?.ingest) : undefined;
  const dlq = clean("queues.dlq") ? (c.queues.dlq ?? names?.dlq) : undefined;
  if (ingest !== undefined && ingest === dlq) out.push(["queues.dlq", "must differ from queues.ingest"]);
  const timeout = clean("sizes.functionTimeoutSeconds") ? c.sizes.functionTimeoutSeconds : undefined;
  const visibility = clean("queues.visibilityTimeoutSeconds")
    ? (c.queues.visibilityTimeoutSeconds ?? (timeout === undefined ? undefined : defaultVisibility(timeout)))
    : undefined;
  if (
    visibility !== undefined &&
    visibility > 0 &&
    clean("sizes.heartbeatSeconds") &&
    c.sizes.heartbeatSeconds >= visibility
  )
    out.push([
      "sizes.heartbeatSeconds",
      "must be shorter than queues.visibilityTimeoutSeconds, or messages reappear mid-object",
    ]);
  return out;
});

/**
 * The base config with every rule and default: `resolveConfig` parses with it, and `LoglakeConfigInput` and
 * `LoglakeConfig` are its input and output types.
 */
export const configSchema = v.pipe(
  configFields,
  configRules,
  v.transform((c) => {
    const names = defaultNames(c.env);
    const sources: Partial<Record<SourceId, v.InferOutput<ReturnType<typeof sourceSettings>>>> = {};
    for (const id of CONFIG_SOURCE_IDS) {
      const s = c.sources[id];
      if (s !== undefined) sources[id] = s;
    }
    const enabled = Object.keys(sources) as SourceId[];
    return {
      ...c,
      sources,
      buckets: {
        source: c.buckets.source ?? names.source,
        lake: c.buckets.lake ?? names.lake,
        worm: c.buckets.worm ?? names.worm,
      },
      destinations: c.destinations.map((dest) =>
        dest.type === "s3"
          ? { ...dest, sources: dest.sources ?? enabled }
          : {
              ...dest,
              sources: dest.sources ?? enabled.filter((id) => APP_EVENT_SOURCE_IDS.includes(id)),
              region: dest.region ?? c.region,
            },
      ),
      queues: {
        ...c.queues,
        ingest: c.queues.ingest ?? names.ingest,
        dlq: c.queues.dlq ?? names.dlq,
        visibilityTimeoutSeconds:
          c.queues.visibilityTimeoutSeconds ?? defaultVisibility(c.sizes.functionTimeoutSeconds),
      },
      stream: { ...c.stream, name: c.stream.name ?? names.stream },
    };
  }),
);

// ---------------------------------------------------------------------------------------------------------------
// Deployment settings: `export const deploy = defineDeployConfig({ … })` in loglake.config.ts.

// A real calendar day: Date rolls 2020-02-31 over into March.
function isoDate(day: string): boolean {
  const d = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(day);
}

const sourceBucket = strict({
  name: bucketName,
  /** Key prefix the sources deliver under (default the whole bucket). */
  prefix: v.optional(
    v.pipe(
      v.string("must be a string"),
      problems((p: string) => (p === "" ? [] : pathProblems(p))),
    ),
    "",
  ),
  /**
   * `eventbridge` for a bucket that already has S3 notifications of its own: a bucket has one notification
   * configuration and a second writer would replace it. Its owner must then turn on EventBridge delivery.
   */
  notifications: v.optional(v.picklist(["s3", "eventbridge"], 'must be "s3" or "eventbridge"'), "s3"),
  accountId: v.optional(text(ACCOUNT_RE, "must be a 12-digit account id")),
});

const missingLogsEntries = Object.fromEntries(CONFIG_SOURCE_IDS.map((id) => [id, v.optional(int(1, 24))])) as {
  [K in SourceId]: v.OptionalSchema<ReturnType<typeof int>, undefined>;
};

const tableDaysEntries = Object.fromEntries(TABLES.map((t) => [t.name, v.optional(int(1, 36500, " of days"))])) as {
  [table: string]: v.OptionalSchema<ReturnType<typeof int>, undefined>;
};

const trailFields = strict({
  /** Trail name (default `loglake-<env>-trail`). */
  name: v.optional(
    text(
      TRAIL_NAME_RE,
      "must be 3-128 letters, digits, dots, hyphens or underscores, starting and ending alphanumeric",
    ),
  ),
  /** Source bucket the trail delivers to (default the first of `sourceBuckets`); its bucket policy is managed. */
  bucket: v.optional(bucketName),
  /** Key prefix in front of `AWSLogs/` (default none). */
  keyPrefix: v.optional(
    v.pipe(
      v.string("must be a string"),
      problems((p: string) =>
        p === "" ? [] : [...pathProblems(p), ...(p.endsWith("/") ? ['must not end with "/"'] : [])],
      ),
    ),
    "",
  ),
  /**
   * Stages that deploy the trail (default the permanent stages): each stage's trail would replace the bucket policy
   * of the others, so a throwaway stage deploys none unless listed.
   */
  stages: v.optional(
    v.pipe(
      v.array(v.string("must be a list of stage names"), "must be a list of stage names"),
      v.check((s) => s.every((x) => x !== ""), "must be a list of stage names"),
    ),
  ),
  /** An organization trail, logging every account of this organization (deploy from the management account). */
  organizationId: v.optional(text(ORG_ID_RE, "must be an organization id (o- and 10-32 lowercase letters or digits)")),
  /** Data events (object-level S3 calls, Lambda invocations) of chosen buckets and functions. */
  dataEvents: v.optional(
    strict({
      buckets: v.optional(v.array(bucketName, "must be a list of bucket names"), []),
      functions: v.optional(
        v.array(
          text(FUNCTION_ARN_RE, "must be a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>)"),
          "must be a list of function ARNs",
        ),
        [],
      ),
    }),
    {},
  ),
});

const logDestinationFields = strict({
  /** The organization whose accounts may subscribe their log groups (`aws:PrincipalOrgID`). */
  organizationId: text(ORG_ID_RE, "must be an organization id (o- and 10-32 lowercase letters or digits)"),
  /** Destination name (default `loglake-<env>-logs`); member accounts subscribe to its ARN. */
  name: v.optional(text(LOG_DESTINATION_RE, 'must be 1-512 characters without ":" or "*"')),
  /** Only these member accounts may subscribe (default every account of the organization). */
  accountIds: v.optional(
    v.pipe(
      v.array(text(ACCOUNT_RE, "must be a 12-digit account id"), "must be a list of account ids"),
      v.check((a) => a.length > 0, "must list at least one account id"),
    ),
  ),
});

const accessRole = strict({
  /** Principals that may assume the role: account roots, roles or users (ARNs). */
  principals: v.pipe(
    v.array(
      text(
        PRINCIPAL_ARN_RE,
        "must be an IAM principal ARN (arn:aws:iam::<account>:root, :role/<name> or :user/<name>)",
      ),
      "must be a list of principal ARNs",
    ),
    v.check((p) => p.length > 0, "must list at least one principal"),
  ),
  /** Refuse sessions without MFA (principals that are roles assumed without MFA cannot meet it). */
  requireMfa: v.optional(v.boolean("must be true or false"), false),
});

/** Deployment-only settings, each with its rule and default. */
export const deploySchema = strict({
  /** Stages that keep their data on `sst remove` and are protected from it. */
  permanentStages: v.optional(
    v.pipe(
      v.array(v.string("must be a list of stage names"), "must be a list of stage names"),
      v.check((s) => s.every((x) => x !== ""), "must be a list of stage names"),
    ),
    () => [...DEFAULT_PERMANENT_STAGES],
  ),
  /** Existing buckets the sources deliver to, imported by name (default: `buckets.source` with S3 notifications). */
  sourceBuckets: v.optional(
    v.pipe(
      v.array(sourceBucket, "must be a list"),
      v.check((b) => b.length > 0, "must list at least one bucket"),
      crossRule<v.InferOutput<typeof sourceBucket>[]>((list, clean) => {
        const seen = new Set<string>();
        return list.flatMap((b, i): [string, string][] => {
          if (!clean(`[${i}].name`)) return [];
          if (seen.has(b.name)) return [[`[${i}].name`, `"${b.name}" is listed twice`]];
          seen.add(b.name);
          return [];
        });
      }),
    ),
  ),
  /** Kinesis capacity: on-demand, or `stream.shardCount` provisioned shards; retention in hours. */
  stream: v.optional(
    strict({
      mode: v.optional(v.picklist(["on-demand", "provisioned"], 'must be "on-demand" or "provisioned"'), "on-demand"),
      retentionHours: v.optional(int(24, 8760), 24),
    }),
    {},
  ),
  /** Upper bound of concurrent SQS ingest invocations. */
  ingestMaxConcurrency: v.optional(int(2, 1000), 10),
  /** Replaced lake versions expire after `noncurrentDays`; outside permanent stages current ones after `expireDays`. */
  lake: v.optional(
    strict({
      noncurrentDays: v.optional(int(1, 3650), 30),
      expireDays: v.optional(int(1, 36500), 30),
      /** Days each table's files are kept, by table name (absent: kept); outside permanent stages at most `expireDays`. */
      tables: v.optional(strict(tableDaysEntries, "table"), {}),
    }),
    {},
  ),
  /** WORM retention outside permanent stages: always GOVERNANCE, so the stage can be removed with its copies. */
  worm: v.optional(
    strict({ temporaryRetentionDays: v.optional(int(1, 36500, " of days"), DEFAULT_TEMPORARY_WORM_DAYS) }),
    {},
  ),
  /** A CloudTrail trail delivering to a source bucket, deployed with the stages it names; absent: none. */
  trail: v.optional(trailFields),
  /**
   * A CloudWatch Logs destination in this account, on the ingest stream, that log groups of the organization's
   * accounts (same region) subscribe to; absent: none.
   */
  cloudwatchLogsDestination: v.optional(logDestinationFields),
  /** Roles people assume to use the lake; each is created only when it names principals. */
  access: v.optional(
    strict({
      /** Runs queries in the workgroup, reads the lake, the reports and the catalog. */
      securityAnalyst: v.optional(accessRole),
      /** Reads the reports and the compliance named queries, nothing else. */
      compliance: v.optional(accessRole),
    }),
    {},
  ),
  /** Role that alone may bypass GOVERNANCE retention on the WORM bucket; without it nobody can. */
  breakGlassRoleArn: v.optional(roleArn),
  /** Existing role that compacts the lake (the only one that may delete lake objects); default: one is created. */
  compactorRoleArn: v.optional(roleArn),
  athena: v.optional(
    strict({
      bytesScannedCutoffPerQuery: v.optional(
        v.pipe(
          v.number(`must be a whole number of bytes, at least ${MIN_BYTES_SCANNED_CUTOFF}`),
          v.check(
            (n) => Number.isInteger(n) && n >= MIN_BYTES_SCANNED_CUTOFF,
            `must be a whole number of bytes, at least ${MIN_BYTES_SCANNED_CUTOFF}`,
          ),
        ),
        DEFAULT_BYTES_SCANNED_CUTOFF,
      ),
      resultsExpireDays: v.optional(int(1, 3650), 7),
      /** First day of the partition projection, YYYY-MM-DD. */
      projectionStart: v.optional(
        v.pipe(
          v.string("must be a YYYY-MM-DD date"),
          v.check((s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && isoDate(s), "must be a YYYY-MM-DD date"),
        ),
        "2020-01-01",
      ),
    }),
    {},
  ),
  /** Days S3 server access logs of the data buckets are kept. */
  accessLogDays: v.optional(int(1, 36500), 365),
  /** Days function logs are kept in CloudWatch Logs. */
  logRetentionDays: v.optional(
    v.picklist(LOG_RETENTION_DAYS, `must be one of CloudWatch's periods: ${LOG_RETENTION_DAYS.join(", ")}`),
    30,
  ),
  alarms: v.optional(
    strict({
      /** Minutes the Kinesis consumer may lag before it alarms. */
      iteratorAgeMinutes: v.optional(int(1, 10080), 15),
      /** Percent of records quarantined in an hour that alarms. */
      quarantinePercent: v.optional(
        v.pipe(
          v.number("must be a number above 0 and at most 100"),
          v.check((n) => n > 0 && n <= 100, "must be a number above 0 and at most 100"),
        ),
        5,
      ),
      /**
       * Hours without a record of a source that alarm, per source (omit a source to not watch it); CloudWatch
       * evaluates at most one day of hourly periods. Default: CloudTrail 2 h and its digests 3 h, when enabled.
       */
      missingLogsHours: v.optional(strict(missingLogsEntries, "source")),
      /** E-mail addresses subscribed to the alerts topic. */
      emails: v.optional(v.array(text(EMAIL_RE, "must be an e-mail address"), "must be a list"), []),
    }),
    {},
  ),
});

const DEFAULT_MISSING_LOGS_HOURS: Partial<Record<SourceId, number>> = { cloudtrail: 2, cloudtrail_digest: 3 };

type SettingsFields = { default: LoglakeConfigOutput; deploy: v.InferOutput<typeof deploySchema> };
type LoglakeConfigOutput = v.InferOutput<typeof configSchema>;

/**
 * Rules that relate the deployment to the base config. They only hold where a Lambda event source exists, so they
 * apply to a deployment and not to the base config, which `loglake dev` and the tests also run with short timings.
 */
const settingsRules = crossRule<SettingsFields>((s, clean) => {
  const out: [string, string][] = [];
  const base = s.default;
  if (typeof base !== "object" || base === null) return out;
  const visibility = "default.queues.visibilityTimeoutSeconds";
  const timeout = "default.sizes.functionTimeoutSeconds";
  // A defaulted visibility is six timeouts already; an explicit one is checked once both fields are clean.
  if (clean(visibility) && clean(timeout) && base.queues.visibilityTimeoutSeconds !== undefined) {
    const min = VISIBILITY_PER_FUNCTION_TIMEOUT * base.sizes.functionTimeoutSeconds;
    if (base.queues.visibilityTimeoutSeconds < min)
      out.push([
        visibility,
        `must be at least ${VISIBILITY_PER_FUNCTION_TIMEOUT} x sizes.functionTimeoutSeconds = ${min} for a Lambda event source (is ${base.queues.visibilityTimeoutSeconds})`,
      ]);
  }
  if (Array.isArray(base.destinations))
    base.destinations.forEach((d, i) => {
      const at = `default.destinations[${i}]`;
      if (typeof d !== "object" || d === null || d.type !== "s3" || !clean(`${at}.kmsKeyId`) || !clean(`${at}.roleArn`))
        return;
      // IAM can name a customer's key only by its ARN when we write with our own role.
      if (d.roleArn === undefined && d.kmsKeyId !== undefined && !KMS_KEY_ARN_RE.test(d.kmsKeyId))
        out.push([
          `${at}.kmsKeyId`,
          "must be a key ARN (arn:aws:kms:<region>:<account>:key/<id>) when no roleArn is given, so IAM can name it",
        ]);
    });
  const names = clean("default.env") ? defaultNames(base.env) : undefined;
  const data = (["lake", "worm"] as const).map((k) =>
    clean(`default.buckets.${k}`) ? (base.buckets[k] ?? names?.[k]) : undefined,
  );
  if (Array.isArray(s.deploy?.sourceBuckets))
    s.deploy.sourceBuckets.forEach((b, i) => {
      if (clean(`deploy.sourceBuckets[${i}].name`) && data.includes(b.name))
        out.push([`deploy.sourceBuckets[${i}].name`, "must not be the lake or WORM bucket"]);
    });
  out.push(...trailRules(s, clean, names?.source));
  if (clean("default.sources") && clean("deploy.alarms.missingLogsHours"))
    for (const id of Object.keys(s.deploy.alarms.missingLogsHours ?? {}) as SourceId[]) {
      if (base.sources[id] === undefined)
        out.push([`deploy.alarms.missingLogsHours.${id}`, "is not an enabled source"]);
    }
  return out;
});

function trailRules(
  s: SettingsFields,
  clean: (path: string) => boolean,
  defaultSource: string | undefined,
): [string, string][] {
  const trail = s.deploy?.trail;
  if (trail === undefined || !clean("deploy.trail") || !clean("deploy.sourceBuckets")) return [];
  const out: [string, string][] = [];
  const listed = s.deploy.sourceBuckets ?? (defaultSource === undefined ? [] : [{ name: defaultSource, prefix: "" }]);
  const name = trail.bucket ?? listed[0]?.name;
  const bucket = listed.find((b) => b.name === name);
  if (name !== undefined && bucket === undefined)
    out.push([
      "deploy.trail.bucket",
      `"${name}" is not a source bucket (deploy.sourceBuckets), so nothing would ingest it`,
    ]);
  const delivery = trailDeliveryPrefix(trail.keyPrefix);
  if (bucket !== undefined && !delivery.startsWith(bucket.prefix) && !bucket.prefix.startsWith(delivery))
    out.push([
      "deploy.trail.keyPrefix",
      `the trail delivers under "${delivery}", outside the prefix "${bucket.prefix}" ingested from ${bucket.name}`,
    ]);
  trail.dataEvents.buckets.forEach((b, i) => {
    if (b === name)
      out.push([
        `deploy.trail.dataEvents.buckets[${i}]`,
        "must not be the bucket the trail delivers to: every delivery would be logged and delivered again",
      ]);
  });
  return out;
}

const settingsFields = strict({ default: configSchema, deploy: v.optional(deploySchema, {}) }, "export");

/**
 * A whole `loglake.config.ts` module for the stage it deploys to: the base config as its default export, the
 * deployment settings as `deploy`, and nothing else. Deployment defaults that depend on the base (the source bucket,
 * the watched sources) are filled in here.
 */
export function settingsSchema(stage: string) {
  return v.pipe(
    settingsFields,
    settingsRules,
    crossRule<SettingsFields>((s, clean) =>
      clean("default.env") && s.default.env !== stage
        ? [
            [
              "default.env",
              `"${s.default.env}" differs from the SST stage "${stage}"; each stage must deploy its own env`,
            ],
          ]
        : [],
    ),
    v.transform(({ default: base, deploy }) => {
      const sourceBuckets = deploy.sourceBuckets ?? [
        { name: base.buckets.source, prefix: "", notifications: "s3" as const },
      ];
      const permanent = stagePolicy(stage, deploy.permanentStages).permanent;
      // Outside permanent stages copies are locked in GOVERNANCE mode for a short time, so removing the stage can
      // empty the bucket; the functions receive the same settings, so every copy is locked that way.
      const config = permanent
        ? base
        : {
            ...base,
            worm: { ...base.worm, mode: "GOVERNANCE" as const, retentionDays: deploy.worm.temporaryRetentionDays },
          };
      const { trail: configured, cloudwatchLogsDestination: destination, ...rest } = deploy;
      const trail =
        configured && (configured.stages ?? deploy.permanentStages).includes(stage) ? configured : undefined;
      return {
        config,
        deploy: {
          ...rest,
          sourceBuckets,
          ...(trail
            ? {
                trail: {
                  bucket: trail.bucket ?? (sourceBuckets[0] as { name: string }).name,
                  keyPrefix: trail.keyPrefix,
                  ...(trail.organizationId ? { organizationId: trail.organizationId } : {}),
                  dataEvents: trail.dataEvents,
                  name: trail.name ?? `loglake-${base.env}-trail`,
                },
              }
            : {}),
          ...(destination
            ? {
                cloudwatchLogsDestination: {
                  ...destination,
                  name: destination.name ?? `loglake-${base.env}-logs`,
                },
              }
            : {}),
          alarms: {
            ...deploy.alarms,
            missingLogsHours:
              deploy.alarms.missingLogsHours ??
              Object.fromEntries(Object.entries(DEFAULT_MISSING_LOGS_HOURS).filter(([id]) => id in base.sources)),
          },
        },
      };
    }),
  );
}
