import { type ChildProcessWithoutNullStreams, execFile, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { makeKinesisClient, makeS3Client, makeSqsClient } from "@app/aws/clients";
import { NOT_KEPT } from "@app/cli/dev/data-dir";
import type { ReadyInfo } from "@app/cli/dev/environment";
import { type DemoFile, demoFiles } from "@app/samples/demo/index";
import { PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOGLAKE_BIN } from "../../helpers/cli.ts";
import { demoBytes, lakeCounts, queueDepth, waitFor } from "../../helpers/emulators.ts";

const ROOT = resolve(import.meta.dirname, "../../..");
const all = demoFiles({ days: 1 });
const trail = all.find((f) => f.source === "cloudtrail") as DemoFile;
const cloudfront = all.find((f) => f.source === "cloudfront" && f.bad > 0) as DemoFile;

/** A `loglake dev` child process and what it printed. */
interface Dev {
  child: ChildProcessWithoutNullStreams;
  ready: ReadyInfo;
  stdout(): string;
  /** The JSON log lines on stderr. */
  logs(): Record<string, unknown>[];
  exit: Promise<number | null>;
}

async function startDev(dir: string, args: string[]): Promise<Dev> {
  const config = join(dir, "loglake.config.mjs");
  await writeFile(
    config,
    `export default ${JSON.stringify({ env: "clitest", destinations: [{ name: "acme", bucket: "acme-raw-logs" }] })};\n`,
  );
  const child = spawn(process.execPath, [LOGLAKE_BIN, "dev", "--config", config, ...args], {
    cwd: ROOT,
    env: { ...process.env, XDG_CACHE_HOME: dir },
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (b: Buffer) => {
    stderr += b.toString("utf8");
  });
  const exit = new Promise<number | null>((res) => child.once("exit", (code) => res(code)));
  child.stdout.on("data", (b: Buffer) => {
    stdout += b.toString("utf8");
  });
  const ready = await waitFor(
    "the ready line",
    async () => {
      if (child.exitCode !== null) throw new Error(`loglake dev exited ${child.exitCode}: ${stderr}`);
      return stdout.includes("\n") ? (JSON.parse(stdout.slice(0, stdout.indexOf("\n"))) as ReadyInfo) : undefined;
    },
    60_000,
  );
  const logs = () =>
    stderr
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { child, ready, stdout: () => stdout, logs, exit };
}

/** Resolves with the exit code, or fails after `ms` (a process that does not end is a defect, not a wait). */
function exited(dev: Dev, ms = 30_000): Promise<number | null> {
  return Promise.race([
    dev.exit,
    new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`loglake dev still running after ${ms} ms`)), ms)),
  ]);
}

