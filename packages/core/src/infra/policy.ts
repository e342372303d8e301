/** A principal as IAM policy JSON writes it. */
export type Principal = "*" | { AWS?: string | string[]; Service?: string | string[] };

/** IAM condition block: operator -> context key -> value(s). */
export type Conditions = Record<string, Record<string, string | string[]>>;

/** One IAM policy statement in AWS's JSON shape, so tests and reviewers read exactly what AWS will. */
export interface Statement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Principal?: Principal;
  Action: string[];
  /** Absent only in trust policies, which apply to the role they are attached to, and beside `NotResource`. */
  Resource?: string[];
  /** Every resource but these (bucket policies that except a prefix from a deny). */
  NotResource?: string[];
  Condition?: Conditions;
}

/** An IAM policy document (identity, bucket, queue or key policy). */
export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Statement[];
}

/** Wraps statements in a policy document, rejecting duplicate statement ids (AWS rejects them too). */
export function policyDocument(statements: readonly Statement[]): PolicyDocument {
  const seen = new Set<string>();
  for (const s of statements) {
    if (seen.has(s.Sid)) throw new Error(`policy has two statements with Sid "${s.Sid}"`);
    if (!/^[A-Za-z0-9]+$/.test(s.Sid)) throw new Error(`statement Sid "${s.Sid}" must be alphanumeric`);
    seen.add(s.Sid);
  }
  return { Version: "2012-10-17", Statement: [...statements] };
}

/** A function permission in the shape `sst.aws.Function` takes (`permissions`). */
export interface FunctionPermission {
  effect: "allow" | "deny";
  actions: string[];
  resources: string[];
  conditions?: { test: string; variable: string; values: string[] }[];
}

/** Converts identity-policy statements (no principal) to `sst.aws.Function` permissions. */
export function toFunctionPermissions(statements: readonly Statement[]): FunctionPermission[] {
  return statements.map((s) => {
    if (s.Principal !== undefined) throw new Error(`statement ${s.Sid}: identity policies have no Principal`);
    if (s.Resource === undefined) throw new Error(`statement ${s.Sid}: identity policies need a Resource`);
    const conditions = Object.entries(s.Condition ?? {}).flatMap(([test, keys]) =>
      Object.entries(keys).map(([variable, v]) => ({ test, variable, values: Array.isArray(v) ? v : [v] })),
    );
    return {
      effect: s.Effect === "Allow" ? "allow" : "deny",
      actions: [...s.Action],
      resources: [...(s.Resource ?? [])],
      ...(conditions.length > 0 ? { conditions } : {}),
    };
  });
}

/** ARN of an S3 bucket. */
export function bucketArn(partition: string, bucket: string): string {
  return `arn:${partition}:s3:::${bucket}`;
}

/** ARN pattern of the objects under `prefix` in a bucket (`prefix` empty for every object). */
export function objectsArn(bucketArnValue: string, prefix = ""): string {
  return `${bucketArnValue}/${prefix}*`;
}
