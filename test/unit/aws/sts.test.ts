import { makeS3Client } from "@app/aws/clients";
import { assumeRoleCredentials } from "@app/aws/sts";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/nested-clients/sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// There is no STS emulator: STS is mocked, and only STS. `fromTemporaryCredentials` builds its own client from the
// SDK's nested STS client class, so the class is mocked rather than an instance.
const mock = mockClient(STSClient);
const role = { roleArn: "arn:aws:iam::111122223333:role/w", externalId: "ext-1", sessionName: "s" };
const T0 = Date.parse("2025-06-12T10:00:00Z");

const creds = (id: string, expiresAt: number) => ({
  Credentials: { AccessKeyId: id, SecretAccessKey: "secret", SessionToken: `t-${id}`, Expiration: new Date(expiresAt) },
});

/** The credentials an S3 client built as the runtime builds a customer's resolves for each request it signs. */
function customerCredentials() {
  const s3 = makeS3Client({ region: "us-east-1", credentials: assumeRoleCredentials({ region: "us-east-1" }, role) });
  return () => s3.config.credentials();
}

beforeEach(() => {
  mock.reset();
  vi.useFakeTimers({ toFake: ["Date"], now: T0 });
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(() => {
  mock.restore();
});

describe("assumeRoleCredentials", () => {
  it("assumes the role with its ExternalId once and serves the cached credentials until near expiry", async () => {
    // Prepare
    mock
      .on(AssumeRoleCommand)
      .resolvesOnce(creds("A1", T0 + 3600_000))
      .resolvesOnce(creds("A2", T0 + 7200_000));
    const credentials = customerCredentials();
    // Act
    const first = await Promise.all([credentials(), credentials()]);
    vi.setSystemTime(T0 + 3000_000);
    const cached = await credentials();
    vi.setSystemTime(T0 + 3400_000);
    const refreshed = await credentials();
    // Assess
    expect([...first, cached, refreshed].map((c) => c.accessKeyId)).toStrictEqual(["A1", "A1", "A1", "A2"]);
    expect(refreshed.sessionToken).toBe("t-A2");
    expect(mock.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toStrictEqual([
      { RoleArn: role.roleArn, ExternalId: "ext-1", RoleSessionName: "s", DurationSeconds: 3600 },
      { RoleArn: role.roleArn, ExternalId: "ext-1", RoleSessionName: "s", DurationSeconds: 3600 },
    ]);
  });

  it("does not cache a failure: the next call tries again", async () => {
    // Prepare
    mock
      .on(AssumeRoleCommand)
      .rejectsOnce(Object.assign(new Error("throttled"), { name: "Throttling" }))
      .resolvesOnce(creds("B1", T0 + 3600_000));
    const credentials = customerCredentials();
    // Act
    const failed = await credentials().catch((e: Error) => e.message);
    const ok = await credentials();
    // Assess
    expect([failed, ok.accessKeyId]).toStrictEqual(["throttled", "B1"]);
  });

  it("names the session and asks for an hour unless told otherwise", async () => {
    // Prepare
    mock.on(AssumeRoleCommand).resolves(creds("C1", T0 + 3600_000));
    // Act
    await assumeRoleCredentials({ region: "us-east-1" }, { roleArn: role.roleArn, externalId: "ext-2" })();
    // Assess
    expect(mock.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toStrictEqual([
      { RoleArn: role.roleArn, ExternalId: "ext-2", RoleSessionName: "loglake-copy", DurationSeconds: 3600 },
    ]);
  });
});
