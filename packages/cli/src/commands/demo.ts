import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { demoFiles } from "@app/core/demo/index";
import type { Command } from "commander";
import { formatTotals, runIngest } from "./ingest.ts";

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("Generate realistic sample logs of every source (fixed seed), ingest them and print the summary")
    .option("--out <dir>", "where to write the sample logs and the lake", "demo")
    .action(async (opts: { out: string }) => {
      const out = resolve(opts.out);
      const logs = join(out, "logs");
      const lake = join(out, "lake");
      const files = demoFiles();
      for (const f of files) {
        const path = join(logs, f.path);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, f.path.endsWith(".gz") ? gzipSync(f.contents) : f.contents);
      }
      process.stdout.write(`wrote ${files.length} sample log files to ${logs}\n`);
      const totals = await runIngest({ paths: [logs], lake });
      process.stdout.write(`${formatTotals(totals, lake)}\n`);
    });
}
