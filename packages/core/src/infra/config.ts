import type { LoglakeConfig } from "../config/types.ts";
import { type ConfigIssue, ConfigValidationError } from "../config/validate.ts";
import type { SourceId } from "../sources/types.ts";
import { DEFAULT_BYTES_SCANNED_CUTOFF, MIN_BYTES_SCANNED_CUTOFF } from "./athena.ts";
import { DEFAULT_PERMANENT_STAGES } from "./stage.ts";

/** How an existing source bucket tells the ingest queue about new objects. */
export type NotificationMode = "s3" | "eventbridge";

/** Deployment-only settings (`export const deploy` in `loglake.config.ts`), as a user writes them. */
export interface DeployConfigInput {
  /** Stages that keep their data on `sst remove` and are protected from it (default production, prod). */
  permanentStages?: string[];
  /**
   * Existing buckets the sources deliver to, imported by name (default: `buckets.source` with S3 notifications).
   * Use `notifications: "eventbridge"` for a bucket that already has S3 notifications of its own: a bucket has one
   * notification configuration and a second writer would replace it. EventBridge delivery must then be turned on for
   * that bucket by its owner.
   */
  sourceBuckets?: { name: string; prefix?: string; notifications?: NotificationMode; accountId?: string }[];
  /** Kinesis capacity: on-demand (default) or `stream.shardCount` provisioned shards; retention in hours. */
  stream?: { mode?: "on-demand" | "provisioned"; retentionHours?: number };
  /** Upper bound of concurrent SQS ingest invocations (2-1000). */
  ingestMaxConcurrency?: number;
  /**
   * Lake object lifetime: replaced versions go after `noncurrentDays` (default 30); outside permanent stages current
   * objects too, after `expireDays` (default 30).
   */
  lake?: { noncurrentDays?: number; expireDays?: number };
  /** Role that alone may bypass GOVERNANCE retention on the WORM bucket; without it nobody can. */
  breakGlassRoleArn?: string;
  /** Existing role that compacts the lake (the only one that may delete lake objects); default: one is created. */
  compactorRoleArn?: string;
  athena?: { bytesScannedCutoffPerQuery?: number; resultsExpireDays?: number; projectionStart?: string };
  /** Days S3 server access logs of the data buckets are kept. */
  accessLogDays?: number;
  /** Days function logs are kept in CloudWatch Logs. */
  logRetentionDays?: number;
  alarms?: {
    /** Minutes the Kinesis consumer may lag before it alarms. */
    iteratorAgeMinutes?: number;
    /** Percent of records quarantined in an hour that alarms. */
    quarantinePercent?: number;
    /** Hours without a record of a source that alarm, per source (omit a source to not watch it). */
    missingLogsHours?: Partial<Record<SourceId, number>>;
    /** E-mail addresses subscribed to the alerts topic. */
    emails?: string[];
  };
}

/** A validated source bucket. */
export interface SourceBucket {
  name: string;
  prefix: string;
  notifications: NotificationMode;
  accountId?: string;
}

/** Deployment settings, validated, with defaults applied. */
export interface DeployConfig {
  permanentStages: string[];
  sourceBuckets: SourceBucket[];
  stream: { mode: "on-demand" | "provisioned"; retentionHours: number };
  ingestMaxConcurrency: number;
  lake: { noncurrentDays: number; expireDays: number };
  breakGlassRoleArn?: string;
  compactorRoleArn?: string;
  athena: { bytesScannedCutoffPerQuery: number; resultsExpireDays: number; projectionStart: string };
  accessLogDays: number;
  logRetentionDays: number;
  alarms: {
    iteratorAgeMinutes: number;
    quarantinePercent: number;
    missingLogsHours: Partial<Record<SourceId, number>>;
    emails: string[];
  };
}

/** Types the `deploy` export of `loglake.config.ts`; validation happens in `resolveDeployConfig`. */
export function defineDeployConfig(input: DeployConfigInput): DeployConfigInput {
  return input;
}

// CloudWatch Logs accepts only these retention periods (PutRetentionPolicy).
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557];
const ROLE_ARN_RE = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const KMS_KEY_ARN_RE = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/;
const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * What a Lambda event source needs beyond `resolveConfig`: visibility at least six function timeouts (AWS's advice
 * for SQS event sources, so a batch retried by Lambda is not redelivered mid-run), 3-5 receives before the DLQ, and
 * key ARNs for customers written to without a role (IAM can only name a key by ARN).
 */
