import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as it reached the wire: method, path (with query) and headers exactly as sent. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The fault injected instead of forwarding, if any. */
  fault?: Fault;
}

/**
 * What the proxy does instead of forwarding at once: S3's throttling reply, a stall past the client's timeout
 * (then the connection drops), or a slow response (forwarded after `delayMs`).
 */
export type Fault = "slowdown" | "timeout" | "delay";

/** Decides, per request, whether to inject a fault. */
export type FaultRule = (req: { method: string; path: string; headers: IncomingHttpHeaders }) => Fault | undefined;

/** A recording, fault-injecting HTTP proxy in front of an emulator. */
export interface RecordingProxy {
  url: string;
  requests: RecordedRequest[];
  /** Faults injected so far, by kind. */
  injected: Record<Fault, number>;
  setRule(rule: FaultRule | undefined): void;
  close(): Promise<void>;
}

const SLOWDOWN_XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>FAULT</RequestId></Error>';

/**
 * Starts a reverse proxy on a free port that forwards to `target`, recording every request's headers as they
 * arrived (after SDK signing, so these are the real HTTP headers) and injecting faults chosen by the rule:
 * `slowdown` answers 503 SlowDown, `timeout` holds the request for `stallMs` and then drops the connection.
 */
export async function startRecordingProxy(
  target: string,
  opts: { stallMs?: number; delayMs?: number } = {},
): Promise<RecordingProxy> {
  const to = new URL(target);
  const requests: RecordedRequest[] = [];
  const injected: Record<Fault, number> = { slowdown: 0, timeout: 0, delay: 0 };
  let rule: FaultRule | undefined;
  const server: Server = createServer((req, res) => {
    const entry: RecordedRequest = { method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers };
    requests.push(entry);
    const fault = rule?.({ method: entry.method, path: entry.path, headers: entry.headers });
    if (fault) {
      entry.fault = fault;
      injected[fault]++;
    }
    if (fault === "delay") {
      req.pause();
      setTimeout(() => forward(), opts.delayMs ?? 3000);
      return;
    }
    if (fault) {
      // Read the body first, as a real server would, so the client is not stuck writing.
      req.resume();
      req.on("end", () => {
        if (fault === "slowdown") {
          res.writeHead(503, { "content-type": "application/xml", "content-length": Buffer.byteLength(SLOWDOWN_XML) });
          res.end(SLOWDOWN_XML);
        } else {
          setTimeout(() => res.socket?.destroy(), opts.stallMs ?? 3000).unref();
        }
      });
      return;
    }
    forward();
    function forward() {
      const upstream = httpRequest(
        { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on("error", () => res.socket?.destroy());
      req.pipe(upstream);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    injected,
    setRule(r) {
      rule = r;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
