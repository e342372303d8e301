import { DAY_MS, DIURNAL, isoMs, utcParts } from "../clock.ts";
import type { Rng } from "../random.ts";
import { DEMO, INCIDENT_COUNTS, INCIDENT_HOURS } from "./scenario.ts";

/** One application log event: the common fields first, then the event's own attributes. */
export type AppEvent = Record<string, unknown> & { timestamp: string };

const BROWSER_UAS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  "OrdersApp/3.2.1 (Android 14; Pixel 8)",
];

interface AppUser {
  id: string;
  ips: string[];
  userAgent: string;
  roles: string[];
}

const API_ROUTES: readonly (readonly [{ method: string; path: (rng: Rng) => string; ms: [number, number] }, number])[] =
  [
    [{ method: "GET", path: () => "/api/orders", ms: [18, 140] }, 30],
    [{ method: "GET", path: (rng) => `/api/orders/ord_${rng.int(100000, 999999)}`, ms: [8, 60] }, 25],
    [{ method: "POST", path: () => "/api/orders", ms: [40, 260] }, 12],
    [{ method: "GET", path: () => "/api/products", ms: [10, 90] }, 20],
    [{ method: "PATCH", path: (rng) => `/api/orders/ord_${rng.int(100000, 999999)}`, ms: [30, 180] }, 5],
    [{ method: "GET", path: () => DEMO.slowPath, ms: [2_400, 9_800] }, 3],
    [{ method: "GET", path: () => "/healthz", ms: [1, 4] }, 5],
  ];

/** Builds the auth, api and audit events of the two demo services. */
export class AppTraffic {
  readonly users: AppUser[];

  constructor(private readonly rng: Rng) {
    const users: AppUser[] = [];
    for (let i = 1001; i <= 1120; i++) {
      const net = DEMO.userNets[i % 2] as string;
      users.push({
        id: `u-${i}`,
        ips: [`${net}${20 + (i % 200)}`, `${net}${20 + ((i * 7) % 200)}`],
        userAgent: rng.pick(BROWSER_UAS),
        roles: i === 1003 ? ["admin"] : ["customer"],
      });
    }
    users.push({
      id: DEMO.bruteForcedUser,
      ips: [DEMO.officeIps[0]],
      userAgent: BROWSER_UAS[0] as string,
      roles: ["admin"],
    });
    this.users = users;
  }

  private requestId(): string {
    return `req_${this.rng.hex(20)}`;
  }

  auth(
    timeMs: number,
    user: AppUser | string,
    ip: string,
    userAgent: string,
    result: "success" | "failure",
    reason?: string,
  ): AppEvent {
    const userId = typeof user === "string" ? user : user.id;
    const ev: AppEvent = {
      timestamp: isoMs(timeMs),
      level: result === "success" ? "info" : "warn",
      type: "auth",
      service: DEMO.appServices.auth,
      user_id: userId,
      action: "login",
      result,
      ip_address: ip,
      user_agent: userAgent,
      request_id: this.requestId(),
      message: result === "success" ? `user ${userId} logged in` : `login failed for ${userId}: ${reason}`,
    };
    if (result === "success") {
      ev.session_id = `sess_${this.rng.hex(24)}`;
      ev.mfa = this.rng.chance(0.4);
    } else {
      ev.failure_reason = reason;
    }
    return ev;
  }

  api(timeMs: number, user: AppUser, forceStatus?: number, route?: { method: string; path: string }): AppEvent {
    const rng = this.rng;
    const r = rng.weighted(API_ROUTES);
    const method = route?.method ?? r.method;
    const path = route?.path ?? r.path(rng);
    let status = method === "POST" ? 201 : 200;
    if (forceStatus !== undefined) status = forceStatus;
    else if (rng.chance(0.02)) status = rng.pick([400, 401, 404, 409]);
    else if (rng.chance(0.002)) status = 500;
    const duration = status >= 500 ? rng.int(900, 30_000) : rng.int(r.ms[0], r.ms[1]) + rng.int(0, 999) / 1000;
    return {
      timestamp: isoMs(timeMs),
      level: status >= 500 ? "error" : status >= 400 ? "warn" : "info",
      type: "api",
      service: DEMO.appServices.api,
      user_id: user.id,
      ip_address: rng.pick(user.ips),
      user_agent: user.userAgent,
      request_id: this.requestId(),
      method,
      path,
      status_code: status,
      duration_ms: Math.round(duration * 1000) / 1000,
      message: `${method} ${path} ${status}`,
      bytes_out: status === 204 ? 0 : rng.int(120, 24_000),
      trace_id: rng.hex(32),
    };
  }

  audit(
    timeMs: number,
    service: string,
    actor: string,
    ip: string,
    action: string,
    attributes: Record<string, unknown>,
  ): AppEvent {
    return {
      timestamp: isoMs(timeMs),
      level: "info",
      type: "audit",
      service,
      user_id: actor,
      action,
      result: "success",
      ip_address: ip,
      request_id: this.requestId(),
      message: `${actor} ${action}`,
      ...attributes,
    };
  }

  user(id: string): AppUser {
    const u = this.users.find((x) => x.id === id);
    if (!u) throw new RangeError(`no demo user ${id}`);
    return u;
  }
}

