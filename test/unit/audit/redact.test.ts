import { createHmac } from "node:crypto";
import { type AuditSink, createAuditLogger, type RedactOption } from "@loglake/audit";
import { RedactionRuleError } from "@loglake/redact";
import { describe, expect, it } from "vitest";

/** A destination in memory that keeps every record it was sent. */
function memorySink() {
  const records: Record<string, unknown>[] = [];
  const sink: AuditSink = {
    name: "memory",
    maxEventBytes: 10_000,
    async send(events) {
      records.push(...events.map((e) => JSON.parse(e.json) as Record<string, unknown>));
      return { retry: [], rejected: [] };
    },
  };
  return { sink, records };
}

const login = {
  action: "login",
  timestamp: "2026-01-01T00:00:00Z",
  user_id: "alice@example.com",
  message: "forwarded Bearer abcdefgh12345678 upstream",
  attributes: { password: "hunter2", note: "rotated AKIAIOSFODNN7EXAMPLE today", region: "eu-west-1" },
};
const sentAs = (r: Record<string, unknown>) => ({
  timestamp: "2026-01-01T00:00:00Z",
  service: "s",
  level: "info",
  type: "auth",
  action: "login",
  user_id: "alice@example.com",
  ...r,
  region: "eu-west-1",
});

async function send(redact: RedactOption | undefined) {
  const m = memorySink();
  const audit = createAuditLogger({ service: "s", sinks: [m.sink], ...(redact === undefined ? {} : { redact }) });
  await audit.auth(login);
  await audit.close();
  return { records: m.records, redacted: audit.health().redacted };
}

describe("audit redaction", () => {
  it("masks credentials by default: credential-named fields, access key ids in text, bearer tokens", async () => {
    // Act
    const out = await send(undefined);
    // Assess
    expect(out).toStrictEqual({
      records: [
        sentAs({
          message: "forwarded Bearer [REDACTED:bearer_token] upstream",
          password: "[REDACTED:secret_field]",
          note: "rotated [REDACTED:aws_access_key_id] today",
        }),
      ],
      redacted: { bearer_token: { mask: 1 }, secret_field: { mask: 1 }, aws_access_key_id: { mask: 1 } },
    });
  });

  it("sends everything unchanged with redact: false", async () => {
    // Act
    const out = await send(false);
    // Assess
    expect(out).toStrictEqual({
      records: [
        sentAs({
          message: "forwarded Bearer abcdefgh12345678 upstream",
          password: "hunter2",
          note: "rotated AKIAIOSFODNN7EXAMPLE today",
        }),
      ],
      redacted: {},
    });
  });

  it("adds PII rules after the credential rules", async () => {
    // Prepare
    const hmac = (t: string) => createHmac("sha256", "k".repeat(32)).update(t).digest("hex");
    // Act
    const out = await send({ rules: [{ path: "user_id", detect: "value", action: "hash" }], hmac });
    // Assess
    expect(out).toStrictEqual({
      records: [
        {
          ...sentAs({
            message: "forwarded Bearer [REDACTED:bearer_token] upstream",
            password: "[REDACTED:secret_field]",
            note: "rotated [REDACTED:aws_access_key_id] today",
          }),
          user_id: hmac("alice@example.com"),
        },
      ],
      redacted: {
        bearer_token: { mask: 1 },
        value: { hash: 1 },
        secret_field: { mask: 1 },
        aws_access_key_id: { mask: 1 },
      },
    });
  });

  it("replaces the default with a custom redactor function", async () => {
    // Act
    const out = await send((r) => ({ ...r, user_id: "***" }));
    // Assess
    expect(out).toStrictEqual({
      records: [
        sentAs({
          user_id: "***",
          message: "forwarded Bearer abcdefgh12345678 upstream",
          password: "hunter2",
          note: "rotated AKIAIOSFODNN7EXAMPLE today",
        }),
      ],
      redacted: {},
    });
  });

  it("refuses a bad rule when the logger is created", () => {
    // Act
    const create = () =>
      createAuditLogger({ service: "s", sinks: [], redact: { rules: [{ detect: "email", action: "hash" }] } });
    // Assess
    expect(create).toThrow(RedactionRuleError);
  });
});
