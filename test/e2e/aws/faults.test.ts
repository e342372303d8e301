import { type DemoFile, demoFiles } from "@app/samples/demo/index";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  demoBytes,
  type LakeCounts,
  lakeCounts,
  queueDepth,
  startTestPipeline,
  type TestPipeline,
  waitForIngestDrained,
} from "../../helpers/emulators.ts";
import { type Fault, type RecordingProxy, startRecordingProxy } from "../../helpers/http-proxy.ts";

const TABLE_OF: Record<string, string> = { cloudfront: "cloudfront", cloudtrail: "cloudtrail", app_json: "app_events" };

function pickFiles(): DemoFile[] {
  const all = demoFiles({ days: 1 }).filter((f) => !f.path.startsWith("kinesis/") && f.source in TABLE_OF);
  return ["cloudfront", "cloudtrail", "app_json"].flatMap((s) => all.filter((f) => f.source === s).slice(0, 2));
}

describe("S3 faults between the handlers and S3", () => {
  let p: TestPipeline;
  let proxy: RecordingProxy;
  const files = pickFiles();
  // This object's download fails more often than the SDK retries, so its message fails and is redelivered.
  const stubborn = files[0] as DemoFile;
  let counts: LakeCounts;

  beforeAll(async () => {
    p = await startTestPipeline({
      handlerAws: async (endpoint) => {
        proxy = await startRecordingProxy(endpoint, { stallMs: 2000 });
        return { endpoint: proxy.url, requestTimeoutMs: 1000, maxAttempts: 5 };
      },
    });
    const source = `/${p.config.buckets.source}/`;
    const lake = `/${p.config.buckets.lake}/`;
    const attempts = new Map<string, number>();
    let lakePaths = 0;
    proxy.setRule(({ method, path, headers }): Fault | undefined => {
      const id = `${method} ${path.split("?")[0]}`;
      const n = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, n);
      const isObjectGet = method === "GET" && path.startsWith(source) && !path.includes("list-type");
      if (isObjectGet && path.includes(encodeURIComponent(stubborn.path.split("/").pop() as string))) {
        return n <= 6 ? "slowdown" : undefined;
      }
      if (isObjectGet) return n === 1 ? "slowdown" : n === 2 ? "timeout" : undefined;
      if (method === "PUT" && headers["x-amz-copy-source"]) return n === 1 ? "slowdown" : undefined;
      if (method === "PUT" && path.startsWith(lake) && n === 1) return ++lakePaths % 3 === 0 ? "timeout" : "slowdown";
      return undefined;
    });
    // Act
    for (const f of files) {
      await p.s3.send(new PutObjectCommand({ Bucket: p.config.buckets.source, Key: f.path, Body: demoBytes(f) }));
    }
    await waitForIngestDrained(p, "every object processed", {
      until: () => p.env.notifier.sent === files.length && p.env.sqsSource.stats.deleted === files.length,
      timeoutMs: 90_000,
    });
    counts = await lakeCounts(p.env.ready.endpoint, p.config.buckets.lake);
  });

  afterAll(async () => {
    await p?.stop();
    await proxy?.close();
  });

  it("injects SlowDown and timeouts on gets and puts", () => {
    // Assess
    const faulted = proxy.requests.filter((r) => r.fault);
    const kinds = new Set(faulted.map((r) => `${r.method} ${r.fault}`));
    expect([...kinds].sort()).toStrictEqual(["GET slowdown", "GET timeout", "PUT slowdown", "PUT timeout"]);
    expect(proxy.injected.slowdown + proxy.injected.timeout).toBe(faulted.length);
  });

  it("retries every faulted request until the same request succeeds", () => {
    // Prepare
    const key = (r: { method: string; path: string }) => `${r.method} ${r.path.split("?")[0]}`;
    const succeeded = new Set(proxy.requests.filter((r) => !r.fault).map(key));
    // Assess
    const unretried = proxy.requests.filter((r) => r.fault && !succeeded.has(key(r))).map(key);
    expect(unretried).toStrictEqual([]);
  });

  it("fails only the message whose object kept failing, and it succeeds on redelivery", async () => {
    expect(p.env.sqsSource.stats.failed).toBe(1);
    expect(await queueDepth(p.sqs, p.env.ready.queues.dlq)).toBe(0);
  });

  it("loses nothing and duplicates nothing", () => {
    // Prepare
    const expected: Record<string, number> = {};
    for (const f of files) {
      const table = TABLE_OF[f.source] as string;
      expected[table] = (expected[table] ?? 0) + f.records - f.bad;
    }
    const bad = files.reduce((n, f) => n + f.bad, 0);
    if (bad > 0) expected.quarantine = bad;
    // Assess
    expect(counts.rows).toStrictEqual(expected);
    expect(counts.duplicates).toStrictEqual({});
  });
});
