import { CHAIN_DIR, COMPACTION_DIR, lakeManifestPrefix, tableDir } from "../lake-layout.ts";

/** One S3 lifecycle rule in the shape `aws.s3.BucketLifecycleConfiguration` takes. */
export interface LifecycleRule {
  id: string;
  status: "Enabled";
  filter: { prefix: string };
  abortIncompleteMultipartUpload?: { daysAfterInitiation: number };
  expiration?: { days: number };
  noncurrentVersionExpiration?: { noncurrentDays: number };
  transitions?: { days: number; storageClass: StorageClass }[];
  noncurrentVersionTransitions?: { noncurrentDays: number; storageClass: StorageClass }[];
}

export type StorageClass = "STANDARD_IA" | "GLACIER" | "DEEP_ARCHIVE";

/** WORM storage tiers: Standard-IA after 30 days, Glacier after 90, Deep Archive after 365. */
export const WORM_TIERS: readonly { days: number; storageClass: StorageClass }[] = [
  { days: 30, storageClass: "STANDARD_IA" },
  { days: 90, storageClass: "GLACIER" },
  { days: 365, storageClass: "DEEP_ARCHIVE" },
];

// Parts of an upload that never completed are billed forever unless aborted.
const ABORT_MULTIPART = { daysAfterInitiation: 7 };

/** How long the lake keeps data, by table. */
export interface LakeRetention {
  /** Days before a replaced or deleted Parquet version is removed for good. */
  noncurrentDays: number;
  /** Key prefix of the tables in the lake bucket. */
  lakePrefix: string;
  /** Every table of the lake. */
  tables: readonly string[];
  /** Days each table's files are kept; a table without an entry is kept. */
  tableDays: Readonly<Partial<Record<string, number>>>;
  /** Upper bound of every table's days (stages that are not permanent); undefined for none. */
  maxDays?: number;
}

/** Days each table's files are kept under `retention` (undefined: kept), in the order of `retention.tables`. */
export function tableRetentionDays(retention: LakeRetention): { table: string; days?: number }[] {
  return retention.tables.map((table) => {
    const days = [retention.tableDays[table], retention.maxDays].filter((d): d is number => d !== undefined);
    return days.length > 0 ? { table, days: Math.min(...days) } : { table };
  });
}

/**
 * Lake bucket lifecycle: aborted uploads and old versions are cleaned up everywhere, each table's files expire under
 * its own folder (the lake layout's), and manifests and their hash chain expire with the longest-kept table, so while any row is left its
 * input's manifest is too. A table without retention is kept, and so are the manifests then.
 */
export function lakeLifecycle(retention: LakeRetention): LifecycleRule[] {
  const perTable = tableRetentionDays(retention);
  const rules: LifecycleRule[] = [
    {
      id: "lake-versions",
      status: "Enabled",
      filter: { prefix: "" },
      abortIncompleteMultipartUpload: ABORT_MULTIPART,
      noncurrentVersionExpiration: { noncurrentDays: retention.noncurrentDays },
    },
  ];
  for (const t of perTable) {
    if (t.days === undefined) continue;
    rules.push({
      id: `lake-table-${t.table}`,
      status: "Enabled",
      filter: { prefix: `${retention.lakePrefix}${tableDir(t.table)}` },
      expiration: { days: t.days },
    });
  }
  const kept = perTable.map((t) => t.days);
  if (kept.length > 0 && kept.every((d) => d !== undefined)) {
    rules.push({
      id: "lake-manifests",
      status: "Enabled",
      filter: { prefix: lakeManifestPrefix(retention.lakePrefix) },
      expiration: { days: Math.max(...(kept as number[])) },
    });
    // The manifests' hash chain goes with them: a link outliving its manifest proves nothing.
    rules.push({
      id: "lake-chain",
      status: "Enabled",
      filter: { prefix: `${retention.lakePrefix}${CHAIN_DIR}` },
      expiration: { days: Math.max(...(kept as number[])) },
    });
    // So do the compaction manifests, which say where the compacted rows of those manifests' inputs live.
    rules.push({
      id: "lake-compactions",
      status: "Enabled",
      filter: { prefix: `${retention.lakePrefix}${COMPACTION_DIR}` },
      expiration: { days: Math.max(...(kept as number[])) },
    });
  }
  return rules;
}

/**
 * WORM bucket lifecycle: copies move down the storage tiers and expire `retentionDays` after they were written.
 * Nothing goes before its Object Lock retention ends: a copy is locked until its event time plus `retentionDays`,
 * which is never later than its write time plus `retentionDays`; expiring a current version only puts a delete
 * marker over it, and the version itself is removed `retentionDays` after it became noncurrent.
 */
export function wormLifecycle(retentionDays: number): LifecycleRule[] {
  // S3 rejects a transition that is not earlier than the expiration of the same versions.
  const tiers = WORM_TIERS.filter((t) => t.days < retentionDays);
  return [
    {
      id: "worm-retention",
      status: "Enabled",
      filter: { prefix: "" },
      abortIncompleteMultipartUpload: ABORT_MULTIPART,
      transitions: tiers.map((t) => ({ ...t })),
      expiration: { days: retentionDays },
      noncurrentVersionTransitions: tiers.map((t) => ({ noncurrentDays: t.days, storageClass: t.storageClass })),
      noncurrentVersionExpiration: { noncurrentDays: retentionDays },
    },
  ];
}

/** Lifecycle of a bucket whose objects are disposable after `days` (Athena results, access logs). */
export function expiringLifecycle(id: string, days: number): LifecycleRule[] {
  return [
    {
      id,
      status: "Enabled",
      filter: { prefix: "" },
      abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
      expiration: { days },
      noncurrentVersionExpiration: { noncurrentDays: 1 },
    },
  ];
}

/** Reports lifecycle: exports are kept, old versions and aborted uploads are cleaned up. */
export function reportsLifecycle(): LifecycleRule[] {
  return [
    {
      id: "reports-versions",
      status: "Enabled",
      filter: { prefix: "" },
      abortIncompleteMultipartUpload: ABORT_MULTIPART,
      noncurrentVersionExpiration: { noncurrentDays: 30 },
      transitions: [{ days: 90, storageClass: "STANDARD_IA" }],
    },
  ];
}
