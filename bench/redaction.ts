// `npm run bench:redaction`: ingest CPU seconds of the app JSON and CloudTrail bench data with redaction off, with
// the default (credentials only) and with a PII-heavy rule set, each run in its own process and the three modes
// interleaved, so load on a shared machine falls on all of them alike. Reports the median of each and the ratios.
// Options: --records N (200000 per dataset), --repeats N (3), --seed N (1).
import { execFile } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { createGzip } from "node:zlib";
import { type BenchFile, benchAppDay, benchCloudTrail } from "@app/samples/bench";

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    records: { type: "string", default: "200000" },
    repeats: { type: "string", default: "3" },
    seed: { type: "string", default: "1" },
  },
});
const records = Number(args.records);
const repeats = Number(args.repeats);
const seed = Number(args.seed);
if (![records, repeats, seed].every((n) => Number.isInteger(n) && n > 0)) {
  process.stderr.write("--records, --repeats and --seed must be positive integers\n");
  process.exit(2);
}

const dataDir = join(here, "data", "redaction");
async function write(files: BenchFile[], dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const f of files) {
    const path = join(dir, `${f.path}.gz`);
    await mkdir(dirname(path), { recursive: true });
    await pipeline(Readable.from(f.chunks()), createGzip(), createWriteStream(path));
    out.push(path);
  }
  return out;
}
await rm(dataDir, { recursive: true, force: true });
const datasets = {
  app_json: await write([benchAppDay({ events: records, seed })], join(dataDir, "app")),
  cloudtrail: await write(benchCloudTrail({ records, seed }), join(dataDir, "cloudtrail")),
};

const MODES = ["off", "default", "pii"] as const;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const load = loadavg();
const results: Record<string, unknown> = {};
for (const [name, files] of Object.entries(datasets)) {
  const cpu: Record<string, number[]> = { off: [], default: [], pii: [] };
  const redacted: Record<string, unknown> = {};
  for (let r = 0; r < repeats; r++) {
    for (const mode of MODES) {
      const lake = join(here, "out", "redaction", name, mode);
      const { stdout } = await run(
        process.execPath,
        ["--import", "tsx", join(here, "redaction-child.ts"), mode, lake, ...files],
        { maxBuffer: 1 << 24 },
      );
      const line = JSON.parse(stdout.trim()) as { records: number; cpu_s: number; redacted: unknown };
      cpu[mode]?.push(line.cpu_s);
      redacted[mode] = line.redacted;
      await rm(lake, { recursive: true, force: true });
    }
  }
  const off = median(cpu.off as number[]);
  results[name] = {
    records,
    cpu_s: Object.fromEntries(MODES.map((m) => [m, median(cpu[m] as number[])])),
    runs_cpu_s: cpu,
    ratio_default: median(cpu.default as number[]) / off,
    ratio_pii: median(cpu.pii as number[]) / off,
    redacted,
  };
}
process.stdout.write(
  `${JSON.stringify({ command: process.argv.slice(2), loadavg_start: load, loadavg_end: loadavg(), results }, null, 2)}\n`,
);
