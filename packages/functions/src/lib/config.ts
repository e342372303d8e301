import { join } from "node:path";
import type { AwsClientOptions } from "@app/aws/clients";
import { configFromJson } from "@app/core/config/index";
import type { LoglakeConfig } from "@app/core/config/types";
import { ConfigError } from "@app/core/errors";

/**
 * Reads the function's settings once, at cold start: the validated deployment config (`LOGLAKE_CONFIG`, JSON
 * written by the stack) and an optional endpoint for local emulators (`AWS_ENDPOINT_URL`). Throws `ConfigError`
 * naming the bad field, so a misconfigured function fails before it touches a message.
 */
export function loadFunctionConfig(env: NodeJS.ProcessEnv = process.env): {
  config: LoglakeConfig;
  aws: AwsClientOptions;
} {
  const json = env.LOGLAKE_CONFIG;
  if (json === undefined || json.trim() === "") {
    throw new ConfigError("LOGLAKE_CONFIG is not set: the stack must pass the resolved loglake config as JSON");
  }
  const config = configFromJson(json, "LOGLAKE_CONFIG");
  const endpoint = env.AWS_ENDPOINT_URL?.trim();
  if (endpoint && !/^https?:\/\/[^/]+/.test(endpoint)) {
    throw new ConfigError(`AWS_ENDPOINT_URL must be an http(s) URL, got "${endpoint}"`);
  }
  return { config, aws: { region: env.AWS_REGION ?? config.region, ...(endpoint ? { endpoint } : {}) } };
}

/**
 * Where the consumers send near-real-time alerts: the alerts topic (`ALERTS_TOPIC_ARN`; unset turns alerts off) and
 * the queries folder the `alert: true` detections are read from (`QUERIES_DIR`, default `queries/` next to the
 * handler).
 */
export function loadAlertSettings(env: NodeJS.ProcessEnv = process.env): { topicArn?: string; queriesDir: string } {
  const topicArn = env.ALERTS_TOPIC_ARN?.trim();
  if (topicArn && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+(\.fifo)?$/.test(topicArn))
    throw new ConfigError(`ALERTS_TOPIC_ARN must be an SNS topic ARN, got "${topicArn}"`);
  return { ...(topicArn ? { topicArn } : {}), queriesDir: env.QUERIES_DIR?.trim() || join(process.cwd(), "queries") };
}
