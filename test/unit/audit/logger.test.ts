import {
  AuditEventError,
  type AuditSink,
  backoffDelay,
  createAuditLogger,
  type DeliveryOptions,
  type EncodedEvent,
  type SendOutcome,
} from "@loglake/audit";

import { describe, expect, it } from "vitest";

/** A destination in memory: records each call's actions, and answers with what `answer` says. */
function memorySink(
  answer: (events: readonly EncodedEvent[], call: number) => SendOutcome | Error = () => ({ retry: [], rejected: [] }),
  maxEventBytes = 10_000,
) {
  const calls: string[][] = [];
  const sink: AuditSink = {
    name: "memory",
    maxEventBytes,
    async send(events) {
      calls.push(events.map((e) => String(e.record.action)));
      const a = answer(events, calls.length);
      if (a instanceof Error) throw a;
      return a;
    },
  };
  return { sink, calls };
}

const quiet: Partial<DeliveryOptions> = { flushIntervalMs: 60_000, baseDelayMs: 1, maxDelayMs: 2 };
const event = (action: string) => ({ type: "audit" as const, action, timestamp: "2026-01-01T00:00:00Z" });
const throttled = () => Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });

describe("createAuditLogger", () => {
  it("sends full batches at once and the rest on flush, counting every event", async () => {
    // Prepare
    const m = memorySink();
    const audit = createAuditLogger({ service: "s", sinks: [m.sink], delivery: { ...quiet, maxBatchEvents: 2 } });
    // Act
    const accepted = await Promise.all(["a", "b", "c"].map((a) => audit.log(event(a))));
    await audit.flush();
    // Assess
    expect(accepted).toStrictEqual([true, true, true]);
    expect(m.calls).toStrictEqual([["a", "b"], ["c"]]);
    expect(audit.health()).toStrictEqual({
      accepted: 3,
      refused: { invalid: 0, redact_failed: 0 },
      redacted: {},
      sinks: {
        memory: {
          queued: 0,
          sent: 3,
          retried: 0,
          dropped: { overflow: 0, too_large: 0, rejected: 0, retries_exhausted: 0, closed: 0 },
          failedBatches: 0,
          lastError: null,
        },
      },
    });
  });

  it("sends a partial batch when the interval passes", async () => {
    // Prepare
    const m = memorySink();
    const audit = createAuditLogger({ service: "s", sinks: [m.sink], delivery: { ...quiet, flushIntervalMs: 10 } });
    // Act
    await audit.log(event("a"));
    for (let i = 0; i < 200 && m.calls.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    // Assess
    expect(m.calls).toStrictEqual([["a"]]);
    await audit.close();
  });

  it("retries only the entries a send handed back, then counts them sent", async () => {
    // Prepare: the first call throttles b and c, the second c again.
    const m = memorySink((events, call) => ({ retry: call < 3 ? events.slice(1) : [], rejected: [] }));
    const audit = createAuditLogger({ service: "s", sinks: [m.sink], delivery: quiet });
    // Act
    for (const a of ["a", "b", "c"]) await audit.log(event(a));
    await audit.flush();
    // Assess
    expect(m.calls).toStrictEqual([["a", "b", "c"], ["b", "c"], ["c"]]);
    expect(audit.health().sinks.memory).toMatchObject({ sent: 3, retried: 3, failedBatches: 0 });
  });

  it("retries a throttled call until it goes through", async () => {
    // Prepare
    const m = memorySink((_, call) => (call < 3 ? throttled() : { retry: [], rejected: [] }));
    const audit = createAuditLogger({ service: "s", sinks: [m.sink], delivery: quiet });
    // Act
    await audit.log(event("a"));
    await audit.flush();
    // Assess
    expect(m.calls).toStrictEqual([["a"], ["a"], ["a"]]);
    expect(audit.health().sinks.memory).toMatchObject({
      sent: 1,
      retried: 2,
      lastError: { message: "ThrottlingException: Rate exceeded" },
    });
  });

  it("drops a batch the service refuses for good, once, and tells onError", async () => {
    // Prepare
    const errors: string[] = [];
    const denied = Object.assign(new Error("not authorized"), { name: "AccessDeniedException" });
    const m = memorySink(() => denied);
    const audit = createAuditLogger({
      service: "s",
      sinks: [m.sink],
      delivery: quiet,
      onError: (e, info) => errors.push(`${info.sink} ${info.reason} ${info.events}: ${(e as Error).message}`),
    });
    // Act
    await audit.log(event("a"));
    await audit.log(event("b"));
    await audit.flush();
    // Assess
    expect(m.calls).toStrictEqual([["a", "b"]]);
    expect(errors).toStrictEqual(["memory rejected 2: not authorized"]);
    expect(audit.health().sinks.memory).toMatchObject({
      sent: 0,
      failedBatches: 1,
      dropped: { rejected: 2 },
      lastError: { message: "AccessDeniedException: not authorized" },
    });
  });

  it("gives up after maxAttempts sends and counts the events as retries_exhausted", async () => {
    // Prepare
    const m = memorySink(() => throttled());
    const audit = createAuditLogger({ service: "s", sinks: [m.sink], delivery: { ...quiet, maxAttempts: 3 } });
    // Act
    await audit.log(event("a"));
    await audit.flush();
    // Assess
    expect(m.calls).toHaveLength(3);
    expect(audit.health().sinks.memory).toMatchObject({
      sent: 0,
      retried: 2,
      failedBatches: 1,
      dropped: { retries_exhausted: 1 },
    });
  });

  it.each([
    ["drop-newest", ["a", "b", "c"], [true, true, true, false, false]],
    ["drop-oldest", ["c", "d", "e"], [true, true, true, true, true]],
  ] as const)("keeps a full queue bounded with %s, counting each drop", async (overflow, kept, accepted) => {
    // Prepare
    const m = memorySink();
    const audit = createAuditLogger({
      service: "s",
      sinks: [m.sink],
      delivery: { ...quiet, maxQueueEvents: 3, maxBatchEvents: 10, overflow },
    });
    // Act
    const got = [];
    for (const a of ["a", "b", "c", "d", "e"]) got.push(await audit.log(event(a)));
    await audit.flush();
    // Assess
    expect(got).toStrictEqual(accepted);
    expect(m.calls).toStrictEqual([kept]);
    expect(audit.health().sinks.memory).toMatchObject({ sent: 3, dropped: { overflow: 2 } });
  });

  it("lets a caller wait for room with the block policy, and drops after the timeout", async () => {
    // Prepare: the sink holds its first call until released.
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const calls: string[][] = [];
    const sink: AuditSink = {
      name: "slow",
      maxEventBytes: 10_000,
      async send(events) {
        calls.push(events.map((e) => String(e.record.action)));
        await gate;
        return { retry: [], rejected: [] };
      },
    };
    const audit = createAuditLogger({
      service: "s",
      sinks: [sink],
      delivery: { ...quiet, maxQueueEvents: 1, maxBatchEvents: 1, overflow: { block: { timeoutMs: 30 } } },
    });
    // Act: a is being sent, b fills the queue, c waits past its timeout; d waits and gets b's place.
    await audit.log(event("a"));
    await audit.log(event("b"));
    const c = await audit.log(event("c"));
    const d = audit.log(event("d"));
    release();
    const dQueued = await d;
    await audit.flush();
    // Assess
    expect([c, dQueued]).toStrictEqual([false, true]);
    expect(calls).toStrictEqual([["a"], ["b"], ["d"]]);
    expect(audit.health().sinks.slow).toMatchObject({ sent: 3, dropped: { overflow: 1 } });
  });

  it("counts an invalid event without throwing, unless strict", async () => {
    // Prepare
    const m = memorySink();
    const errors: unknown[] = [];
    const lenient = createAuditLogger({ service: "s", sinks: [m.sink], onError: (e) => errors.push(e) });
    const strict = createAuditLogger({ service: "s", sinks: [m.sink], strict: true });
    const bad = { type: "audit", action: "" } as const;
    // Act
    const accepted = await lenient.log(bad);
    // Assess
    expect(accepted).toBe(false);
    expect(lenient.health()).toMatchObject({ accepted: 0, refused: { invalid: 1 } });
    expect(errors.map((e) => (e as Error).message)).toStrictEqual(["invalid audit event: action: must not be empty"]);
    expect(() => strict.log(bad)).toThrow(AuditEventError);
    await Promise.all([lenient.close(), strict.close()]);
  });

  it("sends what the redactor returns, and never sends an event it failed on", async () => {
    // Prepare
    const m = memorySink();
    const sent: string[] = [];
    m.sink.send = async (events) => {
      sent.push(...events.map((e) => e.json));
      return { retry: [], rejected: [] };
    };
    const audit = createAuditLogger({
      service: "s",
      sinks: [m.sink],
      redact: {
        redactRecord(r) {
          if (r.action === "boom") throw new Error("redactor failed");
          return { value: { ...r, user_id: "***" } };
        },
      },
    });
    // Act
    await audit.audit({ action: "grant", user_id: "alice", timestamp: "2026-01-01T00:00:00Z" });
    await audit.audit({ action: "boom", user_id: "bob" });
    await audit.flush();
    // Assess
    expect(sent).toStrictEqual([
      '{"timestamp":"2026-01-01T00:00:00Z","service":"s","level":"info","type":"audit","action":"grant","user_id":"***"}',
    ]);
    expect(audit.health()).toMatchObject({ accepted: 1, refused: { invalid: 0, redact_failed: 1 } });
  });

  it("drops events larger than a sink takes, and everything after close", async () => {
    // Prepare
    const m = memorySink(undefined, 200);
    const audit = createAuditLogger({ service: "s", sinks: [m.sink], delivery: quiet });
    // Act
    await audit.log({ ...event("big"), message: "x".repeat(300) });
    await audit.log(event("a"));
    await audit.close();
    const late = await audit.log(event("late"));
    // Assess
    expect(late).toBe(false);
    expect(m.calls).toStrictEqual([["a"]]);
    expect(audit.health().sinks.memory).toMatchObject({ sent: 1, dropped: { too_large: 1, closed: 1 } });
  });

  it("keeps delivering when onError throws", async () => {
    // Prepare
    const m = memorySink((_, call) => (call === 1 ? new Error("fatal") : { retry: [], rejected: [] }));
    const audit = createAuditLogger({
      service: "s",
      sinks: [m.sink],
      delivery: quiet,
      onError: () => {
        throw new Error("handler bug");
      },
    });
    // Act
    await audit.log(event("a"));
    await audit.flush();
    await audit.log(event("b"));
    await audit.flush();
    // Assess
    expect(m.calls).toStrictEqual([["a"], ["b"]]);
  });
});

describe("backoffDelay", () => {
  it("draws from a window that doubles per retry up to the cap (full jitter)", () => {
    const opts = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, opts, () => 0.999))).toStrictEqual([
      99, 199, 399, 799, 999, 999,
    ]);
    expect([1, 2, 3].map((n) => backoffDelay(n, opts, () => 0))).toStrictEqual([0, 0, 0]);
  });
});
