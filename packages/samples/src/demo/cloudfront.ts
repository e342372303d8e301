import { STANDARD_W3C_FIELDS } from "@app/core/sources/cloudfront/fields";
import { DAY_MS, DIURNAL, pad2, utcParts } from "../clock.ts";
import type { Rng } from "../random.ts";
import { DEMO, INCIDENT_COUNTS, INCIDENT_HOURS } from "./scenario.ts";

/** One viewer request, before it is written in a CloudFront log format. `null` is written as `-`. */
export interface CfRequest {
  timeMs: number;
  edge: string;
  scBytes: number;
  ip: string;
  method: string;
  host: string;
  stem: string;
  status: number;
  referer: string | null;
  userAgent: string;
  query: string | null;
  resultType: string;
  requestId: string;
  hostHeader: string;
  protocol: "http" | "https";
  csBytes: number;
  timeTaken: number;
  forwardedFor: string | null;
  httpVersion: string;
  port: number;
  ttfb: number;
  detailedResultType: string;
  contentType: string | null;
  contentLen: number | null;
  rangeStart: number | null;
  rangeEnd: number | null;
  country: string;
  asn: number;
}

/** The two header lines of a standard log file, newline terminated. */
export const CLOUDFRONT_HEADER = `#Version: 1.0\n#Fields: ${STANDARD_W3C_FIELDS.join(" ")}\n`;

// RFC 1738 unsafe characters CloudFront escapes, besides controls, space and everything beyond ASCII.
const UNSAFE = /[^\x21-\x7e]|[<>"#%{}|\\^~[\]`']/gu;
const UTF8 = new TextEncoder();
// User agents and paths repeat, so escaping is memoised (bounded, to keep memory flat on long runs).
const escaped = new Map<string, string>();

function escapeChar(ch: string): string {
  let out = "";
  for (const b of UTF8.encode(ch)) out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  return out;
}

/** Escapes a value the way CloudFront writes it in logs (space → %20, `%` → %25, UTF-8 bytes → %XX). */
export function cloudfrontEscape(value: string): string {
  let out = escaped.get(value);
  if (out === undefined) {
    out = value.replace(UNSAFE, escapeChar);
    if (escaped.size > 10_000) escaped.clear();
    escaped.set(value, out);
  }
  return out;
}

function dash(v: string | number | null): string {
  return v === null ? "-" : String(v);
}

function seconds(s: number): string {
  return s.toFixed(3);
}

const TLS: Record<string, [string, string]> = {
  "HTTP/2.0": ["TLSv1.3", "TLS_AES_128_GCM_SHA256"],
  "HTTP/3.0": ["TLSv1.3", "TLS_AES_256_GCM_SHA384"],
  "HTTP/1.1": ["TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256"],
};

/** One tab-separated line of a 33-field standard log (no newline). */
export function cloudfrontLine(r: CfRequest): string {
  const tls = r.protocol === "https" ? (TLS[r.httpVersion] ?? TLS["HTTP/1.1"]) : undefined;
  const referer = r.referer === null ? "-" : cloudfrontEscape(r.referer);
  const query = r.query === null ? "-" : cloudfrontEscape(r.query);
  const status = r.status === 0 ? "000" : r.status;
  return (
    `${w3cDateTime(r.timeMs)}\t${r.edge}\t${r.scBytes}\t${r.ip}\t${r.method}\t${r.host}\t${cloudfrontEscape(r.stem)}\t` +
    `${status}\t${referer}\t${cloudfrontEscape(r.userAgent)}\t${query}\t-\t${r.resultType}\t${r.requestId}\t` +
    `${r.hostHeader}\t${r.protocol}\t${r.csBytes}\t${seconds(r.timeTaken)}\t${dash(r.forwardedFor)}\t` +
    `${tls ? tls[0] : "-"}\t${tls ? tls[1] : "-"}\t${r.resultType}\t${r.httpVersion}\t-\t-\t${r.port}\t` +
    `${seconds(r.ttfb)}\t${r.detailedResultType}\t${dash(r.contentType)}\t${dash(r.contentLen)}\t` +
    `${dash(r.rangeStart)}\t${dash(r.rangeEnd)}`
  );
}

let cachedDay = Number.NaN;
let cachedDate = "";

/** `YYYY-MM-DD\tHH:MM:SS` in UTC; the date part is cached because consecutive requests share a day. */
function w3cDateTime(ms: number): string {
  const day = Math.floor(ms / 86_400_000);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDate = new Date(day * 86_400_000).toISOString().slice(0, 10);
  }
  const secs = Math.floor(ms / 1000) - day * 86_400;
  const h = Math.floor(secs / 3600);
  const m = Math.floor((secs % 3600) / 60);
  return `${cachedDate}\t${pad2(h)}:${pad2(m)}:${pad2(secs % 60)}`;
}