function baseIssues(base: LoglakeConfig, stage: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (base.env !== stage)
    issues.push({
      field: "env",
      message: `"${base.env}" differs from the SST stage "${stage}"; each stage must deploy its own env`,
    });
  const minVisibility = 6 * base.sizes.functionTimeoutSeconds;
  if (base.queues.visibilityTimeoutSeconds < minVisibility)
    issues.push({
      field: "queues.visibilityTimeoutSeconds",
      message: `must be at least 6 x sizes.functionTimeoutSeconds = ${minVisibility} for a Lambda event source (is ${base.queues.visibilityTimeoutSeconds})`,
    });
  if (base.queues.maxReceiveCount < 3 || base.queues.maxReceiveCount > 5)
    issues.push({
      field: "queues.maxReceiveCount",
      message: `must be 3-5: fewer gives up on throttling, more keeps poison messages cycling (is ${base.queues.maxReceiveCount})`,
    });
  base.destinations.forEach((d, i) => {
    if (!d.roleArn && d.kmsKeyId !== undefined && !KMS_KEY_ARN_RE.test(d.kmsKeyId))
      issues.push({
        field: `destinations[${i}].kmsKeyId`,
        message:
          "must be a key ARN (arn:aws:kms:<region>:<account>:key/<id>) when no roleArn is given, so IAM can name it",
      });
  });
  return issues;
}

/**
 * Validates the deployment settings together with the base config they extend; throws `ConfigValidationError`
 * naming every bad field (`deploy.*` for these settings).
 *
 * @example
 * const deploy = resolveDeployConfig({ stream: { mode: "provisioned" } }, resolveConfig({ env: "dev" }), "dev");
 */
