// Security Hub has no local emulator, so this test mocks its client with aws-sdk-client-mock and checks the exact
// BatchImportFindings calls: ASFF as loglake maps a findings row, and batches of at most 100.

import { importFindings, SecurityHubImportError } from "@app/aws/security-hub";
import { toAsff } from "@app/core/findings/asff";
import type { FindingRow } from "@app/core/findings/schema";
import { BatchImportFindingsCommand, SecurityHubClient } from "@aws-sdk/client-securityhub";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";

const hub = mockClient(SecurityHubClient);
const client = new SecurityHubClient({ region: "eu-west-1" });
const ctx = { region: "eu-west-1", accountId: "111122223333" };

function row(i: number): FindingRow {
  return {
    event_time: "2025-07-01T09:12:31.000Z",
    finding_id: `f${i}`,
    detection_id: "cloudtrail/root-account-usage",
    detection_name: "CloudTrail root account usage",
    severity: "high",
    outcome: "success",
    tactic_ids: '["TA0004","TA0001"]',
    technique_ids: '["T1078.004"]',
    event_id: `e${i}`,
    event_ids: null,
    actor: "arn:aws:iam::111122223333:root",
    target: "111122223333",
    source_ip_address: "198.51.100.23",
    row_json: "{}",
    report: "security",
    period_from: "2025-07-01",
    period_to: "2025-07-01",
    report_time: "2025-07-02T06:00:00.000Z",
    source_object: "report://security/2025-07-01",
    source_line: i + 1,
    ingest_time: "2025-07-02T06:00:00.000Z",
    cwl_owner: null,
    cwl_log_group: null,
    cwl_log_stream: null,
    cwl_event_id: null,
  };
}

beforeEach(() => {
  hub.reset();
});

describe("toAsff", () => {
  it("maps a findings row to an ASFF finding with a stable id, ATT&CK types and the event time", () => {
    expect(toAsff(row(0), ctx)).toStrictEqual({
      SchemaVersion: "2018-10-08",
      Id: "f0",
      ProductArn: "arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default",
      GeneratorId: "loglake/cloudtrail/root-account-usage",
      AwsAccountId: "111122223333",
      Types: ["TTPs/Privilege Escalation", "TTPs/Initial Access"],
      CreatedAt: "2025-07-02T06:00:00.000Z",
      UpdatedAt: "2025-07-02T06:00:00.000Z",
      FirstObservedAt: "2025-07-01T09:12:31.000Z",
      Severity: { Label: "HIGH" },
      Title: "CloudTrail root account usage",
      Description:
        "CloudTrail root account usage: actor arn:aws:iam::111122223333:root, target 111122223333, from 198.51.100.23, event e0, success",
      Resources: [{ Type: "Other", Id: "111122223333", Region: "eu-west-1" }],
      ProductFields: {
        "loglake/detection_id": "cloudtrail/root-account-usage",
        "loglake/report": "security 2025-07-01..2025-07-01",
        "loglake/techniques": "T1078.004",
        "loglake/event_id": "e0",
      },
    });
  });
});

describe("importFindings", () => {
  it("sends batches of at most 100 findings", async () => {
    // Arrange
    hub.on(BatchImportFindingsCommand).callsFake((input: { Findings: unknown[] }) => ({
      SuccessCount: input.Findings.length,
      FailedCount: 0,
      FailedFindings: [],
    }));
    const findings = Array.from({ length: 250 }, (_, i) => toAsff(row(i), ctx));
    // Act
    const imported = await importFindings(client, findings);
    // Assess
    expect(imported).toBe(250);
    expect(
      hub.commandCalls(BatchImportFindingsCommand).map((c) => c.args[0].input.Findings?.map((f) => f.Id)),
    ).toStrictEqual([
      findings.slice(0, 100).map((f) => f.Id),
      findings.slice(100, 200).map((f) => f.Id),
      findings.slice(200).map((f) => f.Id),
    ]);
  });

  it("fails the export, naming the first refusal, when Security Hub refuses a finding", async () => {
    // Arrange
    hub.on(BatchImportFindingsCommand).resolves({
      SuccessCount: 1,
      FailedCount: 1,
      FailedFindings: [{ Id: "f1", ErrorCode: "InvalidInput", ErrorMessage: "Finding is malformed" }],
    });
    // Act
    const error = await importFindings(client, [toAsff(row(0), ctx), toAsff(row(1), ctx)]).catch((e: Error) => e);
    // Assess
    expect([error instanceof SecurityHubImportError, (error as Error).message]).toStrictEqual([
      true,
      "Security Hub refused 1 of 2 findings (f1: InvalidInput Finding is malformed)",
    ]);
  });
});
