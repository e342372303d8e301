// Peak memory of the built `loglake ingest` CLI on single objects that are large or span many partitions, each ingested alone in
// its own process under `/usr/bin/time -v` (the kernel's maximum resident set size, DuckDB's native memory included).
// Usage: npx tsx bench/memory.ts [--cli path/to/loglake.js] [--generate-only] [case...]   (default: this tree's built CLI, every case;
// data is generated once into bench/data/memory/). `--cli` measures another build, an older one say.
import { execFile } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, readFile, rename, rm, stat } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { dirname, join, relative } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { constants, createGzip, gunzip, gzip } from "node:zlib";
import { type BenchFile, benchAppDay, benchCloudFront, benchCloudTrail } from "@app/samples/bench";

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const dataDir = join(here, "data", "memory");
const HOUR_MS = 3_600_000;

interface Case {
  describe: string;
  file: () => BenchFile;
  /** Writes the input from another case's instead of streaming `file`'s chunks through gzip. */
  derive?: { from: string; write: (source: string, target: string) => Promise<void> };
}

const CASES: Record<string, Case> = {
  "cloudfront-1m": {
    describe: "CloudFront, 1 M lines in one file, one hour",
    file: () => one(benchCloudFront({ lines: 1_000_000, files: 1 })),
  },
  "cloudfront-8m": {
    describe: "CloudFront, 8 M lines in one file, one hour (1 M lines x 8, re-timed, one gzip member each)",
    file: () => ({ ...one(benchCloudFront({ lines: 1_000_000, files: 1 })), records: 8 * 1_000_000 }),
    derive: { from: "cloudfront-1m", write: (source, target) => repeatCloudFront(source, target, 8) },
  },
  "cloudfront-1m-8h": {
    describe: "CloudFront, 1 M lines over 8 hours in one .gz",
    file: () => one(benchCloudFront({ lines: 1_000_000, files: 1, hoursPerFile: 8 })),
  },
  "app-24h": {
    describe: "app JSON, one daily file of 1 M events over 24 hours",
    file: () => benchAppDay({ events: 1_000_000 }),
  },
  "cloudtrail-2h": {
    describe: 'CloudTrail, 200 k records over 2 hours in one {"Records"} file',
    file: () => one(benchCloudTrail({ records: 200_000, perFile: 200_000, windowMs: 2 * HOUR_MS })),
  },
  "cloudtrail-month": {
    describe: "CloudTrail NDJSON export, 200 k records over 30 days (720 hours)",
    file: () => one(benchCloudTrail({ records: 200_000, windowMs: 30 * 24 * HOUR_MS, ndjson: true })),
  },
};

function one(files: BenchFile[]): BenchFile {
  const [f] = files;
  if (!f || files.length !== 1) throw new Error("expected one generated file");
  return f;
}

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);

/**
 * `copies` re-timed copies of a one-hour CloudFront file as consecutive gzip members (what a multi-member `.gz`
 * decoder reads as one stream), the header only in the first: generating and compressing 8 M lines afresh costs
 * minutes of CPU, this a few seconds per copy. Copy k moves every line 7k minutes on within its hour, so the
 * lines stay realistic and in the file's hour, and the output is as deterministic as its source.
 */
