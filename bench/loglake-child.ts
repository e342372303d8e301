// One measured `loglake ingest` run, in its own process so its peak RSS is its own.
// Usage: node --import tsx bench/loglake-child.ts <lake-dir> <file>...
// Prints one JSON line: the ingest totals plus wall and CPU seconds and peak RSS.
import { rm } from "node:fs/promises";
import { resolveConfig } from "@app/core/config/index";
import { ingestRedaction } from "@app/core/ingest/redaction";
import { SOURCES } from "@app/core/sources/index";
import { openDuckDb } from "@app/lake/duckdb";
import { ingestFiles } from "@app/lake/ingest";
import { LocalLakeStore } from "@app/lake/store";

const [lake, ...files] = process.argv.slice(2);
if (!lake || files.length === 0) {
  process.stderr.write("usage: loglake-child.ts <lake-dir> <file>...\n");
  process.exit(2);
}
await rm(lake, { recursive: true, force: true });

// The same calls `loglake ingest` makes (packages/cli/src/commands/ingest.ts), minus argument parsing and output.
// The JavaScript heap's share of the peak, sampled: the rest of the resident memory is DuckDB's and Node's own.
let peakHeap = 0;
const sampler = setInterval(() => {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapTotal);
}, 100);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
// `loglake ingest` without a config file runs the default config, whose credential redaction is on.
const settings = resolveConfig({ env: "local" }).redaction;
const redaction = ingestRedaction(settings);
const config = `default (redaction: credentials ${settings.credentials ? "on" : "off"}, ${settings.rules.length} rules)`;
const db = await openDuckDb();
const totals = await ingestFiles({
  db,
  store: new LocalLakeStore(lake),
  sources: SOURCES,
  files,
  ...(redaction ? { redaction } : {}),
});
db.closeSync();
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
clearInterval(sampler);

process.stdout.write(
  `${JSON.stringify({
    ...totals,
    config,
    wall_s: wall,
    cpu_s: (cpu.user + cpu.system) / 1e6,
    max_rss_mb: process.resourceUsage().maxRSS / 1024,
    peak_heap_mb: peakHeap / 1024 / 1024,
  })}\n`,
);
