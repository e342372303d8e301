import { existsSync } from "node:fs";
import type { LoglakeConfigInput } from "@app/core/config/types";
import { type Command, Option } from "commander";
import { CONFIG_FILE, importConfigModule } from "../config-file.ts";
import { DEFAULT_DATA_DIR } from "../dev/data-dir.ts";
import { InputError } from "../errors.ts";
import { integerIn } from "../values.ts";

/** `loglake dev`: the AWS data path on local emulators, until SIGINT or SIGTERM. */
export function registerDev(program: Command): void {
  program
    .command("dev")
    .description(
      "Run the AWS data path locally: S3/SQS and Kinesis emulators, the real ingest handlers behind event-source pollers, and S3 notifications for new objects",
    )
    .addOption(
      new Option(
        "--config <file>",
        `deployment config (default: LOGLAKE_CONFIG, else ./${CONFIG_FILE} when present, else env "dev")`,
      ).env("LOGLAKE_CONFIG"),
    )
    .option("--port <n>", "S3 and SQS emulator port (default: a free port)", integerIn("--port", 0, 65535))
    .option("--kinesis-port <n>", "Kinesis emulator port (default: a free port)", integerIn("--kinesis-port", 0, 65535))
    .option(
      "--data-dir <dir>",
      `keep objects, queue messages, stream records and checkpoints here across restarts (default: ./${DEFAULT_DATA_DIR})`,
    )
    .option("--in-memory", "keep nothing: every object, message, record and lake file ends with the process")
    .action(
      async (opts: { config?: string; port?: number; kinesisPort?: number; dataDir?: string; inMemory?: boolean }) => {
        if (opts.inMemory && opts.dataDir !== undefined)
          throw new InputError("give either --data-dir or --in-memory, not both");
        const file = opts.config ?? (existsSync(CONFIG_FILE) ? CONFIG_FILE : undefined);
        let input: LoglakeConfigInput = { env: "dev" };
        if (file) {
          const mod = await importConfigModule(file);
          if (mod.default === null || typeof mod.default !== "object")
            throw new InputError(`${file}: the default export must be the config object (use defineConfig)`);
          input = mod.default as LoglakeConfigInput;
        }
        const [{ jsonLog }, { devConfig }, { startDevEnvironment }, { readSavedQueries }] = await Promise.all([
          import("@app/pipeline/log"),
          import("../dev/config.ts"),
          import("../dev/environment.ts"),
          import("../saved-queries.ts"),
        ]);
        const config = devConfig(input);
        // stdout carries the ready line only; logs go to stderr.
        const log = jsonLog("loglake-dev");
        const env = await startDevEnvironment({
          config,
          log,
          queries: await readSavedQueries(),
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
