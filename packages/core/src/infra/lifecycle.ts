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

/** How long the lake keeps data, by stage. */
export interface LakeRetention {
  /** Days before a replaced or deleted Parquet version is removed for good. */
  noncurrentDays: number;
  /** Days before current objects expire; production stages keep them (undefined). */
  expireDays?: number;
}

/** Lake bucket lifecycle: aborted uploads and old versions are cleaned up; non-production data expires. */
export function lakeLifecycle(retention: LakeRetention): LifecycleRule[] {
  return [
    {
      id: "lake-versions",
      status: "Enabled",
      filter: { prefix: "" },
      abortIncompleteMultipartUpload: ABORT_MULTIPART,
      noncurrentVersionExpiration: { noncurrentDays: retention.noncurrentDays },
      ...(retention.expireDays !== undefined ? { expiration: { days: retention.expireDays } } : {}),
    },
  ];
}

/**
 * WORM bucket lifecycle: current and older versions move down the storage tiers. Nothing expires before the
 * Object Lock retention ends: versions are only removed `retentionDays` after they became noncurrent, and S3
 * refuses to delete a locked version anyway.
 */
export function wormLifecycle(retentionDays: number): LifecycleRule[] {
  return [
    {
      id: "worm-tiering",
      status: "Enabled",
      filter: { prefix: "" },
      abortIncompleteMultipartUpload: ABORT_MULTIPART,
      transitions: WORM_TIERS.map((t) => ({ ...t })),
      // S3 rejects a transition that is not earlier than the expiration of the same versions.
      noncurrentVersionTransitions: WORM_TIERS.filter((t) => t.days < retentionDays).map((t) => ({
        noncurrentDays: t.days,
        storageClass: t.storageClass,
      })),
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
