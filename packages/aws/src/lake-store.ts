import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ChainSigner } from "@app/core/integrity/lake";
import { UNSIGNED } from "@app/lake/chain";
import { type LakeStore, partialPath } from "@app/lake/store";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { type AwsClientOptions, makeS3Client } from "./clients.ts";
import { WRITE_CHECKSUM } from "./s3.ts";

/** One object of the lake as S3 lists it. */
export interface LakeObject {
  relPath: string;
  eTag: string;
  size: number;
}

/** A lake in an S3 bucket under an optional prefix; paths are relative to the prefix, `/`-separated. */
export class S3LakeStore implements LakeStore {
  readonly bucket: string;
  readonly prefix: string;
  readonly s3: S3Client;
  private readonly signer: ChainSigner;

  /** `signer`: signs chain heads (`kmsChainSigner`); without one, heads are written unsigned and verify says so. */
  constructor(args: { bucket: string; prefix?: string; client?: S3Client; signer?: ChainSigner } & AwsClientOptions) {
    this.bucket = args.bucket;
    this.signer = args.signer ?? UNSIGNED;
    // Accept "lake", "lake/" and "" alike.
    this.prefix = (args.prefix ?? "").replace(/^\/+|\/+$/g, "");
    this.s3 = args.client ?? makeS3Client(args);
  }

  async chainSigner(): Promise<ChainSigner> {
    return this.signer;
  }

  get location(): string {
    return `s3://${this.bucket}${this.prefix ? `/${this.prefix}` : ""}`;
  }

  private key(relPath: string): string {
    if (relPath.split("/").includes("..")) throw new Error(`lake path must not contain "..": ${relPath}`);
    return this.prefix ? `${this.prefix}/${relPath}` : relPath;
  }

  async putFile(relPath: string, localPath: string): Promise<void> {
    // lib-storage sends one PutObject for small files and a multipart upload for large ones, checksummed either way.
    await new Upload({
      client: this.s3,
      params: {
        Bucket: this.bucket,
        Key: this.key(relPath),
        Body: createReadStream(localPath),
        ChecksumAlgorithm: WRITE_CHECKSUM,
        ContentType: relPath.endsWith(".parquet") ? "application/vnd.apache.parquet" : "application/octet-stream",
      },
      partSize: 16 * 1024 * 1024,
      queueSize: 4,
    }).done();
    await rm(localPath, { force: true });
  }

  async putText(relPath: string, text: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.key(relPath),
        Body: text,
        ChecksumAlgorithm: WRITE_CHECKSUM,
        ContentType: relPath.endsWith(".json") ? "application/json" : "text/plain; charset=utf-8",
      }),
    );
  }

  async getText(relPath: string): Promise<string | undefined> {
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(relPath) }));
      return await (res.Body as { transformToString(): Promise<string> }).transformToString();
    } catch (e) {
      if ((e as { name?: string }).name === "NoSuchKey") return undefined;
      throw e;
    }
  }

  async delete(relPath: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(relPath) }));
  }

  async list(prefix: string): Promise<string[]> {
    return (await this.listObjects(prefix)).map((o) => o.relPath);
  }

  /** Every object under `prefix` with its size in bytes. */
  async listSized(prefix: string): Promise<{ key: string; bytes: number }[]> {
    return (await this.listObjects(prefix)).map((o) => ({ key: o.relPath, bytes: o.size }));
  }

  async listAfter(start: string, after: string): Promise<string[]> {
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    const out: string[] = [];
    let token: string | undefined;
    do {
      const res = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.key(start),
          ...(token ? { ContinuationToken: token } : { StartAfter: this.key(after) }),
        }),
      );
      for (const o of res.Contents ?? []) if (o.Key) out.push(o.Key.slice(strip));
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return out.sort().filter((p) => p > after);
  }

  /** Every object under `prefix` (a directory: `cloudtrail` does not match `cloudtrail_digest`), with ETag and size. */
  async listObjects(prefix: string): Promise<LakeObject[]> {
    const dir = prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`;
    const full = this.prefix ? `${this.prefix}/${dir}` : dir;
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    const out: LakeObject[] = [];
    let token: string | undefined;
    do {
      const res = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: full, ContinuationToken: token }),
      );
      for (const o of res.Contents ?? []) {
        if (!o.Key) continue;
        out.push({ relPath: o.Key.slice(strip), eTag: (o.ETag ?? "").replaceAll('"', ""), size: o.Size ?? 0 });
      }
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return out.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
  }

  async getToFile(relPath: string, localPath: string): Promise<void> {
    await mkdir(dirname(localPath), { recursive: true });
    const res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(relPath) }));
    // Write beside the target and rename, so a reader never sees half a file.
    const tmp = partialPath(localPath);
    try {
      await pipeline(res.Body as Readable, createWriteStream(tmp));
      await rename(tmp, localPath);
    } finally {
      await rm(tmp, { force: true });
    }
  }
}
