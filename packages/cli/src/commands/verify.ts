import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { TrailObjects } from "@app/core/integrity/cloudtrail";
import type { PublicKeys } from "@app/core/integrity/public-keys";
import { type IntegrityResult, isFinding } from "@app/core/integrity/results";
import type { Command } from "commander";
import { EXIT, InputError } from "../errors.ts";
import { endpointOption, lakeOption, lakeStore, parseS3Url, requireLocalLake, resolveLake } from "../lake.ts";
import { chosenFormat, formatOptions, formatResult } from "../output.ts";

/** What one `loglake verify` run checked, as the command prints it. */
export interface VerifyReport {
  /** One line per input: what was checked and what was found. */
  summary: string[];
  /** Per UTC hour of the CloudTrail digests: `valid` or the findings' verdicts. */
  hours: { hour: string; verdicts: string[] }[];
  results: IntegrityResult[];
  findings: number;
  /** Inputs that held something, but nothing that could prove it whole (log files without any digest). */
  unverifiable: string[];
}

interface VerifyOptions {
  publicKeys?: string;
  signatures?: string;
  lake?: string;
  lakePublicKey?: string;
  endpoint?: string;
  region?: string;
  all?: boolean;
  record?: boolean;
  format?: string;
  json?: boolean;
}

async function pemDirectory(dir: string): Promise<PublicKeys> {
  const names = await readdir(dir).catch(() => {
    throw new InputError(`--public-keys ${dir}: not a readable directory`);
  });
  const pems = names.filter((n) => n.endsWith(".pem")).sort();
  if (pems.length === 0) throw new InputError(`--public-keys ${dir}: no .pem files`);
  const files = await Promise.all(pems.map(async (name) => ({ name, text: await readFile(join(dir, name), "utf8") })));
  const { pemPublicKeys } = await import("@app/core/integrity/public-keys");
  try {
    return pemPublicKeys(files);
  } catch (e) {
    throw new InputError(`--public-keys ${dir}: ${(e as Error).message}`);
  }
}

async function signatureMap(file: string | undefined): Promise<Record<string, string>> {
  if (file === undefined) return {};
  const text = await readFile(file, "utf8").catch(() => {
    throw new InputError(`--signatures ${file}: not a readable file`);
  });
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new InputError(`--signatures ${file}: not JSON`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v) || Object.values(v).some((x) => typeof x !== "string"))
    throw new InputError(`--signatures ${file}: expected a JSON object of digest key to hex signature`);
  return v as Record<string, string>;
}

/** The trail objects behind one input: a local directory or an `s3://bucket/prefix` (source bucket or WORM copy). */
async function trailInput(input: string, opts: VerifyOptions): Promise<TrailObjects> {
  const s3 = parseS3Url(input);
  if (!s3) {
    const st = await stat(input).catch(() => undefined);
    if (!st?.isDirectory()) throw new InputError(`${input}: not a directory or s3:// location`);
    const { localTrailObjects } = await import("@app/lake/trail-files");
    return localTrailObjects(input, await signatureMap(opts.signatures));
  }
  if (!s3.bucket) throw new InputError(`${input}: missing bucket name`);
  const [{ s3TrailObjects }, { makeS3Client }] = await Promise.all([
    import("@app/aws/integrity"),
    import("@app/aws/clients"),
  ]);
  return s3TrailObjects(makeS3Client({ endpoint: opts.endpoint, region: opts.region }), s3.bucket, s3.prefix);
}

async function publicKeysFor(opts: VerifyOptions): Promise<PublicKeys> {
  if (opts.publicKeys !== undefined) return pemDirectory(opts.publicKeys);
  const { cloudTrailPublicKeys, makeCloudTrailClient } = await import("@app/aws/integrity");
  return cloudTrailPublicKeys(makeCloudTrailClient({ region: opts.region, endpoint: opts.endpoint }));
}

