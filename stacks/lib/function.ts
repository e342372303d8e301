import { functionConfigJson } from "@app/core/infra/config";
import { lambdaTrustPolicy } from "@app/core/infra/grants";
import { policyDocument, type Statement, toFunctionPermissions } from "@app/core/infra/policy";
import { config, deploy, prefix } from "../settings";

// CloudWatch Logs retention periods by the names sst.aws.Function uses.
const RETENTION_NAMES: Record<number, string> = {
  1: "1 day",
  3: "3 days",
  5: "5 days",
  7: "1 week",
  14: "2 weeks",
  30: "1 month",
  60: "2 months",
  90: "3 months",
  120: "4 months",
  150: "5 months",
  180: "6 months",
  365: "1 year",
  400: "13 months",
  545: "18 months",
  731: "2 years",
  1096: "3 years",
  1827: "5 years",
  2192: "6 years",
  2557: "7 years",
};

/** Log retention for `sst.aws.Function` from the deploy settings. */
export const logRetention = RETENTION_NAMES[deploy.logRetentionDays] as "1 month";

/** The config every function reads at cold start (`LOGLAKE_CONFIG`). */
export const functionEnvironment = { LOGLAKE_CONFIG: functionConfigJson(config) };

/** Memory, timeout and /tmp size of the data-path functions, from the config. */
export const functionSize = {
  memory: `${config.sizes.memoryMb} MB` as const,
  timeout: `${config.sizes.functionTimeoutSeconds} seconds` as const,
  storage: `${config.sizes.tmpStorageMb} MB` as const,
};

/** `sst.aws.Function` permissions from identity-policy statements resolved at deploy time. */
export function permissionsOf(statements: $util.Output<Statement[]>) {
  return statements.apply(toFunctionPermissions);
}

/** Physical function name, fixed so alarms and operators can name it (Lambda allows 64 characters). */
export function functionName(purpose: string): string {
  const name = `${prefix}-${purpose}`;
  if (name.length > 64)
    throw new Error(`function name "${name}" is longer than Lambda's 64 characters; use a shorter stage name`);
  return name;
}

type FunctionTransforms = NonNullable<sst.aws.FunctionArgs["transform"]>;

/**
 * Replaces the trust policy sst.aws.Function gives its role, which also trusts the account root (for `sst dev`),
 * with one only the Lambda service can use, keeping any other role transform.
 */
export function lambdaOnlyTrust(transforms: FunctionTransforms | undefined): FunctionTransforms {
  const previous = transforms?.role;
  return {
    ...transforms,
    role: (args, opts, name) => {
      if (typeof previous === "function") previous(args, opts, name);
      else if (previous) Object.assign(args, previous);
      args.assumeRolePolicy = JSON.stringify(policyDocument(lambdaTrustPolicy()));
    },
  };
}
