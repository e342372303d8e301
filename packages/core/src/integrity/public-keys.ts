import { createHash, createPublicKey, type KeyObject } from "node:crypto";

/** Finds the public key a digest names by fingerprint, valid at the digest's end time. */
export interface PublicKeys {
  find(fingerprint: string, at: string): Promise<KeyObject | undefined>;
}

/** A public key as CloudTrail `ListPublicKeys` returns it: DER PKCS#1 bytes, fingerprint and validity range. */
export interface ListedPublicKey {
  fingerprint: string;
  /** DER-encoded PKCS#1 `RSAPublicKey` (the `Value` field). */
  value: Uint8Array;
  validityStart: string;
  validityEnd: string;
}

const HEX_FINGERPRINT = /^[0-9a-f]{32}$/;

/**
 * Fingerprint of a public key for a PEM directory: hex MD5 of its DER PKCS#1 encoding, the bytes `ListPublicKeys`
 * returns as `Value`. A PEM file named `<32 hex digits>.pem` gives that name as its fingerprint instead.
 */
export function publicKeyFingerprint(key: KeyObject): string {
  return createHash("md5")
    .update(key.export({ type: "pkcs1", format: "der" }))
    .digest("hex");
}

/**
 * Public keys from PEM files (SPKI `PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY`), valid at any time: the offline source.
 * Throws on a file that holds no public key, naming it.
 */
export function pemPublicKeys(files: readonly { name: string; text: string }[]): PublicKeys {
  const byFingerprint = new Map<string, KeyObject>();
  for (const f of files) {
    let key: KeyObject;
    try {
      key = createPublicKey(f.text);
    } catch (e) {
      throw new Error(`${f.name}: not a PEM public key (${(e as Error).message})`);
    }
    const stem = f.name.replace(/^.*[\\/]/, "").replace(/\.pem$/i, "");
    byFingerprint.set(HEX_FINGERPRINT.test(stem) ? stem : publicKeyFingerprint(key), key);
  }
  return { find: async (fingerprint) => byFingerprint.get(fingerprint) };
}

/**
 * Public keys from `ListPublicKeys`, fetched for the time of the first digest that needs one and cached with their
 * validity ranges: a later digest is served from the cache while its time falls in a cached key's range.
 */
export function listedPublicKeys(list: (at: string) => Promise<readonly ListedPublicKey[]>): PublicKeys {
  const cached: { key: ListedPublicKey; object: KeyObject }[] = [];
  const covered: { start: string; end: string }[] = [];
  const inRange = (k: ListedPublicKey, at: string) => k.validityStart <= at && at < k.validityEnd;
  return {
    async find(fingerprint, at) {
      const hit = () => cached.find((c) => c.key.fingerprint === fingerprint && inRange(c.key, at))?.object;
      const found = hit();
      if (found || covered.some((r) => r.start <= at && at < r.end)) return found;
      const keys = await list(at);
      for (const key of keys) {
        if (cached.some((c) => c.key.fingerprint === key.fingerprint)) continue;
        const object = createPublicKey({ key: Buffer.from(key.value), format: "der", type: "pkcs1" });
        cached.push({ key, object });
        covered.push({ start: key.validityStart, end: key.validityEnd });
      }
      return hit();
    },
  };
}
