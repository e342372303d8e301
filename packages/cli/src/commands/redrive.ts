import type { QueueDepth, RedriveResult } from "@app/aws/redrive";
import type { QueryResult } from "@app/core/queries/result";
import type { Command } from "commander";
import { CONFIG_FILE, importConfigModule } from "../config-file.ts";
import { EXIT, InputError } from "../errors.ts";
import { endpointOption } from "../lake.ts";
import { chosenFormat, formatOptions, formatResult } from "../output.ts";
import { integerIn } from "../values.ts";

/** What `loglake redrive` reports: the queues, their depth before, what moved, and their depth after. */
export interface RedriveReport {
  dlq: string;
  target: string;
  before: { dlq: QueueDepth; target: QueueDepth };
  result?: RedriveResult;
  after: { dlq: QueueDepth; target: QueueDepth };
  /** Seconds waited for the source queue to drain (with `--wait`), and whether it did. */
  waited?: { seconds: number; drained: boolean };
}

const depthText = (d: QueueDepth) => `${d.visible} visible, ${d.inFlight} in flight`;

/** The report for people. */
export function formatRedrive(r: RedriveReport): string {
  const lines = [`dlq    ${r.dlq}: ${depthText(r.before.dlq)}`, `target ${r.target}: ${depthText(r.before.target)}`];
  if (r.result) {
    lines.push(
      `moved ${r.result.moved} message(s) to the source queue; ${r.result.refused} refused (left in the DLQ), ${r.result.undeleted} sent but not deleted (sent again next run)`,
    );
  }
  if (r.waited) {
    lines.push(
      `waited ${r.waited.seconds}s: source queue ${r.waited.drained ? "drained" : "not drained"}; DLQ now ${depthText(r.after.dlq)}`,
    );
  } else if (r.result) lines.push(`dlq now ${depthText(r.after.dlq)}`);
  return lines.join("\n");
}

/** The report as rows (`queue`, `when`, `state`, `count`) for CSV. */
function redriveResult(r: RedriveReport): QueryResult {
  const depth = (queue: string, when: string, d: QueueDepth) => [
    { queue, when, state: "visible", count: d.visible },
    { queue, when, state: "in_flight", count: d.inFlight },
  ];
  const rows = [
    ...depth(r.dlq, "before", r.before.dlq),
    ...depth(r.target, "before", r.before.target),
    ...(r.result
      ? [
          ...Object.entries(r.result).map(([state, count]) => ({ queue: r.dlq, when: "redrive", state, count })),
          ...depth(r.dlq, "after", r.after.dlq),
          ...depth(r.target, "after", r.after.target),
        ]
      : []),
  ];
  return {
    columns: [
      { name: "queue", kind: "string" },
      { name: "when", kind: "string" },
      { name: "state", kind: "string" },
      { name: "count", kind: "number" },
    ],
    rows,
  };
}

/** The ingest queue and its DLQ of a stage, by name, from the config module (its `env` follows the stage). */
async function stageQueues(config: string, stage: string | undefined): Promise<{ ingest: string; dlq: string }> {
  if (stage !== undefined) process.env.LOGLAKE_ENV = stage;
  const mod = await importConfigModule(config);
  const own = (mod.default as { env?: unknown } | undefined)?.env;
  const env = stage ?? (typeof own === "string" ? own : "dev");
  const { resolveSettings } = await import("@app/core/config/index");
  const { config: resolved } = resolveSettings(mod, env);
  return { ingest: resolved.queues.ingest, dlq: resolved.queues.dlq };
}

export function registerRedrive(program: Command): void {
  const cmd = program
    .command("redrive")
    .description(
      "Move the messages of the ingest dead-letter queue back to the ingest queue after a fix (receive, send, then " +
        "delete from the DLQ only what was sent); --status only counts",
    )
    .option("--config <file>", "config module naming the queues", CONFIG_FILE)
    .option("--stage <name>", "stage whose queues to use; sets LOGLAKE_ENV as the deployment does")
    .option("--dlq <name|url>", "dead-letter queue (default: the stage's queues.dlq)")
    .option("--to <name|url>", "queue to move messages to (default: the stage's queues.ingest)")
    .option(
      "--max <n>",
      "move at most this many messages (default: the DLQ's depth at the start)",
      integerIn("--max", 1, 1_000_000),
    )
    .option("--status", "print the depth of both queues and move nothing")
    .option(
      "--wait <seconds>",
      "after moving, wait up to this long for the source queue to drain, then report the DLQ again (exit 1 when it holds messages)",
      integerIn("--wait", 1, 3600),
    )
    .option("--region <region>", "AWS region (default: AWS_REGION, else the config's region)")
    .addOption(endpointOption());
  for (const o of formatOptions()) cmd.addOption(o);
  cmd.action(
    async (opts: {
      config: string;
      stage?: string;
      dlq?: string;
      to?: string;
      max?: number;
      status?: boolean;
      wait?: number;
      region?: string;
      endpoint?: string;
      format?: string;
      json?: boolean;
    }) => {
      const format = chosenFormat(opts);
      if (opts.status && (opts.max !== undefined || opts.wait !== undefined))
        throw new InputError("--status moves nothing: it takes no --max or --wait");
      const names =
        opts.dlq !== undefined && opts.to !== undefined
          ? { dlq: opts.dlq, ingest: opts.to }
          : {
              ...(await stageQueues(opts.config, opts.stage)),
              ...(opts.dlq ? { dlq: opts.dlq } : {}),
              ...(opts.to ? { ingest: opts.to } : {}),
            };
      if (names.dlq === names.ingest) throw new InputError(`--dlq and --to name the same queue: ${names.dlq}`);
      const [{ makeSqsClient }, { queueDepth, queueUrlOf, redriveMessages }] = await Promise.all([
        import("@app/aws/clients"),
        import("@app/aws/redrive"),
      ]);
      const sqs = makeSqsClient({ region: opts.region, endpoint: opts.endpoint });
      const url = (flag: string, name: string) =>
        queueUrlOf(sqs, name).catch((e: unknown) => {
          if (
            (e as { name?: string }).name === "QueueDoesNotExist" ||
            (e as { name?: string }).name === "AWS.SimpleQueueService.NonExistentQueue"
          )
            throw new InputError(`${flag} ${name}: no such queue`);
          throw e;
        });
      const dlq = await url("--dlq", names.dlq);
      const target = await url("--to", names.ingest);
      const depths = async () => ({ dlq: await queueDepth(sqs, dlq), target: await queueDepth(sqs, target) });
      const before = await depths();
      const report: RedriveReport = { dlq, target, before, after: before };
      if (!opts.status) {
        report.result = await redriveMessages({ sqs, dlqUrl: dlq, targetUrl: target, max: opts.max });
        report.after = await depths();
        if (opts.wait !== undefined) {
          const until = Date.now() + opts.wait * 1000;
          let drained = report.after.target.visible + report.after.target.inFlight === 0;
          while (!drained && Date.now() < until) {
            await new Promise((r) => setTimeout(r, 1000));
            const t = await queueDepth(sqs, target);
            drained = t.visible + t.inFlight === 0;
          }
          report.after = await depths();
          report.waited = { seconds: opts.wait, drained };
          if (report.after.dlq.visible + report.after.dlq.inFlight > 0) process.exitCode = EXIT.findings;
        }
      }
      sqs.destroy();
      if (format === "json") process.stdout.write(`${JSON.stringify(report)}\n`);
      else if (format === "csv") process.stdout.write(formatResult(redriveResult(report), "csv"));
      else process.stdout.write(`${formatRedrive(report)}\n`);
    },
  );
}
