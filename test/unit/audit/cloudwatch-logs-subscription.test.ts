// CloudWatch Logs has no local emulator here: its client is mocked with aws-sdk-client-mock, and these tests
// assert the DescribeSubscriptionFilters and PutSubscriptionFilter requests that attach a log group to loglake's
// organization destination.
import {
  CloudWatchLogsClient,
  DescribeSubscriptionFiltersCommand,
  PutLogEventsCommand,
  PutSubscriptionFilterCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { createAuditLogger } from "@loglake/audit";
import { cloudWatchLogsSink, type SubscriptionResult, subscribeLogGroup } from "@loglake/audit/cloudwatch-logs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";

const cwl = mockClient(CloudWatchLogsClient);
const client = () => new CloudWatchLogsClient({ region: "eu-west-1" });
const GROUP = "/checkout/audit";
const DESTINATION = "arn:aws:logs:eu-west-1:123456789012:destination:loglake-production-logs";
const ROLE = "arn:aws:iam::210987654321:role/loglake-subscription";
const sub = { destinationArn: DESTINATION, roleArn: ROLE };
const filter = {
  logGroupName: GROUP,
  filterName: "loglake",
  filterPattern: "",
  destinationArn: DESTINATION,
  roleArn: ROLE,
};
const puts = () => cwl.commandCalls(PutSubscriptionFilterCommand).map((c) => c.args[0].input);
const error = (name: string, message: string) => Object.assign(new Error(message), { name });

afterEach(() => {
  cwl.reset();
});

describe("subscribeLogGroup", () => {
  it("creates the filter to the destination with the member's role when the group has none", async () => {
    // Prepare
    cwl.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [] });
    cwl.on(PutSubscriptionFilterCommand).resolves({});
    // Act
    const result = await subscribeLogGroup(client(), GROUP, sub);
    // Assess
    expect(result).toStrictEqual({ ok: true, action: "created" });
    expect(cwl.commandCalls(DescribeSubscriptionFiltersCommand).map((c) => c.args[0].input)).toStrictEqual([
      { logGroupName: GROUP },
    ]);
    expect(puts()).toStrictEqual([filter]);
  });

  it("writes nothing when the group already has the filter as asked, and updates a filter of its name that differs", async () => {
    cwl.on(DescribeSubscriptionFiltersCommand).resolves({
      subscriptionFilters: [{ ...filter, creationTime: 1, distribution: "ByLogStream" }],
    });
    cwl.on(PutSubscriptionFilterCommand).resolves({});
    expect(await subscribeLogGroup(client(), GROUP, sub)).toStrictEqual({ ok: true, action: "unchanged" });
    expect(puts()).toStrictEqual([]);

    const pattern = { ...sub, filterPattern: '{ $.type = "auth" }', filterName: "loglake" };
    expect(await subscribeLogGroup(client(), GROUP, pattern)).toStrictEqual({ ok: true, action: "updated" });
    expect(puts()).toStrictEqual([{ ...filter, filterPattern: '{ $.type = "auth" }' }]);
  });

  it("leaves a group holding two other filters alone, and refuses a destination of another region or no destination", async () => {
    // Prepare
    cwl.on(DescribeSubscriptionFiltersCommand).resolves({
      subscriptionFilters: [{ filterName: "siem" }, { filterName: "metrics" }],
    });
    // Act
    const results = [
      await subscribeLogGroup(client(), GROUP, sub),
      await subscribeLogGroup(client(), GROUP, { destinationArn: DESTINATION.replace("eu-west-1", "us-east-1") }),
      await subscribeLogGroup(client(), GROUP, { destinationArn: "arn:aws:kinesis:eu-west-1:123456789012:stream/s" }),
    ];
    // Assess
    expect(results).toStrictEqual([
      {
        ok: false,
        problem:
          "log group /checkout/audit already has 2 subscription filters (siem, metrics), the most CloudWatch Logs allows",
        retryable: false,
      },
      {
        ok: false,
        problem:
          "destination arn:aws:logs:us-east-1:123456789012:destination:loglake-production-logs is in us-east-1, log group /checkout/audit in eu-west-1: only log groups of the destination's region can subscribe",
        retryable: false,
      },
      {
        ok: false,
        problem: "arn:aws:kinesis:eu-west-1:123456789012:stream/s is not a CloudWatch Logs destination ARN",
        retryable: false,
      },
    ]);
    expect(puts()).toStrictEqual([]);
  });

  it("says what is missing when CloudWatch Logs refuses, and marks throttling retryable", async () => {
    // Prepare
    cwl.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [] });
    cwl
      .on(PutSubscriptionFilterCommand)
      .rejectsOnce(error("AccessDeniedException", "not authorized to perform logs:PutSubscriptionFilter"))
      .rejectsOnce(error("ThrottlingException", "Rate exceeded"))
      .rejectsOnce(error("InvalidParameterException", "Could not deliver test message to specified destination"));
    // Act
    const results = [
      await subscribeLogGroup(client(), GROUP, sub),
      await subscribeLogGroup(client(), GROUP, sub),
      await subscribeLogGroup(client(), GROUP, { destinationArn: DESTINATION }),
    ];
    // Assess
    const what = `cannot subscribe ${GROUP} to ${DESTINATION}`;
    expect(results).toStrictEqual([
      {
        ok: false,
        problem: `${what}: AccessDeniedException: not authorized to perform logs:PutSubscriptionFilter: this identity needs logs:DescribeSubscriptionFilters and logs:PutSubscriptionFilter on the group and the destination, and iam:PassRole on the role; the destination's policy must admit this account's organization`,
        retryable: false,
      },
      { ok: false, problem: `${what}: ThrottlingException: Rate exceeded`, retryable: true },
      {
        ok: false,
        problem: `${what}: InvalidParameterException: Could not deliver test message to specified destination: a destination that admits an organization needs roleArn`,
        retryable: false,
      },
    ]);
  });
});