/** Runs `loglake` with its cache in `cache`, killed after 60 s; exit code and output, whatever the code. */
function loglakeIn(cache: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(
      process.execPath,
      [LOGLAKE_BIN, ...args],
      // NODE_NO_WARNINGS: the SDK warns about the Node version on stderr, which the tests read exactly.
      { cwd: ROOT, env: { ...process.env, XDG_CACHE_HOME: cache, NODE_NO_WARNINGS: "1" }, timeout: 60_000 },
      (e, stdout, stderr) => res({ code: e ? Number(e.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** `loglake query` over the dev lake bucket: exit code, CSV lines and stderr. */
async function query(ready: ReadyInfo, cache: string, sql: string) {
  const args = ["query", "--lake", `s3://${ready.buckets.lake}`, "--endpoint", ready.endpoint, "--sql", sql];
  const r = await loglakeIn(cache, [...args, "--format", "csv"]);
  return { code: r.code, lines: r.stdout.trim().split("\n"), stderr: r.stderr };
}

/** Every object of every bucket, key → ETag. */
async function objects(ready: ReadyInfo): Promise<Record<string, Record<string, string>>> {
  const s3 = makeS3Client({ endpoint: ready.endpoint });
  const out: Record<string, Record<string, string>> = {};
  for (const bucket of [ready.buckets.source, ready.buckets.lake, ready.buckets.worm, ...ready.buckets.customer]) {
    const keys: Record<string, string> = {};
    let token: string | undefined;
    do {
      const res = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      for (const o of res.Contents ?? []) keys[o.Key as string] = o.ETag as string;
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    out[bucket] = keys;
  }
  s3.destroy();
  return out;
}

/** App JSON records, one event each, numbered from `from`. */
function appRecords(from: number, n: number) {
  return Array.from({ length: n }, (_, i) => ({
    Data: Buffer.from(
      `${JSON.stringify({ timestamp: "2025-06-12T10:00:00Z", level: "info", service: "api", message: `event ${from + i}` })}\n`,
    ),
    PartitionKey: `k${(from + i) % 7}`,
  }));
}

async function putRecords(ready: ReadyInfo, from: number, n: number): Promise<void> {
  const kinesis = makeKinesisClient({ endpoint: ready.kinesisEndpoint });
  for (let i = 0; i < n; i += 100) {
    const res = await kinesis.send(
      new PutRecordsCommand({ StreamName: ready.stream, Records: appRecords(from + i, Math.min(100, n - i)) }),
    );
    expect(res.FailedRecordCount ?? 0).toBe(0);
  }
  kinesis.destroy();
}

async function putObject(ready: ReadyInfo, f: DemoFile): Promise<void> {
  const s3 = makeS3Client({ endpoint: ready.endpoint });
  await s3.send(new PutObjectCommand({ Bucket: ready.buckets.source, Key: f.path, Body: demoBytes(f) }));
  s3.destroy();
}

/** Waits until the lake holds exactly `rows` and the buckets and the ingest queue have stopped changing. */
async function settled(ready: ReadyInfo, rows: Record<string, number>) {
  const counts = await waitFor(
    "rows in the lake",
    async () => {
      const c = await lakeCounts(ready.endpoint, ready.buckets.lake);
      return Object.entries(rows).every(([t, n]) => c.rows[t] === n) ? c : undefined;
    },
    60_000,
    500,
  );
  const sqs = makeSqsClient({ endpoint: ready.endpoint });
  let last = "";
  await waitFor(
    "the buckets and the queue to settle",
    async () => {
      const now = JSON.stringify(await objects(ready));
      const depth = await queueDepth(sqs, ready.queues.ingest);
      const same = now === last && depth === 0;
      last = now;
      return same ? true : undefined;
    },
    30_000,
    1_000,
  );
  sqs.destroy();
  return counts;
}

const PORTS = (r: ReadyInfo) => ({
  ...r,
  endpoint: r.endpoint.replace(/:\d+$/, ":PORT"),
  kinesisEndpoint: r.kinesisEndpoint.replace(/:\d+$/, ":PORT"),
  queues: {
    ingest: r.queues.ingest.replace(/:\d+\//, ":PORT/"),
    dlq: r.queues.dlq.replace(/:\d+\//, ":PORT/"),
  },
});

describe("loglake dev", () => {
  let dir: string;
  let dev: Dev;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "loglake-dev-"));
    dev = await startDev(dir, ["--data-dir", join(dir, "data")]);
  });

  afterAll(async () => {
    if (dev.child.exitCode === null) dev.child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  });

  it("prints one ready line naming the endpoints, buckets, queues, stream and kept state of the config", () => {
    const alerting = readdirSync(join(ROOT, "queries"), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".sql") && /^-- alert: true$/m.test(readFileSync(join(ROOT, "queries", f), "utf8")))
      .map((f) => f.replace(/\.sql$/, ""))
      .sort();
    expect(PORTS(dev.ready)).toStrictEqual({
      ready: true,
      alerts: {
        detections: alerting,
        inbox: expect.stringMatching(
          /^http:\/\/sqs\.us-east-1\.localhost:\d+\/000000000000\/loglake-clitest-alerts-inbox$/,
        ),
        topic: "arn:aws:sns:us-east-1:000000000000:loglake-clitest-alerts",
      },
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
      state: {
        dataDir: join(dir, "data"),
        restored: { buckets: 0, objects: 0, messages: 0, shards: 0 },
        notKept: NOT_KEPT,
      },
    });
  });

  it("answers a query on the brand-new lake with zero rows and a note, exit 0", async () => {
    // Act
    const r = await query(dev.ready, dir, "SELECT count(*) AS n FROM cloudtrail");
    // Assess
    expect(r).toStrictEqual({
      code: 0,
      lines: ["n", "0"],
      stderr: `loglake: note: s3://${dev.ready.buckets.lake} holds no lake files yet; every table is empty\n`,
    });
  });

  it("refuses a lake bucket that does not exist with a one-line error, exit 2", async () => {
    const r = await loglakeIn(dir, [
      "query",
      "--lake",
      "s3://no-such-lake",
      "--endpoint",
      dev.ready.endpoint,
      "--sql",
      "SELECT 1",
    ]);
    expect(r).toStrictEqual({ code: 2, stdout: "", stderr: "loglake: --lake s3://no-such-lake: no such bucket\n" });
  });

  it("makes uploaded CloudTrail and CloudFront rows queryable within 30 s, quarantining each bad line", async () => {
    // Act
    const started = Date.now();
    for (const f of [trail, cloudfront]) await putObject(dev.ready, f);
    const counts = await waitFor(
      "rows in the lake",
      async () => {
        const c = await lakeCounts(dev.ready.endpoint, dev.ready.buckets.lake);
        return c.rows.cloudtrail === trail.records &&
          c.rows.cloudfront === cloudfront.records - cloudfront.bad &&
          c.rows.quarantine === cloudfront.bad
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
    const r = await query(dev.ready, dir, "SELECT count(*) AS n FROM cloudtrail");
    // Assess
    expect(r).toStrictEqual({ code: 0, lines: ["n", String(trail.records)], stderr: "" });
  });

  it("drains and exits 0 on SIGTERM, having printed nothing but the ready line", async () => {
    // Act
    dev.child.kill("SIGTERM");
    const code = await exited(dev);
    // Assess
    expect(code).toBe(0);
    expect(
      dev
        .stdout()
        .split("\n")
        .filter((l) => l.trim() !== "").length,
    ).toBe(1);
  });
});

describe("loglake dev --data-dir across a SIGKILL", () => {
  let dir: string;
  let first: Dev;
  let second: Dev;
  let before: Record<string, Record<string, string>>;
  const args = () => ["--data-dir", join(dir, "data")];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "loglake-dev-kill-"));
    // Prepare: 300 stream records and a CloudTrail object, all in the lake, then the process is killed.
    first = await startDev(dir, args());
    await putObject(first.ready, trail);
    await putRecords(first.ready, 0, 300);
    await settled(first.ready, { app_events: 300, cloudtrail: trail.records });
    before = await objects(first.ready);
    first.child.kill("SIGKILL");
    await exited(first);
    second = await startDev(dir, args());
  });

  afterAll(async () => {
    for (const d of [first, second]) if (d && d.child.exitCode === null) d.child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  });

  it("puts every object of every bucket back, with its ETag", async () => {
    expect(await objects(second.ready)).toStrictEqual(before);
    const kept = Object.values(before).reduce((n, b) => n + Object.keys(b).length, 0);
    expect(second.ready.state.restored).toStrictEqual({ buckets: 4, objects: kept, messages: 0, shards: 1 });
  });

  it("still answers queries over the first run's lake data", async () => {
    const r = await query(
      second.ready,
      dir,
      "SELECT (SELECT count(*) FROM app_events) AS app, (SELECT count(*) FROM cloudtrail) AS trail",
    );
    expect(r).toStrictEqual({ code: 0, lines: ["app,trail", `300,${trail.records}`], stderr: "" });
  });

  it("resumes the stream at its checkpoint: 300 more records give 600 rows in all, none twice", async () => {
    // Act
    await putRecords(second.ready, 300, 300);
    await putObject(second.ready, cloudfront);
    const counts = await settled(second.ready, {
      app_events: 600,
      cloudfront: cloudfront.records - cloudfront.bad,
    });
    // Assess
    expect(counts.rows).toStrictEqual({
      app_events: 600,
      cloudtrail: trail.records,
      cloudfront: cloudfront.records - cloudfront.bad,
      quarantine: cloudfront.bad,
    });
    expect(counts.duplicates).toStrictEqual({});
    const distinct = await query(second.ready, dir, "SELECT count(DISTINCT message) AS n FROM app_events");
    expect(distinct.lines).toStrictEqual(["n", "600"]);
  });

  it("refuses a second loglake dev on the same data directory with a one-line error", async () => {
    const r = await loglakeIn(dir, ["dev", "--data-dir", join(dir, "data"), "--in-memory"]);
    expect([r.code, r.stderr]).toStrictEqual([2, "loglake: give either --data-dir or --in-memory, not both\n"]);
    const busy = await loglakeIn(dir, ["dev", "--data-dir", join(dir, "data")]);
    expect([busy.code, busy.stderr]).toStrictEqual([
      2,
      `loglake: --data-dir ${join(dir, "data")}: in use by another loglake dev (pid ${second.child.pid}); stop it or choose another directory\n`,
    ]);
  });

  it("read only the new records and announced only the new object after the restart", async () => {
    // Act
    second.child.kill("SIGTERM");
    const code = await exited(second);
    // Assess
    const stopped = second.logs().find((l) => l.message === "stopped") as {
      notifications: number;
      sqs: { received: number };
      kinesis: { records: number };
    };
    expect([code, stopped.notifications, stopped.sqs.received, stopped.kinesis.records]).toStrictEqual([0, 1, 1, 300]);
  });
});
