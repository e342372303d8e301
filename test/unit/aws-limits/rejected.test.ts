import { type LogEventRejection, logEventRejection, type RejectedLogEventsInfo } from "@loglake/aws-limits";
import { describe, expect, it } from "vitest";

// Each case: what PutLogEvents answered for a call of 5 events, and the reason it gives each event (index 0..4).
const cases: [string, RejectedLogEventsInfo | undefined, (LogEventRejection | undefined)[]][] = [
  ["no rejectedLogEventsInfo", undefined, [undefined, undefined, undefined, undefined, undefined]],
  [
    "too new from index 3 (inclusive)",
    { tooNewLogEventStartIndex: 3 },
    [undefined, undefined, undefined, "too_new", "too_new"],
  ],
  [
    "too old before index 2 (exclusive)",
    { tooOldLogEventEndIndex: 2 },
    ["too_old", "too_old", undefined, undefined, undefined],
  ],
  [
    "too old end 0: none too old",
    { tooOldLogEventEndIndex: 0 },
    [undefined, undefined, undefined, undefined, undefined],
  ],
  ["expired before index 1", { expiredLogEventEndIndex: 1 }, ["expired", undefined, undefined, undefined, undefined]],
  [
    "too old and expired overlap: too old first",
    { tooOldLogEventEndIndex: 1, expiredLogEventEndIndex: 3, tooNewLogEventStartIndex: 4 },
    ["too_old", "expired", "expired", undefined, "too_new"],
  ],
];

describe("logEventRejection", () => {
  it.each(cases)("reads %s", (_what, info, reasons) => {
    expect([0, 1, 2, 3, 4].map((i) => logEventRejection(info, i))).toStrictEqual(reasons);
  });
});
