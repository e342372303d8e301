// `npm run bench`: generates deterministic CloudFront and CloudTrail data, then measures loglake ingest against
// DuckDB's native conversion of the same files, each run in its own process: the loglake of a git ref (`--before`,
// default main) and of this tree, and the other writer variants. Writes bench/results/latest.json.
// Options: --cloudfront-lines N (1000000), --cloudtrail-records N (200000), --seed N (1), --regenerate,
// --before REF (main; "" to skip), --lambda-memory-mb N (2048, the config's default sizes.memoryMb),
// --datasets cloudfront,cloudtrail (both), --skip-variants (leave out the appender and hyparquet-writer rows),
// --redaction off,default (the redaction sets whose ingest CPU is compared; add pii for the PII rule set, "" to skip),
// --redaction-rounds N (3: every set is ingested N times, the sets taking turns; medians are compared).
import { execFile } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, readlink, rm, stat, symlink, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join, relative } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { createGzip } from "node:zlib";
import { type BenchFile, benchCloudFront, benchCloudTrail } from "@app/samples/bench";

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const dataDir = join(here, "data");
const outDir = join(here, "out");
const resultsFile = join(here, "results", "latest.json");

const { values: args } = parseArgs({
  options: {
    "cloudfront-lines": { type: "string", default: "1000000" },
    "cloudtrail-records": { type: "string", default: "200000" },
    seed: { type: "string", default: "1" },
    regenerate: { type: "boolean", default: false },
    before: { type: "string", default: "main" },
    "lambda-memory-mb": { type: "string", default: "2048" },
    datasets: { type: "string", default: "cloudfront,cloudtrail" },
    "skip-variants": { type: "boolean", default: false },
    redaction: { type: "string", default: "off,default" },
    "redaction-rounds": { type: "string", default: "3" },
  },
});
const positiveInt = (name: string, v: string | undefined): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`--${name} must be a positive integer, got ${v}\n`);
    process.exit(2);
  }
  return n;
};
const params = {
  cloudfront_lines: positiveInt("cloudfront-lines", args["cloudfront-lines"]),
  cloudtrail_records: positiveInt("cloudtrail-records", args["cloudtrail-records"]),
  seed: positiveInt("seed", args.seed),
};
const lambdaMemoryMb = positiveInt("lambda-memory-mb", args["lambda-memory-mb"]);
const redactionRounds = positiveInt("redaction-rounds", args["redaction-rounds"]);
const REDACTION_SETS = ["off", "default", "pii"] as const;
type RedactionSet = (typeof REDACTION_SETS)[number];
const redactionSets = args.redaction.split(",").filter((m) => m !== "");
for (const m of redactionSets)
  if (!(REDACTION_SETS as readonly string[]).includes(m)) {
    process.stderr.write(`--redaction takes ${REDACTION_SETS.join(",")} (comma-separated, "" to skip), got ${m}\n`);
    process.exit(2);
  }
if (redactionSets.length > 0 && !redactionSets.includes("off")) redactionSets.unshift("off");

type Dataset = "cloudfront" | "cloudtrail";

interface DataManifest {
  params: typeof params;
  datasets: Record<Dataset, { files: string[]; records: number; raw_bytes: number; gz_bytes: number }>;
}

/** Gzips one generated file to disk; returns its uncompressed and compressed sizes. */
async function writeGz(file: BenchFile, path: string): Promise<{ raw: number; gz: number }> {
  await mkdir(dirname(path), { recursive: true });
  let raw = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      raw += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(Readable.from(file.chunks()), count, createGzip(), createWriteStream(path));
  return { raw, gz: (await stat(path)).size };
}

