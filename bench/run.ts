// `npm run bench`: generates deterministic CloudFront and CloudTrail data, then measures loglake ingest against
// DuckDB's native conversion of the same files, each run in its own process. Writes bench/results/latest.json.
// Options: --cloudfront-lines N (1000000), --cloudtrail-records N (200000), --seed N (1), --regenerate.
import { execFile } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { cpus, loadavg, totalmem } from "node:os";
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
  await rm(dataDir, { recursive: true, force: true });
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

/** Runs a child script under tsx and parses the JSON line it prints. */
async function child<T>(script: string, childArgs: string[]): Promise<T> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", join(here, script), ...childArgs], {
    cwd: root,
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

const started = performance.now();
const load0 = loadavg()[0] ?? 0;
const data = await ensureData();
const results: Record<string, unknown> = {};
const table: string[][] = [
  [
    "dataset",
    "engine",
    "records",
    "wall s",
    "records/s",
    "raw MB/s",
    "cpu s",
    "peak RSS MB",
    "parquet bytes",
    "gz bytes",
  ],
];

for (const name of ["cloudfront", "cloudtrail"] as const) {
  const d = data.datasets[name];
  const files = d.files.map((f) => join(dataDir, f));

  const duckOut = join(outDir, `duckdb-${name}.parquet`);
  await mkdir(outDir, { recursive: true });
  log(`duckdb: converting ${name} …`);
  const duck = await child<DuckRun>("duckdb-child.ts", [name, duckOut, ...files]);
  const duckBytes = (await stat(duckOut)).size;

  const lake = join(outDir, `lake-${name}`);
  log(`loglake: ingesting ${name} …`);
  const ll = await child<LoglakeRun>("loglake-child.ts", [lake, ...files]);
  const table_ = name;
  const llRows = ll.rows[table_] ?? 0;
  const quarantined = Object.values(ll.quarantined).reduce((a, b) => a + b, 0);
  if (llRows !== d.records || quarantined !== 0 || duck.rows !== d.records) {
    throw new Error(
      `${name}: expected ${d.records} rows, loglake wrote ${llRows} (quarantined ${quarantined}), duckdb ${duck.rows}`,
    );
  }
  const llBytes = await parquetBytes(join(lake, table_));

  const llRate = d.records / ll.wall_s;
  const duckRate = d.records / duck.wall_s;
  const row = (
    dataset: string,
    engine: string,
    run: { wall_s: number; cpu_s: number; max_rss_mb: number },
    bytes: number,
  ) =>
    [
      dataset,
      engine,
      d.records,
      run.wall_s.toFixed(2),
      Math.round(d.records / run.wall_s),
      (d.raw_bytes / 1e6 / run.wall_s).toFixed(1),
      run.cpu_s.toFixed(2),
      Math.round(run.max_rss_mb),
      bytes,
      d.gz_bytes,
    ].map(String);
  table.push(row(name, "loglake", ll, llBytes), row("", "duckdb 1 thread", duck, duckBytes), [
    "",
    "ratio",
    "",
    "",
    (llRate / duckRate).toFixed(2),
    "",
    "",
    "",
    "",
    "",
  ]);
  results[name] = {
    records_per_s: Math.round(llRate),
    ratio_vs_duckdb: Math.round((llRate / duckRate) * 100) / 100,
    peak_rss_mb: Math.round(ll.max_rss_mb),
    parquet_bytes: llBytes,
    gz_bytes: d.gz_bytes,
  };
}

const widths = table[0]?.map((_, i) => Math.max(...table.map((r) => (r[i] ?? "").length))) ?? [];
for (const r of table) {
  process.stdout.write(
    `${r.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ")}\n`,
  );
}
process.stdout.write(
  `machine: ${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 1e9)} GB; load average ${load0.toFixed(2)} before, ${(loadavg()[0] ?? 0).toFixed(2)} after; total ${secs(started)} s\n`,
);
await mkdir(dirname(resultsFile), { recursive: true });
await writeFile(resultsFile, `${JSON.stringify(results)}\n`);
log(`wrote ${relative(root, resultsFile)}`);
