import { createHash, createPublicKey, verify } from "node:crypto";
import { type IngestSummary, ingestObject } from "@app/core/ingest/pipeline";
import { SOURCES } from "@app/core/sources/index";
import { DEMO, type DemoFile, demoFiles, INCIDENT_COUNTS } from "@app/samples/demo/index";
import { DEMO_TRAIL_PUBLIC_KEY } from "@app/samples/demo/trail-key";
import { beforeAll, describe, expect, it } from "vitest";

type Row = Record<string, unknown>;

const LAST_DAY = "2025-06-12";
const encoder = new TextEncoder();

interface Parsed {
  files: DemoFile[];
  summaries: Map<string, IngestSummary>;
  rows: Record<string, Row[]>;
}

/** Every demo file through the real registry, as `loglake ingest` would read it, rows collected per table. */
async function parseAll(): Promise<Parsed> {
  const files = demoFiles();
  const rows: Record<string, Row[]> = {};
  const summaries = new Map<string, IngestSummary>();
  for (const f of files) {
    const bytes = encoder.encode(f.contents);
    const summary = await ingestObject({
      sources: SOURCES,
      // Chunks cut mid-line, as streamed decompression delivers them.
      bytes: (async function* () {
        for (let i = 0; i < bytes.length; i += 65_521) yield bytes.subarray(i, i + 65_521);
      })(),
      // `loglake demo` writes the files under a directory and ingests them by absolute path.
      context: { key: `/srv/loglake-demo/logs/${f.path}`, options: {} },
      lineage: { sourceObject: f.path, ingestTime: "2025-06-13T00:00:00Z" },
      sink: {
        write(table, row) {
          rows[table.name] ??= [];
          rows[table.name]?.push(row);
        },
      },
    });
    summaries.set(f.path, summary);
  }
  return { files, summaries, rows };
}

const SLOW = 120_000;
let parsed: Parsed;
beforeAll(async () => {
  parsed = await parseAll();
}, SLOW);

const table = (name: string): Row[] => parsed.rows[name] ?? [];
const count = (rows: Row[], pred: (r: Row) => boolean) => rows.filter(pred).length;
const onLastDay = (r: Row) => String(r.event_time).startsWith(LAST_DAY);
const hourOf = (r: Row) => Number(String(r.event_time).slice(11, 13));
const json = (v: unknown): Record<string, unknown> =>
  (typeof v === "string" ? JSON.parse(v) : {}) as Record<string, unknown>;

describe("demo data through the real parsers", () => {
  it("is detected as the intended source and quarantines only the deliberate bad records", () => {
    const problems: string[] = [];
    for (const f of parsed.files) {
      const s = parsed.summaries.get(f.path) as IngestSummary;
      const quarantined = Object.values(s.quarantined).reduce((a, b) => a + (b ?? 0), 0);
      const rows = Object.values(s.rows).reduce((a, b) => a + b, 0);
      if (s.source !== f.source || quarantined !== f.bad || rows + quarantined !== f.records) {
        problems.push(`${f.path}: ${JSON.stringify(s)} (expected ${f.source}, ${f.records} records, ${f.bad} bad)`);
      }
    }
    expect(problems).toStrictEqual([]);
    const reasons = (table("quarantine") as Row[]).map((r) => `${r.source_kind}:${r.reason}`).sort();
    expect(reasons).toStrictEqual([
      "app_json:bad_json",
      "app_json:truncated",
      "cloudfront:bad_field_count",
      "cloudfront:bad_field_count",
      "cloudwatch_logs:truncated",
    ]);
  });

  it("dates the deliberate bad records on the day they belong to, not the day they arrived", () => {
    const days = table("quarantine").map((r) => [r.source_kind, String(r.event_time).slice(0, 10), r.ingest_time]);
    expect(days.sort()).toStrictEqual([
      ["app_json", LAST_DAY, "2025-06-13T00:00:00Z"],
      ["app_json", LAST_DAY, "2025-06-13T00:00:00Z"],
      ["cloudfront", LAST_DAY, "2025-06-13T00:00:00Z"],
      ["cloudfront", LAST_DAY, "2025-06-13T00:00:00Z"],
      ["cloudwatch_logs", LAST_DAY, "2025-06-13T00:00:00Z"],
    ]);
  });

  it("is recognised by S3-style key alone where the source has a key layout", () => {
    const byKey = parsed.files.map((f) => [f.path, SOURCES.find((s) => s.matchKey(f.path))?.id ?? "sniffed"]);
    const expected = parsed.files.map((f) => [f.path, f.source]);
    expect(byKey).toStrictEqual(expected);
  });

  it("fills every table", () => {
    const counts = Object.fromEntries(Object.entries(parsed.rows).map(([k, v]) => [k, v.length > 0]));
    expect(counts).toStrictEqual({
      app_events: true,
      cloudfront: true,
      cloudfront_realtime: true,
      cloudtrail: true,
      cloudtrail_digest: true,
      cloudtrail_digest_log_file: true,
      quarantine: true,
    });
    expect(table("cloudfront_realtime").length).toBe(120);
    expect(table("cloudtrail_digest").length).toBe(24);
    expect(table("cloudtrail_digest_log_file").length).toBe(24);
  });
});