/** Generates the data set unless the same parameters were generated before. */
async function ensureData(): Promise<DataManifest> {
  const manifestPath = join(dataDir, "manifest.json");
  if (!args.regenerate) {
    const previous = await readFile(manifestPath, "utf8").then(
      (t) => JSON.parse(t) as DataManifest,
      () => undefined,
    );
    const present = previous
      ? await Promise.all(
          Object.values(previous.datasets)
            .flatMap((d) => d.files)
            .map((f) =>
              stat(join(dataDir, f)).then(
                () => true,
                () => false,
              ),
            ),
        )
      : [];
    if (previous && JSON.stringify(previous.params) === JSON.stringify(params) && present.every(Boolean)) {
      log(`reusing generated data in ${relative(root, dataDir)} (--regenerate to rebuild)`);
      return previous;
    }
  }
  // Only this script's data sets: bench/data/memory belongs to memory.ts.
  for (const d of ["cloudfront", "cloudtrail", "manifest.json"])
    await rm(join(dataDir, d), { recursive: true, force: true });
  const manifest: DataManifest = {
    params,
    datasets: {
      cloudfront: { files: [], records: 0, raw_bytes: 0, gz_bytes: 0 },
      cloudtrail: { files: [], records: 0, raw_bytes: 0, gz_bytes: 0 },
    },
  };
  const sets: [Dataset, BenchFile[]][] = [
    ["cloudfront", benchCloudFront({ lines: params.cloudfront_lines, seed: params.seed })],
    ["cloudtrail", benchCloudTrail({ records: params.cloudtrail_records, seed: params.seed })],
  ];
  for (const [name, files] of sets) {
    const t0 = performance.now();
    const d = manifest.datasets[name];
    for (const f of files) {
      const rel = join(name, f.path);
      const size = await writeGz(f, join(dataDir, rel));
      d.files.push(rel);
      d.records += f.records;
      d.raw_bytes += size.raw;
      d.gz_bytes += size.gz;
    }
    log(`generated ${name}: ${d.files.length} files, ${d.records} records, ${mb(d.gz_bytes)} MB gz in ${secs(t0)} s`);
  }
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/**
 * The sources of a git ref, unpacked beside this tree (`git archive`, so the repository is not touched), with a
 * node_modules of links to this tree's packages except the workspace ones, which point into the unpacked sources.
 */
async function checkout(ref: string): Promise<{ dir: string; commit: string }> {
  const commit = (await run("git", ["rev-parse", "--short", ref], { cwd: root })).stdout.trim();
  const dir = join(tmpdir(), `loglake-bench-${commit}`);
  // An unpacked tree is reused only when its links lead into this tree's node_modules: one unpacked from another
  // checkout (since moved or deleted) is unpacked again.
  const reusable =
    (await stat(join(dir, "bench", "loglake-child.ts")).then(
      () => true,
      () => false,
    )) &&
    (await readlink(join(dir, "node_modules", "tsx")).then(
      (target) => target === join(root, "node_modules", "tsx"),
      () => false,
    ));
  if (!reusable) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await run("sh", ["-c", `git archive ${commit} | tar -x -C '${dir}'`], { cwd: root });
    const modules = join(dir, "node_modules");
    await mkdir(join(modules, "@app"), { recursive: true });
    for (const e of await readdir(join(root, "node_modules"))) {
      if (e !== "@app" && e !== ".bin") await symlink(join(root, "node_modules", e), join(modules, e));
    }
    for (const pkg of await readdir(join(dir, "packages"))) {
      await symlink(join(dir, "packages", pkg), join(modules, "@app", pkg));
    }
  }
  return { dir, commit };
}

/** Runs a child script under tsx and parses the JSON line it prints. */
async function child<T>(script: string, childArgs: string[], tree = root): Promise<T> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", join(tree, "bench", script), ...childArgs], {
    cwd: tree,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, TZ: "UTC" },
  });
  const last = stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(last) as T;
}

async function parquetBytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  let total = 0;
  for (const e of entries)
    if (e.isFile() && e.name.endsWith(".parquet")) total += (await stat(join(e.parentPath, e.name))).size;
  return total;
}

