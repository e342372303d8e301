import { generateKeyPairSync, sign, verify } from "node:crypto";
import { cloudTrailPublicKeys, kmsChainSigner } from "@app/aws/integrity";
import { chainHeadMessage } from "@app/core/lake-layout";
import { CloudTrailClient, ListPublicKeysCommand } from "@aws-sdk/client-cloudtrail";
import { KMSClient, SignCommand } from "@aws-sdk/client-kms";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { rsaKeyPair } from "../../helpers/trail.ts";

// There is no CloudTrail emulator, and real CloudTrail public keys cannot be fetched offline: the CloudTrail client
// is mocked, and only it, answering with a key pair generated here.
const mock = mockClient(CloudTrailClient);

beforeEach(() => {
  mock.reset();
});

afterAll(() => {
  mock.restore();
});

describe("cloudTrailPublicKeys", () => {
  it("asks ListPublicKeys for a digest's end time, follows NextToken, and caches keys per validity range", async () => {
    // Prepare
    const a = rsaKeyPair();
    const b = rsaKeyPair();
    const listed = (k: ReturnType<typeof rsaKeyPair>, start: string, end: string) => ({
      Fingerprint: k.fingerprint,
      Value: new Uint8Array(k.publicKey.export({ type: "pkcs1", format: "der" })),
      ValidityStartTime: new Date(start),
      ValidityEndTime: new Date(end),
    });
    mock
      .on(ListPublicKeysCommand)
      .resolvesOnce({ PublicKeyList: [listed(a, "2024-05-01T00:00:00Z", "2024-05-10T00:00:00Z")], NextToken: "n" })
      .resolvesOnce({ PublicKeyList: [listed(b, "2024-05-01T00:00:00Z", "2024-05-10T00:00:00Z")] });
    const keys = cloudTrailPublicKeys(new CloudTrailClient({ region: "us-east-1" }));
    // Act
    const found = [
      await keys.find(a.fingerprint, "2024-05-01T11:00:31Z"),
      await keys.find(b.fingerprint, "2024-05-02T11:00:31Z"),
      await keys.find("00000000000000000000000000000000", "2024-05-03T11:00:31Z"),
    ];
    // Assess
    expect(found.map((k) => k?.export({ type: "spki", format: "pem" }))).toStrictEqual([
      a.publicKey.export({ type: "spki", format: "pem" }),
      b.publicKey.export({ type: "spki", format: "pem" }),
      undefined,
    ]);
    expect(mock.commandCalls(ListPublicKeysCommand).map((c) => c.args[0].input)).toStrictEqual([
      { StartTime: new Date("2024-05-01T11:00:31Z"), EndTime: new Date("2024-05-01T11:00:31Z"), NextToken: undefined },
      { StartTime: new Date("2024-05-01T11:00:31Z"), EndTime: new Date("2024-05-01T11:00:31Z"), NextToken: "n" },
    ]);
  });
});

// There is no KMS emulator: the KMS client is mocked, and only it. It signs with a P-256 key generated here, as an
// asymmetric KMS key would, and the head it signs is checked with that key's public half.
const kms = mockClient(KMSClient);

describe("kmsChainSigner", () => {
  it("asks KMS Sign for ECDSA_SHA_256 over the raw head message and returns its DER signature", async () => {
    // Prepare
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    kms.on(SignCommand).callsFake((input: { Message: Uint8Array }) => ({
      Signature: new Uint8Array(sign("sha256", input.Message, privateKey)),
    }));
    const signer = kmsChainSigner(new KMSClient({ region: "us-east-1" }), "arn:aws:kms:us-east-1:111122223333:key/k");
    const message = Buffer.from(chainHeadMessage({ table: "cloudtrail", dt: "2024-05-01", seq: 3, link_sha256: "ab" }));
    // Act
    const signature = await signer.sign(message);
    // Assess
    expect(verify("sha256", message, publicKey, signature)).toBe(true);
    expect(kms.commandCalls(SignCommand).map((c) => ({ ...c.args[0].input, Message: undefined }))).toStrictEqual([
      {
        KeyId: "arn:aws:kms:us-east-1:111122223333:key/k",
        Message: undefined,
        MessageType: "RAW",
        SigningAlgorithm: "ECDSA_SHA_256",
      },
    ]);
    kms.restore();
  });
});