export function resolveDeployConfig(
  input: DeployConfigInput | undefined,
  base: LoglakeConfig,
  stage: string,
): DeployConfig {
  const d = input ?? {};
  const issues = baseIssues(base, stage);
  const bad = (field: string, message: string) => issues.push({ field: `deploy.${field}`, message });
  const int = (field: string, value: number | undefined, dflt: number, min: number, max: number): number => {
    const v = value ?? dflt;
    if (!Number.isInteger(v) || v < min || v > max) bad(field, `must be a whole number from ${min} to ${max}`);
    return v;
  };

  const permanentStages = d.permanentStages ?? [...DEFAULT_PERMANENT_STAGES];
  if (!Array.isArray(permanentStages) || permanentStages.some((s) => typeof s !== "string" || s === ""))
    bad("permanentStages", "must be a list of stage names");

  const sourceBuckets: SourceBucket[] = (d.sourceBuckets ?? [{ name: base.buckets.source }]).map((b, i) => {
    const field = `sourceBuckets[${i}]`;
    if (typeof b?.name !== "string" || !BUCKET_RE.test(b.name)) bad(`${field}.name`, "must be an S3 bucket name");
    else if (b.name === base.buckets.lake || b.name === base.buckets.worm)
      bad(`${field}.name`, "must not be the lake or WORM bucket");
    const prefix = b?.prefix ?? "";
    if (prefix.startsWith("/") || prefix.includes(".."))
      bad(`${field}.prefix`, 'must not start with "/" or contain ".."');
    const notifications = b?.notifications ?? "s3";
    if (notifications !== "s3" && notifications !== "eventbridge")
      bad(`${field}.notifications`, 'must be "s3" or "eventbridge"');
    if (b?.accountId !== undefined && !/^\d{12}$/.test(b.accountId))
      bad(`${field}.accountId`, "must be a 12-digit account id");
    return { name: b?.name, prefix, notifications, ...(b?.accountId ? { accountId: b.accountId } : {}) };
  });
  if (sourceBuckets.length === 0) bad("sourceBuckets", "must list at least one bucket");
  const names = sourceBuckets.map((b) => b.name);
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i) bad(`sourceBuckets[${i}].name`, `"${n}" is listed twice`);
  });

  const mode = d.stream?.mode ?? "on-demand";
  if (mode !== "on-demand" && mode !== "provisioned") bad("stream.mode", 'must be "on-demand" or "provisioned"');
  const retentionHours = int("stream.retentionHours", d.stream?.retentionHours, 24, 24, 8760);
  const ingestMaxConcurrency = int("ingestMaxConcurrency", d.ingestMaxConcurrency, 10, 2, 1000);
  const noncurrentDays = int("lake.noncurrentDays", d.lake?.noncurrentDays, 30, 1, 3650);
  const expireDays = int("lake.expireDays", d.lake?.expireDays, 30, 1, 36500);

  for (const [field, arn] of [
    ["breakGlassRoleArn", d.breakGlassRoleArn],
    ["compactorRoleArn", d.compactorRoleArn],
  ] as const) {
    if (arn !== undefined && !ROLE_ARN_RE.test(arn))
      bad(field, "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)");
  }

  const cutoff = d.athena?.bytesScannedCutoffPerQuery ?? DEFAULT_BYTES_SCANNED_CUTOFF;
  if (!Number.isInteger(cutoff) || cutoff < MIN_BYTES_SCANNED_CUTOFF)
    bad("athena.bytesScannedCutoffPerQuery", `must be a whole number of bytes, at least ${MIN_BYTES_SCANNED_CUTOFF}`);
  const resultsExpireDays = int("athena.resultsExpireDays", d.athena?.resultsExpireDays, 7, 1, 3650);
  const projectionStart = d.athena?.projectionStart ?? "2020-01-01";
  if (!/^\d{4}-\d{2}-\d{2}$/.test(projectionStart) || Number.isNaN(Date.parse(`${projectionStart}T00:00:00Z`)))
    bad("athena.projectionStart", "must be a YYYY-MM-DD date");

  const accessLogDays = int("accessLogDays", d.accessLogDays, 365, 1, 36500);
  const logRetentionDays = d.logRetentionDays ?? 30;
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays))
    bad("logRetentionDays", `must be one of CloudWatch's periods: ${LOG_RETENTION_DAYS.join(", ")}`);

  const a = d.alarms ?? {};
  const iteratorAgeMinutes = int("alarms.iteratorAgeMinutes", a.iteratorAgeMinutes, 15, 1, 10080);
  const quarantinePercent = a.quarantinePercent ?? 5;
  if (typeof quarantinePercent !== "number" || !(quarantinePercent > 0 && quarantinePercent <= 100))
    bad("alarms.quarantinePercent", "must be a number above 0 and at most 100");
  const missingLogsHours: Partial<Record<SourceId, number>> = {};
  const watched = a.missingLogsHours ?? { cloudtrail: 2, cloudtrail_digest: 3 };
  for (const [source, hours] of Object.entries(watched)) {
    if (!(source in base.sources)) {
      bad(`alarms.missingLogsHours.${source}`, "is not an enabled source");
      continue;
    }
    // CloudWatch evaluates at most one day of hourly periods.
    missingLogsHours[source as SourceId] = int(`alarms.missingLogsHours.${source}`, hours, 1, 1, 24);
  }
  const emails = a.emails ?? [];
  emails.forEach((e, i) => {
    if (typeof e !== "string" || !EMAIL_RE.test(e)) bad(`alarms.emails[${i}]`, "must be an e-mail address");
  });

  if (issues.length > 0) throw new ConfigValidationError(issues);
  return {
    permanentStages,
    sourceBuckets,
    stream: { mode, retentionHours },
    ingestMaxConcurrency,
    lake: { noncurrentDays, expireDays },
    ...(d.breakGlassRoleArn ? { breakGlassRoleArn: d.breakGlassRoleArn } : {}),
    ...(d.compactorRoleArn ? { compactorRoleArn: d.compactorRoleArn } : {}),
    athena: { bytesScannedCutoffPerQuery: cutoff, resultsExpireDays, projectionStart },
    accessLogDays,
    logRetentionDays,
    alarms: { iteratorAgeMinutes, quarantinePercent, missingLogsHours, emails },
  };
}

/** Lambda's limit on all environment variables of a function together, in bytes. */
export const LAMBDA_ENVIRONMENT_LIMIT = 4096;

/**
 * The resolved config as the functions receive it (`LOGLAKE_CONFIG`): JSON without the parsed key templates, which
 * the functions derive again. Throws when it would not fit Lambda's 4 KB environment, naming what to shorten.
 */
export function functionConfigJson(config: LoglakeConfig): string {
  const { worm, destinations, ...rest } = config;
  const json = JSON.stringify({
    ...rest,
    worm: { mode: worm.mode, retentionDays: worm.retentionDays, keyTemplate: worm.keyTemplate },
    destinations: destinations.map(({ keyTemplateParts: _parts, ...d }) => d),
  });
  // Leave room for the variables SST and the runtime add.
  const budget = LAMBDA_ENVIRONMENT_LIMIT - 1024;
  if (json.length > budget)
    throw new ConfigValidationError([
      {
        field: "destinations",
        message: `the config is ${json.length} bytes as JSON, more than the ${budget} a Lambda environment can carry; use fewer or shorter destination entries`,
      },
    ]);
  return json;
}
