import { DAY_MS, dayStartMs, HOUR_MS } from "@app/samples/clock";
import { EVASION_HOUR, evasionIncidents } from "@app/samples/demo/incidents-evasion";
import { DEMO_DEFAULTS } from "@app/samples/demo/index";
import { describe, expect, it } from "vitest";

const lastDayMs = dayStartMs(DEMO_DEFAULTS.endDate);

describe("evasionIncidents", () => {
  it("blinds monitoring, then destroys backups, in one hour of the last day, by the backdoor user", () => {
    const records = evasionIncidents(lastDayMs + EVASION_HOUR * HOUR_MS);
    const byBackdoor = records.filter((r) => (r.userIdentity as { userName?: string }).userName === "svc-metrics");
    expect(byBackdoor.map((r) => `${r.eventSource} ${r.eventName} ${r.errorCode ?? "ok"}`)).toStrictEqual([
      "guardduty.amazonaws.com CreateFilter ok",
      "guardduty.amazonaws.com DeleteDetector ok",
      "securityhub.amazonaws.com BatchDisableStandards ok",
      "config.amazonaws.com StopConfigurationRecorder ok",
      "ec2.amazonaws.com DeleteFlowLogs ok",
      "route53resolver.amazonaws.com DeleteResolverQueryLogConfig ok",
      "s3.amazonaws.com PutBucketLifecycle ok",
      "s3.amazonaws.com PutBucketVersioning ok",
      "rds.amazonaws.com ModifyDBInstance ok",
      "rds.amazonaws.com DeleteDBSnapshot ok",
      "rds.amazonaws.com DeleteDBInstance ok",
      "organizations.amazonaws.com LeaveOrganization AccessDeniedException",
    ]);
    const times = records.map((r) => r.eventTime as string);
    expect(times.every((t) => t.startsWith(`${DEMO_DEFAULTS.endDate}T${EVASION_HOUR}:`))).toBe(true);
    expect([...times].sort()).toStrictEqual(times);
    // The look-alike: an administrator's long retention rule, not a short one.
    const others = records.filter((r) => !byBackdoor.includes(r));
    expect(others.map((r) => [r.eventName, JSON.stringify(r.requestParameters).includes('"Days":400')])).toStrictEqual([
      ["PutBucketLifecycle", true],
    ]);
  });

  it("adds nothing outside its hour and is the same on every call", () => {
    expect(evasionIncidents(lastDayMs + (EVASION_HOUR - 1) * HOUR_MS)).toStrictEqual([]);
    expect(evasionIncidents(lastDayMs - DAY_MS)).toStrictEqual([]);
    const at = lastDayMs + EVASION_HOUR * HOUR_MS;
    expect(evasionIncidents(at)).toStrictEqual(evasionIncidents(at));
  });
});
