import { assumeRoleCredentials } from "@app/aws/sts";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";

// There is no STS emulator: the client is mocked, and only the client.
const sts = new STSClient({ region: "us-east-1" });
const mock = mockClient(sts);
const args = { roleArn: "arn:aws:iam::111122223333:role/w", externalId: "ext-1", sessionName: "s" };

const creds = (id: string, expiresAt: number) => ({
  Credentials: { AccessKeyId: id, SecretAccessKey: "secret", SessionToken: `t-${id}`, Expiration: new Date(expiresAt) },
});

beforeEach(() => {
  mock.reset();
});

describe("assumeRoleCredentials", () => {
  it("assumes the role with its ExternalId once and serves the cached credentials until near expiry", async () => {
    // Prepare
    let now = 1_000_000;
    mock
      .on(AssumeRoleCommand)
      .resolvesOnce(creds("A1", now + 3600_000))
      .resolvesOnce(creds("A2", now + 7200_000));
    const provider = assumeRoleCredentials(sts, args, () => now);
    // Act
    const first = await Promise.all([provider(), provider()]);
    now += 3000_000;
    const cached = await provider();
    now += 400_000;
    const refreshed = await provider();
    // Assess
    expect([...first, cached, refreshed].map((c) => c.accessKeyId)).toStrictEqual(["A1", "A1", "A1", "A2"]);
    expect(refreshed.sessionToken).toBe("t-A2");
    expect(mock.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toStrictEqual([
      { RoleArn: args.roleArn, ExternalId: "ext-1", RoleSessionName: "s", DurationSeconds: 3600 },
      { RoleArn: args.roleArn, ExternalId: "ext-1", RoleSessionName: "s", DurationSeconds: 3600 },
    ]);
  });

  it("does not cache a failure: the next call tries again", async () => {
    // Prepare
    mock
      .on(AssumeRoleCommand)
      .rejectsOnce(Object.assign(new Error("throttled"), { name: "Throttling" }))
      .resolvesOnce(creds("B1", Date.now() + 3600_000));
    const provider = assumeRoleCredentials(sts, args);
    // Act
    const failed = await provider().catch((e: Error) => e.message);
    const ok = await provider();
    // Assess
    expect([failed, ok.accessKeyId]).toStrictEqual(["throttled", "B1"]);
  });
});
