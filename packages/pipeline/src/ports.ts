import type { CustomerDestination, WormMode } from "@app/core/config/types";

/** Where an object is; `versionId` pins one version, `eTag` guards against an overwrite in between. */
export interface ObjectLocation {
  bucket: string;
  key: string;
  versionId?: string;
  eTag?: string;
}

/** Object Lock settings for one write. */
export interface ObjectLockParams {
  mode: WormMode;
  /** ISO-8601 UTC. */
  retainUntil: string;
}

/** Encryption for one write: SSE-KMS with the given key. */
export interface KmsParams {
  kmsKeyId: string;
}

/** Limits for a copy: an object store copies at most so much in one request. */
export interface CopyLimits {
  multipartThresholdBytes: number;
  partSizeBytes: number;
  /** Parts copied at once. */
  concurrency?: number;
}

/** The object no longer exists in the version the notification named (deleted or overwritten since). */
export class ObjectGoneError extends Error {
  override name = "ObjectGoneError";
}

/** Streams the bytes of source objects. */
export interface ObjectReader {
  /**
   * The object's bytes in order. A body that breaks mid-way is resumed where it stopped (reported through
   * `onResume`), never restarted. Throws `ObjectGoneError` when the object or the named version no longer exists.
   */
  read(
    loc: ObjectLocation,
    opts?: { onResume?: (offset: number, error: unknown) => void },
  ): AsyncGenerator<Uint8Array, void, undefined>;
}

/** One raw copy of a source object. */
export interface CopyRequest {
  source: ObjectLocation;
  target: { bucket: string; key: string };
  /** Source size when known (from the notification). */
  size?: number;
  objectLock?: ObjectLockParams;
  kms?: KmsParams;
  limits: CopyLimits;
}

/** Copies source objects, keeping their metadata. */
export interface ObjectCopier {
  /**
   * Copies one object; `destination` names the customer whose credentials write it (the function's own when
   * absent). Throws `ObjectGoneError` when the source no longer exists.
   */
  copy(req: CopyRequest, destination?: CustomerDestination): Promise<{ multipart: boolean }>;
}

/** Writes whole objects (the WORM archive of a Kinesis batch). */
export interface ObjectWriter {
  put(args: {
    bucket: string;
    key: string;
    body: Uint8Array | string;
    contentType?: string;
    contentEncoding?: string;
    objectLock?: ObjectLockParams;
  }): Promise<void>;
}

/** Keeps a batch's in-flight messages invisible to other consumers until each is done. */
export interface VisibilityLease {
  /** One message finished, either way: stop extending it. */
  done(id: string): void;
  /** Stops every extension and waits for one in progress. */
  stop(): Promise<void>;
}

/** Starts a lease on a batch's messages from one queue; undefined when the queue cannot be extended. */
export type KeepInvisible = (
  queueArn: string,
  messages: readonly { id: string; receiptHandle: string }[],
) => Promise<VisibilityLease | undefined>;
