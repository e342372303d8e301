import { SqsEventSource } from "@app/cli/dev/sqs-source";
import { createIngestSqsHandler } from "@app/functions/handlers/ingest-sqs";
import { silentLog } from "@app/pipeline/log";
import { type DemoFile, demoFiles } from "@app/samples/demo/index";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  demoBytes,
  type LakeCounts,
  lakeCounts,
  startTestPipeline,
  type TestPipeline,
  waitForIngestDrained,
} from "../../helpers/emulators.ts";
import { type RecordingProxy, startRecordingProxy } from "../../helpers/http-proxy.ts";

describe("visibility heartbeat while an object is slow to read", () => {
  let p: TestPipeline;
  let proxy: RecordingProxy;
  const file = demoFiles({ days: 1 }).find((f) => f.source === "cloudtrail") as DemoFile;
  let counts: LakeCounts;
  let second: SqsEventSource;

  beforeAll(async () => {
    // Prepare: the download takes 6.5 s, well past the 4 s visibility timeout of the test queue.
    p = await startTestPipeline({
      handlerAws: async (endpoint) => {
        proxy = await startRecordingProxy(endpoint, { delayMs: 6500 });
        return { endpoint: proxy.url };
      },
    });
    // A second consumer on the same queue, as concurrent Lambda pollers are: it would take a message whose
    // visibility lapsed.
    second = new SqsEventSource({
      sqs: p.sqs,
      queueUrl: p.env.ready.queues.ingest,
      queueArn: p.env.provisioned.queues.ingestArn,
      region: p.config.region,
      batchSize: 10,
      batchingWindowSeconds: 0,
      handler: createIngestSqsHandler(p.env.runtime),
      log: silentLog,
    });
    second.start();
    const source = `/${p.config.buckets.source}/`;
    proxy.setRule(({ method, path }) =>
      method === "GET" && path.startsWith(source) && !path.includes("list-type") ? "delay" : undefined,
    );
    // Act
    await p.s3.send(new PutObjectCommand({ Bucket: p.config.buckets.source, Key: file.path, Body: demoBytes(file) }));
    await waitForIngestDrained(p, "the object processed", {
      until: () => p.env.sqsSource.stats.deleted + second.stats.deleted >= 1,
      timeoutMs: 30_000,
    });
    counts = await lakeCounts(p.env.ready.endpoint, p.config.buckets.lake);
  });

  afterAll(async () => {
    await second?.stop();
    await p?.stop();
    await proxy?.close();
  });

  it("extends the message's visibility so it is delivered once, not to a second consumer", () => {
    // Prepare
    const extensions = proxy.requests.filter(
      (r) => r.headers["x-amz-target"] === "AmazonSQS.ChangeMessageVisibilityBatch",
    ).length;
    // Assess
    expect(proxy.injected.delay).toBe(1);
    expect(extensions).toBeGreaterThanOrEqual(5);
    expect(p.env.sqsSource.stats.received + second.stats.received).toBe(1);
    expect(counts.rows).toStrictEqual({ cloudtrail: file.records });
  });
});
