import { spawn } from "node:child_process";
import { type AuditSink, createAuditLogger, type EncodedEvent } from "@loglake/audit";
import { auditFlush, withAuditFlush } from "@loglake/audit/lambda";
import { auditingLogger } from "@loglake/audit/powertools";
import { stdoutSink } from "@loglake/audit/stdout";
import type { Context } from "aws-lambda";
import { describe, expect, it } from "vitest";

function memorySink() {
  const records: EncodedEvent["record"][] = [];
  const sink: AuditSink = {
    name: "memory",
    maxEventBytes: 100_000,
    async send(events) {
      records.push(...events.map((e) => e.record));
      return { retry: [], rejected: [] };
    },
  };
  return { sink, records };
}

const slow = { flushIntervalMs: 600_000 };
const context = { awsRequestId: "c0ffee-1", functionName: "checkout" } as Context;

describe("withAuditFlush", () => {
  it("sends what an invocation logged before it returns, and before it throws", async () => {
    // Prepare
    const m = memorySink();
    const audit = createAuditLogger({ service: "checkout", sinks: [m.sink], delivery: slow });
    const ok = withAuditFlush(audit, async (event: { action: string }) => {
      void audit.audit({ action: event.action, timestamp: "2026-01-01T00:00:00Z" });
      return "done";
    });
    const failing = withAuditFlush(audit, async () => {
      void audit.audit({ action: "refund", timestamp: "2026-01-01T00:00:00Z" });
      throw new Error("handler failed");
    });
    // Act
    const result = await ok({ action: "charge" }, context);
    const afterOk = m.records.map((r) => r.action);
    const error = await failing({}, context).catch((e: Error) => e.message);
    // Assess
    expect([result, afterOk, error, m.records.map((r) => r.action)]).toStrictEqual([
      "done",
      ["charge"],
      "handler failed",
      ["charge", "refund"],
    ]);
  });
});

describe("withAuditFlush near the deadline", () => {
  it("stops waiting for a stuck sink 500 ms before the invocation's deadline", async () => {
    // Prepare: a sink that never answers, and 530 ms left in the invocation.
    const stuck: AuditSink = { name: "stuck", maxEventBytes: 1_000, send: () => new Promise(() => {}) };
    const audit = createAuditLogger({ service: "checkout", sinks: [stuck], delivery: slow });
    const handler = withAuditFlush(audit, async () => {
      void audit.audit({ action: "charge", timestamp: "2026-01-01T00:00:00Z" });
      return "done";
    });
    // Act
    const result = await handler({}, { ...context, getRemainingTimeInMillis: () => 530 });
    // Assess
    expect([result, audit.health().sinks.stuck?.queued]).toStrictEqual(["done", 1]);
  });
});

describe("auditFlush", () => {
  it("flushes after the handler and on its error, as a middy middleware", async () => {
    // Prepare
    const m = memorySink();
    const audit = createAuditLogger({ service: "checkout", sinks: [m.sink], delivery: slow });
    const mw = auditFlush(audit);
    // Act
    void audit.auth({ action: "login", timestamp: "2026-01-01T00:00:00Z" });
    await mw.after();
    const afterHook = m.records.length;
    void audit.auth({ action: "logout", timestamp: "2026-01-01T00:00:00Z" });
    await mw.onError();
    // Assess
    expect([afterHook, m.records.map((r) => r.action)]).toStrictEqual([1, ["login", "logout"]]);
  });
});

describe("auditingLogger", () => {
  it("forwards Powertools log items that carry an audit key, with the Lambda request id", async () => {
    // Prepare
    const m = memorySink();
    const audit = createAuditLogger({ service: "unused", sinks: [m.sink], delivery: slow });
    const printed: string[] = [];
    const [out, err] = [process.stdout.write, process.stderr.write];
    const logger = auditingLogger(audit, { serviceName: "billing" });
    logger.addContext(context);
    // Act
    // Powertools prints through its own console on stdout and stderr (warnings).
    const capture = ((s: string) => printed.push(s) > 0) as typeof process.stdout.write;
    process.stdout.write = capture;
    process.stderr.write = capture;
    try {
      logger.info("signed in", { audit: { type: "auth", action: "login", user_id: "u-42", result: "success" } });
      logger.info("not an audit event");
      logger.createChild({ serviceName: "billing-child" }).warn("role granted", {
        audit: { type: "audit", action: "role.grant", user_id: "u-42" },
      });
    } finally {
      process.stdout.write = out;
      process.stderr.write = err;
    }
    await audit.flush();
    // Assess
    const times = [printed[0], printed[2]].map((l) => (JSON.parse(l ?? "") as { timestamp: string }).timestamp);
    expect(printed).toHaveLength(3);
    expect(m.records.map(({ timestamp, ...r }) => [timestamp, r])).toStrictEqual([
      [
        times[0],
        {
          service: "billing",
          level: "info",
          request_id: "c0ffee-1",
          type: "auth",
          action: "login",
          user_id: "u-42",
          result: "success",
          message: "signed in",
        },
      ],
      [
        times[1],
        {
          service: "billing-child",
          level: "warn",
          type: "audit",
          action: "role.grant",
          user_id: "u-42",
          message: "role granted",
          request_id: "c0ffee-1",
        },
      ],
    ]);
  });
});

describe("stdoutSink", () => {
  it("writes one JSON line per event", async () => {
    // Prepare
    const lines: string[] = [];
    const audit = createAuditLogger({ service: "fn", sinks: [stdoutSink({ write: (l) => lines.push(l) })] });
    // Act
    await audit.api({ action: "GET /", status_code: 200, timestamp: "2026-01-01T00:00:00Z" });
    await audit.api({ action: "GET /x", status_code: 404, timestamp: "2026-01-01T00:00:01Z" });
    await audit.close();
    // Assess
    expect(lines.join("")).toBe(
      '{"timestamp":"2026-01-01T00:00:00Z","service":"fn","level":"info","type":"api","action":"GET /","status_code":200}\n' +
        '{"timestamp":"2026-01-01T00:00:01Z","service":"fn","level":"info","type":"api","action":"GET /x","status_code":404}\n',
    );
  });
});

describe("flushOnSigterm", () => {
  /** Runs the fixture service, stops it with SIGTERM once ready, and returns its output and how it ended. */
  function stop(args: string[] = []): Promise<{ lines: string[]; signal: string | null }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", "tsx", "test/fixtures/audit/sigterm-service.ts", ...args], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString("utf8");
      });
      child.stderr.on("data", (d: Buffer) => {
        if (d.toString("utf8").includes("ready")) child.kill("SIGTERM");
      });
      child.on("error", reject);
      child.on("exit", (_, signal) => resolve({ lines: out.trimEnd().split("\n").filter(Boolean), signal }));
    });
  }

  it("sends what is queued, then lets SIGTERM end the process", async () => {
    const { lines, signal } = await stop();
    expect([lines.map((l) => (JSON.parse(l) as { action: string }).action), signal]).toStrictEqual([
      ["job.0", "job.1", "job.2"],
      "SIGTERM",
    ]);
  });

  it("does nothing once removed: the signal ends the process with the events still queued", async () => {
    expect(await stop(["--unhook"])).toStrictEqual({ lines: [], signal: "SIGTERM" });
  });
});