/** Verifies every input: CloudTrail digests and log files in each trail input. */
export async function runVerify(inputs: readonly string[], opts: VerifyOptions): Promise<VerifyReport> {
  if (inputs.length === 0 && opts.lake === undefined)
    throw new InputError("nothing to verify: give trail directories or s3:// locations, or --lake <dir|s3://…>");
  const report: VerifyReport = { summary: [], hours: [], results: [], findings: 0, unverifiable: [] };
  if (inputs.length > 0) {
    const { verifyCloudTrail } = await import("@app/core/integrity/cloudtrail");
    const keys = await publicKeysFor(opts);
    for (const input of inputs) {
      const v = await verifyCloudTrail({ objects: await trailInput(input, opts), keys });
      if (v.digests === 0 && v.results.length === 0)
        throw new InputError(`${input}: no CloudTrail digest or log files under it, so nothing to verify`);
      // Log files and not one digest: validation is off, or the digests are gone. Either way nothing is proven.
      if (v.digests === 0) report.unverifiable.push(input);
      const unchecked = v.results.filter((r) => r.verdict === "unchecked").length;
      report.summary.push(
        `${input}: ${v.digests} digest(s), ${v.logFiles} listed log file(s), ${v.logFilesValid} valid, ${v.findings} finding(s), ${unchecked} not checked (no digest spans their time)`,
      );
      report.hours.push(...v.hours);
      report.results.push(...v.results);
      report.findings += v.findings;
    }
  }
  if (opts.lake !== undefined) {
    const [{ verifyLake }, { lakeStoreFiles }, { LOCAL_SIGNING_PUBLIC_KEY }, { createPublicKey }] = await Promise.all([
      import("@app/core/integrity/lake"),
      import("@app/lake/trail-files"),
      import("@app/core/lake-layout"),
      import("node:crypto"),
    ]);
    const lake = await resolveLake(opts);
    await requireLocalLake(lake.lake);
    const store = await lakeStore(lake);
    const pem =
      opts.lakePublicKey !== undefined
        ? await readFile(opts.lakePublicKey, "utf8").catch(() => {
            throw new InputError(`--lake-public-key ${opts.lakePublicKey}: not a readable file`);
          })
        : await store.getText(LOCAL_SIGNING_PUBLIC_KEY);
    let publicKey: ReturnType<typeof createPublicKey> | undefined;
    try {
      publicKey = pem === undefined ? undefined : createPublicKey(pem);
    } catch {
      throw new InputError(`${opts.lakePublicKey ?? LOCAL_SIGNING_PUBLIC_KEY}: not a PEM public key`);
    }
    const started = performance.now();
    const v = await verifyLake({ files: lakeStoreFiles(store), publicKey, describe: (k) => `${store.location}/${k}` });
    if (v.manifests === 0) throw new InputError(`--lake ${opts.lake}: no ingest manifests there, so nothing to verify`);
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    report.summary.push(
      `${store.location}: ${v.chains} chain(s), ${v.manifests} manifest(s), ${v.files} Parquet file(s), ${v.filesValid} valid, ${v.findings} finding(s) in ${seconds}s`,
    );
    report.results.push(...v.results);
    report.findings += v.findings;
    if (opts.record !== false) {
      const { recordIntegrity } = await import("@app/lake/integrity");
      const checkedAt = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
      const n = await recordIntegrity(store, report.results, checkedAt);
      report.summary.push(`recorded ${n} result(s) in the integrity table of ${store.location}`);
    }
  }
  return report;
}

const COLUMNS = ["verdict", "kind", "object", "detail", "hour"].map((name) => ({ name, kind: "string" as const }));

export function registerVerify(program: Command): void {
  const cmd = program
    .command("verify")
    .description(
      "Prove logs whole: CloudTrail digest signatures, the digest chain and every log file's hash (as AWS documents " +
        "for custom validators), over trail directories or s3:// source buckets and WORM copies; exit 0 no findings, 1 findings or log files without any digest",
    )
    .argument(
      "[inputs...]",
      "trail roots: local directories or s3://bucket[/prefix] (the source bucket or a WORM copy)",
    )
    .option(
      "--public-keys <dir>",
      "PEM public keys, offline (file <fingerprint>.pem, else the fingerprint is the hex MD5 of the PKCS#1 DER key); default: CloudTrail ListPublicKeys",
    )
    .option(
      "--signatures <file>",
      "local inputs: JSON object of digest key to hex x-amz-meta-signature (local copies lose S3 metadata)",
    )
    .addOption(lakeOption("also verify this lake: its manifest chains, signed heads and every Parquet file's hash"))
    .option(
      "--lake-public-key <pem>",
      "public key the lake's chain heads are checked with (default: the embedded lake's own _integrity/lake-signing-key.pub.pem)",
    )
    .option("--region <region>", "AWS region for S3 and ListPublicKeys")
    .option("--all", "list valid objects too (table format)")
    .option("--no-record", "with --lake: do not write the results to the lake's integrity table")
    .addOption(endpointOption());
  for (const o of formatOptions()) cmd.addOption(o);
  cmd.action(async (inputs: string[], opts: VerifyOptions) => {
    const format = chosenFormat(opts);
    const report = await runVerify(inputs, opts);
    if (format === "json") {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else if (format === "csv") {
      const rows = report.results.map((r) => ({ ...r, hour: r.hour ?? null }));
      process.stdout.write(formatResult({ columns: COLUMNS, rows }, "csv"));
      // The rows cannot say that a root had no digest at all: the exit code 1 needs its reason beside it.
      if (report.unverifiable.length > 0) process.stderr.write(`loglake: ${verdictLine(report)}\n`);
    } else {
      const shown = report.results.filter((r) => opts.all || r.verdict !== "valid");
      const hours = report.hours.map((h) => `${h.hour}  ${h.verdicts.join(",")}`);
      const lines = [
        ...report.summary,
        ...(hours.length > 0 ? ["hours:", ...hours.map((h) => `  ${h}`)] : []),
        verdictLine(report),
      ];
      process.stdout.write(`${lines.join("\n")}\n`);
      if (shown.length > 0) {
        const rows = shown.map((r) => ({ ...r, hour: r.hour ?? null }));
        process.stdout.write(formatResult({ columns: COLUMNS, rows }, "table", { count: false }));
      }
    }
    process.exitCode =
      report.unverifiable.length > 0 || report.results.some((r) => isFinding(r.verdict)) ? EXIT.findings : EXIT.ok;
  });
}

/** The closing line: "all valid" only when every object was checked and found whole. */
export function verdictLine(report: VerifyReport): string {
  const unchecked = report.results.filter((r) => r.verdict === "unchecked").length;
  const unproven =
    report.unverifiable.length > 0
      ? `; no digest files in ${report.unverifiable.join(", ")}: its log files are not proven whole (is log file validation on?)`
      : "";
  if (report.findings > 0) return `${report.findings} finding(s)${unproven}:`;
  if (unproven) return `not verified${unproven}`;
  if (unchecked > 0) return `no findings; ${unchecked} object(s) not checked yet (no digest spans their time)`;
  return "all valid";
}
