// CloudWatch Logs has no local emulator here: its client is mocked with aws-sdk-client-mock, and these tests
// assert the requests the sink makes against the PutLogEvents limits.
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  type PutLogEventsCommandInput,
  PutRetentionPolicyCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/nested-clients/sts";
import { createAuditLogger, crossAccountCredentials } from "@loglake/audit";
import { cloudWatchLogsSink } from "@loglake/audit/cloudwatch-logs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";

const T0 = Date.parse("2026-05-01T00:00:00Z");
const HOUR = 3_600_000;
const cwl = mockClient(CloudWatchLogsClient);
const target = { logGroupName: "/checkout/audit", logStreamName: "api" };
// Large batches, so the sink's own splitting is what shows.
const delivery = {
  maxBatchEvents: 20_000,
  maxBatchBytes: 64 * 1024 * 1024,
  maxQueueEvents: 50_000,
  flushIntervalMs: 60_000,
  baseDelayMs: 1,
  maxDelayMs: 2,
};

function logger(opts: Partial<Parameters<typeof cloudWatchLogsSink>[0]> = {}) {
  const sink = cloudWatchLogsSink({
    client: new CloudWatchLogsClient({}),
    ...target,
    now: () => T0 + 25 * HOUR,
    ...opts,
  });
  return createAuditLogger({ service: "checkout", sinks: [sink], delivery });
}

const at = (ms: number, extra: Record<string, unknown> = {}) => ({
  type: "audit" as const,
  action: "role.grant",
  timestamp: new Date(ms).toISOString(),
  ...extra,
});
const puts = () => cwl.commandCalls(PutLogEventsCommand).map((c) => c.args[0].input as PutLogEventsCommandInput);

afterEach(() => {
  cwl.reset();
});