describe("CloudFront patterns", () => {
  it("has a scanner probing many distinct paths, nearly all 404/403", () => {
    const scanner = table("cloudfront").filter((r) => r.c_ip === DEMO.scannerIp);
    expect(new Set(scanner.map((r) => r.cs_uri_stem)).size).toBe(INCIDENT_COUNTS.scannerDistinctPaths);
    expect(count(scanner, (r) => r.sc_status === 404 || r.sc_status === 403)).toBeGreaterThan(150);
    const paths = new Set(scanner.map((r) => r.cs_uri_stem));
    for (const p of ["/wp-login.php", "/.env", "/../../etc/passwd", "/phpmyadmin/"]) expect(paths.has(p)).toBe(true);
  });

  it("has sqlmap and nikto user agents (decoded) with injection payloads in the query", () => {
    const cf = table("cloudfront");
    expect(count(cf, (r) => String(r.cs_user_agent).startsWith("sqlmap/"))).toBe(INCIDENT_COUNTS.sqlmapRequests);
    expect(count(cf, (r) => String(r.cs_user_agent).includes("(Nikto/"))).toBe(INCIDENT_COUNTS.niktoRequests);
    expect(
      count(cf, (r) => r.c_ip === DEMO.sqlmapIp && String(r.cs_uri_query).includes("' OR '1'='1")),
    ).toBeGreaterThan(0);
  });

  it("has a 5xx spike from one address and heavy-bandwidth downloaders", () => {
    const cf = table("cloudfront");
    const spike = cf.filter((r) => r.c_ip === DEMO.errorSpikeIp);
    expect(spike.length).toBe(INCIDENT_COUNTS.cloudfront5xx);
    expect(spike.every((r) => Number(r.sc_status) >= 500 && r.x_edge_result_type === "Error")).toBe(true);
    const bytesBy = new Map<string, number>();
    for (const r of cf) bytesBy.set(String(r.c_ip), (bytesBy.get(String(r.c_ip)) ?? 0) + Number(r.sc_bytes));
    const top = [...bytesBy.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 2)
      .map(([ip]) => ip);
    expect(top.sort()).toStrictEqual([...DEMO.heavyIps].sort());
  });

  it("mixes cache hits and misses, and keeps records out of time order like CloudFront", () => {
    const cf = table("cloudfront");
    const hits = count(cf, (r) => r.x_edge_result_type === "Hit");
    const misses = count(cf, (r) => r.x_edge_result_type === "Miss");
    expect(hits / cf.length).toBeGreaterThan(0.3);
    expect(misses / cf.length).toBeGreaterThan(0.2);
    const first = cf
      .filter((r) => r.source_object === undefined || true)
      .slice(0, 50)
      .map((r) => String(r.event_time));
    expect(first).not.toStrictEqual([...first].sort());
  });
});

