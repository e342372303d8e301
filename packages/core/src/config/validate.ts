import {
  DEFAULT_CUSTOMER_KEY_TEMPLATE,
  DEFAULT_WORM_KEY_TEMPLATE,
  parseKeyTemplate,
  pathProblems,
} from "../copy/key-template.ts";
import { ConfigError } from "../errors.ts";
import { validateRealtimeFields } from "../sources/cloudfront/parse.ts";
import type { SourceId } from "../sources/types.ts";
import type {
  CustomerDestination,
  LoglakeConfig,
  LoglakeConfigInput,
  SourceConfig,
  SourceConfigInput,
  WormMode,
} from "./types.ts";

// A record, not a list, so the compiler rejects a SourceId that is missing here or one that does not exist.
const SOURCE_ID_SET: Record<SourceId, true> = {
  cloudtrail_digest: true,
  cloudtrail: true,
  cloudfront: true,
  cloudfront_realtime: true,
  cloudwatch_logs: true,
  app_json: true,
};

/** Every source id a config may name. */
export const CONFIG_SOURCE_IDS = Object.keys(SOURCE_ID_SET) as SourceId[];

/** Ten years and two leap days: the default WORM retention (7 years is the usual floor; 2557 days keeps a margin). */
export const DEFAULT_RETENTION_DAYS = 2557;

/** S3's single-request CopyObject limit; larger objects need multipart UploadPartCopy. */
export const MAX_SINGLE_COPY_BYTES = 5 * 1024 ** 3;

/** One problem in a config, with the dotted path of the field. */
export interface ConfigIssue {
  field: string;
  message: string;
}

/** A config that failed validation; `issues` names every bad field. */
export class ConfigValidationError extends ConfigError {
  override name = "ConfigError";
  constructor(readonly issues: ConfigIssue[]) {
    super(`invalid loglake config:\n${issues.map((i) => `  - ${i.field}: ${i.message}`).join("\n")}`);
  }
}

const ENV_RE = /^[a-z0-9](?:[a-z0-9-]{0,28}[a-z0-9])?$/;
const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const QUEUE_RE = /^[A-Za-z0-9_-]{1,80}$/;
const STREAM_RE = /^[A-Za-z0-9_.-]{1,128}$/;
const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d$/;
const ROLE_ARN_RE = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const EXTERNAL_ID_RE = /^[\w+=,.@:/-]{2,1224}$/;
const KMS_KEY_RE =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}|alias\/[\w/-]{1,250}|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(?:key\/[\w-]+|alias\/[\w/-]+))$/;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

/** Problems with an S3 bucket name under S3's general-purpose naming rules. */
export function bucketNameProblems(name: string): string[] {
  if (!BUCKET_RE.test(name)) {
    return ["must be 3-63 characters of lowercase letters, digits, dots and hyphens, starting and ending alphanumeric"];
  }
  if (name.includes("..")) return ['must not contain ".."'];
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return ["must not look like an IP address"];
  if (name.startsWith("xn--") || name.endsWith("-s3alias")) return ["uses a prefix or suffix S3 reserves"];
  return [];
}

/**
 * Validates a deployment config and applies every default; throws `ConfigValidationError` naming each bad field.
 *
 * @example
 * const config = resolveConfig({ env: "prod", destinations: [{ name: "acme", bucket: "acme-logs" }] });
 */
