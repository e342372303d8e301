import { ConfigError } from "@app/core/errors";
import {
  type IngestRedaction,
  ingestRedaction,
  type RedactionSettings,
  redactionKeySource,
} from "@app/core/ingest/redaction";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { AwsClientOptions } from "./clients.ts";

/**
 * The HMAC key of `redaction.hmacKey`: the config's value, the named environment variable, or the SecretString of
 * the Secrets Manager secret (read once, at cold start). Throws `ConfigError` when it cannot be had, so a function
 * that would hash without a key never starts.
 */
export async function resolveRedactionKey(
  settings: RedactionSettings,
  opts: { env: NodeJS.ProcessEnv; aws: AwsClientOptions; client?: SecretsManagerClient },
): Promise<string | undefined> {
  const source = redactionKeySource(settings);
  if (source === undefined) return undefined;
  if (source.kind === "value") return source.value;
  if (source.kind === "env") {
    const key = opts.env[source.name];
    if (key === undefined || key.length < 32)
      throw new ConfigError(`redaction.hmacKey.env: ${source.name} must hold the HMAC key (at least 32 characters)`);
    return key;
  }
  const client =
    opts.client ??
    new SecretsManagerClient({
      ...(opts.aws.region ? { region: opts.aws.region } : {}),
      ...(opts.aws.endpoint ? { endpoint: opts.aws.endpoint } : {}),
      ...(opts.aws.credentials ? { credentials: opts.aws.credentials } : {}),
    });
  const out = await client.send(new GetSecretValueCommand({ SecretId: source.arn })).catch((e: unknown) => {
    throw new ConfigError(`redaction.hmacKey.secretArn: cannot read ${source.arn} (${(e as Error).message})`);
  });
  if (out.SecretString === undefined || out.SecretString.length < 32)
    throw new ConfigError(
      `redaction.hmacKey.secretArn: ${source.arn} must hold the key as a SecretString of at least 32 characters`,
    );
  return out.SecretString;
}

/** The ingest redaction of a config, its key resolved (see `resolveRedactionKey`). */
export async function configRedaction(
  settings: RedactionSettings,
  opts: { env: NodeJS.ProcessEnv; aws: AwsClientOptions },
): Promise<IngestRedaction | undefined> {
  return ingestRedaction(settings, await resolveRedactionKey(settings, opts));
}