describe("CloudTrail patterns", () => {
  const ct = () => table("cloudtrail");
  const named = (name: string) => ct().filter((r) => r.event_name === name);

  it("has unique event ids and event versions 1.08 to 1.11", () => {
    const ids = ct().map((r) => r.event_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...new Set(ct().map((r) => r.event_version))].sort()).toStrictEqual(["1.08", "1.09", "1.10", "1.11"]);
    expect([...new Set(ct().map((r) => r.user_identity_type))].sort()).toStrictEqual([
      "AWSService",
      "AssumedRole",
      "IAMUser",
      "Root",
    ]);
  });

  it("has root console logins (one without MFA) and root API use", () => {
    const rootLogins = named("ConsoleLogin").filter((r) => r.user_identity_type === "Root");
    expect(rootLogins.map((r) => json(r.additional_event_data).MFAUsed).sort()).toStrictEqual(["No", "Yes"]);
    const rootApi = ct().filter((r) => r.user_identity_type === "Root" && r.event_name !== "ConsoleLogin");
    expect(rootApi.map((r) => r.event_name).sort()).toStrictEqual([
      "CreateAccessKey",
      "GetAccountSummary",
      "ListUsers",
      "UpdateAccountPasswordPolicy",
    ]);
  });

  it("has console login failures, some with a hidden user name, and logins without MFA", () => {
    const failures = named("ConsoleLogin").filter((r) => json(r.response_elements).ConsoleLogin === "Failure");
    expect(count(failures, (r) => r.user_identity_user_name === "HIDDEN_DUE_TO_SECURITY_REASONS")).toBe(
      INCIDENT_COUNTS.consoleLoginFailuresHidden,
    );
    expect(count(failures, (r) => r.user_identity_user_name === "alice")).toBe(
      INCIDENT_COUNTS.consoleLoginFailuresKnownUser,
    );
    expect(
      failures.every((r) => r.source_ip_address === DEMO.bruteForceIp && r.error_message === "Failed authentication"),
    ).toBe(true);
    const noMfa = named("ConsoleLogin").filter(
      (r) => json(r.response_elements).ConsoleLogin === "Success" && json(r.additional_event_data).MFAUsed === "No",
    );
    expect(new Set(noMfa.map((r) => r.user_identity_user_name ?? r.user_identity_type))).toStrictEqual(
      new Set(["bob", "Root"]),
    );
  });

  it("has IAM, S3, CloudTrail, KMS and security-group changes of the kill chain", () => {
    const lastDay = ct().filter(onLastDay);
    const names = new Set(
      lastDay
        .filter(
          (r) =>
            r.user_identity_arn?.toString().endsWith("/svc-metrics") ||
            r.user_identity_arn?.toString().endsWith("/ci-deployer"),
        )
        .map((r) => r.event_name),
    );
    for (const n of [
      "CreateUser",
      "CreateLoginProfile",
      "CreateAccessKey",
      "AttachUserPolicy",
      "PutUserPolicy",
      "CreatePolicyVersion",
      "AttachRolePolicy",
      "DeletePolicy",
      "PutBucketPolicy",
      "PutBucketAcl",
      "DeletePublicAccessBlock",
      "DeleteBucket",
      "AuthorizeSecurityGroupIngress",
      "DisableKey",
      "ScheduleKeyDeletion",
      "PutEventSelectors",
      "UpdateTrail",
      "StopLogging",
      "DeleteTrail",
    ]) {
      expect([n, names.has(n)]).toStrictEqual([n, true]);
    }
    const open = named("AuthorizeSecurityGroupIngress").map((r) => JSON.stringify(json(r.request_parameters)));
    expect(open.filter((p) => p.includes('"0.0.0.0/0"') && p.includes('"::/0"')).length).toBe(1);
  });

  it("has an AccessDenied burst from one principal at a new source address", () => {
    const denied = ct().filter((r) => r.error_code === "AccessDenied");
    const byPrincipal = new Map<string, number>();
    for (const r of denied)
      byPrincipal.set(String(r.user_identity_arn), (byPrincipal.get(String(r.user_identity_arn)) ?? 0) + 1);
    expect(byPrincipal.get(`arn:aws:iam::${DEMO.accountId}:user/ci-deployer`)).toBe(INCIDENT_COUNTS.accessDenied);
    const ciIps = (day: (r: Row) => boolean) =>
      new Set(
        ct()
          .filter((r) => r.user_identity_user_name === "ci-deployer" && day(r))
          .map((r) => r.source_ip_address),
      );
    expect(ciIps((r) => !onLastDay(r))).toStrictEqual(new Set([DEMO.ciIp]));
    expect(ciIps(onLastDay).has(DEMO.intruderIp)).toBe(true);
    const aliceIps = new Set(
      ct()
        .filter((r) => r.user_identity_user_name === "alice" && onLastDay(r) && !r.error_message)
        .map((r) => r.source_ip_address),
    );
    expect(aliceIps).toStrictEqual(new Set([DEMO.aliceHomeIp]));
  });

  it("has a call-rate spike of one event name against a steady hourly baseline", () => {
    const perHour = new Map<string, number>();
    for (const r of named("GetSecretValue")) {
      const k = String(r.event_time).slice(0, 13);
      perHour.set(k, (perHour.get(k) ?? 0) + 1);
    }
    const spike = perHour.get(`${LAST_DAY}T15`) ?? 0;
    const baseline = [...perHour.entries()].filter(([k]) => !k.startsWith(LAST_DAY)).map(([, n]) => n);
    expect(baseline.length).toBe(7 * 24);
    expect(Math.max(...baseline)).toBeLessThan(20);
    expect(spike).toBeGreaterThanOrEqual(INCIDENT_COUNTS.apiRateSpike);
  });

  it("has an error-rate spike", () => {
    const throttled = ct().filter((r) => r.error_code === "ThrottlingException");
    expect(throttled.length).toBe(INCIDENT_COUNTS.errorRateSpike);
    expect(new Set(throttled.map((r) => `${String(r.event_time).slice(0, 13)} ${r.event_name}`))).toStrictEqual(
      new Set([`${LAST_DAY}T18 GetParameter`]),
    );
  });

  it("routes the streamed account's trail through CloudWatch Logs without duplicating S3 events", () => {
    const streamed = ct().filter((r) => r.recipient_account_id === "444455556666");
    expect(streamed.length).toBe(30);
    expect(count(streamed, (r) => r.error_code === "Client.UnauthorizedOperation")).toBe(10);
  });
});

