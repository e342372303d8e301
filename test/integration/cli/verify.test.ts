import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { loglake } from "../../helpers/cli.ts";
import { digestKey, logKey, rsaKeyPair, type StoredObject, writeTrail } from "../../helpers/trail.ts";

// The trail is signed with a key pair generated here: real CloudTrail public keys cannot be fetched offline.
let root: string;
let trail: string;
let keys: string;
let signatures: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "verify-"));
  trail = join(root, "trail");
  keys = join(root, "keys");
  const signer = rsaKeyPair();
  const store = new Map<string, StoredObject>();
  writeTrail(store, signer, [10, 11]);
  const sigs: Record<string, string> = {};
  for (const [key, o] of store) {
    await mkdir(dirname(join(trail, key)), { recursive: true });
    await writeFile(join(trail, key), gzipSync(o.bytes));
    if (o.signature) sigs[key] = o.signature;
  }
  signatures = join(root, "signatures.json");
  await writeFile(signatures, JSON.stringify(sigs));
  await mkdir(keys);
  await writeFile(join(keys, "trail.pem"), signer.publicKey.export({ type: "spki", format: "pem" }) as string);
});

describe("loglake verify", () => {
  it("says all valid and exits 0 for an intact trail directory", async () => {
    // Act
    const run = await loglake("verify", trail, "--public-keys", keys, "--signatures", signatures);
    // Assess
    expect(run).toStrictEqual({
      code: 0,
      stdout: [
        `${trail}: 2 digest(s), 2 listed log file(s), 2 valid, 0 finding(s), 0 not checked (no digest spans their time)`,
        "hours:",
        "  2024-05-01T11  valid",
        "  2024-05-01T12  valid",
        "all valid",
        "",
      ].join("\n"),
      stderr: "",
    });
  });

  it("names a modified log file and exits 1", async () => {
    // Prepare
    await writeFile(join(trail, logKey(11)), gzipSync('{"Records":[]}'));
    // Act
    const run = await loglake("verify", trail, "--public-keys", keys, "--signatures", signatures, "--format", "csv");
    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout.split("\n").slice(0, 2)).toStrictEqual([
      "verdict,kind,object,detail,hour",
      expect.stringMatching(
        new RegExp(
          `^modified,log_file,${join(trail, logKey(11))},SHA-256 of the uncompressed file is [0-9a-f]{64}; .*${digestKey(12)} lists [0-9a-f]{64},2024-05-01T12$`,
        ),
      ),
    ]);
  });

  it("refuses a run with nothing to verify in one line with exit 2", async () => {
    // Act
    const run = await loglake("verify");
    // Assess
    expect(run).toStrictEqual({
      code: 2,
      stdout: "",
      stderr: "loglake: nothing to verify: give trail directories or s3:// locations, or --lake <dir|s3://…>\n",
    });
  });
});