/** One real-time log record in AWS's canonical field order (`DEFAULT_REALTIME_FIELDS`): tab separated, epoch seconds with milliseconds. */
export function cloudfrontRealtimeLine(r: CfRequest): string {
  const tls = r.protocol === "https" ? (TLS[r.httpVersion] ?? TLS["HTTP/1.1"]) : undefined;
  const headerNames = ["Host", "User-Agent", "Accept", "Accept-Encoding"];
  const origin = r.resultType === "Miss" || r.resultType === "Error";
  return [
    (r.timeMs / 1000).toFixed(3),
    r.ip,
    seconds(r.ttfb),
    r.status === 0 ? "000" : r.status,
    r.scBytes,
    r.method,
    r.protocol,
    r.host,
    cloudfrontEscape(r.stem),
    r.csBytes,
    r.edge,
    r.requestId,
    r.hostHeader,
    seconds(r.timeTaken),
    r.httpVersion,
    r.ip.includes(":") ? "IPv6" : "IPv4",
    cloudfrontEscape(r.userAgent),
    r.referer === null ? "-" : cloudfrontEscape(r.referer),
    "-",
    r.query === null ? "-" : cloudfrontEscape(r.query),
    r.resultType,
    dash(r.forwardedFor),
    tls ? tls[0] : "-",
    tls ? tls[1] : "-",
    r.resultType,
    "-",
    "-",
    dash(r.contentType),
    dash(r.contentLen),
    dash(r.rangeStart),
    dash(r.rangeEnd),
    r.port,
    r.detailedResultType,
    r.country,
    "gzip,%20deflate,%20br",
    cloudfrontEscape("text/html,application/json;q=0.9,*/*;q=0.8"),
    r.stem.startsWith("/api/") ? "/api/*" : "*",
    cloudfrontEscape(`Host:${r.hostHeader}\nUser-Agent:${r.userAgent}\n`),
    headerNames.join("%0A"),
    headerNames.length,
    "-",
    "-",
    origin ? seconds(r.ttfb * 0.8) : "-",
    origin ? seconds(r.timeTaken * 0.9) : "-",
    r.asn,
  ].join("\t");
}

const EDGES: readonly (readonly [string, string, number])[] = [
  ["IAD89-C1", "US", 14618],
  ["IAD61-P2", "US", 7922],
  ["DFW56-P1", "US", 7018],
  ["SEA19-C1", "US", 20057],
  ["SFO53-P3", "US", 701],
  ["FRA56-P1", "DE", 3320],
  ["LHR62-C2", "GB", 2856],
  ["CDG50-C1", "FR", 3215],
  ["NRT57-P2", "JP", 2516],
  ["GRU50-C1", "BR", 28573],
  ["SIN2-C1", "SG", 9506],
];

