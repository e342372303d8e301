// Throughput of the CloudTrail path on the deterministic benchmark records (the same generator as `npm run bench`):
// the JSON record splitter alone, split + JSON.parse + row mapping, and ingestObject over gzip with a null sink.
// Figures are per CPU second (user + system, the process's own), so a busy machine does not distort them much.
// Usage: npx tsx bench/parse-cloudtrail.ts [records=200000] [--one-file]
//   --one-file: streams all records as one {"Records":[…]} file generated on the fly, to show memory stays flat.
import { gzipSync } from "node:zlib";
import { benchCloudTrail } from "@app/samples/bench";
import { type JsonElement, JsonSplitter } from "../packages/core/src/ingest/json-stream.ts";
import { ingestObject } from "../packages/core/src/ingest/pipeline.ts";
import { parseCloudTrail } from "../packages/core/src/sources/cloudtrail/parse.ts";
import { SOURCES } from "../packages/core/src/sources/index.ts";

const records = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 200_000);
const oneFile = process.argv.includes("--one-file");
const files = benchCloudTrail({ records, perFile: oneFile ? records : 10_000 });
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const rate = (mb: number, n: number, s: number) => ({ mb_per_s: Math.round(mb / s), records_per_s: Math.round(n / s) });

if (oneFile) {
  let chars = 0;
  let rows = 0;
  const t = cpu();
  for (const f of files) {
    async function* counted() {
      for await (const c of f.chunks()) {
        chars += c.length;
        yield c;
      }
    }
    for await (const ev of parseCloudTrail(counted(), "events")) if (ev.kind === "row") rows++;
  }
  const s = cpu() - t;
  console.log(
    JSON.stringify({ one_file_mb: Math.round(chars / 1e6), rows, cpu_s: +s.toFixed(1), peak_rss_mb: peakRssMb() }),
  );
  process.exit(0);
}

const corpus: string[][] = [];
for (const f of files) {
  const parts: string[] = [];
  for await (const c of f.chunks()) parts.push(c);
  corpus.push(parts);
}
const mb = corpus.flat().reduce((a, c) => a + c.length, 0) / 1e6;
const gz = corpus.map((parts) => gzipSync(parts.join("")));

for (let round = 1; round <= 3; round++) {
  let t = cpu();
  let split = 0;
  for (const parts of corpus) {
    const splitter = new JsonSplitter();
    const out: JsonElement[] = [];
    for (const c of parts) {
      splitter.push(c, out);
      split += out.length;
      out.length = 0;
    }
    split += splitter.end(out).length;
  }
  const splitS = cpu() - t;

  t = cpu();
  let parsed = 0;
  for (const parts of corpus) {
    async function* text() {
      yield* parts;
    }
    for await (const ev of parseCloudTrail(text(), "events")) if (ev.kind === "row") parsed++;
  }
  const parseS = cpu() - t;

  t = cpu();
  let ingested = 0;
  for (const [i, buf] of gz.entries()) {
    async function* bytes() {
      for (let o = 0; o < buf.length; o += 65_536) yield buf.subarray(o, o + 65_536);
    }
    const key = files[i]?.path ?? "x.json.gz";
    const summary = await ingestObject({
      sources: SOURCES,
      bytes: bytes(),
      context: { key, options: {} },
      lineage: { sourceObject: key, ingestTime: "2025-06-02T00:00:00Z" },
      sink: { write() {} },
    });
    ingested += summary.rows.cloudtrail ?? 0;
  }
  const ingestS = cpu() - t;

  console.log(
    JSON.stringify({
      round,
      text_mb: Math.round(mb),
      split: rate(mb, split, splitS),
      parse_and_map: rate(mb, parsed, parseS),
      ingest_gz: rate(mb, ingested, ingestS),
      peak_rss_mb: peakRssMb(),
    }),
  );
}
