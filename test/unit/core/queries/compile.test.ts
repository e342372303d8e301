import {
  CONDITIONS_WITH_SUBQUERIES,
  candidateSql,
  eventCondition,
  lookbackDays,
  planReport,
} from "@app/core/queries/compile";
import type { DetectionMeta, SavedQuery } from "@app/core/queries/header";
import { describe, expect, it } from "vitest";

function detection(id: string, sql: string, kind: DetectionMeta["kind"] = "event"): SavedQuery {
  return {
    id,
    name: id,
    description: id,
    tables: ["cloudtrail"],
    params: ["from", "to"],
    severity: "high",
    report: "security",
    section: "Persistence",
    schedule: "cron(0 6 * * ? *)",
    output: "csv",
    detection: {
      kind,
      tactics: ["TA0003"],
      techniques: ["T1098"],
      cis: [],
      stratus: [],
      alert: false,
      actor: ["user_identity_arn"],
      target: ["role_name"],
    },
    sql,
  };
}

const TRUST = `SELECT event_time, event_id, json_extract_scalar(request_parameters, '$.roleName') AS role_name
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_name = 'UpdateAssumeRolePolicy' -- the trust policy, not a permission policy
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id`;

describe("eventCondition", () => {
  it("returns the row condition, comments and allow-list subqueries kept, when the statement has the event shape", () => {
    expect(eventCondition(detection("cloudtrail/trust", TRUST))).toStrictEqual({
      table: "cloudtrail",
      condition:
        "event_name = 'UpdateAssumeRolePolicy' -- the trust policy, not a permission policy\n" +
        "  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')",
      reads: ["detection_allowlist"],
    });
  });

  it("ignores keywords inside string literals and comments", () => {
    const sql = `SELECT event_id FROM cloudtrail WHERE dt BETWEEN ? AND ? AND event_name = 'ORDER BY' /* GROUP BY */ ORDER BY event_id`;
    expect(eventCondition(detection("cloudtrail/x", sql))).toStrictEqual({
      table: "cloudtrail",
      condition: "event_name = 'ORDER BY' /* GROUP BY */",
      reads: [],
    });
  });

  it.each([
    [
      "a CTE",
      "WITH x AS (SELECT * FROM cloudtrail WHERE dt BETWEEN ? AND ?) SELECT * FROM x",
      "it does not start with SELECT",
    ],
    [
      "a grouping",
      "SELECT event_name, count(*) FROM cloudtrail WHERE dt BETWEEN ? AND ? AND error_code IS NOT NULL GROUP BY 1",
      "its condition is followed by a top-level GROUP",
    ],
    [
      "a join",
      "SELECT * FROM cloudtrail c JOIN cloudtrail d ON c.event_id = d.event_id WHERE c.dt BETWEEN ? AND ?",
      "it is not FROM <table> WHERE dt BETWEEN ? AND ? AND <condition>",
    ],
    [
      "a second scan of the log table",
      "SELECT * FROM cloudtrail WHERE dt BETWEEN ? AND ? AND event_id IN (SELECT event_id FROM cloudtrail WHERE dt = '2025-07-01')",
      "its condition reads cloudtrail; only detection_allowlist may be read there",
    ],
  ])("refuses %s", (_what, sql, why) => {
    expect(eventCondition(detection("cloudtrail/x", sql))).toStrictEqual({ why });
  });
});

describe("planReport", () => {
  it("compiles the event detections of a table into one candidate scan and leaves aggregates to run alone", () => {
    const a = detection(
      "cloudtrail/a",
      "SELECT event_id FROM cloudtrail WHERE dt BETWEEN ? AND ? AND event_name = 'A'",
    );
    const b = detection("cloudtrail/b", TRUST);
    const agg = detection(
      "cloudtrail/bursts",
      "SELECT count(*) AS n FROM cloudtrail WHERE dt BETWEEN ? AND ? AND error_code IS NOT NULL GROUP BY event_name",
      "aggregate",
    );
    const odd = detection("cloudtrail/odd", "SELECT * FROM cloudtrail WHERE dt BETWEEN ? AND ? GROUP BY 1");
    const plan = planReport([a, agg, b, odd]);
    expect(plan).toStrictEqual({
      scans: [
        {
          table: "cloudtrail",
          sql: candidateSql("cloudtrail", ["event_name = 'A'", (eventCondition(b) as { condition: string }).condition]),
          params: ["from", "to"],
          detections: [a, b],
          reads: ["detection_allowlist"],
        },
      ],
      standalone: [agg, odd],
      notCompiled: [{ id: "cloudtrail/odd", why: "it is not FROM <table> WHERE dt BETWEEN ? AND ? AND <condition>" }],
    });
    expect(plan.scans[0]?.sql).toBe(
      "SELECT *\nFROM cloudtrail\nWHERE dt BETWEEN ? AND ?\n  AND (\n(\nevent_name = 'A'\n)\nOR (\n" +
        "event_name = 'UpdateAssumeRolePolicy' -- the trust policy, not a permission policy\n" +
        "  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')\n)\n)",
    );
  });

  it("runs a detection alone when it is the only one of its table", () => {
    const a = detection(
      "cloudtrail/a",
      "SELECT event_id FROM cloudtrail WHERE dt BETWEEN ? AND ? AND event_name = 'A'",
    );
    expect(planReport([a])).toStrictEqual({ scans: [], standalone: [a], notCompiled: [] });
  });
});

describe("lookbackDays", () => {
  it.each([
    ["SELECT 1 FROM cloudtrail WHERE dt BETWEEN ? AND ?", 0],
    ["SELECT 1 FROM cloudtrail WHERE dt BETWEEN CAST(date_add('day', -30, CAST(? AS date)) AS varchar) AND ?", 30],
    ["SELECT 1 FROM t WHERE dt BETWEEN CAST(date_add('month', -1, CAST(? AS date)) AS varchar) AND ?", undefined],
    ["SELECT 1 FROM t WHERE dt >= CAST(CAST(? AS date) - INTERVAL '3' DAY AS varchar)", undefined],
  ])("%s reaches back %s days", (sql, days) => {
    expect(lookbackDays(sql)).toBe(days);
  });
});

describe("planReport chunks", () => {
  it("puts allow-list conditions in scans of at most CONDITIONS_WITH_SUBQUERIES, in id order, the plain ones in the first", () => {
    const withList = Array.from({ length: CONDITIONS_WITH_SUBQUERIES + 2 }, (_, i) =>
      detection(`cloudtrail/list-${String(i).padStart(2, "0")}`, TRUST),
    );
    const plain = detection("cloudtrail/plain", TRUST.replace(/\n\s+AND coalesce.*\n/, "\n"));
    const plan = planReport([...withList].reverse().concat(plain));
    const groups = plan.scans.map((s) => s.detections.map((d) => d.id).sort());
    expect(groups.sort((a, b) => (a[0] ?? "").localeCompare(b[0] ?? ""))).toStrictEqual([
      [...withList.slice(0, CONDITIONS_WITH_SUBQUERIES).map((d) => d.id), "cloudtrail/plain"].sort(),
      withList.slice(CONDITIONS_WITH_SUBQUERIES).map((d) => d.id),
    ]);
  });
});
