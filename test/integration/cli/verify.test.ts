import { cp, mkdir, mkdtemp, writeFile } from "node:fs/promises";
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

  it("says what it has not checked yet instead of all valid, and exits 0: a log file newer than every digest", async () => {
    // Prepare: a copy of the trail with one more log file, delivered after the last digest.
    const newer = join(root, "newer");
    await cp(trail, newer, { recursive: true });
    await writeFile(join(newer, logKey(13)), gzipSync('{"Records":[]}'));
    // Act
    const run = await loglake("verify", newer, "--public-keys", keys, "--signatures", signatures);
    // Assess
    const lines = run.stdout.split("\n");
    expect([run.code, run.stderr, lines.includes("all valid")]).toStrictEqual([0, "", false]);
    expect(lines).toContain("no findings; 1 object(s) not checked yet (no digest spans their time)");
    expect(lines.at(-2)).toMatch(/^unchecked {2}log_file {2}.*T1305Z.*outside the span of the digests/);
  });

  it("does not pass log files without a single digest: not verified, exit 1", async () => {
    // Prepare: the log files alone, as a trail without log file validation (or whose digests were deleted) has them.
    const bare = join(root, "bare");
    await mkdir(dirname(join(bare, logKey(10))), { recursive: true });
    for (const h of [10, 11]) await cp(join(trail, logKey(h)), join(bare, logKey(h)));
    // Act
    const run = await loglake("verify", bare, "--public-keys", keys);
    // Assess
    const lines = run.stdout.split("\n");
    expect([run.code, run.stderr, lines[0], lines.includes("all valid")]).toStrictEqual([
      1,
      "",
      `${bare}: 0 digest(s), 0 listed log file(s), 0 valid, 0 finding(s), 2 not checked (no digest spans their time)`,
      false,
    ]);
    expect(lines).toContain(
      `not verified; no digest files in ${bare}: its log files are not proven whole (is log file validation on?)`,
    );
    const csv = await loglake("verify", bare, "--public-keys", keys, "--format", "csv");
    expect([csv.code, csv.stderr]).toStrictEqual([
      1,
      `loglake: not verified; no digest files in ${bare}: its log files are not proven whole (is log file validation on?)\n`,
    ]);
  });

  it("refuses a trail directory or lake with nothing in it to verify, in one line with exit 2", async () => {
    // Prepare
    const empty = join(root, "empty");
    const notALake = join(root, "not-a-lake");
    await mkdir(empty);
    await mkdir(notALake);
    await writeFile(join(notALake, "notes.txt"), "no manifests here\n");
    // Act
    const runs = [
      await loglake("verify", empty, "--public-keys", keys),
      await loglake("verify", "--lake", join(root, "missing")),
      await loglake("verify", "--lake", notALake),
    ];
    // Assess
    expect(runs).toStrictEqual([
      {
        code: 2,
        stdout: "",
        stderr: `loglake: ${empty}: no CloudTrail digest or log files under it, so nothing to verify\n`,
      },
      {
        code: 2,
        stdout: "",
        stderr: `loglake: --lake ${join(root, "missing")}: no lake found there (run \`loglake ingest\` or \`loglake demo\` first)\n`,
      },
      { code: 2, stdout: "", stderr: `loglake: --lake ${notALake}: no ingest manifests there, so nothing to verify\n` },
    ]);
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
