// Digests and log files are built here exactly as the CloudTrail user guide describes them (digest file structure,
// data signing string, SHA256withRSA, hashes over uncompressed bytes) and signed with an RSA key pair generated per
// run: real CloudTrail public keys cannot be fetched offline, so no file signed by CloudTrail itself is used.
import { digestSigningString, verifyCloudTrail } from "@app/core/integrity/cloudtrail";
import { listedPublicKeys, pemPublicKeys } from "@app/core/integrity/public-keys";
import { beforeAll, describe, expect, it } from "vitest";
import {
  BUCKET,
  digestKey,
  logKey,
  memoryTrail,
  putDigest,
  rsaKeyPair,
  type StoredObject,
  writeTrail,
} from "../../../helpers/trail.ts";

let signer: ReturnType<typeof rsaKeyPair>;
let stranger: ReturnType<typeof rsaKeyPair>;
beforeAll(() => {
  signer = rsaKeyPair();
  stranger = rsaKeyPair();
});

const s3 = (key: string) => `s3://${BUCKET}/${key}`;
const keysOf = () =>
  pemPublicKeys([{ name: "trail.pem", text: signer.publicKey.export({ type: "spki", format: "pem" }) as string }]);

async function verify(store: Map<string, StoredObject>) {
  const v = await verifyCloudTrail({ objects: memoryTrail(store), keys: keysOf() });
  return {
    results: v.results.map((r) => [r.verdict, r.kind, r.object] as const),
    hours: v.hours,
    findings: v.findings,
  };
}

function threeHours(): Map<string, StoredObject> {
  const store = new Map<string, StoredObject>();
  writeTrail(store, signer, [10, 11, 12]);
  return store;
}

describe("digestSigningString", () => {
  it("joins end time, bucket/object, digest hash and previous signature with newlines, null for a first digest", () => {
    // Act
    const first = digestSigningString({
      digestEndTime: "2015-08-17T15:01:31Z",
      digestS3Bucket: "b",
      digestS3Object: "AWSLogs/1/CloudTrail-Digest/x.json.gz",
      digestSha256: "ab",
      previousDigestSignature: null,
    });
    // Assess
    expect(first).toBe("2015-08-17T15:01:31Z\nb/AWSLogs/1/CloudTrail-Digest/x.json.gz\nab\nnull");
  });
});