describe("cloudWatchLogsSink", () => {
  it("splits at 10,000 events per PutLogEvents call", async () => {
    // Prepare: events small enough that 10,001 of them stay under the byte limit (no app_events record is).
    cwl.on(PutLogEventsCommand).resolves({});
    const sink = cloudWatchLogsSink({ client: new CloudWatchLogsClient({}), ...target, now: () => T0 });
    const events = Array.from({ length: 10_001 }, (_, i) => {
      const json = `{"n":${i}}`;
      return { record: { timestamp: new Date(T0).toISOString() }, json, bytes: json.length, timeMs: T0 };
    });
    // Act
    const outcome = await sink.send(events);
    // Assess
    expect(outcome).toStrictEqual({ retry: [], rejected: [] });
    expect(puts().map((p) => [p.logGroupName, p.logStreamName, p.logEvents?.length])).toStrictEqual([
      ["/checkout/audit", "api", 10_000],
      ["/checkout/audit", "api", 1],
    ]);
  });

  it("splits at 1,048,576 bytes per call, counting 26 bytes per event", async () => {
    // Prepare: 25 events of about 100 KB; ten fit a call (10 × (100,000 + overhead) < 1 MiB), eleven do not.
    cwl.on(PutLogEventsCommand).resolves({});
    const audit = logger();
    // Act
    for (let i = 0; i < 25; i++) void audit.log(at(T0 + i, { attributes: { blob: "x".repeat(100_000) } }));
    await audit.flush();
    // Assess
    const sizes = puts().map((p) =>
      (p.logEvents ?? []).reduce((n, e) => n + Buffer.byteLength(e.message ?? "") + 26, 0),
    );
    expect(puts().map((p) => p.logEvents?.length)).toStrictEqual([10, 10, 5]);
    expect(sizes.every((s) => s <= 1_048_576)).toBe(true);
    const one = Buffer.byteLength(puts()[0]?.logEvents?.[0]?.message ?? "") + 26;
    expect(one * 11).toBeGreaterThan(1_048_576);
  });

  it("sends events in time order and never lets one call span 24 hours or more", async () => {
    // Prepare
    cwl.on(PutLogEventsCommand).resolves({});
    const audit = logger();
    // Act: out of order, spanning 24 h and one millisecond.
    for (const t of [T0 + 12 * HOUR, T0 + 24 * HOUR + 1, T0, T0 + 24 * HOUR]) void audit.log(at(t));
    await audit.flush();
    // Assess
    expect(puts().map((p) => p.logEvents?.map((e) => e.timestamp))).toStrictEqual([
      [T0, T0 + 12 * HOUR],
      [T0 + 24 * HOUR, T0 + 24 * HOUR + 1],
    ]);
    expect(JSON.parse(puts()[0]?.logEvents?.[0]?.message ?? "")).toStrictEqual({
      timestamp: "2026-05-01T00:00:00.000Z",
      service: "checkout",
      level: "info",
      type: "audit",
      action: "role.grant",
    });
  });

  it("drops events older than 14 days or more than 2 hours ahead before sending, and those the service refuses", async () => {
    // Prepare: the service refuses the last event it is sent as too new.
    cwl.on(PutLogEventsCommand).resolves({ rejectedLogEventsInfo: { tooNewLogEventStartIndex: 1 } });
    const now = T0 + 25 * HOUR;
    const audit = logger();
    // Act
    for (const t of [now - 14 * 24 * HOUR - 1, now + 2 * HOUR + 1, now - 1, now + HOUR]) void audit.log(at(t));
    await audit.flush();
    // Assess
    expect(puts().map((p) => p.logEvents?.map((e) => e.timestamp))).toStrictEqual([[now - 1, now + HOUR]]);
    expect(audit.health().sinks["cloudwatch-logs"]).toMatchObject({ sent: 1, dropped: { rejected: 3 } });
  });

  it("creates a missing group with its tags and retention, then its stream, and sends", async () => {
    // Prepare
    cwl
      .on(PutLogEventsCommand)
      .rejectsOnce(
        Object.assign(new Error("The specified log group does not exist."), { name: "ResourceNotFoundException" }),
      )
      .resolves({});
    cwl.on(CreateLogGroupCommand).resolves({});
    cwl.on(PutRetentionPolicyCommand).resolves({});
    cwl.on(CreateLogStreamCommand).resolves({});
    const audit = logger({ create: { retentionInDays: 400, tags: { team: "payments" } } });
    // Act
    await audit.log(at(T0));
    await audit.flush();
    // Assess
    expect(cwl.calls().map((c) => [c.args[0].constructor.name, c.args[0].input])).toStrictEqual([
      ["PutLogEventsCommand", { ...target, logEvents: [{ timestamp: T0, message: expect.any(String) }] }],
      ["CreateLogGroupCommand", { logGroupName: "/checkout/audit", tags: { team: "payments" } }],
      ["PutRetentionPolicyCommand", { logGroupName: "/checkout/audit", retentionInDays: 400 }],
      ["CreateLogStreamCommand", target],
      ["PutLogEventsCommand", { ...target, logEvents: [{ timestamp: T0, message: expect.any(String) }] }],
    ]);
    expect(audit.health().sinks["cloudwatch-logs"]).toMatchObject({ sent: 1, failedBatches: 0 });
  });

  it("leaves an existing group's retention alone and only creates the stream", async () => {
    // Prepare
    cwl
      .on(PutLogEventsCommand)
      .rejectsOnce(
        Object.assign(new Error("The specified log stream does not exist."), { name: "ResourceNotFoundException" }),
      )
      .resolves({});
    cwl
      .on(CreateLogGroupCommand)
      .rejects(Object.assign(new Error("exists"), { name: "ResourceAlreadyExistsException" }));
    cwl.on(CreateLogStreamCommand).resolves({});
    const audit = logger({ create: { retentionInDays: 400 } });
    // Act
    await audit.log(at(T0));
    await audit.flush();
    // Assess
    expect(cwl.calls().map((c) => c.args[0].constructor.name)).toStrictEqual([
      "PutLogEventsCommand",
      "CreateLogGroupCommand",
      "CreateLogStreamCommand",
      "PutLogEventsCommand",
    ]);
  });

  it("refuses a missing group when creating is not allowed", async () => {
    // Prepare
    cwl
      .on(PutLogEventsCommand)
      .rejects(
        Object.assign(new Error("The specified log group does not exist."), { name: "ResourceNotFoundException" }),
      );
    const audit = logger();
    // Act
    await audit.log(at(T0));
    await audit.flush();
    // Assess
    expect(cwl.calls()).toHaveLength(1);
    expect(audit.health().sinks["cloudwatch-logs"]).toMatchObject({
      dropped: { rejected: 1 },
      lastError: { message: "Error: ResourceNotFoundException: The specified log group does not exist." },
    });
  });

  it("retries a throttled call with backoff until it goes through", async () => {
    // Prepare
    const throttled = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
    cwl.on(PutLogEventsCommand).rejectsOnce(throttled).rejectsOnce(throttled).resolves({});
    const audit = logger();
    // Act
    await audit.log(at(T0));
    await audit.flush();
    // Assess
    expect(puts()).toHaveLength(3);
    expect(audit.health().sinks["cloudwatch-logs"]).toMatchObject({ sent: 1, retried: 2, failedBatches: 0 });
  });
});

describe("crossAccountCredentials", () => {
  // STS has no emulator either; `fromTemporaryCredentials` builds its client from the SDK's nested STS class.
  const sts = mockClient(STSClient);

  it("assumes the role with its ExternalId and hands the client those credentials", async () => {
    // Prepare
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: "ASIALOGS",
        SecretAccessKey: "secret",
        SessionToken: "token",
        Expiration: new Date(Date.now() + HOUR),
      },
    });
    const client = new CloudWatchLogsClient({
      region: "eu-west-1",
      credentials: crossAccountCredentials({
        roleArn: "arn:aws:iam::444455556666:role/audit-writer",
        externalId: "checkout-7f3e",
        region: "eu-west-1",
      }),
    });
    // Act
    const creds = await client.config.credentials();
    // Assess
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toStrictEqual([
      {
        RoleArn: "arn:aws:iam::444455556666:role/audit-writer",
        ExternalId: "checkout-7f3e",
        RoleSessionName: "loglake-audit",
      },
    ]);
    expect([creds.accessKeyId, creds.sessionToken]).toStrictEqual(["ASIALOGS", "token"]);
  });
});
