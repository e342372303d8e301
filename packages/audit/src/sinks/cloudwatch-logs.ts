import {
  type CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  type PutLogEventsCommandOutput,
  PutRetentionPolicyCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { PUT_LOG_EVENTS_LIMITS as LIMITS, type LogEventRejection, logEventRejection } from "@loglake/aws-limits";
import { type AuditSink, describeError, type EncodedEvent, isRetryable, type OutcomeBuilder } from "../sink.ts";
import { splitRequests } from "../split.ts";
import { type LogGroupSubscription, type SubscriptionResult, subscribeLogGroup } from "../subscription.ts";

export { type LogGroupSubscription, type SubscriptionResult, subscribeLogGroup } from "../subscription.ts";

export interface CloudWatchLogsSinkOptions {
  /** Same account, or another one through `crossAccountCredentials` (an assumed role with an ExternalId). */
  client: CloudWatchLogsClient;
  logGroupName: string;
  logStreamName: string;
  /**
   * Create the group and stream when missing. Retention and tags apply only to a group this sink creates;
   * `false` (the default) leaves a missing group or stream an error.
   */
  create?: false | { retentionInDays?: number; tags?: Record<string, string>; kmsKeyId?: string };
  /**
   * Attach the log group to a CloudWatch Logs destination (loglake's organization destination) with a subscription
   * filter, once the group is known to exist (after the first accepted PutLogEvents): see `subscribeLogGroup`.
   * Tried again on the next send only after a retryable failure; `onResult` hears the outcome. Absent: no filter.
   */
  subscription?: LogGroupSubscription & { onResult?: (result: SubscriptionResult) => void };
  name?: string;
  /** The clock the age limits are checked against. */
  now?: () => number;
}

/**
 * Sends each event's JSON as one log event, so metric filters and Logs Insights see the `app_events` fields.
 * Batches are sorted by time and split at the service's event, byte and 24-hour limits; events the service would
 * refuse for age are dropped before sending (`rejected`), and those it reports refused count the same way.
 */
export function cloudWatchLogsSink(opts: CloudWatchLogsSinkOptions): AuditSink {
  const now = opts.now ?? Date.now;
  const target = { logGroupName: opts.logGroupName, logStreamName: opts.logStreamName };
  let created = false;
  let delivered = false;
  let subscription: "pending" | "running" | "settled" = opts.subscription ? "pending" : "settled";

  async function subscribe(sub: NonNullable<CloudWatchLogsSinkOptions["subscription"]>): Promise<void> {
    subscription = "running";
    const result = await subscribeLogGroup(opts.client, opts.logGroupName, sub);
    subscription = !result.ok && result.retryable ? "pending" : "settled";
    try {
      sub.onResult?.(result);
    } catch {
      // A listener's failure must not reach the delivery of events.
    }
  }

  async function ensureTarget(): Promise<void> {
    const create = opts.create;
    if (!create) return;
    const groupMade = await opts.client
      .send(
        new CreateLogGroupCommand({
          logGroupName: opts.logGroupName,
          ...(create.tags ? { tags: create.tags } : {}),
          ...(create.kmsKeyId ? { kmsKeyId: create.kmsKeyId } : {}),
        }),
      )
      .then(
        () => true,
        (e: unknown) => alreadyExists(e),
      );
    if (groupMade === true && create.retentionInDays !== undefined) {
      await opts.client.send(
        new PutRetentionPolicyCommand({ logGroupName: opts.logGroupName, retentionInDays: create.retentionInDays }),
      );
    }
    await opts.client.send(new CreateLogStreamCommand(target)).catch((e: unknown) => alreadyExists(e));
    created = true;
  }

  async function put(batch: readonly EncodedEvent[], out: OutcomeBuilder): Promise<void> {
    const logEvents = batch.map((e) => ({ timestamp: e.timeMs, message: e.json }));
    let res: PutLogEventsCommandOutput;
    try {
      res = await opts.client.send(new PutLogEventsCommand({ ...target, logEvents }));
    } catch (e) {
      if ((e as Error).name === "ResourceNotFoundException" && opts.create && !created) {
        await ensureTarget().catch((err: unknown) => out.rejected.push(...refuse(batch, describeError(err))));
        if (created) return put(batch, out);
        return;
      }
      if (isRetryable(e)) {
        out.retry.push(...batch);
        out.retryReason = describeError(e);
      } else out.rejected.push(...refuse(batch, describeError(e)));
      return;
    }
    delivered = true;
    const info = res.rejectedLogEventsInfo;
    if (!info) return;
    batch.forEach((event, i) => {
      const reason = logEventRejection(info, i);
      if (reason) out.rejected.push({ event, reason: `CloudWatch Logs refused the event: ${REJECTION_TEXT[reason]}` });
    });
  }

  return {
    name: opts.name ?? "cloudwatch-logs",
    maxEventBytes: LIMITS.maxEventBytes - LIMITS.eventOverheadBytes,
    async send(events) {
      const out: OutcomeBuilder = { retry: [], rejected: [] };
      const t = now();
      const inWindow: EncodedEvent[] = [];
      for (const e of events) {
        if (e.timeMs < t - LIMITS.maxAgeMs) out.rejected.push({ event: e, reason: "older than 14 days" });
        else if (e.timeMs > t + LIMITS.maxFutureMs) out.rejected.push({ event: e, reason: "more than 2 hours ahead" });
        else inWindow.push(e);
      }
      inWindow.sort((a, b) => a.timeMs - b.timeMs);
      const limits = {
        maxEvents: LIMITS.maxEvents,
        maxBytes: LIMITS.maxBatchBytes,
        overheadBytes: LIMITS.eventOverheadBytes,
        maxSpanMs: LIMITS.maxSpanMs,
      };
      for (const batch of splitRequests(inWindow, limits)) await put(batch, out);
      if (opts.subscription && subscription === "pending" && delivered) await subscribe(opts.subscription);
      return out;
    },
  };
}

const REJECTION_TEXT: Readonly<Record<LogEventRejection, string>> = {
  too_new: "too new",
  too_old: "too old",
  expired: "older than the group's retention",
};

function alreadyExists(e: unknown): false {
  if ((e as Error).name === "ResourceAlreadyExistsException") return false;
  throw e;
}

function refuse(batch: readonly EncodedEvent[], reason: string) {
  return batch.map((event) => ({ event, reason }));
}
