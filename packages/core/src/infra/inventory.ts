/** One resource a program declared: its Pulumi type, logical name, inputs and resource options. */
export interface InventoryResource {
  type: string;
  name: string;
  /** Physical id (the bucket name for a bucket, the URL for a queue). */
  id: string;
  /** False for component resources (SST components, the stack), which group others. */
  custom: boolean;
  inputs: Record<string, unknown>;
  protect: boolean;
  retainOnDelete: boolean;
}

/** What a mocked run of the SST program declared. */
export interface Inventory {
  stage: string;
  app: { name: string; removal: string; protect: boolean; providers: unknown };
  resources: InventoryResource[];
  outputs: Record<string, unknown>;
  /**
   * Handlers bundled during the run, with the size of each bundle, the packages installed beside it and the files
   * copied into it (paths relative to the bundle root, the function's working directory).
   */
  builds: { functionID: string; handler: string; bytes: number; install: string[]; files: string[] }[];
}

type Json = Record<string, unknown>;
type PolicyStatementJson = {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  Action?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Json;
};

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/** Parses a policy given as JSON text (or already an object); undefined when it is neither. */
export function policyOf(value: unknown): { Statement: PolicyStatementJson[] } | undefined {
  const doc = typeof value === "string" ? (JSON.parse(value) as unknown) : value;
  if (doc === null || typeof doc !== "object" || !("Statement" in doc)) return undefined;
  const s = (doc as { Statement: unknown }).Statement;
  return { Statement: (Array.isArray(s) ? s : [s]) as PolicyStatementJson[] };
}

function principal(p: unknown): string {
  if (p === undefined) return "";
  if (p === "*") return " *";
  return ` ${Object.entries(p as Json)
    .map(([k, v]) => `${k}:${list(v).join(",")}`)
    .join(" ")}`;
}

function conditions(c: Json | undefined): string {
  if (!c) return "";
  const parts = Object.entries(c).flatMap(([op, keys]) =>
    Object.entries(keys as Json).map(([k, v]) => `${op} ${k}=${list(v).join(",")}`),
  );
  return ` if ${parts.join(" and ")}`;
}

/** One line per statement: `Sid: Effect principal actions on resources if conditions`. */
export function describePolicy(value: unknown): string[] {
  const doc = policyOf(value);
  if (!doc) return [];
  return doc.Statement.map(
    (s) =>
      `${s.Sid ?? "-"}: ${s.Effect}${principal(s.Principal)} ${list(s.Action).join(",")}` +
      (s.Resource !== undefined ? ` on ${list(s.Resource).join(",")}` : "") +
      (s.NotResource !== undefined ? ` on all but ${list(s.NotResource).join(",")}` : "") +
      conditions(s.Condition),
  );
}

const pick = (inputs: Json, keys: string[]): string =>
  keys
    .filter((k) => inputs[k] !== undefined)
    .map((k) => `${k}=${typeof inputs[k] === "object" ? JSON.stringify(inputs[k]) : String(inputs[k])}`)
    .join(" ");

