import { awsForward, cloudWatchLogsSender } from "@app/aws/cloudwatch-logs";
import { resolveConfig } from "@app/core/config/index";
import type { LogGroupDestination } from "@app/core/config/types";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
} from "@aws-sdk/client-cloudwatch-logs";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/nested-clients/sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";

// CloudWatch Logs has no local emulator here, and STS none either: both clients are mocked with aws-sdk-client-mock
// (the classes, since the sender and `fromTemporaryCredentials` build their own instances), and nothing else.
const logs = mockClient(CloudWatchLogsClient);
const sts = mockClient(STSClient);
const T0 = Date.parse("2025-06-12T10:00:00Z");
const events = [
  { timestamp: T0, message: '{"a":1}' },
  { timestamp: T0 + 1, message: '{"a":2}' },
  { timestamp: T0 + 2, message: '{"a":3}' },
];
const notFound = () => new ResourceNotFoundException({ message: "not found", $metadata: {} });

function config(fields: Record<string, unknown>) {
  return resolveConfig({
    env: "prod",
    region: "eu-west-1",
    destinations: [{ type: "cloudwatch_logs", name: "siem", logGroup: "/loglake/app", ...fields }],
  });
}
const dest = (fields: Record<string, unknown>) => config(fields).destinations[0] as LogGroupDestination;

beforeEach(() => {
  logs.reset();
  sts.reset();
});

afterAll(() => {
  logs.restore();
  sts.restore();
});

describe("cloudWatchLogsSender", () => {
  it("puts the events in order to the stream and counts what CloudWatch rejected, by reason", async () => {
    // Prepare
    logs
      .on(PutLogEventsCommand)
      .resolves({ rejectedLogEventsInfo: { tooOldLogEventEndIndex: 1, tooNewLogEventStartIndex: 2 } });
    const sender = cloudWatchLogsSender(() => new CloudWatchLogsClient({ region: "eu-west-1" }));
    // Act
    const rejected = await sender.put(dest({}), "app_json", events);
    // Assess
    expect(rejected).toStrictEqual({ too_old: 1, too_new: 1 });
    expect(logs.commandCalls(PutLogEventsCommand).map((c) => c.args[0].input)).toStrictEqual([
      { logGroupName: "/loglake/app", logStreamName: "app_json", logEvents: events },
    ]);
  });

  it("creates a missing group with its retention, then the stream, then puts again, when the destination allows", async () => {
    // Prepare
    logs.on(PutLogEventsCommand).rejectsOnce(notFound()).resolves({});
    logs.on(CreateLogStreamCommand).rejectsOnce(notFound()).resolves({});
    logs.on(CreateLogGroupCommand).rejects(new ResourceAlreadyExistsException({ message: "exists", $metadata: {} }));
    logs.on(PutRetentionPolicyCommand).resolves({});
    const sender = cloudWatchLogsSender(() => new CloudWatchLogsClient({ region: "eu-west-1" }));
    // Act
    await sender.put(dest({ createIfMissing: true, retentionDays: 30 }), "app_json", events);
    // Assess
    expect(logs.calls().map((c) => c.args[0].constructor.name)).toStrictEqual([
      "PutLogEventsCommand",
      "CreateLogStreamCommand",
      "CreateLogGroupCommand",
      "PutRetentionPolicyCommand",
      "CreateLogStreamCommand",
      "PutLogEventsCommand",
    ]);
    expect(logs.commandCalls(PutRetentionPolicyCommand)[0]?.args[0].input).toStrictEqual({
      logGroupName: "/loglake/app",
      retentionInDays: 30,
    });
  });

  it("creates only the stream, and fails on a missing group, when the destination does not create groups", async () => {
    // Prepare
    logs.on(PutLogEventsCommand).rejects(notFound());
    logs.on(CreateLogStreamCommand).rejects(notFound());
    const sender = cloudWatchLogsSender(() => new CloudWatchLogsClient({ region: "eu-west-1" }));
    // Act
    const error = await sender.put(dest({}), "app_json", events).catch((e: unknown) => (e as Error).name);
    // Assess
    expect(error).toBe("ResourceNotFoundException");
    expect(logs.commandCalls(CreateLogGroupCommand)).toStrictEqual([]);
  });
});

describe("awsForward", () => {
  it("writes to a log group in another account with the role assumed through STS with its ExternalId", async () => {
    // Prepare
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: "ASIAOTHER",
        SecretAccessKey: "secret",
        SessionToken: "token",
        Expiration: new Date(Date.now() + 3_600_000),
      },
    });
    logs.on(PutLogEventsCommand).resolves({});
    const c = config({
      roleArn: "arn:aws:iam::444455556666:role/loglake-logs",
      externalId: "siem-ext-1",
      region: "us-west-2",
    });
    const forward = awsForward({
      config: c,
      aws: { region: "eu-west-1" },
      claims: { claimed: async () => false, claim: async () => true },
    });
    // Act
    await forward?.sender.put(c.destinations[0] as LogGroupDestination, "app_json", events);
    // Assess: the mocked send signs nothing, so the client's credentials are resolved here, as a request would.
    const client = logs.commandCalls(PutLogEventsCommand)[0]?.thisValue as CloudWatchLogsClient;
    expect([await client.config.region(), (await client.config.credentials()).accessKeyId]).toStrictEqual([
      "us-west-2",
      "ASIAOTHER",
    ]);
    expect(sts.commandCalls(AssumeRoleCommand).map((x) => x.args[0].input)).toStrictEqual([
      {
        RoleArn: "arn:aws:iam::444455556666:role/loglake-logs",
        ExternalId: "siem-ext-1",
        RoleSessionName: "loglake-prod-siem",
        DurationSeconds: 3600,
      },
    ]);
  });

  it("builds nothing when no destination is a log group", () => {
    expect(
      awsForward({
        config: resolveConfig({ env: "prod", destinations: [{ name: "acme", bucket: "acme-logs" }] }),
        aws: {},
        claims: { claimed: async () => false, claim: async () => true },
      }),
    ).toBeUndefined();
  });
});
