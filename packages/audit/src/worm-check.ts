import { GetObjectLockConfigurationCommand, type S3Client } from "@aws-sdk/client-s3";

/** A bucket's Object Lock state, or what stops it from holding WORM audit objects. */
export type WormBucketCheck =
  | {
      ok: true;
      /** The bucket's default retention, if it has one; the WORM sink sets mode and date on every object anyway. */
      defaultRetention: { mode: string; days?: number; years?: number } | null;
    }
  | { ok: false; problem: string };

/** Reads the bucket's Object Lock configuration and says whether WORM objects can be written there. */
export async function checkWormBucket(s3: S3Client, bucket: string): Promise<WormBucketCheck> {
  try {
    const res = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }));
    const conf = res.ObjectLockConfiguration;
    if (conf?.ObjectLockEnabled !== "Enabled") {
      return { ok: false, problem: `bucket ${bucket} does not have Object Lock enabled` };
    }
    const d = conf.Rule?.DefaultRetention;
    return {
      ok: true,
      defaultRetention: d?.Mode
        ? {
            mode: d.Mode,
            ...(d.Days !== undefined ? { days: d.Days } : {}),
            ...(d.Years !== undefined ? { years: d.Years } : {}),
          }
        : null,
    };
  } catch (e) {
    const name = (e as Error).name;
    if (name === "ObjectLockConfigurationNotFoundError") {
      return {
        ok: false,
        problem: `bucket ${bucket} has no Object Lock configuration (Object Lock is enabled when a bucket is created, or later with versioning on)`,
      };
    }
    if (name === "NoSuchBucket") return { ok: false, problem: `bucket ${bucket} does not exist` };
    if (name === "AccessDenied") {
      return {
        ok: false,
        problem: `not allowed to read bucket ${bucket}'s Object Lock configuration (s3:GetBucketObjectLockConfiguration)`,
      };
    }
    return {
      ok: false,
      problem: `cannot read bucket ${bucket}'s Object Lock configuration: ${name}: ${(e as Error).message}`,
    };
  }
}