/** One hour of events of both services, each list sorted by time. */
export function appHour(
  traffic: AppTraffic,
  rng: Rng,
  hourStartMs: number,
  lastDayMs: number,
): { auth: AppEvent[]; api: AppEvent[] } {
  const hour = new Date(hourStartMs).getUTCHours();
  const at = (fromMin: number, toMin: number) => hourStartMs + rng.int(fromMin * 60_000, toMin * 60_000 - 1);
  const auth: AppEvent[] = [];
  const api: AppEvent[] = [];
  const weight = DIURNAL[hour] ?? 6;
  // The attacked admin account appears only in the attack, so its failures stand out.
  const regulars = traffic.users.filter((u) => u.id !== DEMO.bruteForcedUser);

  for (let i = rng.around(weight * 2, 6); i > 0; i--) {
    const u = rng.pick(regulars);
    const ok = rng.chance(0.95);
    auth.push(
      traffic.auth(
        at(0, 60),
        u,
        rng.pick(u.ips),
        u.userAgent,
        ok ? "success" : "failure",
        ok ? undefined : "invalid_password",
      ),
    );
  }
  for (let i = rng.around(weight, 4); i > 0; i--) {
    const u = rng.pick(regulars);
    auth.push(
      traffic.audit(
        at(0, 60),
        DEMO.appServices.auth,
        u.id,
        rng.pick(u.ips),
        rng.pick(["logout", "token.refresh", "profile.update"]),
        {},
      ),
    );
  }
  for (let i = rng.around(weight * 5, 12); i > 0; i--) api.push(traffic.api(at(0, 60), rng.pick(regulars)));

  const dayIndex = Math.floor((hourStartMs - lastDayMs) / DAY_MS);
  if (dayIndex === -5 && hour === 10) {
    // An ordinary privilege change by the admin, so the report has a benign row too.
    const admin = traffic.user("u-1003");
    auth.push(
      traffic.audit(at(0, 60), DEMO.appServices.auth, admin.id, admin.ips[0] as string, "role.grant", {
        target_user_id: "u-1010",
        role: "support",
      }),
    );
  }
  if (dayIndex === 0) {
    if (hour === INCIDENT_HOURS.appBruteForceUser) {
      // Distributed password guessing against one account.
      for (let i = 0; i < INCIDENT_COUNTS.appBruteForceFailures; i++) {
        auth.push(
          traffic.auth(
            at(0, 30),
            DEMO.bruteForcedUser,
            `203.0.113.${100 + i}`,
            "python-requests/2.31.0",
            "failure",
            "invalid_password",
          ),
        );
      }
    }
    if (hour === INCIDENT_HOURS.appCredentialStuffing) {
      // Credential stuffing from one address across many accounts, ending in a takeover.
      for (let i = 0; i < INCIDENT_COUNTS.appStuffingFailures; i++) {
        const target = i % 4 === 3 ? `u-${9000 + i}` : `u-${1001 + ((i * 13) % 120)}`;
        const reason = target.startsWith("u-9") ? "unknown_user" : "invalid_password";
        auth.push(traffic.auth(at(0, 20), target, DEMO.bruteForceIp, "Go-http-client/1.1", "failure", reason));
      }
      const victim = DEMO.takenOverUser;
      const t = hourStartMs + 22 * 60_000;
      auth.push(traffic.auth(t, victim, DEMO.bruteForceIp, "Go-http-client/1.1", "success"));
      auth.push(
        traffic.audit(t + 3 * 60_000, DEMO.appServices.auth, victim, DEMO.bruteForceIp, "role.grant", {
          target_user_id: victim,
          role: "admin",
        }),
      );
      auth.push(
        traffic.audit(t + 6 * 60_000, DEMO.appServices.auth, victim, DEMO.bruteForceIp, "api_key.create", {
          key_id: `key_${rng.hex(16)}`,
          scopes: ["orders:read", "users:read"],
        }),
      );
      api.push(
        traffic.api(t + 9 * 60_000, { ...traffic.user(victim), ips: [DEMO.bruteForceIp] }, 200, {
          method: "GET",
          path: "/api/admin/users/export",
        }),
      );
    }
    if (hour === 10) {
      const u = traffic.user(DEMO.travellingUser);
      auth.push(traffic.auth(at(0, 60), u, DEMO.travellerNewIp, u.userAgent, "success"));
    }
    if (hour === INCIDENT_HOURS.app5xx) {
      for (let i = 0; i < INCIDENT_COUNTS.app5xx; i++) {
        api.push(
          traffic.api(at(10, 25), rng.pick(regulars), rng.pick([500, 502, 503]), {
            method: "POST",
            path: DEMO.errorSpikePath,
          }),
        );
      }
    }
  }
  const byTime = (a: AppEvent, b: AppEvent) => a.timestamp.localeCompare(b.timestamp);
  return { auth: auth.sort(byTime), api: api.sort(byTime) };
}

/** Path of an app log file: `app/<service>/YYYY/MM/DD/HH.jsonl.gz`. */
export function appKey(service: string, hourStartMs: number): string {
  const p = utcParts(hourStartMs);
  return `app/${service}/${p.yyyy}/${p.mm}/${p.dd}/${p.hh}.jsonl.gz`;
}

/** JSON lines text of a list of events. */
export function appFileText(events: readonly AppEvent[]): string {
  let out = "";
  for (const e of events) out += `${JSON.stringify(e)}\n`;
  return out;
}