describe("CloudTrail digests", () => {
  it("hash the uncompressed log files they list and chain to the previous digest", () => {
    const byPath = new Map(parsed.files.map((f) => [f.path, f.contents]));
    const sha = (t: string) => createHash("sha256").update(t, "utf8").digest("hex");
    const digests = parsed.files.filter((f) => f.source === "cloudtrail_digest");
    expect(digests.length).toBe(24);
    let previous: DemoFile | undefined;
    const edited: string[] = [];
    for (const d of digests) {
      const body = JSON.parse(d.contents) as {
        digestS3Object: string;
        previousDigestHashValue: string | null;
        logFiles: { s3Object: string; hashValue: string }[];
      };
      expect(body.digestS3Object).toBe(d.path);
      expect(body.previousDigestHashValue).toBe(previous ? sha(previous.contents) : null);
      expect(body.logFiles.length).toBe(1);
      for (const lf of body.logFiles) {
        if (sha(byPath.get(lf.s3Object) ?? "") !== lf.hashValue) edited.push(lf.s3Object);
      }
      previous = d;
    }
    // One log file was edited after its digest hashed it, so that verify has something to find.
    expect(edited).toStrictEqual([expect.stringMatching(/_CloudTrail_us-east-1_20250612T0155Z_/)]);
  });

  it("are signed with the demo key over the documented data signing string", () => {
    const sha = (t: string) => createHash("sha256").update(t, "utf8").digest("hex");
    const key = createPublicKey(DEMO_TRAIL_PUBLIC_KEY);
    const digests = parsed.files.filter((f) => f.source === "cloudtrail_digest");
    const ok = digests.map((d) => {
      const body = JSON.parse(d.contents) as { digestEndTime: string; previousDigestSignature: string | null };
      const signing = `${body.digestEndTime}\n${DEMO.trailBucket}/${d.path}\n${sha(d.contents)}\n${body.previousDigestSignature ?? "null"}`;
      return verify("sha256", Buffer.from(signing), key, Buffer.from(d.signature ?? "", "hex"));
    });
    expect(ok).toStrictEqual(digests.map(() => true));
  });
});

