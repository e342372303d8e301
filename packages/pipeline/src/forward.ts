import { logGroupDestinations } from "@app/core/config/destinations";
import type { LogGroupDestination, LoglakeConfig } from "@app/core/config/types";
import {
  type AppEventText,
  chunkLogEvents,
  type ForwardSkip,
  forwardsEvent,
  type LogEvent,
  logStreamName,
  sendableEvents,
} from "@app/core/forward/cloudwatch-logs";
import { forwardClaimKey } from "@app/core/lake-layout";
import type { SourceId } from "@app/core/sources/types";
import type { Log } from "./log.ts";

/** Sends events to CloudWatch Logs (PutLogEvents), creating the group and stream when the destination allows. */
export interface LogSender {
  /**
   * Sends one call's events (sorted, within the limits) to a stream of the destination's group. Returns the events
   * CloudWatch rejected, by reason; throws when the call failed.
   */
  put(
    dest: LogGroupDestination,
    stream: string,
    events: readonly LogEvent[],
  ): Promise<Partial<Record<ForwardSkip, number>>>;
}

/**
 * Claims of forwarded calls, the alert claims' mechanism (a marker written only when none exists: S3
 * `If-None-Match`, or O_EXCL files locally) plus a look-up, since a call is claimed after it was sent.
 */
export interface ForwardClaims {
  /** True when a marker exists for `key`. */
  claimed(key: string): Promise<boolean>;
  /** Writes the marker; false when one existed already. */
  claim(key: string, body: string): Promise<boolean>;
}

/** What the consumers need to forward app events to CloudWatch Logs. */
export interface ForwardRuntime {
  sender: LogSender;
  claims: ForwardClaims;
  /** The stream name of this function instance (for destinations with `logStream: "instance"`). */
  instance: string;
  now(): number;
}

/** What forwarding did for one destination. */
export interface ForwardTally {
  /** Events CloudWatch accepted. */
  sent: number;
  /** Events not sent, or rejected by CloudWatch, by reason (never silently). */
  skipped: Partial<Record<ForwardSkip, number>>;
  /** Events of calls that failed (the error is logged); their calls are not claimed, so a redelivery sends them. */
  failed: number;
  /** Events of calls an earlier delivery sent already (claimed), not sent again. */
  alreadySent: number;
  /** Events sent while another consumer sent the same call (its claim came first): duplicates in the group. */
  duplicated: number;
}

/** Forwarding tallies by destination name. */
export type ForwardCounts = Map<string, ForwardTally>;

/** An empty tally. */
export function emptyTally(): ForwardTally {
  return { sent: 0, skipped: {}, failed: 0, alreadySent: 0, duplicated: 0 };
}

/** Adds tallies into a running total. */
export function mergeForwardCounts(into: ForwardCounts, from: ForwardCounts): void {
  for (const [name, t] of from) {
    const total = into.get(name) ?? emptyTally();
    total.sent += t.sent;
    total.failed += t.failed;
    total.alreadySent += t.alreadySent;
    total.duplicated += t.duplicated;
    for (const [k, n] of Object.entries(t.skipped) as [ForwardSkip, number][])
      total.skipped[k] = (total.skipped[k] ?? 0) + n;
    into.set(name, total);
  }
}

function addSkips(t: ForwardTally, skipped: Partial<Record<ForwardSkip, number>>): void {
  for (const [k, n] of Object.entries(skipped) as [ForwardSkip, number][]) t.skipped[k] = (t.skipped[k] ?? 0) + n;
}

/**
 * Forwards the app events one input wrote to the lake (an S3 object, or a Kinesis run, named by `input`) to every
 * CloudWatch Logs destination that takes their source and type. Each PutLogEvents call is claimed after it
 * succeeded; a call already claimed is not sent again. A failed call is logged and counted, the destination's
 * remaining calls with it, and the other destinations go on: forwarding never fails the lake's rows. Only a
 * failure of the claims store throws (the input is then retried, like any lake I/O error).
 */
export async function forwardAppEvents(args: {
  forward: ForwardRuntime;
  config: LoglakeConfig;
  input: string;
  groups: readonly { source: SourceId; events: readonly AppEventText[] }[];
  log: Log;
}): Promise<ForwardCounts> {
  const counts: ForwardCounts = new Map();
  const { claims, sender } = args.forward;
  for (const dest of logGroupDestinations(args.config)) {
    const tally = emptyTally();
    let failed: unknown;
    for (const group of args.groups) {
      const picked = group.events.filter((e) => forwardsEvent(dest, group.source, e.type));
      if (picked.length === 0) continue;
      const { chunks, tooLarge } = chunkLogEvents(picked);
      if (tooLarge > 0) addSkips(tally, { too_large: tooLarge });
      const stream = logStreamName(dest, group.source, args.forward.instance);
      for (const [i, chunk] of chunks.entries()) {
        if (failed !== undefined) {
          tally.failed += chunk.length;
          continue;
        }
        const key = forwardClaimKey(dest.name, args.input, `${group.source}-${i}`);
        if (await claims.claimed(key)) {
          tally.alreadySent += chunk.length;
          continue;
        }
        const { events, skipped } = sendableEvents(chunk, args.forward.now(), dest.retentionDays);
        addSkips(tally, skipped);
        let rejected: Partial<Record<ForwardSkip, number>> = {};
        if (events.length > 0) {
          try {
            rejected = await sender.put(dest, stream, events);
          } catch (e) {
            failed = e;
            tally.failed += events.length;
            continue;
          }
        }
        const refused = Object.values(rejected).reduce((a, b) => a + b, 0);
        addSkips(tally, rejected);
        const body = JSON.stringify({
          destination: dest.name,
          input: args.input,
          call: i,
          stream,
          sent: events.length - refused,
        });
        if (await claims.claim(key, body)) tally.sent += events.length - refused;
        else {
          tally.duplicated += events.length - refused;
          args.log.warn("forwarded call was sent by another consumer too", { destination: dest.name, key });
        }
      }
    }
    if (failed !== undefined)
      args.log.error("forwarding to CloudWatch Logs failed", {
        destination: dest.name,
        logGroup: dest.logGroup,
        input: args.input,
        events: tally.failed,
        error: String(failed),
      });
    if (tally.sent + tally.failed + tally.alreadySent + tally.duplicated > 0 || Object.keys(tally.skipped).length > 0)
      counts.set(dest.name, tally);
  }
  return counts;
}
