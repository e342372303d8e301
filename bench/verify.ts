// `npm run bench:verify`: time to verify N CloudTrail log files (default 1000) and their hourly digests, signed with a
// key pair generated for the run, from gzip files on local disk as `loglake verify <dir>` reads them. Not a test.
// Options: --files N (1000), --per-digest N (10: log files each digest lists).
import { createSign, generateKeyPairSync } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { digestSigningString, sha256Hex, verifyCloudTrail } from "@app/core/integrity/cloudtrail";
import { pemPublicKeys, publicKeyFingerprint } from "@app/core/integrity/public-keys";
import { localTrailObjects } from "@app/lake/trail-files";

const { values: args } = parseArgs({
  options: { files: { type: "string", default: "1000" }, "per-digest": { type: "string", default: "10" } },
});
const total = Number(args.files);
const perDigest = Number(args["per-digest"]);
const account = "111122223333";
const region = "us-east-1";
const bucket = "bench-trail";
const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const fingerprint = publicKeyFingerprint(publicKey);
const root = await mkdtemp(join(tmpdir(), "loglake-bench-verify-"));
const at = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const stamp = (ms: number, seconds: boolean) =>
  at(ms)
    .replace(/[-:]/g, "")
    .slice(0, seconds ? 15 : 13) + "Z";
const put = async (key: string, text: string) => {
  await mkdir(dirname(join(root, key)), { recursive: true });
  await writeFile(join(root, key), gzipSync(text));
};

const start = Date.parse("2024-05-01T00:00:00Z");
const signatures: Record<string, string> = {};
let previous: { key: string; sha: string; signature: string } | undefined;
for (let d = 0; d * perDigest < total; d++) {
  const hourMs = start + d * 3_600_000;
  const logFiles = [];
  for (let i = 0; i < perDigest && d * perDigest + i < total; i++) {
    const t = hourMs + i * 60_000;
    const records = Array.from({ length: 50 }, (_, r) =>
      JSON.stringify({
        eventVersion: "1.08",
        eventTime: at(t + r * 1000),
        eventSource: "s3.amazonaws.com",
        eventName: "GetObject",
        eventID: `${d}-${i}-${r}`,
      }),
    );
    const text = `{"Records":[${records.join(",")}]}`;
    const key = `AWSLogs/${account}/CloudTrail/${region}/${at(t).slice(0, 10).replaceAll("-", "/")}/${account}_CloudTrail_${region}_${stamp(t, false)}_Bench${String(d * perDigest + i).padStart(8, "0")}.json.gz`;
    await put(key, text);
    logFiles.push({
      s3Bucket: bucket,
      s3Object: key,
      hashValue: sha256Hex(Buffer.from(text)),
      hashAlgorithm: "SHA-256",
      newestEventTime: at(t + 49_000),
      oldestEventTime: at(t),
    });
  }
  const endMs = hourMs + 3_600_000 - 1000;
  const key = `AWSLogs/${account}/CloudTrail-Digest/${region}/${at(endMs).slice(0, 10).replaceAll("-", "/")}/${account}_CloudTrail-Digest_${region}_bench_${region}_${stamp(endMs, true)}.json.gz`;
  const body = JSON.stringify({
    awsAccountId: account,
    digestStartTime: at(hourMs),
    digestEndTime: at(endMs),
    digestS3Bucket: bucket,
    digestS3Object: key,
    digestPublicKeyFingerprint: fingerprint,
    digestSignatureAlgorithm: "SHA256withRSA",
    previousDigestS3Bucket: previous ? bucket : null,
    previousDigestS3Object: previous?.key ?? null,
    previousDigestHashValue: previous?.sha ?? null,
    previousDigestHashAlgorithm: previous ? "SHA-256" : null,
    previousDigestSignature: previous?.signature ?? null,
    logFiles,
  });
  const sha = sha256Hex(Buffer.from(body));
  const signing = digestSigningString({
    digestEndTime: at(endMs),
    digestS3Bucket: bucket,
    digestS3Object: key,
    digestSha256: sha,
    previousDigestSignature: previous?.signature ?? null,
  });
  const signature = createSign("sha256").update(signing).sign(privateKey, "hex");
  signatures[key] = signature;
  await put(key, body);
  previous = { key, sha, signature };
}

const keys = pemPublicKeys([{ name: "bench.pem", text: publicKey.export({ type: "spki", format: "pem" }) as string }]);
const t0 = performance.now();
const v = await verifyCloudTrail({ objects: localTrailObjects(root, signatures), keys });
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(
  `verified ${v.logFiles} log files and ${v.digests} digests (${v.logFilesValid} valid, ${v.findings} findings) in ${seconds.toFixed(2)} s\n`,
);
await rm(root, { recursive: true, force: true });
