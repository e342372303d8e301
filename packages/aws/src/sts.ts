import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { type AwsClientOptions, stsClientConfig } from "./clients.ts";

/**
 * Credentials of a cross-account role assumed with an ExternalId, through the SDK's `fromTemporaryCredentials`. The
 * client given them caches the result and assumes the role again five minutes before it expires; concurrent
 * requests share one AssumeRole call, and a failed call is not cached. `aws` configures the STS client the
 * provider builds (the function's own region, credentials, retries and timeouts).
 */
export function assumeRoleCredentials(
  aws: AwsClientOptions,
  role: { roleArn: string; externalId: string; sessionName?: string; durationSeconds?: number },
): AwsCredentialIdentityProvider {
  return fromTemporaryCredentials({
    params: {
      RoleArn: role.roleArn,
      ExternalId: role.externalId,
      RoleSessionName: role.sessionName ?? "loglake-copy",
      DurationSeconds: role.durationSeconds ?? 3600,
    },
    clientConfig: stsClientConfig(aws),
  });
}
