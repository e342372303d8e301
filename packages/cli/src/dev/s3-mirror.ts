import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Log } from "@app/pipeline/log";
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { readJsonFile, writeFileAtomic } from "./data-dir.ts";

/** The metadata kept beside an object's body. */
interface ObjectMeta {
  key: string;
  /** ETag without quotes. */
  etag: string;
  contentType?: string;
  metadata: Record<string, string>;
  size: number;
}

/** What a restore put back. */
export interface S3RestoreSummary {
  buckets: number;
  objects: number;
  /** Objects whose ETag could not be reproduced (a multipart upload with parts of unequal size). */
  etagChanged: { bucket: string; key: string; was: string; now: string }[];
}

const MIB = 1024 * 1024;
// fauxqs takes request bodies up to 11 MiB, and S3 wants parts of at least 5 MiB.
const PART_SIZES = [5, 6, 7, 8, 9, 10, 11].map((n) => n * MIB);
const SINGLE_PUT_LIMIT = 10 * MIB;

const keyHash = (key: string) => createHash("sha256").update(key).digest("hex");
const unquote = (etag: string | undefined) => (etag ?? "").replaceAll('"', "");
const safe = (etag: string) => etag.replace(/[^A-Za-z0-9-]/g, "_");

/** The ETag S3 gives an object uploaded in parts of `partSize` bytes. */
export function multipartEtag(body: Uint8Array, partSize: number): string {
  const digests: Buffer[] = [];
  for (let i = 0; i < body.length; i += partSize) {
    digests.push(
      createHash("md5")
        .update(body.subarray(i, i + partSize))
        .digest(),
    );
  }
  return `${createHash("md5").update(Buffer.concat(digests)).digest("hex")}-${digests.length}`;
}

/** The part size that reproduces a multipart ETag, when the parts were of equal size (as SDKs and the CLI upload). */
export function partSizeFor(body: Uint8Array, etag: string): number | undefined {
  const m = /^[0-9a-f]{32}-(\d+)$/.exec(etag);
  if (!m) return undefined;
  const parts = Number(m[1]);
  return PART_SIZES.find((p) => Math.ceil(body.length / p) === parts && multipartEtag(body, p) === etag);
}

/**
 * Keeps every bucket of the emulator as files: `<dir>/<bucket>/<sha256(key)>.json` (key, ETag, content type, user
 * metadata) beside `<sha256(key)>.<etag>.body`. The metadata file is replaced last, in one rename, so a killed
 * process leaves the previous version or the new one, never a torn one. Changes to one key are applied in order.
 */