export function resolveConfig(input: LoglakeConfigInput): LoglakeConfig {
  const issues: ConfigIssue[] = [];
  const bad = (field: string, message: string) => issues.push({ field, message });
  if (input === null || typeof input !== "object")
    throw new ConfigValidationError([{ field: "(root)", message: "must be an object" }]);

  // env
  const env = typeof input.env === "string" ? input.env : "";
  if (typeof input.env !== "string") bad("env", "is required (a string)");
  else {
    const p = pathProblems(env);
    for (const m of p) bad("env", m);
    if (p.length === 0 && !ENV_RE.test(env)) {
      bad("env", "must be 1-30 lowercase letters, digits or hyphens, starting and ending alphanumeric");
    }
  }
  const region = input.region ?? "us-east-1";
  if (!REGION_RE.test(region)) bad("region", `"${region}" is not an AWS region name`);

  // sources
  const sources: Partial<Record<SourceId, SourceConfig>> = {};
  const sourceEntries: [string, SourceConfigInput | undefined][] =
    input.sources === undefined ? CONFIG_SOURCE_IDS.map((id) => [id, {}]) : Object.entries(input.sources);
  if (input.sources !== undefined && sourceEntries.length === 0) bad("sources", "must enable at least one source");
  for (const [id, sc] of sourceEntries) {
    const field = `sources.${id}`;
    if (!(CONFIG_SOURCE_IDS as readonly string[]).includes(id)) {
      bad(field, `unknown source (known: ${CONFIG_SOURCE_IDS.join(", ")})`);
      continue;
    }
    const c = sc ?? {};
    if (c.worm !== undefined && typeof c.worm !== "boolean") bad(`${field}.worm`, "must be true or false");
    if (c.realtimeFields !== undefined) {
      if (id !== "cloudfront_realtime") bad(`${field}.realtimeFields`, "only applies to cloudfront_realtime");
      else if (!Array.isArray(c.realtimeFields) || c.realtimeFields.some((f) => typeof f !== "string" || f === "")) {
        bad(`${field}.realtimeFields`, "must be a list of non-empty field names");
      } else {
        // The parser's own check: a list it cannot use fails here, not on every record.
        try {
          validateRealtimeFields(c.realtimeFields);
        } catch (e) {
          if (!(e instanceof ConfigError)) throw e;
          bad(`${field}.realtimeFields`, e.message.replace(/^realtimeFields: /, ""));
        }
      }
    }
    sources[id as SourceId] = {
      worm: c.worm ?? true,
      ...(c.realtimeFields ? { realtimeFields: [...c.realtimeFields] } : {}),
    };
  }
  const enabled = Object.keys(sources) as SourceId[];

  // buckets
  const buckets = {
    source: input.buckets?.source ?? `loglake-${env}-source`,
    lake: input.buckets?.lake ?? `loglake-${env}-lake`,
    worm: input.buckets?.worm ?? `loglake-${env}-worm`,
  };
  // Defaulted names derive from env; when env is bad, its own error is enough.
  const envOk = !issues.some((i) => i.field === "env");
  for (const [k, v] of Object.entries(buckets)) {
    if (!envOk && input.buckets?.[k as keyof typeof buckets] === undefined) continue;
    for (const m of bucketNameProblems(v)) bad(`buckets.${k}`, m);
  }
  const names = new Set(Object.values(buckets));
  if (names.size !== 3) bad("buckets", "source, lake and worm must be three different buckets");

  const lakePrefix = input.lakePrefix ?? "";
  if (lakePrefix !== "") {
    for (const m of pathProblems(lakePrefix)) bad("lakePrefix", m);
    if (!lakePrefix.endsWith("/")) bad("lakePrefix", 'must end with "/"');
  }

  // worm
  const mode: WormMode = input.worm?.mode ?? "GOVERNANCE";
  if (mode !== "GOVERNANCE" && mode !== "COMPLIANCE") bad("worm.mode", "must be GOVERNANCE or COMPLIANCE");
  const retentionDays = input.worm?.retentionDays ?? DEFAULT_RETENTION_DAYS;
  if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > 36500) {
    bad("worm.retentionDays", "must be a whole number of days between 1 and 36500");
  }
  const wormTemplate = input.worm?.keyTemplate ?? DEFAULT_WORM_KEY_TEMPLATE;
  const wormParsed = parseKeyTemplate(wormTemplate);
  if ("problems" in wormParsed) for (const m of wormParsed.problems) bad("worm.keyTemplate", m);

  // customer destinations
  const destinations: CustomerDestination[] = [];
  const seen = new Set<string>();
  (input.destinations ?? []).forEach((d, i) => {
    const field = `destinations[${i}]`;
    if (d === null || typeof d !== "object") {
      bad(field, "must be an object");
      return;
    }
    if (typeof d.name !== "string" || !NAME_RE.test(d.name)) {
      bad(`${field}.name`, "must be 1-63 letters, digits, hyphens or underscores");
    } else if (seen.has(d.name)) bad(`${field}.name`, `"${d.name}" is used by another destination`);
    else seen.add(d.name);
    if (typeof d.bucket !== "string") bad(`${field}.bucket`, "is required");
    else {
      for (const m of bucketNameProblems(d.bucket)) bad(`${field}.bucket`, m);
      if (names.has(d.bucket)) bad(`${field}.bucket`, "must not be the source, lake or WORM bucket");
    }
    const keyTemplate = d.keyTemplate ?? DEFAULT_CUSTOMER_KEY_TEMPLATE;
    const parsed = parseKeyTemplate(keyTemplate);
    if ("problems" in parsed) for (const m of parsed.problems) bad(`${field}.keyTemplate`, m);
    if (d.kmsKeyId !== undefined && !KMS_KEY_RE.test(d.kmsKeyId)) {
      bad(`${field}.kmsKeyId`, "must be a KMS key id, multi-Region key id, alias/<name>, or key/alias ARN");
    }
    if (d.roleArn !== undefined && !ROLE_ARN_RE.test(d.roleArn)) {
      bad(`${field}.roleArn`, "must be an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)");
    }
    if (d.roleArn !== undefined && d.externalId === undefined) {
      bad(`${field}.externalId`, "is required with roleArn (it protects the customer against the confused deputy)");
    }
    if (d.externalId !== undefined && d.roleArn === undefined) bad(`${field}.externalId`, "is only used with roleArn");
    if (d.externalId !== undefined && !EXTERNAL_ID_RE.test(d.externalId)) {
      bad(`${field}.externalId`, "must be 2-1224 characters of letters, digits and +=,.@:/-_");
    }
    const destSources = d.sources ?? enabled;
    if (!Array.isArray(destSources) || destSources.length === 0) {
      bad(`${field}.sources`, "must list at least one source");
    } else {
      destSources.forEach((s, j) => {
        if (!enabled.includes(s)) bad(`${field}.sources[${j}]`, `"${s}" is not an enabled source`);
      });
    }
    destinations.push({
      name: d.name,
      bucket: d.bucket,
      keyTemplate,
      keyTemplateParts: "parts" in parsed ? parsed.parts : [],
      ...(d.kmsKeyId !== undefined ? { kmsKeyId: d.kmsKeyId } : {}),
      ...(d.roleArn !== undefined ? { roleArn: d.roleArn } : {}),
      ...(d.externalId !== undefined ? { externalId: d.externalId } : {}),
      sources: Array.isArray(destSources) ? [...destSources] : [],
    });
  });

  // queues, stream, sizes
  const int = (field: string, value: number | undefined, dflt: number, min: number, max: number): number => {
    const v = value ?? dflt;
    if (!Number.isInteger(v) || v < min || v > max) bad(field, `must be a whole number from ${min} to ${max}`);
    return v;
  };
  const q = input.queues ?? {};
  const z = input.sizes ?? {};
  // AWS advises a queue visibility of at least six times the function timeout for Lambda event sources.
  const timeoutForDefault = Number.isInteger(z.functionTimeoutSeconds) ? (z.functionTimeoutSeconds as number) : 900;
  const queues = {
    ingest: q.ingest ?? `loglake-${env}-ingest`,
    dlq: q.dlq ?? `loglake-${env}-ingest-dlq`,
    visibilityTimeoutSeconds: int(
      "queues.visibilityTimeoutSeconds",
      q.visibilityTimeoutSeconds,
      Math.min(43200, 6 * timeoutForDefault),
      0,
      43200,
    ),
    maxReceiveCount: int("queues.maxReceiveCount", q.maxReceiveCount, 3, 1, 1000),
    batchSize: int("queues.batchSize", q.batchSize, 10, 1, 10000),
    batchingWindowSeconds: int("queues.batchingWindowSeconds", q.batchingWindowSeconds, 5, 0, 300),
  };
  for (const k of ["ingest", "dlq"] as const) {
    if (!envOk && q[k] === undefined) continue;
    if (!QUEUE_RE.test(queues[k])) bad(`queues.${k}`, "must be 1-80 letters, digits, hyphens or underscores");
  }
  if (queues.ingest === queues.dlq) bad("queues.dlq", "must differ from queues.ingest");
  if (queues.batchSize > 10 && queues.batchingWindowSeconds < 1) {
    bad("queues.batchingWindowSeconds", "must be at least 1 when batchSize is above 10 (an SQS event source rule)");
  }
  const s = input.stream ?? {};
  const stream = {
    name: s.name ?? `loglake-${env}-stream`,
    shardCount: int("stream.shardCount", s.shardCount, 1, 1, 500),
    batchSize: int("stream.batchSize", s.batchSize, 100, 1, 10000),
    batchingWindowSeconds: int("stream.batchingWindowSeconds", s.batchingWindowSeconds, 1, 0, 300),
    maxRetryAttempts: int("stream.maxRetryAttempts", s.maxRetryAttempts, 3, 0, 10000),
    maxRecordAgeSeconds: int("stream.maxRecordAgeSeconds", s.maxRecordAgeSeconds, 3600, 60, 604800),
  };
  if ((envOk || s.name !== undefined) && !STREAM_RE.test(stream.name))
    bad("stream.name", "must be 1-128 letters, digits, dots, hyphens or underscores");
  const sizes = {
    functionTimeoutSeconds: int("sizes.functionTimeoutSeconds", z.functionTimeoutSeconds, 900, 1, 900),
    memoryMb: int("sizes.memoryMb", z.memoryMb, 2048, 128, 10240),
    multipartCopyThresholdBytes: int(
      "sizes.multipartCopyThresholdBytes",
      z.multipartCopyThresholdBytes,
      MAX_SINGLE_COPY_BYTES,
      5 * 1024 ** 2,
      MAX_SINGLE_COPY_BYTES,
    ),
    copyPartSizeBytes: int(
      "sizes.copyPartSizeBytes",
      z.copyPartSizeBytes,
      512 * 1024 ** 2,
      5 * 1024 ** 2,
      MAX_SINGLE_COPY_BYTES,
    ),
    heartbeatSeconds: int("sizes.heartbeatSeconds", z.heartbeatSeconds, 60, 1, 43200),
  };
  // Matano's rule: a message must stay invisible for as long as the function may run, or it is processed twice.
  if (queues.visibilityTimeoutSeconds < sizes.functionTimeoutSeconds) {
    bad(
      "queues.visibilityTimeoutSeconds",
      `must be at least sizes.functionTimeoutSeconds (${sizes.functionTimeoutSeconds})`,
    );
  }
  if (sizes.heartbeatSeconds >= queues.visibilityTimeoutSeconds && queues.visibilityTimeoutSeconds > 0) {
    bad(
      "sizes.heartbeatSeconds",
      "must be shorter than queues.visibilityTimeoutSeconds, or messages reappear mid-object",
    );
  }

  if (issues.length > 0) throw new ConfigValidationError(issues);
  return {
    env,
    region,
    sources,
    buckets,
    lakePrefix,
    worm: {
      mode,
      retentionDays,
      keyTemplate: wormTemplate,
      keyTemplateParts: "parts" in wormParsed ? wormParsed.parts : [],
    },
    destinations,
    queues,
    stream,
    sizes,
  };
}

/** Types a `loglake.config.ts` default export; validation happens in `resolveConfig`. */
export function defineConfig(input: LoglakeConfigInput): LoglakeConfigInput {
  return input;
}
