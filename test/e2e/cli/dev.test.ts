import { type ChildProcessWithoutNullStreams, execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { makeS3Client } from "@app/aws/clients";
import type { ReadyInfo } from "@app/cli/dev/environment";
import { type DemoFile, demoFiles } from "@app/samples/demo/index";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOGLAKE_BIN } from "../../helpers/cli.ts";
import { demoBytes, lakeCounts, waitFor } from "../../helpers/emulators.ts";

const ROOT = resolve(import.meta.dirname, "../../..");
const run = promisify(execFile);

describe("loglake dev", () => {
  let child: ChildProcessWithoutNullStreams;
  let dir: string;
  let stdout = "";
  let ready: ReadyInfo;
  const all = demoFiles({ days: 1 });
  const trail = all.find((f) => f.source === "cloudtrail") as DemoFile;
  const cloudfront = all.find((f) => f.source === "cloudfront" && f.bad > 0) as DemoFile;
  let exit: Promise<number | null>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "loglake-dev-"));
    const config = join(dir, "loglake.config.mjs");
    await writeFile(
      config,
      `export default ${JSON.stringify({ env: "clitest", destinations: [{ name: "acme", bucket: "acme-raw-logs" }] })};\n`,
    );
    child = spawn(process.execPath, [LOGLAKE_BIN, "dev", "--config", config], {
      cwd: ROOT,
      env: { ...process.env, XDG_CACHE_HOME: dir },
    });
    child.stderr.resume();
    exit = new Promise((res) => child.once("exit", (code) => res(code)));
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString("utf8");
    });
    ready = await waitFor("the ready line", async () =>
      stdout.includes("\n") ? (JSON.parse(stdout.slice(0, stdout.indexOf("\n"))) as ReadyInfo) : undefined,
    );
  });

  afterAll(async () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  });

  it("prints one ready line naming the endpoints, buckets, queues and stream of the config", () => {
    expect({
      ...ready,
      endpoint: ready.endpoint.replace(/:\d+$/, ":PORT"),
      kinesisEndpoint: ready.kinesisEndpoint.replace(/:\d+$/, ":PORT"),
      queues: {
        ingest: ready.queues.ingest.replace(/:\d+\//, ":PORT/"),
        dlq: ready.queues.dlq.replace(/:\d+\//, ":PORT/"),
      },
    }).toStrictEqual({
      ready: true,
      endpoint: "http://127.0.0.1:PORT",
      kinesisEndpoint: "http://127.0.0.1:PORT",
      region: "us-east-1",
      buckets: {
        source: "loglake-clitest-source",
        lake: "loglake-clitest-lake",
        worm: "loglake-clitest-worm",
        customer: ["acme-raw-logs"],
      },
      queues: {
        ingest: "http://sqs.us-east-1.localhost:PORT/000000000000/loglake-clitest-ingest",
        dlq: "http://sqs.us-east-1.localhost:PORT/000000000000/loglake-clitest-ingest-dlq",
      },
      stream: "loglake-clitest-stream",
    });
  });

  it("makes uploaded CloudTrail and CloudFront rows queryable within 30 s, quarantining each bad line", async () => {
    // Act
    const s3 = makeS3Client({ endpoint: ready.endpoint });
    const started = Date.now();
    for (const f of [trail, cloudfront]) {
      await s3.send(new PutObjectCommand({ Bucket: ready.buckets.source, Key: f.path, Body: demoBytes(f) }));
    }
    const counts = await waitFor(
      "rows in the lake",
      async () => {
        const c = await lakeCounts(ready.endpoint, ready.buckets.lake);
        return c.rows.cloudtrail === trail.records && c.rows.cloudfront === cloudfront.records - cloudfront.bad
          ? c
          : undefined;
      },
      30_000,
      500,
    );
    const elapsed = Date.now() - started;
    // Assess
    expect(elapsed).toBeLessThan(30_000);
    expect(counts.rows).toStrictEqual({
      cloudtrail: trail.records,
      cloudfront: cloudfront.records - cloudfront.bad,
      quarantine: cloudfront.bad,
    });
    expect(counts.duplicates).toStrictEqual({});
  });

  it("serves `loglake query --lake s3://… --endpoint` through the SDK cache", async () => {
    // Act
    const { stdout: out } = await run(
      process.execPath,
      [
        LOGLAKE_BIN,
        "query",
        "--lake",
        `s3://${ready.buckets.lake}`,
        "--endpoint",
        ready.endpoint,
        "--sql",
        "SELECT count(*) AS n FROM cloudtrail",
        "--format",
        "csv",
      ],
      { cwd: ROOT, env: { ...process.env, XDG_CACHE_HOME: dir } },
    );
    // Assess
    expect(out.trim().split("\n")).toStrictEqual(["n", String(trail.records)]);
  });

  it("drains and exits 0 on SIGTERM, having printed nothing but the ready line", async () => {
    // Act
    child.kill("SIGTERM");
    const code = await exit;
    // Assess
    expect(code).toBe(0);
    expect(stdout.split("\n").filter((l) => l.trim() !== "").length).toBe(1);
  });
});
