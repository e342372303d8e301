import type { Readable } from "node:stream";
import type { CustomerDestination } from "@app/core/config/types";
import {
  type CopyLimits,
  type CopyRequest,
  type KmsParams,
  type ObjectCopier,
  ObjectGoneError,
  type ObjectLocation,
  type ObjectLockParams,
  type ObjectReader,
  type ObjectWriter,
} from "@app/pipeline/ports";
import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  type CopyObjectCommandInput,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";

/** The checksum sent with every write: Object Lock buckets reject writes without one. */
export const WRITE_CHECKSUM = "SHA256" as const;

const errorName = (e: unknown): string => (e as { name?: string })?.name ?? "";
const statusOf = (e: unknown): number | undefined =>
  (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;

/** Request parameters for Object Lock (mode, retain-until) and the checksum it requires. */
export function objectLockParams(lock: ObjectLockParams | undefined): Partial<PutObjectCommandInput> {
  if (!lock) return {};
  return { ObjectLockMode: lock.mode, ObjectLockRetainUntilDate: new Date(lock.retainUntil) };
}

/** Request parameters for SSE-KMS with a customer key. */
export function kmsParams(kms: KmsParams | undefined): Partial<PutObjectCommandInput> {
  if (!kms) return {};
  return { ServerSideEncryption: "aws:kms", SSEKMSKeyId: kms.kmsKeyId };
}

/**
 * Streams an object's bytes. A body that breaks mid-way (a reset or idle socket) is resumed with a ranged GET
 * pinned to the same ETag, so a long download survives transient faults without starting over; the request
 * itself is retried by the SDK (throttling, 5xx, timeouts). Throws `ObjectGoneError` when the object or the
 * named version no longer exists.
 */
export async function* readObject(
  s3: S3Client,
  loc: ObjectLocation,
  opts: { maxResumes?: number; onResume?: (offset: number, error: unknown) => void } = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  let offset = 0;
  let etag = loc.eTag;
  let resumes = 0;
  for (;;) {
    let body: Readable;
    try {
      const res = await s3.send(
        new GetObjectCommand({
          Bucket: loc.bucket,
          Key: loc.key,
          ...(loc.versionId ? { VersionId: loc.versionId } : etag ? { IfMatch: quoteEtag(etag) } : {}),
          ...(offset > 0 ? { Range: `bytes=${offset}-` } : {}),
        }),
      );
      etag = res.ETag ? res.ETag.replaceAll('"', "") : etag;
      body = res.Body as Readable;
    } catch (e) {
      const name = errorName(e);
      if (name === "NoSuchKey" || name === "NoSuchVersion" || name === "PreconditionFailed" || statusOf(e) === 412) {
        throw new ObjectGoneError(`s3://${loc.bucket}/${loc.key}: ${name || "gone"} (deleted or overwritten)`);
      }
      throw e;
    }
    try {
      for await (const chunk of body) {
        offset += (chunk as Uint8Array).length;
        yield chunk as Uint8Array;
      }
      return;
    } catch (e) {
      resumes++;
      if (resumes > (opts.maxResumes ?? 3)) throw e;
      opts.onResume?.(offset, e);
    }
  }
}

/** Object size and metadata, or undefined when there is no such object. */
export async function headObject(s3: S3Client, loc: ObjectLocation): Promise<HeadObjectCommandOutput | undefined> {
  try {
    return await s3.send(
      new HeadObjectCommand({
        Bucket: loc.bucket,
        Key: loc.key,
        ...(loc.versionId ? { VersionId: loc.versionId } : {}),
      }),
    );
  } catch (e) {
    if (errorName(e) === "NotFound" || statusOf(e) === 404) return undefined;
    throw e;
  }
}

/** Writes bytes with a SHA-256 checksum, plus Object Lock or SSE-KMS parameters when given. */
export async function putObject(
  s3: S3Client,
  args: {
    bucket: string;
    key: string;
    body: Uint8Array | string;
    contentType?: string;
    contentEncoding?: string;
    metadata?: Record<string, string>;
    objectLock?: ObjectLockParams;
    kms?: KmsParams;
  },
): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: args.bucket,
      Key: args.key,
      Body: args.body,
      ChecksumAlgorithm: WRITE_CHECKSUM,
      ...(args.contentType ? { ContentType: args.contentType } : {}),
      ...(args.contentEncoding ? { ContentEncoding: args.contentEncoding } : {}),
      ...(args.metadata ? { Metadata: args.metadata } : {}),
      ...objectLockParams(args.objectLock),
      ...kmsParams(args.kms),
    }),
  );
}

/** Encodes a `bucket/key[?versionId=]` copy source the way S3 expects: each key segment URL-encoded. */
export function copySource(loc: ObjectLocation): string {
  const key = loc.key.split("/").map(encodeURIComponent).join("/");
  return `${loc.bucket}/${key}${loc.versionId ? `?versionId=${encodeURIComponent(loc.versionId)}` : ""}`;
}

/**
 * Copies an object server-side, keeping its user metadata (a CloudTrail digest's signature lives only there),
 * with a SHA-256 checksum and the given Object Lock or SSE-KMS parameters. Objects above the threshold use a
 * multipart copy (UploadPartCopy), which carries the metadata over explicitly. `s3` is the client of the writer
 * (an assumed-role client for cross-account targets); it must be allowed to read the source.
 */
