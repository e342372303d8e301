import { createSign, generateKeyPairSync, type KeyObject } from "node:crypto";
import type { TrailObjects } from "@app/core/integrity/cloudtrail";
import { sha256Hex } from "@app/core/integrity/cloudtrail";
import { publicKeyFingerprint } from "@app/core/integrity/public-keys";

/** An RSA key pair and its fingerprint, generated per test: real CloudTrail keys cannot be fetched offline. */
export function rsaKeyPair(): { privateKey: KeyObject; publicKey: KeyObject; fingerprint: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { privateKey, publicKey, fingerprint: publicKeyFingerprint(publicKey) };
}

export const ACCOUNT = "111122223333";
export const REGION = "us-east-1";
export const BUCKET = "org-trail";

const pad = (n: number) => String(n).padStart(2, "0");

/** Key of the log file delivered at `hour`:05 on 2024-05-01. */
export function logKey(hour: number): string {
  return `AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2024/05/01/${ACCOUNT}_CloudTrail_${REGION}_20240501T${pad(hour)}05Z_Ab12Cd34Ef56Gh${pad(hour)}.json.gz`;
}

/** Key of the digest ending at `hour`:00:31 on 2024-05-01. */
export function digestKey(hour: number, backfill = false): string {
  return `AWSLogs/${ACCOUNT}/CloudTrail-Digest/${REGION}/2024/05/01/${ACCOUNT}_CloudTrail-Digest_${REGION}_mgmt_${REGION}_20240501T${pad(hour)}0031Z${backfill ? "_backfill" : ""}.json.gz`;
}

/** One stored object: uncompressed bytes and the `x-amz-meta-signature` metadata, if any. */
export interface StoredObject {
  bytes: Uint8Array;
  signature?: string;
}

/** A trail bucket in memory, as `TrailObjects` sees one. */
export function memoryTrail(store: Map<string, StoredObject>): TrailObjects {
  return {
    keys: async () => [...store.keys()].sort(),
    read: async (key) => store.get(key)?.bytes,
    signature: async (key) => store.get(key)?.signature,
    describe: (key) => `s3://${BUCKET}/${key}`,
  };
}

/** Signs a digest the way CloudTrail documents it: SHA256withRSA over the data signing string, hex. */
export function signDigest(privateKey: KeyObject, signingString: string): string {
  return createSign("sha256").update(signingString, "utf8").sign(privateKey, "hex");
}

/**
 * Writes the log file of each hour in `hours` and one digest per hour (ending at the next hour's :00:31) listing it,
 * chained through previousDigest*, signed with `privateKey`. `restartAt` starts a new chain at that hour.
 */
export function writeTrail(
  store: Map<string, StoredObject>,
  key: { privateKey: KeyObject; fingerprint: string },
  hours: readonly number[],
  options: { restartAt?: number } = {},
): { key: string; sha256: string; signature: string } | undefined {
  let previous: { key: string; sha256: string; signature: string } | undefined;
  for (const h of hours) {
    const lk = logKey(h);
    const log = Buffer.from(
      `{"Records":[{"eventVersion":"1.08","eventTime":"2024-05-01T${pad(h)}:01:02Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"e-${h}"}]}`,
    );
    store.set(lk, { bytes: log });
    if (options.restartAt === h) previous = undefined;
    previous = putDigest(store, key, digestKey(h + 1), h, [{ key: lk, bytes: log, hour: h }], previous);
  }
  return previous;
}

/** Writes one signed digest listing `files`; returns what the next digest names as its previous one. */
export function putDigest(
  store: Map<string, StoredObject>,
  key: { privateKey: KeyObject; fingerprint: string },
  dk: string,
  hour: number,
  files: readonly { key: string; bytes: Uint8Array; hour: number }[],
  previous: { key: string; sha256: string; signature: string } | undefined,
): { key: string; sha256: string; signature: string } {
  const endTime = `2024-05-01T${pad(hour + 1)}:00:31Z`;
  const body = {
    awsAccountId: ACCOUNT,
    digestStartTime: `2024-05-01T${pad(hour)}:00:31Z`,
    digestEndTime: endTime,
    digestS3Bucket: BUCKET,
    digestS3Object: dk,
    digestPublicKeyFingerprint: key.fingerprint,
    digestSignatureAlgorithm: "SHA256withRSA",
    newestEventTime: `2024-05-01T${pad(hour)}:01:02Z`,
    oldestEventTime: `2024-05-01T${pad(hour)}:01:02Z`,
    previousDigestS3Bucket: previous ? BUCKET : null,
    previousDigestS3Object: previous?.key ?? null,
    previousDigestHashValue: previous?.sha256 ?? null,
    previousDigestHashAlgorithm: previous ? "SHA-256" : null,
    previousDigestSignature: previous?.signature ?? null,
    logFiles: files.map((f) => ({
      s3Bucket: BUCKET,
      s3Object: f.key,
      hashValue: sha256Hex(f.bytes),
      hashAlgorithm: "SHA-256",
      newestEventTime: `2024-05-01T${pad(f.hour)}:01:02Z`,
      oldestEventTime: `2024-05-01T${pad(f.hour)}:01:02Z`,
    })),
  };
  const bytes = Buffer.from(JSON.stringify(body));
  const sha256 = sha256Hex(bytes);
  // The data signing string, spelled out as the CloudTrail user guide gives it.
  const signing = `${endTime}\n${BUCKET}/${dk}\n${sha256}\n${previous?.signature ?? "null"}`;
  const signature = signDigest(key.privateKey, signing);
  store.set(dk, { bytes, signature });
  return { key: dk, sha256, signature };
}
