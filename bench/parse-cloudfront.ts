// Throughput of the CloudFront standard-log parser alone (no decompression, no sink), on the deterministic lines of
// the benchmark generator. Usage: npx tsx bench/parse-cloudfront.ts [lines=1000000]
import { benchCloudFront } from "@app/samples/bench";
import { parseCloudFront } from "../packages/core/src/sources/cloudfront/parse.ts";

const total = Number(process.argv[2] ?? 1_000_000);
// 50k distinct lines of the `npm run bench` generator, replayed until `total` lines: memory stays small, so peak RSS
// reflects the parser, and every line still goes through the full parse.
const DISTINCT = Math.min(total, 50_000);
const [sample] = benchCloudFront({ lines: DISTINCT, files: 1 });
if (!sample) throw new Error("the generator gave no file");
const parts: string[] = [];
for await (const c of sample.chunks()) parts.push(c);
const [HEADER = "", ...chunks] = parts;
const firstLines = (n: number) => `${chunks.join("").split("\n").slice(0, n).join("\n")}\n`;

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
      const rest = firstLines(rounds);
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
  key: sample.path,
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