async function repeatCloudFront(source: string, target: string, copies: number): Promise<void> {
  const text = await gunzipAsync(await readFile(source));
  const bodyAt = text.indexOf("\n", text.indexOf("\n") + 1) + 1;
  const out = createWriteStream(target);
  for (let k = 0; k < copies; k++) {
    const copy = Buffer.from(k === 0 ? text : text.subarray(bodyAt));
    const shift = (7 * k) % 60;
    // Every line starts `YYYY-MM-DD\tHH:MM:SS\t`: the minute is at a fixed offset from the line's start.
    for (let at = k === 0 ? bodyAt : 0; at < copy.length; at = copy.indexOf(10, at) + 1 || copy.length) {
      const minute = ((copy[at + 14] ?? 48) - 48) * 10 + ((copy[at + 15] ?? 48) - 48);
      const moved = (minute + shift) % 60;
      copy[at + 14] = 48 + Math.floor(moved / 10);
      copy[at + 15] = 48 + (moved % 10);
    }
    // Level 1: the decoder's cost barely depends on the level, the generator's does.
    const member = await gzipAsync(copy, { level: constants.Z_BEST_SPEED });
    if (!out.write(member)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

async function ensure(name: string, c: Case): Promise<string> {
  const file = c.file();
  const path = join(dataDir, name, `${file.path}.gz`.replace(/\.gz\.gz$/, ".gz"));
  if (
    await stat(path).then(
      () => true,
      () => false,
    )
  )
    return path;
  await mkdir(dirname(path), { recursive: true });
  if (c.derive) {
    const from = CASES[c.derive.from];
    if (!from) throw new Error(`${name}: no case ${c.derive.from}`);
    await c.derive.write(await ensure(c.derive.from, from), `${path}.partial`);
    await rename(`${path}.partial`, path);
    return path;
  }
  // Written aside and renamed, so an interrupted run never leaves a truncated input behind.
  await pipeline(Readable.from(file.chunks()), createGzip(), createWriteStream(`${path}.partial`));
  await rename(`${path}.partial`, path);
  return path;
}

const argv = process.argv.slice(2);
const cliAt = argv.indexOf("--cli");
const cliPath = cliAt >= 0 ? (argv.splice(cliAt, 2)[1] ?? "") : "packages/cli/bin/loglake.js";
// `--generate-only` writes the inputs and measures nothing, so a long generation can run apart from the runs.
const generateOnly = argv.includes("--generate-only");
const selected = argv.filter((a) => a !== "--generate-only");
for (const name of selected) if (!CASES[name]) throw new Error(`unknown case ${name}; cases: ${Object.keys(CASES)}`);
const rows: string[] = [];
process.stdout.write(`machine: ${cpus().length} x ${cpus()[0]?.model ?? "cpu"}\n`);
for (const [name, c] of Object.entries(CASES)) {
  if (selected.length > 0 && !selected.includes(name)) continue;
  const file = c.file();
  const input = await ensure(name, c);
  if (generateOnly) {
    process.stdout.write(`${relative(root, input)}: ${(await stat(input)).size} bytes\n`);
    continue;
  }
  const lake = join(here, "out", `memory-${name}${cliAt >= 0 ? "-other" : ""}`);
  await rm(lake, { recursive: true, force: true });
  // The built CLI (`npm run build`), as installed: no TypeScript loader in the measured process.
  const cli = [cliPath, "ingest", "--lake", relative(root, lake), "--json", relative(root, input)];
  const command = `/usr/bin/time -v node ${cli.join(" ")}`;
  const load = loadavg()[0] ?? 0;
  // A failed ingest is a measured row too: its exit status and first error line stand where its counts would.
  const out = await run("/usr/bin/time", ["-v", process.execPath, ...cli], {
    cwd: root,
    env: { ...process.env, TZ: "UTC" },
  }).catch((e: { stdout?: string; stderr?: string; code?: number }) => ({
    stdout: "",
    stderr: e.stderr ?? "",
    failed: `exit ${e.code}: ${(e.stderr ?? "").split("\n").find((l) => /Error/.test(l)) ?? "?"}`,
  }));
  const failed = "failed" in out ? out.failed : undefined;
  const result = JSON.parse(out.stdout.trim().split("\n").pop() || '{"rows":{},"quarantined":{}}') as {
    records: number;
    rows: Record<string, number>;
    quarantined: Record<string, number>;
  };
  const field = (label: string) => new RegExp(`${label}: ([\\d.:]+)`).exec(out.stderr)?.[1] ?? "";
  const maxRss = Number(field("Maximum resident set size \\(kbytes\\)"));
  const cpuS = Number(field("User time \\(seconds\\)")) + Number(field("System time \\(seconds\\)"));
  const wallS = field("Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)")
    .split(":")
    .reduce((a, p) => a * 60 + Number(p), 0);
  const written = Object.values(result.rows).reduce((a, b) => a + b, 0);
  const quarantined = Object.values(result.quarantined).reduce((a, b) => a + b, 0);
  if (!failed && (written !== file.records || quarantined !== 0))
    throw new Error(`${name}: expected ${file.records} rows, wrote ${written}, quarantined ${quarantined}`);
  const gz = (await stat(input)).size;
  const line = `| ${c.describe} | ${file.records} | ${(gz / 1e6).toFixed(0)} | ${Math.round(maxRss / 1024)}${failed ? ` (failed, ${failed.replaceAll("|", "/")})` : ""} | ${cpuS.toFixed(1)} | ${wallS.toFixed(1)} | ${load.toFixed(2)} | \`${command}\` |`;
  process.stderr.write(`${line}\n`);
  rows.push(line);
}
process.stdout.write(
  "| case | records | gz MB | peak RSS MB | cpu s | wall s | load avg (1 min) at start | command |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n",
);
process.stdout.write(`${rows.join("\n")}\n`);
