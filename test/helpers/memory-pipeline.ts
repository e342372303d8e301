import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { CustomerDestination } from "@app/core/config/types";
import { UNSIGNED } from "@app/lake/chain";
import type { LakeStore } from "@app/lake/store";
import type { Log } from "@app/pipeline/log";
import {
  type CopyRequest,
  type KeepInvisible,
  type ObjectCopier,
  ObjectGoneError,
  type ObjectLocation,
  type ObjectReader,
  type ObjectWriter,
} from "@app/pipeline/ports";
import { parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";

const id = (bucket: string, key: string) => `${bucket}/${key}`;

/**
 * Buckets in memory behind the pipeline's reader, copier and writer. Each object is read in two chunks; a key in
 * `breakOnce` fails after the first chunk once (the reader resumes it), a key in `failing` fails every read.
 */
export class MemoryObjects implements ObjectReader, ObjectCopier, ObjectWriter {
  readonly objects = new Map<string, { body: Uint8Array; eTag: string }>();
  readonly copies: { request: CopyRequest; destination?: string }[] = [];
  readonly puts: { bucket: string; key: string; body: Uint8Array | string }[] = [];
  readonly breakOnce = new Set<string>();
  readonly failing = new Map<string, Error>();

  add(bucket: string, key: string, body: string, eTag: string): void {
    this.objects.set(id(bucket, key), { body: new TextEncoder().encode(body), eTag });
  }

  private get(loc: ObjectLocation) {
    const o = this.objects.get(id(loc.bucket, loc.key));
    if (!o || (loc.eTag && loc.eTag !== o.eTag)) throw new ObjectGoneError(`s3://${loc.bucket}/${loc.key}: gone`);
    return o;
  }

  async *read(
    loc: ObjectLocation,
    opts: { onResume?: (offset: number, error: unknown) => void } = {},
  ): AsyncGenerator<Uint8Array, void, undefined> {
    const failure = this.failing.get(id(loc.bucket, loc.key));
    if (failure) throw failure;
    const { body } = this.get(loc);
    const half = body.length >> 1;
    yield body.subarray(0, half);
    if (this.breakOnce.delete(id(loc.bucket, loc.key))) opts.onResume?.(half, new Error("socket hang up"));
    yield body.subarray(half);
  }

  async copy(request: CopyRequest, destination?: CustomerDestination): Promise<{ multipart: boolean }> {
    const o = this.get(request.source);
    this.objects.set(id(request.target.bucket, request.target.key), o);
    this.copies.push({ request, ...(destination ? { destination: destination.name } : {}) });
    return { multipart: false };
  }

  async put(args: { bucket: string; key: string; body: Uint8Array | string }): Promise<void> {
    const body = typeof args.body === "string" ? new TextEncoder().encode(args.body) : args.body;
    this.objects.set(id(args.bucket, args.key), { body, eTag: "memory" });
    this.puts.push({ bucket: args.bucket, key: args.key, body: args.body });
  }
}

/** A lake whose files live in memory. */
export class MemoryLakeStore implements LakeStore {
  readonly files = new Map<string, Uint8Array>();
  readonly location = "memory://lake";
  readonly chainSigner = async () => UNSIGNED;

  async putFile(relPath: string, localPath: string): Promise<void> {
    this.files.set(relPath, new Uint8Array(await readFile(localPath)));
    await rm(localPath, { force: true });
  }

  async putText(relPath: string, text: string): Promise<void> {
    this.files.set(relPath, new TextEncoder().encode(text));
  }

  async getText(relPath: string): Promise<string | undefined> {
    const f = this.files.get(relPath);
    return f && new TextDecoder().decode(f);
  }

  async delete(relPath: string): Promise<void> {
    this.files.delete(relPath);
  }

  async list(prefix: string): Promise<string[]> {
    const dir = prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`;
    return [...this.files.keys()].filter((k) => k.startsWith(dir)).sort();
  }

  async listAfter(start: string, after: string): Promise<string[]> {
    return [...this.files.keys()].filter((k) => k.startsWith(start) && k > after).sort();
  }

  async getToFile(relPath: string, localPath: string): Promise<void> {
    const f = this.files.get(relPath);
    if (!f) throw new Error(`no lake file ${relPath}`);
    await mkdir(dirname(localPath), { recursive: true });
    await writeFile(localPath, f);
  }

  /** The given columns of one Parquet file, read by an independent reader. */
  async rows(relPath: string, columns: string[]): Promise<Record<string, unknown>[]> {
    const f = this.files.get(relPath);
    if (!f) throw new Error(`no lake file ${relPath}`);
    const file = f.buffer.slice(f.byteOffset, f.byteOffset + f.byteLength) as ArrayBuffer;
    return parquetReadObjects({ file, columns, compressors });
  }
}

/** A visibility lease that records what the pipeline asked of it. */
export function recordingLease(events: string[]): KeepInvisible {
  return async (queueArn, messages) => {
    events.push(`start ${queueArn} ${messages.map((m) => m.id).join(",")}`);
    return {
      done: (messageId) => void events.push(`done ${messageId}`),
      stop: async () => void events.push("stop"),
    };
  };
}

/** A log that keeps its entries. */
export function recordingLog(entries: { level: string; message: string; extra?: Record<string, unknown> }[]): Log {
  const at =
    (level: string) =>
    (message: string, extra?: Record<string, unknown>): void =>
      void entries.push({ level, message, ...(extra ? { extra } : {}) });
  return { info: at("info"), warn: at("warn"), error: at("error") };
}