describe("cloudWatchLogsSink with a subscription", () => {
  const event = { type: "audit" as const, action: "role.grant", timestamp: "2026-05-01T10:00:00.000Z" };
  const delivery = { flushIntervalMs: 60_000, baseDelayMs: 1, maxDelayMs: 2 };
  const now = () => Date.parse("2026-05-01T10:05:00Z");

  it("attaches its log group once, after the group took events, and reports the outcome", async () => {
    // Prepare
    cwl.on(PutLogEventsCommand).resolves({});
    cwl.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [] });
    cwl.on(PutSubscriptionFilterCommand).resolves({});
    const heard: SubscriptionResult[] = [];
    const sink = cloudWatchLogsSink({
      client: client(),
      logGroupName: GROUP,
      logStreamName: "api",
      subscription: { ...sub, onResult: (r) => heard.push(r) },
      now,
    });
    const audit = createAuditLogger({ service: "checkout", sinks: [sink], delivery });
    // Act
    await audit.log(event);
    await audit.flush();
    await audit.log(event);
    await audit.close();
    // Assess
    expect(cwl.commandCalls(PutLogEventsCommand).length).toBe(2);
    expect([heard, puts()]).toStrictEqual([[{ ok: true, action: "created" }], [filter]]);
  });

  it("tries again on the next send after throttling, and never before the group took events", async () => {
    // Prepare
    cwl
      .on(PutLogEventsCommand)
      .rejectsOnce(error("ResourceNotFoundException", "The specified log group does not exist."))
      .resolves({});
    cwl.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [] });
    cwl.on(PutSubscriptionFilterCommand).rejectsOnce(error("ThrottlingException", "Rate exceeded")).resolves({});
    const heard: SubscriptionResult[] = [];
    const sink = cloudWatchLogsSink({
      client: client(),
      logGroupName: GROUP,
      logStreamName: "api",
      subscription: { ...sub, onResult: (r) => heard.push(r) },
      now,
    });
    const audit = createAuditLogger({ service: "checkout", sinks: [sink], delivery });
    // Act
    for (let i = 0; i < 3; i++) {
      await audit.log(event);
      await audit.flush();
    }
    await audit.close();
    // Assess: the first event was refused (no group, no create), so nothing was subscribed with it.
    expect(heard).toStrictEqual([
      {
        ok: false,
        problem: `cannot subscribe ${GROUP} to ${DESTINATION}: ThrottlingException: Rate exceeded`,
        retryable: true,
      },
      { ok: true, action: "created" },
    ]);
    expect(puts()).toStrictEqual([filter, filter]);
    expect(audit.health().sinks["cloudwatch-logs"]?.dropped.rejected).toBe(1);
  });
});