export async function copyObject(s3: S3Client, args: CopyRequest): Promise<{ multipart: boolean }> {
  // Without a size from the notification it is read with HeadObject.
  const size = args.size ?? (await headOrGone(s3, args.source)).ContentLength ?? 0;
  if (size <= args.limits.multipartThresholdBytes) {
    const input: CopyObjectCommandInput = {
      Bucket: args.target.bucket,
      Key: args.target.key,
      CopySource: copySource(args.source),
      MetadataDirective: "COPY",
      ChecksumAlgorithm: WRITE_CHECKSUM,
      ...(args.source.eTag && !args.source.versionId ? { CopySourceIfMatch: quoteEtag(args.source.eTag) } : {}),
      ...objectLockParams(args.objectLock),
      ...kmsParams(args.kms),
    };
    try {
      await s3.send(new CopyObjectCommand(input));
    } catch (e) {
      if (errorName(e) === "NoSuchKey" || errorName(e) === "PreconditionFailed" || statusOf(e) === 412) {
        throw new ObjectGoneError(`s3://${args.source.bucket}/${args.source.key}: ${errorName(e)} during copy`);
      }
      throw e;
    }
    return { multipart: false };
  }
  await multipartCopy(s3, { ...args, size });
  return { multipart: true };
}

async function headOrGone(s3: S3Client, loc: ObjectLocation): Promise<HeadObjectCommandOutput> {
  const head = await headObject(s3, loc);
  if (!head) throw new ObjectGoneError(`s3://${loc.bucket}/${loc.key}: no such object`);
  return head;
}

async function multipartCopy(
  s3: S3Client,
  args: {
    source: ObjectLocation;
    target: { bucket: string; key: string };
    size: number;
    objectLock?: ObjectLockParams;
    kms?: KmsParams;
    limits: CopyLimits;
  },
): Promise<void> {
  // CreateMultipartUpload starts empty: metadata and content headers must be carried over by hand.
  const head = await headOrGone(s3, args.source);
  const created = await s3.send(
    new CreateMultipartUploadCommand({
      Bucket: args.target.bucket,
      Key: args.target.key,
      ChecksumAlgorithm: WRITE_CHECKSUM,
      Metadata: head.Metadata ?? {},
      ...(head.ContentType ? { ContentType: head.ContentType } : {}),
      ...(head.ContentEncoding ? { ContentEncoding: head.ContentEncoding } : {}),
      ...(head.ContentDisposition ? { ContentDisposition: head.ContentDisposition } : {}),
      ...(head.ContentLanguage ? { ContentLanguage: head.ContentLanguage } : {}),
      ...(head.CacheControl ? { CacheControl: head.CacheControl } : {}),
      ...objectLockParams(args.objectLock),
      ...kmsParams(args.kms),
    }),
  );
  const uploadId = created.UploadId as string;
  const partSize = args.limits.partSizeBytes;
  const count = Math.max(1, Math.ceil(args.size / partSize));
  const parts: CompletedPart[] = new Array(count);
  const etag = head.ETag;
  try {
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < count; i = next++) {
        const start = i * partSize;
        const end = Math.min(args.size, start + partSize) - 1;
        const res = await s3.send(
          new UploadPartCopyCommand({
            Bucket: args.target.bucket,
            Key: args.target.key,
            UploadId: uploadId,
            PartNumber: i + 1,
            CopySource: copySource(args.source),
            CopySourceRange: `bytes=${start}-${end}`,
            ...(etag && !args.source.versionId ? { CopySourceIfMatch: etag } : {}),
          }),
        );
        parts[i] = {
          PartNumber: i + 1,
          ETag: res.CopyPartResult?.ETag,
          ...(res.CopyPartResult?.ChecksumSHA256 ? { ChecksumSHA256: res.CopyPartResult.ChecksumSHA256 } : {}),
        };
      }
    };
    await Promise.all(Array.from({ length: Math.min(args.limits.concurrency ?? 4, count) }, worker));
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: args.target.bucket,
        Key: args.target.key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
  } catch (e) {
    await s3
      .send(new AbortMultipartUploadCommand({ Bucket: args.target.bucket, Key: args.target.key, UploadId: uploadId }))
      .catch(() => undefined);
    throw e;
  }
}

function quoteEtag(etag: string): string {
  return etag.startsWith('"') ? etag : `"${etag}"`;
}

/**
 * The pipeline's object reader, copier and writer on S3. Reads and WORM writes use the function's own client; a
 * copy to a customer uses that customer's client (assumed-role credentials when it names a role).
 */
export class S3Objects implements ObjectReader, ObjectCopier, ObjectWriter {
  constructor(
    private readonly s3: S3Client,
    private readonly customerClient: (dest: CustomerDestination) => S3Client = () => s3,
  ) {}

  read(loc: ObjectLocation, opts?: { onResume?: (offset: number, error: unknown) => void }) {
    return readObject(this.s3, loc, opts);
  }

  copy(req: CopyRequest, destination?: CustomerDestination): Promise<{ multipart: boolean }> {
    return copyObject(destination ? this.customerClient(destination) : this.s3, req);
  }

  put(args: Parameters<ObjectWriter["put"]>[0]): Promise<void> {
    return putObject(this.s3, args);
  }
}
