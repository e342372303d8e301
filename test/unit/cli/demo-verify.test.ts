import { demoVerifyOutcome } from "@app/cli/commands/demo";
import { describe, expect, it } from "vitest";

const edited = "/d/logs/AWSLogs/1/CloudTrail/us-east-1/2025/06/12/a_0155Z.json.gz";
const other = "/d/logs/AWSLogs/1/CloudTrail/us-east-1/2025/06/12/a_0255Z.json.gz";
const modified = (object: string) => ({ object, kind: "log_file" as const, verdict: "modified" as const });

describe("demoVerifyOutcome", () => {
  const cases = [
    {
      name: "the planted file named modified, nothing else",
      findings: [modified(edited)],
      want: {
        asPlanted: true,
        line: "verify: 1 finding(s), as planted: the demo edits 1 log file(s) after their digests hashed them, and verify names each `modified`",
      },
    },
    {
      name: "the planted file missed",
      findings: [],
      want: {
        asPlanted: false,
        line: `verify: 0 finding(s), not as planted: 1 edited log file(s) not caught: ${edited}`,
      },
    },
    {
      name: "another file modified as well",
      findings: [modified(edited), modified(other)],
      want: { asPlanted: false, line: "verify: 2 finding(s), not as planted: 1 finding(s) the demo did not plant" },
    },
    {
      name: "the planted file with another verdict, and a lake finding",
      findings: [
        { object: edited, kind: "log_file" as const, verdict: "missing" as const },
        {
          object: "cloudtrail/dt=2025-06-12/hour=01/x.parquet",
          kind: "parquet_file" as const,
          verdict: "modified" as const,
        },
      ],
      want: {
        asPlanted: false,
        line: `verify: 2 finding(s), not as planted: 1 edited log file(s) not caught: ${edited}; 2 finding(s) the demo did not plant`,
      },
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      expect(demoVerifyOutcome([edited], c.findings)).toStrictEqual(c.want);
    });
});
