import { createHash } from "node:crypto";
import { makeS3Client } from "@app/aws/clients";
import { CreateBucketCommand, GetObjectCommand } from "@aws-sdk/client-s3";
import { createAuditLogger } from "@loglake/audit";
import { wormSink } from "@loglake/audit/worm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulators } from "../../helpers/emulators.ts";
import { type RecordingProxy, startRecordingProxy } from "../../helpers/http-proxy.ts";

const NOW = new Date("2026-06-01T12:00:00.000Z");
const KEY =
  /^audit\/orders\/(\d{4}\/\d{2}\/\d{2})\/(.+)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.json$/;

describe("wormSink against fauxqs (headers recorded on the wire)", () => {
  let emulators: Awaited<ReturnType<typeof startEmulators>>;
  let proxy: RecordingProxy;
  let s3: ReturnType<typeof makeS3Client>;

  beforeAll(async () => {
    emulators = await startEmulators();
    proxy = await startRecordingProxy(emulators.endpoint);
    s3 = makeS3Client({ endpoint: proxy.url });
    await s3.send(new CreateBucketCommand({ Bucket: "audit-worm", ObjectLockEnabledForBucket: true }));
  });

  afterAll(async () => {
    await proxy?.close();
    await emulators?.stop();
  });

  /** Each PUT since `from`, with the headers that matter and the object's body read back. */
  async function puts(from: number) {
    const out = [];
    for (const r of proxy.requests.slice(from).filter((x) => x.method === "PUT" && x.path.startsWith("/audit-worm/"))) {
      const key = decodeURIComponent(r.path.split("?")[0]?.slice("/audit-worm/".length) ?? "");
      const obj = await s3.send(new GetObjectCommand({ Bucket: "audit-worm", Key: key }));
      const body = Buffer.from(
        await (obj.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
      );
      const h = r.headers;
      out.push({
        day: KEY.exec(key)?.[1],
        keyRequestId: KEY.exec(key)?.[2],
        lines: body
          .toString("utf8")
          .trimEnd()
          .split("\n")
          .map((l) => (JSON.parse(l) as { action: string }).action),
        mode: h["x-amz-object-lock-mode"],
        retainUntil: h["x-amz-object-lock-retain-until-date"],
        sha256: h["x-amz-checksum-sha256"] === createHash("sha256").update(body).digest("base64"),
        md5: h["content-md5"] === createHash("md5").update(body).digest("base64"),
        meta: [h["x-amz-meta-service"], h["x-amz-meta-request-id"], h["x-amz-meta-level"]],
      });
    }
    return out.sort((a, b) => String(a.lines[0]).localeCompare(String(b.lines[0])));
  }

  const ev = (action: string, extra: Record<string, unknown>) => ({
    type: "audit" as const,
    action,
    timestamp: "2026-06-01T11:59:00.000001Z",
    ...extra,
  });

  it("writes one locked, checksummed object per day and request id, with its metadata", async () => {
    // Prepare
    const from = proxy.requests.length;
    const sink = wormSink({
      client: s3,
      bucket: "audit-worm",
      prefix: "audit/orders",
      objectLock: { mode: "COMPLIANCE", retainDays: 2557 },
      now: () => NOW,
    });
    const audit = createAuditLogger({ service: "orders", sinks: [sink] });
    // Act
    await audit.log(ev("a1", { request_id: "r-1" }));
    await audit.log(ev("a2", { request_id: "r-1", level: "warn" }));
    await audit.log(ev("b1", { request_id: "r/2 ü", level: "error" }));
    await audit.log(ev("c1", {}));
    await audit.log(ev("d1", { request_id: "r-1", timestamp: "2026-05-31T23:59:59Z" }));
    await audit.close();
    // Assess
    const lock = { mode: "COMPLIANCE", retainUntil: "2033-06-01T12:00:00Z", sha256: true, md5: false };
    expect(await puts(from)).toStrictEqual([
      { day: "2026/06/01", keyRequestId: "r-1", lines: ["a1", "a2"], ...lock, meta: ["orders", "r-1", "warn"] },
      { day: "2026/06/01", keyRequestId: "r_2__", lines: ["b1"], ...lock, meta: ["orders", "r%2F2%20%C3%BC", "error"] },
      { day: "2026/06/01", keyRequestId: "no-request-id", lines: ["c1"], ...lock, meta: ["orders", "", "info"] },
      { day: "2026/05/31", keyRequestId: "r-1", lines: ["d1"], ...lock, meta: ["orders", "r-1", "info"] },
    ]);
    expect(audit.health().sinks.worm).toMatchObject({ sent: 5, failedBatches: 0 });
  });

  it("sends Content-MD5 instead when asked", async () => {
    // Prepare
    const from = proxy.requests.length;
    const sink = wormSink({
      client: s3,
      bucket: "audit-worm",
      prefix: "audit/orders",
      objectLock: { mode: "GOVERNANCE", retainDays: 1 },
      checksum: "MD5",
      now: () => NOW,
    });
    const audit = createAuditLogger({ service: "orders", sinks: [sink] });
    // Act
    await audit.log(ev("m1", { request_id: "r-9" }));
    await audit.close();
    // Assess
    expect((await puts(from)).map((p) => [p.mode, p.retainUntil, p.md5])).toStrictEqual([
      ["GOVERNANCE", "2026-06-02T12:00:00Z", true],
    ]);
  });
});
