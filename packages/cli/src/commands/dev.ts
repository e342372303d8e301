import { existsSync } from "node:fs";
import { jsonLog } from "@app/pipeline/log";
import type { Command } from "commander";
import { DEFAULT_CONFIG_FILE, devConfig, loadConfigInput } from "../dev/config.ts";
import { DEFAULT_DATA_DIR } from "../dev/data-dir.ts";
import { startDevEnvironment } from "../dev/environment.ts";
import { InputError } from "../errors.ts";

const port = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`not a port: ${v}`);
  return n;
};

/** `loglake dev`: the AWS data path on local emulators, until SIGINT or SIGTERM. */
export function registerDev(program: Command): void {
  program
    .command("dev")
    .description(
      "Run the AWS data path locally: S3/SQS and Kinesis emulators, the real ingest handlers behind event-source pollers, and S3 notifications for new objects",
    )
    .option("--config <file>", `deployment config (default: ./${DEFAULT_CONFIG_FILE} when present, else env "dev")`)
    .option("--port <n>", "S3 and SQS emulator port (default: a free port)", port)
    .option("--kinesis-port <n>", "Kinesis emulator port (default: a free port)", port)
    .option(
      "--data-dir <dir>",
      `keep objects, queue messages, stream records and checkpoints here across restarts (default: ./${DEFAULT_DATA_DIR})`,
    )
    .option("--in-memory", "keep nothing: every object, message, record and lake file ends with the process")
    .action(
      async (opts: { config?: string; port?: number; kinesisPort?: number; dataDir?: string; inMemory?: boolean }) => {
        if (opts.inMemory && opts.dataDir !== undefined)
          throw new InputError("give either --data-dir or --in-memory, not both");
        const file = opts.config ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
        const config = devConfig(file ? await loadConfigInput(file) : { env: "dev" });
        // stdout carries the ready line only; logs go to stderr.
        const log = jsonLog("loglake-dev");
        const env = await startDevEnvironment({
          config,
          log,
          ...(opts.port !== undefined ? { port: opts.port } : {}),
          ...(opts.kinesisPort !== undefined ? { kinesisPort: opts.kinesisPort } : {}),
          ...(opts.inMemory ? {} : { dataDir: opts.dataDir ?? DEFAULT_DATA_DIR }),
        });
        process.stdout.write(`${JSON.stringify(env.ready)}\n`);
        const signal = await new Promise<NodeJS.Signals>((resolve) => {
          process.once("SIGINT", () => resolve("SIGINT"));
          process.once("SIGTERM", () => resolve("SIGTERM"));
        });
        log.info("stopping: draining in-flight batches", { signal });
        await env.stop();
        log.info("stopped", {
          notifications: env.notifier.sent,
          sqs: env.sqsSource.stats,
          kinesis: env.kinesisSource.stats,
        });
      },
    );
}
