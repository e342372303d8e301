import {
  type CloudWatchLogsClient,
  DescribeSubscriptionFiltersCommand,
  PutSubscriptionFilterCommand,
  type SubscriptionFilter,
} from "@aws-sdk/client-cloudwatch-logs";
import { describeError, isRetryable } from "./sink.ts";

/** A subscription of a log group to a CloudWatch Logs destination of another account (loglake's, for one). */
export interface LogGroupSubscription {
  /** `arn:aws:logs:<region>:<account>:destination:<name>`: loglake's `organizationLogs.destinationArn` output. */
  destinationArn: string;
  /**
   * A role of this account that CloudWatch Logs assumes to check the sender (trusting `logs.amazonaws.com`, allowed
   * `logs:PutLogEvents`): required by a destination that admits an organization, as loglake's does.
   */
  roleArn?: string;
  /** Name of the filter; a filter of this name on the group is this subscription (default `loglake`). */
  filterName?: string;
  /** Which events are sent (default `""`: every event). */
  filterPattern?: string;
}

/** What attaching a log group did, or why it could not. */
export type SubscriptionResult =
  | { ok: true; action: "created" | "updated" | "unchanged" }
  | { ok: false; problem: string; retryable: boolean };

// A log group takes at most two subscription filters (PutSubscriptionFilter, CloudWatch Logs API reference).
const MAX_FILTERS = 2;
const DESTINATION_RE = /^arn:aws[a-z-]*:logs:([a-z0-9-]+):(\d{12}):destination:[^:*]+$/;

/**
 * Attaches a log group to a destination with `PutSubscriptionFilter`, idempotently: when the group already has the
 * filter as asked nothing is written (`unchanged`); a filter of the same name is brought up to date (`updated`);
 * a group holding two other filters is left alone. The destination must be in the client's region, as CloudWatch
 * Logs requires of subscribed log groups. Never throws: a refusal says what is missing.
 */
export async function subscribeLogGroup(
  client: CloudWatchLogsClient,
  logGroupName: string,
  sub: LogGroupSubscription,
): Promise<SubscriptionResult> {
  const refuse = (problem: string, retryable = false): SubscriptionResult => ({ ok: false, problem, retryable });
  const arn = DESTINATION_RE.exec(sub.destinationArn);
  if (!arn) return refuse(`${sub.destinationArn} is not a CloudWatch Logs destination ARN`);
  const region = await client.config.region().catch(() => undefined);
  if (region !== undefined && region !== arn[1])
    return refuse(
      `destination ${sub.destinationArn} is in ${arn[1]}, log group ${logGroupName} in ${region}: only log groups of the destination's region can subscribe`,
    );
  const wanted = {
    logGroupName,
    filterName: sub.filterName ?? "loglake",
    filterPattern: sub.filterPattern ?? "",
    destinationArn: sub.destinationArn,
    ...(sub.roleArn ? { roleArn: sub.roleArn } : {}),
  };

  let filters: SubscriptionFilter[];
  try {
    filters = (await client.send(new DescribeSubscriptionFiltersCommand({ logGroupName }))).subscriptionFilters ?? [];
  } catch (e) {
    return failed(e, `cannot read the subscription filters of ${logGroupName}`, sub);
  }
  const current = filters.find((f) => f.filterName === wanted.filterName);
  if (
    current &&
    current.destinationArn === wanted.destinationArn &&
    (current.filterPattern ?? "") === wanted.filterPattern &&
    current.roleArn === wanted.roleArn
  )
    return { ok: true, action: "unchanged" };
  if (!current && filters.length >= MAX_FILTERS)
    return refuse(
      `log group ${logGroupName} already has ${filters.length} subscription filters (${filters.map((f) => f.filterName).join(", ")}), the most CloudWatch Logs allows`,
    );
  try {
    await client.send(new PutSubscriptionFilterCommand(wanted));
  } catch (e) {
    return failed(e, `cannot subscribe ${logGroupName} to ${sub.destinationArn}`, sub);
  }
  return { ok: true, action: current ? "updated" : "created" };
}

function failed(e: unknown, what: string, sub: LogGroupSubscription): SubscriptionResult {
  const name = (e as Error).name;
  const hint =
    name === "AccessDeniedException"
      ? ": this identity needs logs:DescribeSubscriptionFilters and logs:PutSubscriptionFilter on the group and the destination, and iam:PassRole on the role; the destination's policy must admit this account's organization"
      : name === "ResourceNotFoundException"
        ? ": the log group does not exist"
        : name === "InvalidParameterException" && !sub.roleArn
          ? ": a destination that admits an organization needs roleArn"
          : "";
  // LimitExceededException here means too many filters on the group, which no retry changes.
  const retryable = name !== "LimitExceededException" && isRetryable(e);
  return { ok: false, problem: `${what}: ${describeError(e)}${hint}`, retryable };
}
