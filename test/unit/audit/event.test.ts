import { appLineEvent } from "@app/core/sources/app-json/parse";
import { appEventsTable } from "@app/core/sources/app-json/schema";
import { fieldPaths } from "@app/core/sources/mapping";
import { AuditEventError, COLUMN_FIELDS, RESERVED_FIELDS, toAuditRecord } from "@loglake/audit";
import { describe, expect, it } from "vitest";

const defaults = { service: "checkout", now: () => new Date("2026-03-04T05:06:07.089Z") };

/** The row loglake's app JSON parser makes of one record the library emits. */
function parsed(input: unknown) {
  const ev = appLineEvent(1, JSON.stringify(toAuditRecord(input, defaults)));
  return ev.kind === "row" ? ev.row : ev;
}

describe("toAuditRecord", () => {
  it("emits what loglake parses into app_events, every column filled and free attributes kept as written", () => {
    // Act
    const row = parsed({
      type: "api",
      action: "GET /orders",
      timestamp: "2026-01-01T10:00:00.123456Z",
      level: "warn",
      user_id: "u-1",
      result: "denied",
      ip_address: "2001:db8::1",
      user_agent: "curl/8.5",
      request_id: "req-1",
      method: "GET",
      path: "/orders",
      status_code: 403,
      duration_ms: 12.5,
      message: "no orders scope",
      attributes: { tenant: "acme", scopes: ["read"], quota: { left: 0 } },
    });
    // Assess
    expect(row).toStrictEqual({
      event_time: "2026-01-01T10:00:00.123456Z",
      level: "warn",
      type: "api",
      service: "checkout",
      user_id: "u-1",
      action: "GET /orders",
      result: "denied",
      ip_address: "2001:db8::1",
      user_agent: "curl/8.5",
      request_id: "req-1",
      method: "GET",
      path: "/orders",
      status_code: 403,
      duration_ms: 12.5,
      message: "no orders scope",
      attributes: '{"tenant":"acme","scopes":["read"],"quota":{"left":0}}',
    });
  });

  it("defaults the time to the clock, the level to info and the service to the logger's", () => {
    expect(parsed({ type: "auth", action: "login" })).toStrictEqual({
      event_time: "2026-03-04T05:06:07.089Z",
      level: "info",
      type: "auth",
      service: "checkout",
      user_id: null,
      action: "login",
      result: null,
      ip_address: null,
      user_agent: null,
      request_id: null,
      method: null,
      path: null,
      status_code: null,
      duration_ms: null,
      message: null,
      attributes: null,
    });
  });

  it("reserves exactly the field names the app_events columns read, so no attribute lands in a column", () => {
    // Prepare
    const columns = Object.keys(appEventsTable.columns).filter((c) => fieldPaths(appEventsTable, c).length > 0);
    const read = columns.flatMap((c) => fieldPaths(appEventsTable, c));
    // Assess
    expect([...RESERVED_FIELDS].sort()).toStrictEqual([...new Set(read)].sort());
    expect(COLUMN_FIELDS).toStrictEqual(columns.map((c) => fieldPaths(appEventsTable, c)[0]));
  });

  it("names every bad field in one error", () => {
    // Act
    const error = ((): unknown => {
      try {
        toAuditRecord(
          {
            type: "login",
            timestamp: "2026-01-01 10:00:00",
            ip_address: "300.1.1.1",
            status_code: 42,
            user: "u-1",
            attributes: { status: "ok", ip: "x" },
          },
          defaults,
        );
      } catch (e) {
        return e;
      }
      return undefined;
    })() as AuditEventError;
    // Assess
    expect(error).toBeInstanceOf(AuditEventError);
    expect(error.issues).toStrictEqual([
      'type: must be "auth", "api" or "audit"',
      "action: is required",
      "timestamp: must be ISO-8601 UTC (YYYY-MM-DDTHH:MM:SS[.ffffff]Z)",
      "ip_address: must be an IPv4 or IPv6 address",
      "status_code: must be an HTTP status code (an integer from 100 to 599)",
      "attributes: may not use a field name an app_events column reads (status, ip)",
      "user: unknown field (free fields go in attributes)",
    ]);
  });

  it("refuses a fraction finer than microseconds, which app_events would cut", () => {
    expect(() =>
      toAuditRecord({ type: "audit", action: "a", timestamp: "2026-01-01T00:00:00.1234567Z" }, defaults),
    ).toThrow("timestamp: must be ISO-8601 UTC");
  });
});
