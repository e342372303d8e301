import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** What the proxy does with one PutRecords call: forward it, refuse it whole, or fail some of its entries. */
export type ThrottleDecision =
  | { call: "forward" }
  | { call: "throttle" }
  | { call: "partial"; fail: (i: number, entry: PutRecordsEntry) => boolean };

/** One PutRecords entry as sent: base64 data and partition key. */
export interface PutRecordsEntry {
  Data: string;
  PartitionKey: string;
}

/** Counts of what went through and what was refused, per PutRecords entry and call. */
export interface ThrottleCounts {
  calls: number;
  throttledCalls: number;
  failedEntries: number;
  forwardedEntries: number;
  /** Entries per PutRecords call as received. */
  callSizes: number[];
  /** Bytes of data and partition keys per PutRecords call as received. */
  callBytes: number[];
  /** The largest entry (data and partition key) received. */
  largestEntryBytes: number;
}

export interface KinesisThrottle {
  url: string;
  counts: ThrottleCounts;
  close(): Promise<void>;
}

const THROTTLED = "ProvisionedThroughputExceededException";

/**
 * A proxy in front of kinesalite that answers PutRecords as a throttled Kinesis shard does: a whole call refused
 * with 400 `ProvisionedThroughputExceededException`, or chosen entries failed with that error code while the others
 * are stored (the proxy forwards only those, then splices the failures into kinesalite's reply). Every other call
 * is forwarded as it is. kinesalite checks that requests are signed, not the signature, so a shortened body passes.
 */
export async function startKinesisThrottle(
  target: string,
  decide: (call: number) => ThrottleDecision,
): Promise<KinesisThrottle> {
  const to = new URL(target);
  const counts: ThrottleCounts = {
    calls: 0,
    throttledCalls: 0,
    failedEntries: 0,
    forwardedEntries: 0,
    callSizes: [],
    callBytes: [],
    largestEntryBytes: 0,
  };
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const headers = { ...req.headers };
    if (headers["x-amz-target"] !== "Kinesis_20131202.PutRecords") {
      forward(headers, body, (status, h, b) => reply(status, h, b));
      return;
    }
    const input = JSON.parse(body.toString("utf8")) as { Records: PutRecordsEntry[] };
    counts.calls++;
    counts.callSizes.push(input.Records.length);
    let callBytes = 0;
    for (const r of input.Records) {
      const bytes = Buffer.from(r.Data, "base64").length + Buffer.byteLength(r.PartitionKey);
      counts.largestEntryBytes = Math.max(counts.largestEntryBytes, bytes);
      callBytes += bytes;
    }
    counts.callBytes.push(callBytes);
    const d = decide(counts.calls);
    if (d.call === "throttle") {
      counts.throttledCalls++;
      const msg = JSON.stringify({ __type: THROTTLED, message: "Rate exceeded for shard shardId-000000000000" });
      reply(400, { "content-type": "application/x-amz-json-1.1" }, Buffer.from(msg));
      return;
    }
    const failed = new Set(
      d.call === "partial"
        ? input.Records.map((_, i) => i).filter((i) => d.fail(i, input.Records[i] as PutRecordsEntry))
        : [],
    );
    const kept = input.Records.filter((_, i) => !failed.has(i));
    counts.failedEntries += failed.size;
    counts.forwardedEntries += kept.length;
    if (kept.length === 0) {
      const all = input.Records.map(() => ({ ErrorCode: THROTTLED, ErrorMessage: "Rate exceeded for shard" }));
      const text = JSON.stringify({ FailedRecordCount: all.length, Records: all });
      reply(200, { "content-type": "application/x-amz-json-1.1" }, Buffer.from(text));
      return;
    }
    const out = { ...input, Records: kept };
    forward(headers, Buffer.from(JSON.stringify(out)), (status, h, b) => {
      if (status !== 200 || failed.size === 0) return reply(status, h, b);
      const up = JSON.parse(b.toString("utf8")) as { FailedRecordCount: number; Records: unknown[] };
      const stored = [...up.Records];
      const merged = input.Records.map((_, i) =>
        failed.has(i)
          ? { ErrorCode: THROTTLED, ErrorMessage: "Rate exceeded for shard shardId-000000000000" }
          : stored.shift(),
      );
      const text = JSON.stringify({ FailedRecordCount: up.FailedRecordCount + failed.size, Records: merged });
      reply(200, { "content-type": "application/x-amz-json-1.1" }, Buffer.from(text));
    });

    function reply(status: number, h: Record<string, string | string[] | undefined>, b: Buffer) {
      const { "content-length": _, "transfer-encoding": __, ...rest } = h;
      res.writeHead(status, { ...rest, "content-length": b.length });
      res.end(b);
    }
  });

  function forward(
    headers: IncomingMessage["headers"],
    body: Buffer,
    done: (status: number, h: IncomingMessage["headers"], b: Buffer) => void,
  ) {
    const upstream = httpRequest(
      {
        host: to.hostname,
        port: to.port,
        method: "POST",
        path: "/",
        headers: { ...headers, host: to.host, "content-length": body.length },
      },
      async (up) => done(up.statusCode ?? 502, up.headers, await readBody(up)),
    );
    upstream.on("error", () => done(502, {}, Buffer.from("{}")));
    upstream.end(body);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
