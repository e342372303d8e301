// Throughput of the CloudFront standard-log parser alone (no decompression, no sink), on deterministic lines.
// Usage: npx tsx bench/parse-cloudfront.ts [lines=1000000]
import { parseCloudFront } from "../packages/core/src/sources/cloudfront/parse.ts";

const HEADER =
  "#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status " +
  "cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header " +
  "cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type " +
  "cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type " +
  "sc-content-type sc-content-len sc-range-start sc-range-end\n";

const AGENTS = [
  "Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/120.0.0.0%20Safari/537.36",
  "Mozilla/5.0%20(iPhone;%20CPU%20iPhone%20OS%2017_1%20like%20Mac%20OS%20X)%20AppleWebKit/605.1.15%20(KHTML,%20like%20Gecko)%20Version/17.1%20Mobile/15E148%20Safari/604.1",
  "curl/8.4.0",
  "python-requests/2.31.0",
];
const PATHS = ["/index.html", "/assets/app.js", "/api/v1/login", "/wp-login.php", "/images/logo.png"];
const EDGES = ["LAX1", "SEA19-C1", "IAD89-C2", "FRA56-P3"];
const STATUS = ["200", "304", "404", "403", "502", "000"];

// Park-Miller: the same lines on every run.
let seed = 42;
function rand(n: number): number {
  seed = (seed * 48271) % 2147483647;
  return seed % n;
}

function line(i: number): string {
  const sec = String(i % 60).padStart(2, "0");
  const min = String(Math.floor(i / 60) % 60).padStart(2, "0");
  const ip = `198.51.${rand(256)}.${rand(256)}`;
  return [
    "2024-03-01",
    `21:${min}:${sec}`,
    EDGES[rand(EDGES.length)],
    String(300 + rand(90000)),
    ip,
    "GET",
    "d111111abcdef8.cloudfront.net",
    PATHS[rand(PATHS.length)],
    STATUS[rand(STATUS.length)],
    "-",
    AGENTS[rand(AGENTS.length)],
    rand(3) === 0 ? "q=shoes%20red&page=2" : "-",
    "-",
    "Hit",
    `SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBN${i.toString(36)}==`,
    "www.example.com",
    "https",
    String(100 + rand(900)),
    `0.${String(rand(1000)).padStart(3, "0")}`,
    "-",
    "TLSv1.3",
    "TLS_AES_128_GCM_SHA256",
    "Hit",
    "HTTP/2.0",
    "-",
    "-",
    String(1024 + rand(60000)),
    `0.${String(rand(1000)).padStart(3, "0")}`,
    "Hit",
    "text/html",
    String(rand(100000)),
    "-",
    "-",
  ].join("\t");
}

const total = Number(process.argv[2] ?? 1_000_000);
// 50k distinct lines in ~64 KiB chunks, replayed until `total` lines: memory stays small, so peak RSS reflects the
// parser, and every line still goes through the full parse.
const DISTINCT = Math.min(total, 50_000);
const chunks: string[] = [];
let buf: string[] = [];
let size = 0;
for (let i = 0; i < DISTINCT; i++) {
  const l = line(i);
  buf.push(l);
  size += l.length + 1;
  if (size >= 64 * 1024) {
    chunks.push(`${buf.join("\n")}\n`);
    buf = [];
    size = 0;
  }
}
if (buf.length > 0) chunks.push(`${buf.join("\n")}\n`);

let bytes = HEADER.length;
async function* text(): AsyncIterable<string> {
  yield HEADER;
  for (let done = 0; done < total; done += DISTINCT) {
    const rounds = Math.min(DISTINCT, total - done);
    if (rounds === DISTINCT) {
      for (const c of chunks) {
        bytes += c.length;
        yield c;
      }
    } else {
      const rest = `${Array.from({ length: rounds }, (_, i) => line(i)).join("\n")}\n`;
      bytes += rest.length;
      yield rest;
    }
  }
}

const started = process.hrtime.bigint();
const cpuStarted = process.cpuUsage();
let rows = 0;
let other = 0;
for await (const ev of parseCloudFront(text(), {
  key: "E2QWRUHAPOMQZL.2024-03-01-21.6c8f2d1e.gz",
  sourceObject: "bench",
  options: {},
})) {
  if (ev.kind === "row") rows++;
  else other++;
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpuStarted);
// CPU time shows the parser's own cost when other processes share the machine.
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const mb = bytes / 1e6;
console.log(
  JSON.stringify({
    lines: total,
    rows,
    other,
    seconds: Number(seconds.toFixed(3)),
    cpu_seconds: Number(cpuSeconds.toFixed(3)),
    lines_per_s: Math.round(total / seconds),
    lines_per_cpu_s: Math.round(total / cpuSeconds),
    mb_per_s: Number((mb / seconds).toFixed(1)),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
