import { type LakeStore, LocalLakeStore } from "@app/lake/store";
import { InputError } from "./errors.ts";

/** Options every lake-touching command takes. */
export interface LakeOptions {
  lake: string;
  endpoint?: string;
  region?: string;
}

/** Parses `s3://bucket/prefix` into its parts, or undefined for a local path. */
export function parseS3Url(url: string): { bucket: string; prefix: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) return undefined;
  return { bucket: m[1] as string, prefix: (m[2] ?? "").replace(/\/+$/, "") };
}

/** The store behind `--lake`: a local directory, or an S3 bucket through the AWS SDK. */
export async function lakeStore(opts: LakeOptions): Promise<LakeStore> {
  const s3 = parseS3Url(opts.lake);
  if (!s3) return new LocalLakeStore(opts.lake);
  if (!s3.bucket) throw new InputError(`--lake ${opts.lake}: missing bucket name`);
  const { S3LakeStore } = await import("@app/aws/lake-store");
  return new S3LakeStore({ bucket: s3.bucket, prefix: s3.prefix, endpoint: opts.endpoint, region: opts.region });
}
