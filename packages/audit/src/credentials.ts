import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";

export interface CrossAccountRole {
  /** The role in the account that owns the log group (or stream, or bucket). */
  roleArn: string;
  /** The secret the role's trust policy requires (`sts:ExternalId`), against the confused-deputy problem. */
  externalId: string;
  sessionName?: string;
  /** Region of the STS endpoint; the SDK's default otherwise. */
  region?: string;
}

/**
 * Credentials of an assumed role in another account, refreshed before they expire, for a sink's client:
 * `new CloudWatchLogsClient({ region, credentials: crossAccountCredentials({ roleArn, externalId }) })`.
 */
export function crossAccountCredentials(role: CrossAccountRole): ReturnType<typeof fromTemporaryCredentials> {
  return fromTemporaryCredentials({
    params: {
      RoleArn: role.roleArn,
      ExternalId: role.externalId,
      RoleSessionName: role.sessionName ?? "loglake-audit",
    },
    ...(role.region ? { clientConfig: { region: role.region } } : {}),
  });
}
