import { dayStartMs, HOUR_MS } from "@app/samples/clock";
import { ACCESS_HOUR, accessIncidents } from "@app/samples/demo/incidents-access";
import { DEMO_DEFAULTS } from "@app/samples/demo/index";
import { describe, expect, it } from "vitest";

const lastDayMs = dayStartMs(DEMO_DEFAULTS.endDate);
const at = lastDayMs + ACCESS_HOUR * HOUR_MS;

describe("accessIncidents", () => {
  it("reads secrets, runs commands, shares data and opens access, in one hour of the last day, by the backdoor user", () => {
    const records = accessIncidents(at);
    const byBackdoor = records.filter((r) => (r.userIdentity as { userName?: string }).userName === "svc-metrics");
    const secrets = byBackdoor.filter((r) => r.eventName === "GetSecretValue");
    expect(new Set(secrets.map((r) => (r.requestParameters as { secretId: string }).secretId)).size).toBe(8);
    expect(
      byBackdoor.filter((r) => r.eventName !== "GetSecretValue").map((r) => `${r.eventSource} ${r.eventName}`),
    ).toStrictEqual([
      "ssm.amazonaws.com SendCommand",
      "ec2.amazonaws.com ModifySnapshotAttribute",
      "s3.amazonaws.com PutBucketPolicy",
      "iam.amazonaws.com UpdateAssumeRolePolicy",
      "lambda.amazonaws.com AddPermission20150331v2",
      "sts.amazonaws.com GetFederationToken",
    ]);
    const times = records.map((r) => r.eventTime as string);
    expect(times.every((t) => t.startsWith(`${DEMO_DEFAULTS.endDate}T${ACCESS_HOUR}:`))).toBe(true);
    expect([...times].sort()).toStrictEqual(times);
    // The look-alike: an administrator's trust policy for a service principal, not for an outside account.
    const others = records.filter((r) => !byBackdoor.includes(r));
    expect(
      others.map((r) => [r.eventName, JSON.stringify(r.requestParameters).includes("lambda.amazonaws.com")]),
    ).toStrictEqual([["UpdateAssumeRolePolicy", true]]);
  });

  it("adds nothing outside its hour and is the same on every call", () => {
    expect(accessIncidents(at - HOUR_MS)).toStrictEqual([]);
    expect(accessIncidents(at + HOUR_MS)).toStrictEqual([]);
    expect(accessIncidents(at)).toStrictEqual(accessIncidents(at));
  });
});