const BROWSERS: readonly (readonly [string, number])[] = [
  [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    30,
  ],
  [
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
    15,
  ],
  ["Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", 8],
  [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    18,
  ],
  [
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36",
    14,
  ],
  ["Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 4],
  ["Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", 2],
  ["Amazon CloudFront", 1],
  ["curl/8.5.0", 1],
];

interface Page {
  stem: (rng: Rng) => string;
  query?: (rng: Rng) => string | null;
  method?: (rng: Rng) => string;
  contentType: string;
  size: [number, number];
  cacheable: boolean;
}

const PAGES: readonly (readonly [Page, number])[] = [
  [{ stem: () => "/", contentType: "text/html", size: [18_000, 42_000], cacheable: true }, 14],
  [{ stem: () => "/index.html", contentType: "text/html", size: [18_000, 42_000], cacheable: true }, 3],
  [
    {
      stem: () => "/assets/app.3f9c2e71.js",
      contentType: "application/javascript",
      size: [180_000, 182_000],
      cacheable: true,
    },
    12,
  ],
  [{ stem: () => "/assets/app.3f9c2e71.css", contentType: "text/css", size: [41_000, 42_000], cacheable: true }, 10],
  [{ stem: () => "/images/hero.webp", contentType: "image/webp", size: [118_000, 121_000], cacheable: true }, 8],
  [
    {
      stem: (rng) => `/images/products/${rng.int(1000, 1400)}.jpg`,
      contentType: "image/jpeg",
      size: [28_000, 95_000],
      cacheable: true,
    },
    16,
  ],
  [
    {
      stem: () => "/api/products",
      query: (rng) => `page=${rng.int(1, 12)}&sort=${rng.pick(["price", "name", "rating"])}`,
      contentType: "application/json",
      size: [2_000, 9_000],
      cacheable: false,
    },
    10,
  ],
  [
    {
      stem: (rng) => `/api/products/${rng.int(1000, 1400)}`,
      contentType: "application/json",
      size: [900, 3_000],
      cacheable: false,
    },
    8,
  ],
  [
    {
      stem: () => "/api/cart",
      method: (rng) =>
        rng.weighted([
          ["GET", 3],
          ["POST", 2],
          ["DELETE", 1],
        ] as const),
      contentType: "application/json",
      size: [300, 2_500],
      cacheable: false,
    },
    5,
  ],
  [
    {
      stem: () => "/search",
      query: (rng) => `q=${rng.pick(["red shoes", "laptop bag", "coffee", "déjà vu", "usb-c cable", "gift card"])}`,
      contentType: "text/html",
      size: [12_000, 30_000],
      cacheable: false,
    },
    4,
  ],
  [{ stem: () => "/favicon.ico", contentType: "image/x-icon", size: [15_086, 15_086], cacheable: true }, 5],
  [{ stem: () => "/robots.txt", contentType: "text/plain", size: [68, 68], cacheable: true }, 1],
  [{ stem: () => "/login", contentType: "text/html", size: [9_000, 9_500], cacheable: false }, 3],
];

const REQUEST_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
const PAIRS = Array.from(
  { length: 4096 },
  (_, i) => `${REQUEST_ID_ALPHABET[i & 63] as string}${REQUEST_ID_ALPHABET[i >>> 6] as string}`,
);

/** Builds viewer requests: ordinary traffic and the attack patterns of the demo. */
export class CloudFrontTraffic {
  private readonly userIps: string[];

  constructor(private readonly rng: Rng) {
    const ips: string[] = [];
    for (const net of DEMO.userNets) for (let i = 20; i < 250; i++) ips.push(`${net}${i}`);
    for (let i = 0; i < 40; i++) ips.push(`${DEMO.userNet6}${rng.hex(4)}:${rng.hex(4)}::${rng.hex(3)}`);
    this.userIps = ips.filter((ip) => !DEMO.heavyIps.includes(ip as (typeof DEMO.heavyIps)[number]));
  }

  private requestId(): string {
    // Two characters per 12 bits of a draw: this runs once per request, millions of times in the benchmark.
    let out = "";
    for (let i = 0; i < 27; i += 2) {
      const v = this.rng.u32();
      out += (PAIRS[v & 4095] as string) + (PAIRS[(v >>> 12) & 4095] as string);
    }
    return `${out.slice(0, 54)}==`;
  }

  private base(timeMs: number, ip: string, userAgent: string): CfRequest {
    const rng = this.rng;
    const [edge, country, asn] = rng.pick(EDGES);
    const httpVersion = rng.weighted([
      ["HTTP/2.0", 70],
      ["HTTP/1.1", 20],
      ["HTTP/3.0", 10],
    ] as const);
    const protocol = rng.chance(0.03) ? "http" : "https";
    return {
      timeMs,
      edge,
      scBytes: 0,
      ip,
      method: "GET",
      host: DEMO.distributionDomain,
      stem: "/",
      status: 200,
      referer: null,
      userAgent,
      query: null,
      resultType: "Miss",
      requestId: this.requestId(),
      hostHeader: DEMO.siteHost,
      protocol,
      csBytes: rng.int(180, 900),
      timeTaken: 0,
      forwardedFor: null,
      httpVersion: protocol === "http" ? "HTTP/1.1" : httpVersion,
      port: rng.int(1024, 65535),
      ttfb: 0,
      detailedResultType: "Miss",
      contentType: null,
      contentLen: null,
      rangeStart: null,
      rangeEnd: null,
      country,
      asn,
    };
  }

  /** An ordinary visitor request at `timeMs`. */
  normal(timeMs: number): CfRequest {
    const rng = this.rng;
    const r = this.base(timeMs, rng.pick(this.userIps), rng.weighted(BROWSERS));
    const page = rng.weighted(PAGES);
    r.stem = page.stem(rng);
    r.query = page.query ? page.query(rng) : null;
    r.method = page.method ? page.method(rng) : "GET";
    r.referer = rng.chance(0.6) ? `https://${DEMO.siteHost}/` : null;
    if (r.method !== "GET") r.csBytes += rng.int(40, 1200);
    const roll = rng.float();
    if (page.cacheable) {
      r.resultType = roll < 0.82 ? "Hit" : roll < 0.86 ? "RefreshHit" : "Miss";
    } else {
      r.resultType = "Miss";
    }
    let status = 200;
    if (page.cacheable && rng.chance(0.05)) status = 304;
    else if (rng.chance(0.008)) status = 404;
    else if (rng.chance(0.002)) status = 0;
    else if (rng.chance(0.001)) status = 503;
    this.finish(r, status, page.contentType, rng.int(page.size[0], page.size[1]));
    return r;
  }

  private finish(r: CfRequest, status: number, contentType: string, bodySize: number): void {
    const rng = this.rng;
    r.status = status;
    const hit = r.resultType === "Hit" || r.resultType === "RefreshHit";
    if (status === 0) {
      r.resultType = "Error";
      r.detailedResultType = "ClientCommError";
      r.contentType = null;
      r.contentLen = null;
      r.scBytes = rng.int(0, 400);
    } else if (status >= 500) {
      r.resultType = "Error";
      r.detailedResultType = status === 504 ? "OriginReadTimeout" : "Error";
      r.contentType = "text/html";
      r.contentLen = 915;
      r.scBytes = 915 + rng.int(350, 520);
    } else if (status === 404 || status === 403) {
      r.resultType = "Error";
      r.detailedResultType = r.resultType;
      r.contentType = "text/html";
      r.contentLen = status === 403 ? 919 : 1_203;
      r.scBytes = (r.contentLen ?? 0) + rng.int(350, 520);
    } else if (status === 304) {
      r.detailedResultType = r.resultType;
      r.contentType = null;
      r.contentLen = null;
      r.scBytes = rng.int(300, 420);
    } else {
      r.detailedResultType = r.resultType;
      r.contentType = contentType;
      r.contentLen = bodySize;
      r.scBytes = bodySize + rng.int(350, 620);
    }
    const edgeTime = hit ? 0.001 + rng.int(0, 8) / 1000 : 0.02 + rng.skewed(0.08, 12);
    r.ttfb = Math.min(edgeTime, 59);
    r.timeTaken = r.ttfb + (r.scBytes > 100_000 ? r.scBytes / 8_000_000 : rng.int(0, 3) / 1000);
  }

  /** A vulnerability scanner probing for a known path (mostly 404s). */
  scanner(timeMs: number, ip: string, userAgent: string, stem: string, query: string | null = null): CfRequest {
    const rng = this.rng;
    const r = this.base(timeMs, ip, userAgent);
    r.stem = stem;
    r.query = query;
    r.method = rng.chance(0.9) ? "GET" : rng.pick(["POST", "HEAD"]);
    r.resultType = "Miss";
    const status = stem.includes("..") || stem.includes("/.") ? 403 : rng.chance(0.96) ? 404 : 200;
    this.finish(r, status, "text/html", rng.int(1_000, 9_000));
    return r;
  }

  /** A client whose requests fail at the origin (5xx). */
  failing(timeMs: number, ip: string, stem: string): CfRequest {
    const rng = this.rng;
    const r = this.base(timeMs, ip, "python-requests/2.31.0");
    r.stem = stem;
    r.method = "POST";
    r.csBytes += rng.int(400, 2_000);
    r.resultType = "Error";
    this.finish(
      r,
      rng.weighted([
        [502, 5],
        [503, 3],
        [504, 2],
      ] as const),
      "text/html",
      0,
    );
    return r;
  }

  /** A large download, partly as ranged requests (206). */
  heavy(timeMs: number, ip: string): CfRequest {
    const rng = this.rng;
    const r = this.base(timeMs, ip, "Wget/1.21.4");
    const total = 734_003_200;
    r.stem = rng.pick(["/downloads/catalog-dataset-2024.zip", "/downloads/product-images.tar.gz"]);
    r.resultType = rng.chance(0.7) ? "Hit" : "Miss";
    if (rng.chance(0.5)) {
      const start = rng.int(0, 6) * 104_857_600;
      this.finish(r, 206, "application/zip", 104_857_600);
      r.rangeStart = start;
      r.rangeEnd = start + 104_857_599;
    } else {
      this.finish(r, 200, "application/zip", total);
    }
    r.timeTaken = r.scBytes / rng.int(6_000_000, 14_000_000);
    return r;
  }
}

/** Paths a web vulnerability scanner tries: many distinct ones, nearly all 404 or 403. */
export function scannerPaths(count: number): string[] {
  const targets = [
    "/wp-login.php",
    "/wp-admin/",
    "/xmlrpc.php",
    "/.env",
    "/.env.bak",
    "/.env.production",
    "/.git/config",
    "/.git/HEAD",
    "/.aws/credentials",
    "/config.php",
    "/config.json",
    "/phpinfo.php",
    "/phpmyadmin/",
    "/pma/index.php",
    "/admin/",
    "/administrator/index.php",
    "/backup.zip",
    "/backup.sql",
    "/db.sql",
    "/dump.sql",
    "/server-status",
    "/actuator/env",
    "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
    "/cgi-bin/luci",
  ];
  const dirs = ["", "/old", "/backup", "/test", "/wp", "/blog", "/site", "/new", "/dev", "/api"];
  const traversal = ["/../../etc/passwd", "/cgi-bin/../../../../etc/passwd", "/static/..;/..;/etc/passwd"];
  const out = [...traversal];
  for (const dir of dirs) for (const target of targets) out.push(`${dir}${target}`);
  if (count > out.length) throw new RangeError(`at most ${out.length} distinct scanner paths`);
  return out.slice(0, count);
}

const SQLMAP_PAYLOADS = [
  "id=1'",
  "id=1' OR '1'='1",
  "id=1 AND 1=1",
  "id=1 AND SLEEP(5)",
  "id=1 UNION ALL SELECT NULL,NULL,NULL--",
  "id=1);WAITFOR DELAY '0:0:5'--",
  "id=-1 OR 3*2*1=6 AND 000578=000578",
];

/** Demo traffic for one hour: the diurnal baseline, plus whatever incident the scenario puts in that hour. */
export function cloudfrontHour(
  traffic: CloudFrontTraffic,
  rng: Rng,
  hourStartMs: number,
  lastDayMs: number,
): CfRequest[] {
  const hour = new Date(hourStartMs).getUTCHours();
  const requests: CfRequest[] = [];
  const at = (fromMin: number, toMin: number) => hourStartMs + rng.int(fromMin * 60_000, toMin * 60_000 - 1);
  const n = rng.around((DIURNAL[hour] ?? 6) * 12, 24);
  for (let i = 0; i < n; i++) requests.push(traffic.normal(at(0, 60)));

  const dayIndex = Math.floor((hourStartMs - lastDayMs) / DAY_MS);
  if (dayIndex === -3 || dayIndex === 0) {
    // Heavy downloaders spread over business hours.
    const ip = dayIndex === 0 ? DEMO.heavyIps[0] : DEMO.heavyIps[1];
    if (hour >= 9 && hour < 9 + INCIDENT_COUNTS.heavyDownloadsPerDay) requests.push(traffic.heavy(at(0, 60), ip));
  }
  if (hourStartMs >= lastDayMs && hourStartMs < lastDayMs + DAY_MS) {
    if (hour === INCIDENT_HOURS.scanner) {
      const ua = "Mozilla/5.0 zgrab/0.x";
      const paths = scannerPaths(INCIDENT_COUNTS.scannerDistinctPaths);
      paths.forEach((p, i) => {
        requests.push(traffic.scanner(hourStartMs + 5 * 60_000 + i * 9_000 + rng.int(0, 8_000), DEMO.scannerIp, ua, p));
      });
    }
    if (hour === INCIDENT_HOURS.nikto) {
      const paths = scannerPaths(INCIDENT_COUNTS.niktoRequests);
      paths.forEach((p, i) => {
        const ua = `Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:${String(i + 1).padStart(6, "0")})`;
        requests.push(traffic.scanner(at(10, 25), DEMO.niktoIp, ua, p));
      });
    }
    if (hour === INCIDENT_HOURS.sqlmap) {
      const ua = "sqlmap/1.8.4#stable (https://sqlmap.org)";
      for (let i = 0; i < INCIDENT_COUNTS.sqlmapRequests; i++) {
        const q = rng.pick(SQLMAP_PAYLOADS);
        const r = traffic.scanner(at(20, 35), DEMO.sqlmapIp, ua, "/api/products", q);
        r.method = "GET";
        requests.push(r);
      }
    }
    if (hour === INCIDENT_HOURS.cloudfront5xx) {
      for (let i = 0; i < INCIDENT_COUNTS.cloudfront5xx; i++) {
        requests.push(traffic.failing(at(0, 60), DEMO.errorSpikeIp, "/api/checkout"));
      }
    }
  }
  // CloudFront does not write records in time order.
  return rng.shuffle(requests);
}

/** The S3-style key of a standard log file: `<prefix>/<DIST>.YYYY-MM-DD-HH.<id>.gz`. */
export function cloudfrontKey(prefix: string, distributionId: string, hourStartMs: number, uniqueId: string): string {
  const p = utcParts(hourStartMs);
  return `${prefix}${distributionId}.${p.yyyy}-${p.mm}-${p.dd}-${pad2(Number(p.hh))}.${uniqueId}.gz`;
}

/** A standard log file's text: the two header lines and one line per request. */
export function cloudfrontFileText(requests: readonly CfRequest[]): string {
  let out = CLOUDFRONT_HEADER;
  for (const r of requests) out += `${cloudfrontLine(r)}\n`;
  return out;
}