describe("app patterns", () => {
  const app = () => table("app_events");
  const failures = () => app().filter((r) => r.type === "auth" && r.result === "failure" && onLastDay(r));

  it("has a distributed brute force on one user", () => {
    const onAdmin = failures().filter((r) => r.user_id === DEMO.bruteForcedUser);
    expect(onAdmin.length).toBe(INCIDENT_COUNTS.appBruteForceFailures);
    expect(new Set(onAdmin.map((r) => r.ip_address)).size).toBe(INCIDENT_COUNTS.appBruteForceFailures);
  });

  it("has credential stuffing from one address ending in a takeover, a new IP and a self-granted admin role", () => {
    const fromIp = app().filter((r) => r.ip_address === DEMO.bruteForceIp);
    expect(count(fromIp, (r) => r.type === "auth" && r.result === "failure")).toBe(INCIDENT_COUNTS.appStuffingFailures);
    const takeover = fromIp.filter((r) => r.result === "success").map((r) => `${r.type} ${r.user_id} ${r.action}`);
    expect(takeover).toStrictEqual([
      `auth ${DEMO.takenOverUser} login`,
      `audit ${DEMO.takenOverUser} role.grant`,
      `audit ${DEMO.takenOverUser} api_key.create`,
    ]);
    const grant = fromIp.find((r) => r.action === "role.grant");
    expect(json(grant?.attributes)).toStrictEqual({ target_user_id: DEMO.takenOverUser, role: "admin" });
    const earlierIps = new Set(
      app()
        .filter((r) => r.user_id === DEMO.takenOverUser && !onLastDay(r))
        .map((r) => r.ip_address),
    );
    expect(earlierIps.size).toBeGreaterThan(0);
    expect(earlierIps.has(DEMO.bruteForceIp)).toBe(false);
  });

  it("has a user logging in from a new address", () => {
    const logins = app().filter(
      (r) => r.user_id === DEMO.travellingUser && r.action === "login" && r.result === "success",
    );
    expect(count(logins, (r) => r.ip_address === DEMO.travellerNewIp)).toBe(1);
    expect(logins.filter((r) => r.ip_address === DEMO.travellerNewIp).every(onLastDay)).toBe(true);
  });

  it("has an API 5xx spike and a consistently slow endpoint", () => {
    const errors = app().filter(
      (r) => r.type === "api" && Number(r.status_code) >= 500 && r.service === DEMO.appServices.api,
    );
    const spikeHour = errors.filter((r) => onLastDay(r) && hourOf(r) === 11 && r.path === DEMO.errorSpikePath);
    expect(spikeHour.length).toBeGreaterThanOrEqual(INCIDENT_COUNTS.app5xx);
    const slow = app().filter((r) => r.path === DEMO.slowPath && Number(r.status_code) < 500);
    expect(slow.length).toBeGreaterThan(50);
    expect(slow.every((r) => Number(r.duration_ms) >= 2_400)).toBe(true);
  });
});
