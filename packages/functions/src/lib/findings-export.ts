import { importFindings } from "@app/aws/security-hub";
import type { LoglakeConfig } from "@app/core/config/types";
import { ConfigError } from "@app/core/errors";
import { toAsff } from "@app/core/findings/asff";
import { findingRows } from "@app/core/findings/rows";
import type { ReportData } from "@app/core/reports/report";
import { openDuckDb } from "@app/lake/duckdb";
import { markExported, unexportedFindings, writeReportFindings } from "@app/lake/findings";
import type { LakeStore } from "@app/lake/store";
import type { SecurityHubClient } from "@aws-sdk/client-securityhub";

/** The Security Hub account when the config enables the export; throws `ConfigError` when it names none. */
export function securityHubAccount(config: LoglakeConfig | undefined): string | undefined {
  if (!config?.securityHub.enabled) return undefined;
  const accountId = config.securityHub.accountId;
  if (!accountId) throw new ConfigError("securityHub.accountId is required when securityHub.enabled is true");
  return accountId;
}

/**
 * Where a report run's findings go: the lake's `findings` table (when the lake is known) and Security Hub (when
 * enabled), which receives only findings no earlier run imported (export markers in the lake). Returns the number of
 * findings and of findings imported now.
 */
export async function exportFindings(args: {
  data: ReportData;
  lake?: LakeStore;
  securityHub?: { client: SecurityHubClient; region: string; accountId: string };
}): Promise<{ findings: number; imported: number }> {
  const s = args.data.summary;
  let rows = findingRows({
    report: s.report,
    period: s.period,
    reportTime: s.generated_at,
    results: args.data.results,
  });
  if (args.lake) {
    const db = await openDuckDb();
    try {
      rows = (await writeReportFindings({ db, store: args.lake, data: args.data })).rows;
    } finally {
      db.closeSync();
    }
  }
  const hub = args.securityHub;
  const lake = args.lake;
  if (!hub) return { findings: rows.length, imported: 0 };
  if (!lake) throw new ConfigError("the Security Hub export needs the lake (LAKE_BUCKET) to know what it exported");
  const fresh = await unexportedFindings(lake, rows);
  const imported = await importFindings(
    hub.client,
    fresh.map((r) => toAsff(r, { region: hub.region, accountId: hub.accountId })),
    (ids) => markExported(lake, fresh, ids),
  );
  return { findings: rows.length, imported };
}