/** The security-relevant settings of one resource, as short lines a reviewer can scan. */
export function describeResource(r: InventoryResource): string[] {
  const i = r.inputs;
  switch (r.type) {
    case "aws:s3/bucket:Bucket":
      return [pick(i, ["bucket", "bucketPrefix", "objectLockEnabled", "forceDestroy", "tags"])];
    case "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":
      return [pick(i, ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"])];
    case "aws:s3/bucketOwnershipControls:BucketOwnershipControls":
      return [`objectOwnership=${(i.rule as Json | undefined)?.objectOwnership}`];
    case "aws:s3/bucketVersioning:BucketVersioning":
      return [`status=${(i.versioningConfiguration as Json | undefined)?.status}`];
    case "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
      return ((i.rules as Json[]) ?? []).map((rule) => {
        const d = rule.applyServerSideEncryptionByDefault as Json;
        return `sse=${d.sseAlgorithm}${d.kmsMasterKeyId ? ` key=${d.kmsMasterKeyId}` : ""}${rule.bucketKeyEnabled ? " bucketKey" : ""}`;
      });
    case "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": {
      const d = ((i.rule as Json | undefined)?.defaultRetention ?? {}) as Json;
      return [`objectLock=${i.objectLockEnabled} mode=${d.mode} days=${d.days}`];
    }
    case "aws:s3/bucketLogging:BucketLogging":
      return [`accessLogs -> ${i.targetBucket}/${i.targetPrefix}`];
    case "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration":
      return ((i.rules as Json[]) ?? []).map((rule) =>
        [
          `${rule.id}:`,
          ...list((rule.transitions as Json[] | undefined)?.map((t) => `${t.storageClass}@${t.days}d`)),
          rule.expiration ? `expire@${(rule.expiration as Json).days}d` : "",
          rule.noncurrentVersionExpiration
            ? `noncurrent-expire@${(rule.noncurrentVersionExpiration as Json).noncurrentDays}d`
            : "",
          rule.abortIncompleteMultipartUpload
            ? `abort-multipart@${(rule.abortIncompleteMultipartUpload as Json).daysAfterInitiation}d`
            : "",
        ]
          .filter((x) => x !== "")
          .join(" "),
      );
    case "aws:s3/bucketPolicy:BucketPolicy":
    case "aws:sqs/queuePolicy:QueuePolicy":
    case "aws:sns/topicPolicy:TopicPolicy":
    case "aws:iam/rolePolicy:RolePolicy":
      return describePolicy(i.policy);
    case "aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy":
      return describePolicy(i.accessPolicy);
    case "aws:cloudwatch/logDestination:LogDestination":
      return [pick(i, ["name", "targetArn", "roleArn"])];
    case "aws:s3/bucketNotification:BucketNotification":
      return ((i.queues as Json[]) ?? []).map(
        (q) => `bucket=${i.bucket} -> ${q.queueArn} ${list(q.events).join(",")} prefix=${q.filterPrefix ?? ""}`,
      );
    case "aws:kms/key:Key":
      return [pick(i, ["enableKeyRotation", "deletionWindowInDays"]), ...describePolicy(i.policy)];
    case "aws:sqs/queue:Queue": {
      const redrive = typeof i.redrivePolicy === "string" ? (JSON.parse(i.redrivePolicy) as Json) : undefined;
      return [
        pick(i, ["name", "visibilityTimeoutSeconds", "messageRetentionSeconds", "sqsManagedSseEnabled"]) +
          (redrive ? ` maxReceiveCount=${redrive.maxReceiveCount} dlq=${redrive.deadLetterTargetArn}` : ""),
      ];
    }
    case "aws:kinesis/stream:Stream":
      return [pick(i, ["name", "encryptionType", "kmsKeyId", "streamModeDetails", "shardCount", "retentionPeriod"])];
    case "aws:lambda/function:Function":
      return [
        pick(i, ["name", "runtime", "architectures", "memorySize", "ephemeralStorage", "timeout", "handler", "role"]),
      ];
    case "aws:iam/role:Role":
      return [
        `assume: ${describePolicy(i.assumeRolePolicy).join("; ")}`,
        ...(i.maxSessionDuration !== undefined ? [`maxSessionDuration=${i.maxSessionDuration}`] : []),
        ...((i.inlinePolicies as Json[] | undefined) ?? []).flatMap((p) => describePolicy(p.policy)),
        ...list(i.managedPolicyArns).map((a) => `managed: ${a}`),
      ];
    case "aws:lambda/eventSourceMapping:EventSourceMapping":
      return [
        pick(i, [
          "eventSourceArn",
          "functionName",
          "batchSize",
          "maximumBatchingWindowInSeconds",
          "functionResponseTypes",
          "scalingConfig",
          "startingPosition",
          "bisectBatchOnFunctionError",
          "maximumRetryAttempts",
          "maximumRecordAgeInSeconds",
          "destinationConfig",
        ]),
      ];
    case "aws:glue/catalogTable:CatalogTable": {
      const sd = (i.storageDescriptor ?? {}) as Json;
      const params = (i.parameters ?? {}) as Record<string, string>;
      return [
        `${i.databaseName}.${i.name} columns=${((sd.columns as unknown[]) ?? []).length} partitions=${((i.partitionKeys as Json[]) ?? []).map((k) => `${k.name}:${k.type}`).join(",")}`,
        `serde=${(sd.serDeInfo as Json | undefined)?.serializationLibrary} location=${sd.location}`,
        `projection dt=${params["projection.dt.range"]} hour=${params["projection.hour.range"]}/${params["projection.hour.digits"]} template=${params["storage.location.template"]}`,
      ];
    }
    case "aws:athena/workgroup:Workgroup": {
      const c = (i.configuration ?? {}) as Json;
      const rc = (c.resultConfiguration ?? {}) as Json;
      return [
        `enforce=${c.enforceWorkgroupConfiguration} engine=${(c.engineVersion as Json | undefined)?.selectedEngineVersion} cutoffBytes=${c.bytesScannedCutoffPerQuery}`,
        `results=${rc.outputLocation} encryption=${JSON.stringify(rc.encryptionConfiguration)}`,
      ];
    }
    case "aws:athena/namedQuery:NamedQuery":
      return [`"${i.name}" database=${i.database} workgroup=${i.workgroup}`];
    case "aws:scheduler/schedule:Schedule": {
      const t = (i.target ?? {}) as Json;
      return [`${i.scheduleExpression} ${i.scheduleExpressionTimezone ?? ""} -> ${t.arn} input=${t.input}`];
    }
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      return [
        `${i.namespace ?? "metric math"} ${i.metricName ?? ((i.metricQueries as Json[] | undefined) ?? []).map((q) => q.expression ?? (q.metric as Json | undefined)?.metricName).join(" | ")} ${i.comparisonOperator} ${i.threshold} x${i.evaluationPeriods} missing=${i.treatMissingData} -> ${list(i.alarmActions).join(",")}`,
      ];
    case "aws:sns/topic:Topic":
      return [pick(i, ["kmsMasterKeyId"])];
    case "aws:cloudwatch/eventRule:EventRule":
      return [`pattern=${i.eventPattern}`];
    case "aws:cloudtrail/trail:Trail":
      return [
        pick(i, [
          "name",
          "s3BucketName",
          "s3KeyPrefix",
          "isMultiRegionTrail",
          "includeGlobalServiceEvents",
          "enableLogFileValidation",
          "isOrganizationTrail",
          "kmsKeyId",
          "snsTopicName",
        ]),
        ...((i.advancedEventSelectors as Json[] | undefined) ?? []).map(
          (sel) =>
            `selector "${sel.name}": ${((sel.fieldSelectors as Json[] | undefined) ?? [])
              .map(
                (f) =>
                  `${f.field} ${f.equals ? `= ${list(f.equals).join(",")}` : `starts with ${list(f.startsWiths).join(",")}`}`,
              )
              .join(" and ")}`,
        ),
      ];
    default:
      return [];
  }
}

/** The inventory as a plain-text listing: type, logical name, options and security-relevant settings. */
export function formatInventory(inventory: Inventory): string {
  const lines = [
    `loglake inventory, stage "${inventory.stage}": removal=${inventory.app.removal} protect=${inventory.app.protect}`,
    `providers: ${JSON.stringify(inventory.app.providers)}`,
    `handlers bundled: ${inventory.builds.map((b) => `${b.functionID} (${b.handler}, ${Math.round(b.bytes / 1024)} KiB${b.install.length ? `, installs ${b.install.join(",")}` : ""})`).join("; ")}`,
    "",
  ];
  const custom = inventory.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:"));
  const byType = new Map<string, number>();
  for (const r of custom) byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
  for (const r of custom) {
    const flags = [r.protect ? "protect" : "", r.retainOnDelete ? "retain" : ""].filter((f) => f !== "").join(",");
    lines.push(`${r.type}  ${r.name}${flags ? `  [${flags}]` : ""}`);
    for (const d of describeResource(r)) if (d !== "") lines.push(`    ${d}`);
  }
  lines.push("", `${custom.length} resources:`);
  for (const [type, n] of [...byType.entries()].sort()) lines.push(`  ${String(n).padStart(3)}  ${type}`);
  return `${lines.join("\n")}\n`;
}
