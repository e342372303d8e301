import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import type { Log } from "@app/pipeline/log";

/** A request that changed what the emulator holds, as far as the files must follow. */
export type Change =
  | { kind: "bucket-created" | "bucket-deleted" | "objects-deleted"; bucket: string }
  | { kind: "object-written" | "object-deleted"; bucket: string; key: string }
  | { kind: "queue-changed" };

// Only these change messages; receives and visibility changes alter nothing a restore can put back.
const SQS_CHANGES = new Set([
  "CreateQueue",
  "DeleteQueue",
  "PurgeQueue",
  "SendMessage",
  "SendMessageBatch",
  "DeleteMessage",
  "DeleteMessageBatch",
]);

/**
 * What a request to the S3+SQS emulator changes, from its method, URL and headers alone: SQS (JSON protocol) by its
 * `X-Amz-Target`, S3 by path-style or virtual-hosted addressing, as the emulator routes them. Reads, multipart parts
 * and aborts change nothing visible.
 */
export function classifyRequest(method: string, url: string, headers: IncomingHttpHeaders): Change | undefined {
  try {
    return classify(method, url, headers);
  } catch {
    // A malformed URL (bad percent-encoding): the emulator rejects it as well.
    return undefined;
  }
}

function classify(method: string, url: string, headers: IncomingHttpHeaders): Change | undefined {
  const contentType = String(headers["content-type"] ?? "");
  if (contentType.includes("x-amz-json-1.0")) {
    const op = String(headers["x-amz-target"] ?? "").split(".")[1] ?? "";
    return SQS_CHANGES.has(op) ? { kind: "queue-changed" } : undefined;
  }
  if (contentType.includes("x-www-form-urlencoded") || !["PUT", "POST", "DELETE"].includes(method)) return undefined;
  const u = new URL(url, "http://emulator");
  const hostname = String(headers.host ?? "").split(":")[0] ?? "";
  const virtual = hostname.includes(".") && !/^\d+\.\d+\.\d+\.\d+$/.test(hostname);
  const segments = u.pathname.split("/").slice(1);
  const bucket = virtual ? hostname.slice(0, hostname.indexOf(".")) : decodeURIComponent(segments.shift() ?? "");
  if (!bucket) return undefined;
  const key = segments.map((s) => decodeURIComponent(s)).join("/");
  const q = u.searchParams;
  if (!key) {
    if (method === "PUT") return { kind: "bucket-created", bucket };
    if (method === "DELETE") return { kind: "bucket-deleted", bucket };
    return q.has("delete") ? { kind: "objects-deleted", bucket } : undefined;
  }
  if (method === "PUT") return q.has("uploadId") ? undefined : { kind: "object-written", bucket, key };
  if (method === "DELETE") return q.has("uploadId") ? undefined : { kind: "object-deleted", bucket, key };
  // POST ?uploadId completes a multipart upload; POST ?uploads starts one.
  return q.has("uploadId") ? { kind: "object-written", bucket, key } : undefined;
}

/** The endpoint clients use when state is kept: the emulator behind it, the files written before each reply. */
export interface PersistingEndpoint {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Serves the S3+SQS emulator on its own port and, for every request that changed state, holds the reply until
 * `apply` has written the change to disk. A client that saw success therefore finds its write after a kill. When the
 * files cannot be written the client gets a 503 and retries, as it would against S3.
 */
export async function startPersistingEndpoint(opts: {
  upstream: string;
  port?: number;
  apply: (change: Change) => Promise<void>;
  log: Log;
}): Promise<PersistingEndpoint> {
  const upstream = new URL(opts.upstream);
  const agent = new Agent({ keepAlive: true });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const change = classifyRequest(req.method ?? "GET", req.url ?? "/", req.headers);
    const headers = { ...req.headers };
    // This server already answered any 100-continue.
    delete headers.expect;
    const up = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers,
        agent,
      },
      (upRes) => {
        const status = upRes.statusCode ?? 502;
        const reply = () => {
          res.writeHead(status, upRes.headers);
          upRes.pipe(res);
        };
        if (!change || status >= 300) {
          reply();
          return;
        }
        opts.apply(change).then(reply, (e: unknown) => {
          upRes.resume();
          opts.log.error("could not keep a change in the data directory", { change, error: String(e) });
          res.writeHead(503, { "content-type": "text/plain" });
          res.end(`loglake dev could not write its data directory: ${String(e)}`);
        });
      },
    );
    // A client that went away mid-request must not leave the emulator waiting for the rest of its body.
    res.once("close", () => {
      if (!res.writableFinished) up.destroy();
    });
    up.on("error", (e) => {
      if (res.headersSent) {
        res.destroy(e);
        return;
      }
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(`emulator unreachable: ${String(e)}`);
    });
    req.pipe(up);
  });
  // Longer than the SDK's idle sockets live, so a reused connection is never closed under a request.
  server.keepAliveTimeout = 75_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      agent.destroy();
    },
  };
}
