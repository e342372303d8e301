// Security Hub has no local emulator, so its client is mocked with aws-sdk-client-mock; the lake, the pipeline and
// DuckDB are real. The export must send each finding once, however often a period's report runs.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SecurityHubImportError } from "@app/aws/security-hub";
import { DEFAULT_DETECTION_SETTINGS } from "@app/core/detections/allowlist";
import { customPeriod } from "@app/core/reports/period";
import { type ReportData, runReport } from "@app/core/reports/report";
import { SOURCES } from "@app/core/sources/index";
import { exportFindings } from "@app/functions/lib/findings-export";
import { writeConfigTables } from "@app/lake/config-tables";
import { openDuckDb } from "@app/lake/duckdb";
import { ingestFiles } from "@app/lake/ingest";
import { duckDbRunner, openLake } from "@app/lake/query";
import { loadQueryDir } from "@app/lake/query-files";
import { LocalLakeStore } from "@app/lake/store";
import { BatchImportFindingsCommand, SecurityHubClient } from "@aws-sdk/client-securityhub";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const DETECTIONS = ["cloudtrail/root-account-usage", "cloudtrail/cloudtrail-tampering"];
const hub = mockClient(SecurityHubClient);
const securityHub = {
  client: new SecurityHubClient({ region: "eu-west-1" }),
  region: "eu-west-1",
  accountId: "111122223333",
};

let work: string;
let store: LocalLakeStore;
let data: ReportData;

beforeAll(async () => {
  // Prepare: the labelled evidence of two detections through the real pipeline, and their report for the day.
  work = await mkdtemp(join(tmpdir(), "loglake-findings-export-"));
  store = new LocalLakeStore(join(work, "lake"));
  await writeConfigTables(store, DEFAULT_DETECTION_SETTINGS);
  const files = DETECTIONS.flatMap((id) =>
    ["positive", "negative"].map((l) => join(ROOT, "test/fixtures/detections", id, `${l}.json`)),
  );
  const db = await openDuckDb();
  try {
    await ingestFiles({ db, store, sources: SOURCES, files, forced: "cloudtrail" });
  } finally {
    db.closeSync();
  }
  const queries = (await loadQueryDir(join(ROOT, "queries"))).filter((q) => DETECTIONS.includes(q.id));
  const conn = await openLake(store);
  try {
    data = await runReport({
      runner: duckDbRunner(conn),
      queries,
      report: "security",
      period: customPeriod("2025-07-01", "2025-07-01"),
      lake: work,
      now: new Date("2025-07-02T06:00:00Z"),
    });
  } finally {
    conn.closeSync();
  }
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

beforeEach(() => {
  hub.reset();
});

const sentIds = () =>
  hub.commandCalls(BatchImportFindingsCommand).flatMap((c) => (c.args[0].input.Findings ?? []).map((f) => f.Id));

describe("exportFindings to Security Hub", () => {
  it("imports only findings no earlier run imported: a refused one on the next run, then nothing", async () => {
    // Prepare: Security Hub refuses the first finding of the first run.
    const all = data.results.flatMap((r) => r.result.rows).length;
    let refuse = true;
    hub.on(BatchImportFindingsCommand).callsFake((input: { Findings: { Id: string }[] }) => {
      const failed = refuse ? input.Findings.slice(0, 1) : [];
      refuse = false;
      return {
        SuccessCount: input.Findings.length - failed.length,
        FailedCount: failed.length,
        FailedFindings: failed.map((f) => ({ Id: f.Id, ErrorCode: "InvalidInput", ErrorMessage: "refused" })),
      };
    });
    // Act
    const first = await exportFindings({ data, lake: store, securityHub }).catch((e: Error) => e);
    const firstIds = sentIds();
    hub.resetHistory();
    const second = await exportFindings({ data, lake: store, securityHub });
    const secondIds = sentIds();
    hub.resetHistory();
    const third = await exportFindings({ data, lake: store, securityHub });
    // Assess
    expect(all).toBeGreaterThan(1);
    expect([first instanceof SecurityHubImportError, firstIds.length, new Set(firstIds).size]).toStrictEqual([
      true,
      all,
      all,
    ]);
    expect([second, secondIds]).toStrictEqual([{ findings: all, imported: 1 }, firstIds.slice(0, 1)]);
    expect([third, hub.commandCalls(BatchImportFindingsCommand).length]).toStrictEqual([
      { findings: all, imported: 0 },
      0,
    ]);
  });
});