export class S3Mirror {
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly opts: {
      dir: string;
      /** A client of the emulator itself, not of the persisting endpoint. */
      s3: S3Client;
      log: Log;
    },
  ) {}

  private serial<T>(id: string, work: () => Promise<T>): Promise<T> {
    const next = (this.chains.get(id) ?? Promise.resolve()).then(work, work);
    this.chains.set(id, next);
    void next
      .catch(() => undefined)
      .then(() => {
        if (this.chains.get(id) === next) this.chains.delete(id);
      });
    return next;
  }

  private bucketDir(bucket: string): string {
    if (!/^[a-z0-9][a-z0-9.-]{1,62}$/.test(bucket) || bucket.includes("..")) {
      throw new Error(`not a bucket name: ${bucket}`);
    }
    return join(this.opts.dir, bucket);
  }

  async bucketCreated(bucket: string): Promise<void> {
    await mkdir(this.bucketDir(bucket), { recursive: true });
  }

  async bucketDeleted(bucket: string): Promise<void> {
    await this.serial(`b:${bucket}`, () => rm(this.bucketDir(bucket), { recursive: true, force: true }));
  }

  /**
   * Copies the object's current version from the emulator, or forgets it when the emulator no longer has it;
   * returns whether it was there.
   */
  objectChanged(bucket: string, key: string): Promise<boolean> {
    return this.serial(`${bucket}/${key}`, async () => {
      const dir = this.bucketDir(bucket);
      const res = await this.opts.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })).catch((e: unknown) => {
        if ((e as Error).name === "NoSuchKey") return undefined;
        throw e;
      });
      if (!res) {
        await this.forget(dir, key);
        return false;
      }
      const h = keyHash(key);
      const meta: ObjectMeta = {
        key,
        etag: unquote(res.ETag),
        ...(res.ContentType ? { contentType: res.ContentType } : {}),
        metadata: res.Metadata ?? {},
        size: res.ContentLength ?? 0,
      };
      await mkdir(dir, { recursive: true });
      const body = join(dir, `${h}.${safe(meta.etag)}.body`);
      const tmp = `${body}.${process.pid}.tmp`;
      await pipeline(res.Body as Readable, createWriteStream(tmp));
      await rename(tmp, body);
      const old = await readJsonFile<ObjectMeta>(join(dir, `${h}.json`));
      await writeFileAtomic(join(dir, `${h}.json`), JSON.stringify(meta));
      if (old && safe(old.etag) !== safe(meta.etag))
        await rm(join(dir, `${h}.${safe(old.etag)}.body`), { force: true });
      return true;
    });
  }

  objectDeleted(bucket: string, key: string): Promise<void> {
    return this.serial(`${bucket}/${key}`, () => this.forget(this.bucketDir(bucket), key));
  }

  private async forget(dir: string, key: string): Promise<void> {
    const h = keyHash(key);
    const old = await readJsonFile<ObjectMeta>(join(dir, `${h}.json`));
    await rm(join(dir, `${h}.json`), { force: true });
    if (old) await rm(join(dir, `${h}.${safe(old.etag)}.body`), { force: true });
  }

  /** Brings a bucket's files in line with the emulator (after a multi-object delete, or a request not understood). */
  async reconcile(bucket: string): Promise<void> {
    const dir = this.bucketDir(bucket);
    const remote = new Map<string, string>();
    let token: string | undefined;
    do {
      const res = await this.opts.s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      for (const o of res.Contents ?? []) if (o.Key) remote.set(o.Key, unquote(o.ETag));
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    const local = await this.metas(dir);
    for (const m of local) if (remote.get(m.key) !== m.etag) await this.objectChanged(bucket, m.key);
    const known = new Set(local.map((m) => m.key));
    for (const key of remote.keys()) if (!known.has(key)) await this.objectChanged(bucket, key);
  }

  private async metas(dir: string): Promise<ObjectMeta[]> {
    const names = await readdir(dir).catch(() => [] as string[]);
    const out: ObjectMeta[] = [];
    for (const n of names.filter((x) => x.endsWith(".json"))) {
      const m = await readJsonFile<ObjectMeta>(join(dir, n));
      if (m) out.push(m);
    }
    return out;
  }

  /**
   * Puts every kept bucket and object back into an empty emulator, straight to it (nothing is mirrored twice).
   * Multipart objects are uploaded again in parts of their original size, so their ETag (which lake file names and
   * conditional reads depend on) is the same; one that cannot be reproduced is reported.
   */
  async restore(): Promise<S3RestoreSummary> {
    const summary: S3RestoreSummary = { buckets: 0, objects: 0, etagChanged: [] };
    const entries = await readdir(this.opts.dir, { withFileTypes: true }).catch(() => []);
    for (const d of entries.filter((e) => e.isDirectory())) {
      const bucket = d.name;
      const dir = this.bucketDir(bucket);
      await this.opts.s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((e: unknown) => {
        if (!/BucketAlready(OwnedByYou|Exists)/.test((e as Error).name)) throw e;
      });
      summary.buckets++;
      const referenced = new Set<string>();
      for (const meta of await this.metas(dir)) {
        const h = keyHash(meta.key);
        const bodyFile = `${h}.${safe(meta.etag)}.body`;
        const body = await readFile(join(dir, bodyFile)).catch(() => undefined);
        if (!body) {
          this.opts.log.warn("kept object has no body; dropped", { bucket, key: meta.key });
          await rm(join(dir, `${h}.json`), { force: true });
          continue;
        }
        const now = await this.put(bucket, meta, body);
        summary.objects++;
        if (now === meta.etag) {
          referenced.add(bodyFile);
          continue;
        }
        summary.etagChanged.push({ bucket, key: meta.key, was: meta.etag, now });
        this.opts.log.warn("restored object has a new ETag; it will be ingested again under the new one", {
          bucket,
          key: meta.key,
          was: meta.etag,
          now,
        });
        const renamed = `${h}.${safe(now)}.body`;
        await rename(join(dir, bodyFile), join(dir, renamed));
        await writeFileAtomic(join(dir, `${h}.json`), JSON.stringify({ ...meta, etag: now }));
        referenced.add(renamed);
      }
      // Bodies and temporary files a killed process left behind.
      for (const n of await readdir(dir)) {
        if (!n.endsWith(".json") && !referenced.has(n)) await rm(join(dir, n), { force: true });
      }
    }
    return summary;
  }

  private async put(bucket: string, meta: ObjectMeta, body: Buffer): Promise<string> {
    const common = {
      Bucket: bucket,
      Key: meta.key,
      ...(meta.contentType ? { ContentType: meta.contentType } : {}),
      Metadata: meta.metadata,
    };
    const partSize = partSizeFor(body, meta.etag) ?? (body.length > SINGLE_PUT_LIMIT ? 8 * MIB : undefined);
    if (partSize === undefined) {
      return unquote((await this.opts.s3.send(new PutObjectCommand({ ...common, Body: body }))).ETag);
    }
    const { UploadId } = await this.opts.s3.send(new CreateMultipartUploadCommand(common));
    const parts: { ETag: string; PartNumber: number }[] = [];
    for (let i = 0, n = 1; i < body.length; i += partSize, n++) {
      const res = await this.opts.s3.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: meta.key,
          UploadId,
          PartNumber: n,
          Body: body.subarray(i, i + partSize),
        }),
      );
      parts.push({ ETag: res.ETag as string, PartNumber: n });
    }
    const done = await this.opts.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: meta.key,
        UploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    return unquote(done.ETag);
  }
}
