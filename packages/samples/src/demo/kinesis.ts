import type { Rng } from "../random.ts";
import type { CfRequest } from "./cloudfront.ts";
import { cloudfrontRealtimeLine } from "./cloudfront.ts";
import { DEMO } from "./scenario.ts";

/** One `logEvents[]` entry of a CloudWatch Logs subscription payload. */
export interface SubscriptionLogEvent {
  id: string;
  timestamp: number;
  message: string;
}

function eventId(rng: Rng): string {
  // CloudWatch Logs event ids are 56-digit decimal strings.
  return rng.chars(56, "0123456789").replace(/^0/, "3");
}

/** A `DATA_MESSAGE` payload (the JSON inside the gzip) carrying `messages` of one log group. */
export function subscriptionData(
  rng: Rng,
  opts: {
    logGroup: string;
    logStream: string;
    messages: readonly { timeMs: number; message: string }[];
    policyLevel?: string;
  },
): string {
  const payload: Record<string, unknown> = {
    messageType: "DATA_MESSAGE",
    owner: DEMO.accountId,
    logGroup: opts.logGroup,
    logStream: opts.logStream,
    subscriptionFilters: ["loglake-to-kinesis"],
    logEvents: opts.messages.map(
      (m): SubscriptionLogEvent => ({ id: eventId(rng), timestamp: m.timeMs, message: m.message }),
    ),
  };
  if (opts.policyLevel) payload.policyLevel = opts.policyLevel;
  return JSON.stringify(payload);
}

/** The `CONTROL_MESSAGE` CloudWatch Logs sends to check that a destination is reachable. */
export function subscriptionControl(timeMs: number): string {
  return JSON.stringify({
    messageType: "CONTROL_MESSAGE",
    owner: "CloudwatchLogs",
    logGroup: "",
    logStream: "",
    subscriptionFilters: [],
    logEvents: [
      { id: "", timestamp: timeMs, message: "CWL CONTROL MESSAGE: Checking health of destination Kinesis stream." },
    ],
  });
}

/** Real-time log records as Kinesis delivers them, one record per line. */
export function realtimeRecordsText(requests: readonly CfRequest[]): string {
  let out = "";
  for (const r of requests) out += `${cloudfrontRealtimeLine(r)}\n`;
  return out;
}