describe("verifyCloudTrail", () => {
  it("finds a valid chain valid, file by file and hour by hour", async () => {
    // Act
    const got = await verify(threeHours());
    // Assess
    expect(got).toStrictEqual({
      results: [
        ["valid", "digest", s3(digestKey(11))],
        ["valid", "log_file", s3(logKey(10))],
        ["valid", "digest", s3(digestKey(12))],
        ["valid", "log_file", s3(logKey(11))],
        ["valid", "digest", s3(digestKey(13))],
        ["valid", "log_file", s3(logKey(12))],
      ],
      hours: [
        { hour: "2024-05-01T11", verdicts: ["valid"] },
        { hour: "2024-05-01T12", verdicts: ["valid"] },
        { hour: "2024-05-01T13", verdicts: ["valid"] },
      ],
      findings: 0,
    });
  });

  it("names a modified log file", async () => {
    // Prepare
    const store = threeHours();
    const log = store.get(logKey(11)) as StoredObject;
    const bytes = Buffer.from(log.bytes);
    bytes[20] = bytes[20] === 0x41 ? 0x42 : 0x41;
    store.set(logKey(11), { bytes });
    // Act
    const got = await verifyCloudTrail({ objects: memoryTrail(store), keys: keysOf() });
    // Assess
    expect(got.results.filter((r) => r.verdict !== "valid").map((r) => [r.verdict, r.object])).toStrictEqual([
      ["modified", s3(logKey(11))],
    ]);
    expect(got.hours.map((h) => h.verdicts)).toStrictEqual([["valid"], ["modified"], ["valid"]]);
  });

  it("names a deleted log file as missing", async () => {
    // Prepare
    const store = threeHours();
    store.delete(logKey(12));
    // Act
    const got = await verify(store);
    // Assess
    expect(got.results[0]).toStrictEqual(["missing", "log_file", logKey(12)]);
    expect(got.findings).toBe(1);
  });

  it("breaks the chain at a deleted digest and finds its log file not covered", async () => {
    // Prepare
    const store = threeHours();
    store.delete(digestKey(12));
    // Act
    const got = await verify(store);
    // Assess
    expect(got.results.slice(0, 2)).toStrictEqual([
      ["not_covered", "log_file", s3(logKey(11))],
      ["chain_break", "digest", digestKey(12)],
    ]);
    expect(got.findings).toBe(2);
  });

  it("breaks the chain at a digest whose signature does not match", async () => {
    // Prepare
    const store = threeHours();
    const d = store.get(digestKey(12)) as StoredObject;
    store.set(digestKey(12), { ...d, signature: `${"00".repeat(8)}${d.signature?.slice(16)}` });
    // Act
    const got = await verifyCloudTrail({ objects: memoryTrail(store), keys: keysOf() });
    // Assess
    const bad = got.results.filter((r) => r.verdict !== "valid");
    expect(bad.map((r) => [r.verdict, r.object, r.detail])).toStrictEqual([
      [
        "chain_break",
        s3(digestKey(12)),
        `signature does not match (key ${signer.fingerprint}); its signature is not the previousDigestSignature of the next digest`,
      ],
    ]);
  });

  it("breaks the chain at a digest signed by an unknown key", async () => {
    // Prepare
    const store = new Map<string, StoredObject>();
    const last = writeTrail(store, signer, [10, 11, 12]);
    putDigest(store, stranger, digestKey(14), 13, [], last);
    // Act
    const got = await verifyCloudTrail({ objects: memoryTrail(store), keys: keysOf() });
    // Assess
    const bad = got.results.filter((r) => r.verdict !== "valid");
    expect(bad.map((r) => [r.verdict, r.object, r.detail])).toStrictEqual([
      [
        "chain_break",
        s3(digestKey(14)),
        `signed by an unknown key: no public key ${stranger.fingerprint} valid at 2024-05-01T14:00:31Z`,
      ],
    ]);
  });

  it("accepts a log file listed only by a backfill digest, outside the hourly chain", async () => {
    // Prepare
    const store = threeHours();
    const late = Buffer.from('{"Records":[]}');
    const lateKey = logKey(11).replace("T1105Z", "T1155Z");
    store.set(lateKey, { bytes: late });
    putDigest(store, signer, digestKey(13, true), 12, [{ key: lateKey, bytes: late, hour: 11 }], undefined);
    // Act
    const got = await verify(store);
    // Assess
    expect(got.findings).toBe(0);
    expect(got.results.filter((r) => r[2].includes("backfill") || r[2].includes("T1155Z"))).toStrictEqual([
      ["valid", "digest", s3(digestKey(13, true))],
      ["valid", "log_file", s3(lateKey)],
    ]);
  });

  it("reports a chain that restarts after logging was off as started, and its last digest before as stopped", async () => {
    // Prepare
    const store = new Map<string, StoredObject>();
    writeTrail(store, signer, [10, 11, 14, 15], { restartAt: 14 });
    // Act
    const got = await verify(store);
    // Assess
    expect(got.results.slice(0, 2)).toStrictEqual([
      ["stopped", "digest", s3(digestKey(12))],
      ["started", "digest", s3(digestKey(15))],
    ]);
    expect(got.findings).toBe(2);
  });

  it("finds a log file no digest lists inside the digests' span, and leaves one outside it unchecked", async () => {
    // Prepare
    const store = threeHours();
    store.set(logKey(11).replace("T1105Z", "T1130Z"), { bytes: Buffer.from("{}") });
    store.set(logKey(20), { bytes: Buffer.from("{}") });
    // Act
    const got = await verify(store);
    // Assess
    expect(got.results.slice(0, 2)).toStrictEqual([
      ["not_covered", "log_file", s3(logKey(11).replace("T1105Z", "T1130Z"))],
      ["unchecked", "log_file", s3(logKey(20))],
    ]);
    expect(got.findings).toBe(1);
  });

  it("finds a digest moved from its original location", async () => {
    // Prepare
    const store = threeHours();
    const moved = digestKey(13).replace("/05/01/", "/05/02/");
    store.set(moved, store.get(digestKey(13)) as StoredObject);
    store.delete(digestKey(13));
    // Act
    const got = await verifyCloudTrail({ objects: memoryTrail(store), keys: keysOf() });
    // Assess
    expect(got.results[0]?.detail).toBe(`not at its original location: it names ${digestKey(13)}`);
  });
});

describe("listedPublicKeys", () => {
  it("asks once per validity range and serves later digests of that range from its cache", async () => {
    // Prepare
    const calls: string[] = [];
    const value = signer.publicKey.export({ type: "pkcs1", format: "der" });
    const keys = listedPublicKeys(async (at) => {
      calls.push(at);
      return [
        {
          fingerprint: signer.fingerprint,
          value,
          validityStart: "2024-05-01T00:00:00Z",
          validityEnd: "2024-06-01T00:00:00Z",
        },
      ];
    });
    // Act
    const found = [
      await keys.find(signer.fingerprint, "2024-05-01T11:00:31Z"),
      await keys.find(signer.fingerprint, "2024-05-02T11:00:31Z"),
      await keys.find(stranger.fingerprint, "2024-05-03T11:00:31Z"),
      await keys.find(signer.fingerprint, "2024-07-01T00:00:00Z"),
    ];
    // Assess
    expect(found.map((k) => k !== undefined)).toStrictEqual([true, true, false, false]);
    expect(calls).toStrictEqual(["2024-05-01T11:00:31Z", "2024-07-01T00:00:00Z"]);
  });
});
