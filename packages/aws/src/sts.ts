import { AssumeRoleCommand, type STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

/** Refresh this long before expiry, so no request is signed with credentials about to lapse. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * A credential provider for a cross-account role assumed with an ExternalId. Credentials are cached until shortly
 * before they expire; concurrent callers share one AssumeRole call.
 */
export function assumeRoleCredentials(
  sts: STSClient,
  args: { roleArn: string; externalId: string; sessionName?: string; durationSeconds?: number },
  now: () => number = Date.now,
): AwsCredentialIdentityProvider {
  let cached: Promise<AwsCredentialIdentity> | undefined;
  let expiresAt = 0;
  return () => {
    if (cached && now() < expiresAt - REFRESH_MARGIN_MS) return cached;
    const pending = sts
      .send(
        new AssumeRoleCommand({
          RoleArn: args.roleArn,
          ExternalId: args.externalId,
          RoleSessionName: args.sessionName ?? "loglake-copy",
          DurationSeconds: args.durationSeconds ?? 3600,
        }),
      )
      .then((res) => {
        const c = res.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey || !c.Expiration) {
          throw new Error(`AssumeRole ${args.roleArn} returned no credentials`);
        }
        expiresAt = c.Expiration.getTime();
        return {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
          expiration: c.Expiration,
        };
      });
    // A failed call must not be cached: the next caller tries again.
    pending.catch(() => {
      if (cached === pending) cached = undefined;
    });
    cached = pending;
    // Until the call settles, callers share it.
    expiresAt = Number.POSITIVE_INFINITY;
    return pending;
  };
}