interface LoglakeRun {
  files: number;
  records: number;
  rows: Record<string, number>;
  quarantined: Record<string, number>;
  skipped: Record<string, number>;
  /** The config the child ran; a child that does not say passes no redaction. */
  config?: string;
  wall_s: number;
  cpu_s: number;
  max_rss_mb: number;
}
interface DuckRun {
  rows: number;
  wall_s: number;
  cpu_s: number;
  max_rss_mb: number;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
const secs = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

// Lambda arm64, us-east-1, per GB-second; one full vCPU at 1,769 MB, a share below (AWS Lambda pricing and
// configuration docs, 2026). Firehose: ingestion per GB, plus format conversion to Parquet per GB ingested, each
// record rounded up to 5 KB.
const LAMBDA_ARM64_PER_GB_S = 0.0000133334;
const FULL_VCPU_MB = 1769;
const FIREHOSE_INGEST_PER_GB = 0.029;
const FIREHOSE_CONVERSION_PER_GB = 0.018;
const FIREHOSE_RECORD_ROUNDING = 5 * 1024;

interface Measured {
  wall_s: number;
  cpu_s: number;
  max_rss_mb: number;
  rows: number;
  load: number;
  bytes: number;
}

const started = performance.now();
const load0 = loadavg()[0] ?? 0;
const data = await ensureData();
const before = args.before ? await checkout(args.before) : undefined;
const results: Record<string, unknown> = {};
const header = [
  "dataset",
  "engine",
  "records",
  "cpu s",
  "records/cpu s",
  "per-CPU ratio",
  "wall s",
  "wall ratio",
  "peak RSS MB",
  "parquet MB",
  "load avg",
];
const table: string[][] = [header];
const costs: string[] = [];

const datasets = (["cloudfront", "cloudtrail"] as const).filter((d) => args.datasets.split(",").includes(d));
const configs = new Set<string>();
for (const name of datasets) {
  const d = data.datasets[name];
  const files = d.files.map((f) => join(dataDir, f));
  await mkdir(outDir, { recursive: true });
  const measure = async (
    engine: string,
    go: () => Promise<Omit<Measured, "load" | "bytes">>,
    bytes: () => Promise<number>,
  ) => {
    const load = loadavg()[0] ?? 0;
    log(`${engine}: ${name} …`);
    const m = await go();
    return { engine, ...m, load, bytes: await bytes() };
  };
  const loglake = async (tree: string, label: string) => {
    const lake = join(outDir, `lake-${name}-${label}`);
    return measure(
      label === "after" ? "loglake" : `loglake ${before?.commit ?? ""} (before)`,
      async () => {
        const ll = await child<LoglakeRun>("loglake-child.ts", [lake, ...files], tree);
        configs.add(`${name}, loglake ${label}: config ${ll.config ?? "none given (no redaction)"}`);
        const quarantined = Object.values(ll.quarantined).reduce((a, b) => a + b, 0);
        if (quarantined !== 0) throw new Error(`${name}: loglake (${label}) quarantined ${quarantined} records`);
        return { ...ll, rows: ll.rows[name] ?? 0 };
      },
      () => parquetBytes(join(lake, name)),
    );
  };
  const duckOut = join(outDir, `duckdb-${name}.parquet`);
  const runs = [
    await measure(
      "duckdb 1 thread",
      () => child<DuckRun>("duckdb-child.ts", [name, duckOut, ...files]),
      async () => (await stat(duckOut)).size,
    ),
    ...(before ? [await loglake(before.dir, "before")] : []),
    await loglake(root, "after"),
  ];
  for (const variant of args["skip-variants"] ? [] : ["appender", "hyparquet-writer"]) {
    const dir = join(outDir, `${variant}-${name}`);
    runs.push(
      await measure(
        `parser + ${variant}`,
        () => child<DuckRun>("writer-variant-child.ts", [variant, dir, ...files]),
        () => parquetBytes(dir),
      ),
    );
  }
  for (const r of runs) {
    if (r.rows !== d.records) throw new Error(`${name}: expected ${d.records} rows, ${r.engine} wrote ${r.rows}`);
  }
  const duck = runs[0] as Measured & { engine: string };
  for (const r of runs) {
    table.push(
      [
        r === duck ? name : "",
        r.engine,
        d.records,
        r.cpu_s.toFixed(2),
        Math.round(d.records / r.cpu_s),
        r === duck ? "1.00" : (duck.cpu_s / r.cpu_s).toFixed(2),
        r.wall_s.toFixed(2),
        r === duck ? "1.00" : (duck.wall_s / r.wall_s).toFixed(2),
        Math.round(r.max_rss_mb),
        (r.bytes / 1e6).toFixed(1),
        r.load.toFixed(2),
      ].map(String),
    );
  }
  const after = runs.find((r) => r.engine === "loglake") as Measured;
  const rawGb = d.raw_bytes / 1e9;
  const billedS = (after.cpu_s / rawGb) * Math.max(1, FULL_VCPU_MB / lambdaMemoryMb);
  const lambda = billedS * (lambdaMemoryMb / 1024) * LAMBDA_ARM64_PER_GB_S;
  const recordBytes = d.raw_bytes / d.records;
  const rounding = (Math.ceil(recordBytes / FIREHOSE_RECORD_ROUNDING) * FIREHOSE_RECORD_ROUNDING) / recordBytes;
  const firehose = FIREHOSE_INGEST_PER_GB + FIREHOSE_CONVERSION_PER_GB;
  costs.push(
    `${name}: Lambda arm64 at ${lambdaMemoryMb} MB, ${(after.cpu_s / rawGb).toFixed(1)} CPU s per raw GB: $${lambda.toFixed(5)} per raw GB; Firehose ingest + conversion $${firehose.toFixed(3)} per GB (${(firehose * rounding).toFixed(3)} with each ${Math.round(recordBytes)}-byte record rounded to 5 KB): Lambda / Firehose = ${(lambda / firehose).toFixed(3)} (${(lambda / (firehose * rounding)).toFixed(4)} with rounding)`,
  );
  results[name] = {
    records_per_s: Math.round(d.records / after.wall_s),
    records_per_cpu_s: Math.round(d.records / after.cpu_s),
    per_cpu_ratio_vs_duckdb: Math.round((duck.cpu_s / after.cpu_s) * 100) / 100,
    ratio_vs_duckdb: Math.round((duck.wall_s / after.wall_s) * 100) / 100,
    peak_rss_mb: Math.round(after.max_rss_mb),
    parquet_bytes: after.bytes,
    gz_bytes: d.gz_bytes,
    lambda_usd_per_raw_gb: Number(lambda.toPrecision(3)),
  };
}

// Redaction overhead: the same files ingested with each redaction set, each run in its own process
// (bench/redaction-child.ts, one lane), CPU seconds compared with redaction off. CloudFront objects take DuckDB's fast
// path with redaction off, and with redaction on only those its screen proves clean, so CloudFront is also measured
// through the JavaScript pipeline without redaction ("off-pipeline"), to tell the cost of redacting from the path's.
interface RedactionRun {
  records: number;
  rows: Record<string, number>;
  quarantined: Record<string, number>;
  cpu_s: number;
  redacted: Record<string, Record<string, number>>;
}
const redactionHeader = [
  "dataset",
  "redaction",
  "records",
  "cpu s median",
  "cpu s min",
  "cpu s each",
  "median / off",
  "min / off",
  "median / off-pipeline",
  "load avg",
];
const redactionTable: string[][] = [redactionHeader];
const redactionResults: Record<string, unknown> = {};
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
for (const name of redactionSets.length > 0 ? datasets : []) {
  const d = data.datasets[name];
  const files = d.files.map((f) => join(dataDir, f));
  const modes = redactionSets.flatMap((m) => (m === "off" && name === "cloudfront" ? ["off", "off-pipeline"] : [m]));
  // One process's CPU seconds move by 10 % from run to run on a quiet machine: each set is run several times, the
  // sets taking turns so that a slow spell of the machine falls on all of them.
  const runs: Record<string, number[]> = Object.fromEntries(modes.map((m) => [m, []]));
  const loads: Record<string, number[]> = Object.fromEntries(modes.map((m) => [m, []]));
  const redacted: Record<string, unknown> = {};
  for (let round = 0; round < redactionRounds; round++) {
    for (const mode of modes) {
      const lake = join(outDir, `lake-${name}-redaction-${mode}`);
      loads[mode]?.push(loadavg()[0] ?? 0);
      log(`loglake redaction ${mode}: ${name} (round ${round + 1} of ${redactionRounds}) …`);
      const r = await child<RedactionRun>("redaction-child.ts", [mode, lake, ...files]);
      const quarantined = Object.values(r.quarantined).reduce((a, b) => a + b, 0);
      if ((r.rows[name] ?? 0) !== d.records || quarantined !== 0)
        throw new Error(`${name}: redaction ${mode} wrote ${r.rows[name] ?? 0} rows, quarantined ${quarantined}`);
      await rm(lake, { recursive: true, force: true });
      runs[mode]?.push(r.cpu_s);
      redacted[mode] = r.redacted;
    }
  }
  const med = Object.fromEntries(Object.entries(runs).map(([m, xs]) => [m, median(xs)]));
  const min = Object.fromEntries(Object.entries(runs).map(([m, xs]) => [m, Math.min(...xs)]));
  const ratio = (of: Record<string, number>, mode: string, base: string) =>
    of[base] === undefined ? "" : ((of[mode] as number) / (of[base] as number)).toFixed(3);
  for (const mode of modes) {
    redactionTable.push(
      [
        mode === modes[0] ? name : "",
        mode,
        d.records,
        (med[mode] as number).toFixed(2),
        (min[mode] as number).toFixed(2),
        (runs[mode] ?? []).map((x) => x.toFixed(2)).join(" "),
        ratio(med, mode, "off"),
        ratio(min, mode, "off"),
        name === "cloudfront" ? ratio(med, mode, "off-pipeline") : "",
        (loads[mode] ?? []).map((x) => x.toFixed(2)).join(" "),
      ].map(String),
    );
  }
  const ratios = Object.fromEntries(
    (redactionSets as RedactionSet[])
      .filter((m) => m !== "off")
      .map((m) => [m, Math.round(((med[m] as number) / (med.off as number)) * 1000) / 1000]),
  );
  redactionResults[name] = { rounds: redactionRounds, cpu_s: runs, median_cpu_s: med, ratio_vs_off: ratios, redacted };
}
if (redactionTable.length > 1) results.redaction = redactionResults;

const widths = header.map((_, i) => Math.max(...table.map((r) => (r[i] ?? "").length)));
const md = (r: string[]) =>
  `| ${r.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
process.stdout.write(
  `${md(header)}\n| ${widths.map((w, i) => (i < 2 ? "-".repeat(w) : `${"-".repeat(w - 1)}:`)).join(" | ")} |\n`,
);
for (const r of table.slice(1)) process.stdout.write(`${md(r)}\n`);
process.stdout.write(
  `\nper-CPU ratio: DuckDB's CPU seconds / the engine's (higher is better); wall ratio likewise, measured under the load shown.\n${[...configs].join("\n")}\n${costs.join("\n")}\nmachine: ${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 1e9)} GB; load average ${load0.toFixed(2)} before, ${(loadavg()[0] ?? 0).toFixed(2)} after; total ${secs(started)} s\n`,
);
if (redactionTable.length > 1) {
  const rw = redactionHeader.map((_, i) => Math.max(...redactionTable.map((r) => (r[i] ?? "").length)));
  const row = (r: string[]) =>
    `| ${r.map((c, i) => (i < 2 ? c.padEnd(rw[i] ?? 0) : c.padStart(rw[i] ?? 0))).join(" | ")} |`;
  process.stdout.write(
    `\nredaction overhead (CPU s of one ingest per set and round, one lane, ${redactionRounds} rounds; goal: default / off under 1.10):\n${row(redactionHeader)}\n| ${rw.map((w, i) => (i < 2 ? "-".repeat(w) : `${"-".repeat(w - 1)}:`)).join(" | ")} |\n${redactionTable
      .slice(1)
      .map(row)
      .join("\n")}\n`,
  );
}
await mkdir(dirname(resultsFile), { recursive: true });
await writeFile(resultsFile, `${JSON.stringify(results)}\n`);
log(`wrote ${relative(root, resultsFile)}`);
