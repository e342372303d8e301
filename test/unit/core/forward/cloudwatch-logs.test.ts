import { resolveConfig } from "@app/core/config/index";
import type { LogGroupDestination } from "@app/core/config/types";
import {
  appEventText,
  chunkLogEvents,
  forwardsEvent,
  isoToEpochMs,
  type LogEvent,
  logStreamName,
  sendableEvents,
  utf8Bytes,
} from "@app/core/forward/cloudwatch-logs";
import { appLineEvent } from "@app/core/sources/app-json/parse";
import { appEventsTable } from "@app/core/sources/app-json/schema";
import { cloudtrailTable } from "@app/core/sources/cloudtrail/schema";
import { PUT_LOG_EVENTS_LIMITS } from "@loglake/aws-limits";
import { describe, expect, it } from "vitest";

const T0 = Date.parse("2025-06-12T10:00:00.000Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const event = (timestamp: number, message = "{}"): LogEvent => ({ timestamp, message });
const shape = (chunks: LogEvent[][]) => chunks.map((c) => c.length);

function destination(fields: Record<string, unknown>): LogGroupDestination {
  const config = resolveConfig({
    env: "prod",
    destinations: [{ type: "cloudwatch_logs", name: "siem", logGroup: "/loglake/app", ...fields }],
  });
  return config.destinations[0] as LogGroupDestination;
}

describe("chunkLogEvents", () => {
  it("splits at 10,000 events a call", () => {
    // Prepare
    const events = Array.from({ length: 20_001 }, (_, i) => event(T0 + i));
    // Act
    const { chunks, tooLarge } = chunkLogEvents(events);
    // Assess
    expect([shape(chunks), tooLarge]).toStrictEqual([[10_000, 10_000, 1], 0]);
  });

  it("splits at 1,048,576 bytes a call, counting 26 bytes per event besides the message's UTF-8 bytes", () => {
    // Prepare: 1,024-byte events (998 bytes of message, 2 of them in one two-byte character) fill 1 MiB exactly.
    const message = `{"m":"é${"x".repeat(998 - 10)}"}`;
    const events = Array.from({ length: 1025 }, (_, i) => event(T0 + i, message));
    // Act
    const { chunks } = chunkLogEvents(events);
    // Assess
    expect([utf8Bytes(message), shape(chunks)]).toStrictEqual([998, [1024, 1]]);
    expect(chunks[0]?.reduce((n, e) => n + utf8Bytes(e.message) + 26, 0)).toBe(PUT_LOG_EVENTS_LIMITS.maxBatchBytes);
  });

  it("keeps a call within 24 hours from its first event to its last", () => {
    // Act
    const { chunks } = chunkLogEvents([event(T0), event(T0 + DAY - 1), event(T0 + DAY), event(T0 + 2 * DAY)]);
    // Assess
    expect(chunks.map((c) => c.map((e) => e.timestamp - T0))).toStrictEqual([[0, DAY - 1], [DAY], [2 * DAY]]);
  });

  it("sorts by time, keeping the order of events of one time, and counts events larger than CloudWatch takes", () => {
    // Prepare
    const huge = "x".repeat(PUT_LOG_EVENTS_LIMITS.maxEventBytes - 25);
    const events = [event(T0 + 2, "c"), event(T0, "a"), event(T0 + 1, huge), event(T0, "b")];
    // Act
    const result = chunkLogEvents(events);
    // Assess
    expect(result).toStrictEqual({ chunks: [[event(T0, "a"), event(T0, "b"), event(T0 + 2, "c")]], tooLarge: 1 });
  });

  it("gives the same calls for the same events, whatever the clock", () => {
    const events = Array.from({ length: 12_000 }, (_, i) => event(T0 + ((i * 7919) % 12_000) * 10_000));
    expect(chunkLogEvents(events)).toStrictEqual(chunkLogEvents([...events]));
  });
});

describe("sendableEvents", () => {
  it("counts events more than 14 days old, older than the group's retention, or more than 2 hours ahead", () => {
    // Prepare
    const chunk = [
      event(T0 - 14 * DAY - 1),
      event(T0 - 14 * DAY),
      event(T0 - 8 * DAY),
      event(T0 - 6 * DAY),
      event(T0 + 2 * HOUR),
      event(T0 + 2 * HOUR + 1),
    ];
    // Act
    const plain = sendableEvents(chunk, T0, undefined);
    const weekly = sendableEvents(chunk, T0, 7);
    // Assess
    expect(plain).toStrictEqual({
      events: [chunk[1], chunk[2], chunk[3], chunk[4]],
      skipped: { too_old: 1, too_new: 1 },
    });
    expect(weekly).toStrictEqual({ events: [chunk[3], chunk[4]], skipped: { too_old: 1, expired: 2, too_new: 1 } });
  });
});

describe("what is forwarded", () => {
  it("is the app event's own JSON text, exactly as read, at its event time in milliseconds", () => {
    // Prepare
    const text = '  {"timestamp":"2025-06-12T10:00:00.123456Z", "type":"auth",  "user":"é"}';
    const ev = appLineEvent(1, text);
    if (ev.kind !== "row") throw new Error("expected a row");
    // Act
    const forwarded = appEventText(ev.table, ev.row, ev.text);
    // Assess
    expect(forwarded).toStrictEqual({ timestamp: T0 + 123, message: text.trim(), type: "auth" });
    expect(appEventText(cloudtrailTable, ev.row, ev.text)).toBeUndefined();
    expect(appEventText(appEventsTable, ev.row, undefined)).toBeUndefined();
    expect(isoToEpochMs("2025-06-12T10:00:00Z")).toBe(T0);
  });

  it("goes to destinations that take its source and, when they name types, its type", () => {
    const all = destination({});
    const auth = destination({ sources: ["app_json"], types: ["auth", "audit"] });
    expect([
      all.sources,
      forwardsEvent(all, "cloudwatch_logs", null),
      forwardsEvent(auth, "app_json", "audit"),
      forwardsEvent(auth, "app_json", "api"),
      forwardsEvent(auth, "app_json", null),
      forwardsEvent(auth, "cloudwatch_logs", "auth"),
    ]).toStrictEqual([["cloudwatch_logs", "app_json"], true, true, false, false, false]);
  });

  it("names the stream after the source, or after the function instance", () => {
    expect([
      logStreamName(destination({}), "app_json", "2025/06/12/i-1"),
      logStreamName(destination({ logStream: "instance" }), "app_json", "2025/06/12/i-1"),
    ]).toStrictEqual(["app_json", "2025/06/12/i-1"]);
  });
});
