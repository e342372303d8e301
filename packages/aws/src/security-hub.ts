import { ASFF_BATCH, type AsffFinding } from "@app/core/findings/asff";
import { BatchImportFindingsCommand, type SecurityHubClient } from "@aws-sdk/client-securityhub";

/** Findings Security Hub refused, with its reason. */
export class SecurityHubImportError extends Error {
  override name = "SecurityHubImportError";
}

/**
 * Imports findings into Security Hub in batches of 100 (its limit per call). A finding Security Hub refuses fails
 * the export, naming the first refusal, after every batch was sent: a scheduled export must not look complete when
 * part of it is missing.
 */
export async function importFindings(
  client: SecurityHubClient,
  findings: readonly AsffFinding[],
  /** Receives the ids of each batch's findings Security Hub took, before the next batch is sent. */
  onImported?: (ids: string[]) => Promise<void>,
): Promise<number> {
  const failed: string[] = [];
  let imported = 0;
  for (let i = 0; i < findings.length; i += ASFF_BATCH) {
    const batch = findings.slice(i, i + ASFF_BATCH);
    const res = await client.send(new BatchImportFindingsCommand({ Findings: batch }));
    imported += res.SuccessCount ?? 0;
    const refused = new Set<string>();
    for (const f of res.FailedFindings ?? []) {
      failed.push(`${f.Id}: ${f.ErrorCode} ${f.ErrorMessage}`);
      if (f.Id) refused.add(f.Id);
    }
    await onImported?.(batch.map((f) => f.Id).filter((id) => !refused.has(id)));
  }
  if (failed.length > 0)
    throw new SecurityHubImportError(
      `Security Hub refused ${failed.length} of ${findings.length} findings (${failed[0]})`,
    );
  return imported;
}
