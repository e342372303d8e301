import type { TrailObjects } from "@app/core/integrity/cloudtrail";
import type { ChainSigner } from "@app/core/integrity/lake";
import { type ListedPublicKey, listedPublicKeys, type PublicKeys } from "@app/core/integrity/public-keys";
import { uncompressed } from "@app/lake/trail-files";
import { CloudTrailClient, ListPublicKeysCommand } from "@aws-sdk/client-cloudtrail";
import { KMSClient, SignCommand } from "@aws-sdk/client-kms";
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { type AwsClientOptions, awsClientConfig } from "./clients.ts";
import { headObject } from "./s3.ts";

/**
 * A trail bucket or a WORM copy of one, under `prefix`: keys relative to the prefix, bytes uncompressed, the digest
 * signature from the object's `x-amz-meta-signature` (which `CopyObject` keeps in the copies).
 */
export function s3TrailObjects(s3: S3Client, bucket: string, prefix = ""): TrailObjects {
  const base = prefix.replace(/^\/+|\/+$/g, "");
  const full = (key: string) => (base ? `${base}/${key}` : key);
  return {
    async keys() {
      const out: string[] = [];
      let token: string | undefined;
      do {
        const res = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: base ? `${base}/` : undefined, ContinuationToken: token }),
        );
        for (const o of res.Contents ?? []) if (o.Key) out.push(base ? o.Key.slice(base.length + 1) : o.Key);
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
      return out.sort();
    },
    async read(key) {
      try {
        const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: full(key) }));
        const body = res.Body as { transformToByteArray(): Promise<Uint8Array> };
        return uncompressed(key, await body.transformToByteArray());
      } catch (e) {
        if ((e as { name?: string }).name === "NoSuchKey") return undefined;
        throw e;
      }
    },
    async signature(key) {
      return (await headObject(s3, { bucket, key: full(key) }))?.Metadata?.signature;
    },
    describe: (key) => `s3://${bucket}/${full(key)}`,
  };
}

/** A CloudTrail client (for `ListPublicKeys`). */
export function makeCloudTrailClient(opts: AwsClientOptions = {}): CloudTrailClient {
  return new CloudTrailClient(awsClientConfig(opts));
}

/**
 * CloudTrail's public keys through `ListPublicKeys`, asked for the instant a digest needs (its end time) and cached
 * per validity range by `listedPublicKeys`.
 */
export function cloudTrailPublicKeys(client: CloudTrailClient): PublicKeys {
  return listedPublicKeys(async (at) => {
    const keys: ListedPublicKey[] = [];
    let token: string | undefined;
    do {
      const res = await client.send(
        new ListPublicKeysCommand({ StartTime: new Date(at), EndTime: new Date(at), NextToken: token }),
      );
      for (const k of res.PublicKeyList ?? []) {
        if (!k.Value || !k.Fingerprint || !k.ValidityStartTime || !k.ValidityEndTime) continue;
        keys.push({
          fingerprint: k.Fingerprint,
          value: k.Value,
          validityStart: k.ValidityStartTime.toISOString().replace(/\.000Z$/, "Z"),
          validityEnd: k.ValidityEndTime.toISOString().replace(/\.000Z$/, "Z"),
        });
      }
      token = res.NextToken;
    } while (token);
    return keys;
  });
}

/** A KMS client (for `Sign` on the lake's chain heads). */
export function makeKmsClient(opts: AwsClientOptions = {}): KMSClient {
  return new KMSClient(awsClientConfig(opts));
}

/**
 * Signs the lake's chain heads with an asymmetric KMS key (`ECC_NIST_P256`, `SIGN_VERIFY`): `ECDSA_SHA_256` over the
 * message, DER signature. The private key never leaves KMS; its public key (`GetPublicKey`) checks the heads.
 */
export function kmsChainSigner(client: KMSClient, keyId: string): ChainSigner {
  return {
    keyId,
    async sign(message) {
      const res = await client.send(
        new SignCommand({ KeyId: keyId, Message: message, MessageType: "RAW", SigningAlgorithm: "ECDSA_SHA_256" }),
      );
      if (!res.Signature) throw new Error(`KMS Sign with ${keyId} returned no signature`);
      return res.Signature;
    },
  };
}
