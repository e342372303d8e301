// One measured ingest with one redaction set, in its own process so its CPU time is its own.
// Usage: node --import tsx bench/redaction-child.ts <off|off-pipeline|default|pii> <lake-dir> <file>...
// "off-pipeline" is "off" without the CloudFront fast path, so every record goes through the JavaScript parser, as
// CloudFront objects do when redaction cannot prove them clean. Prints one JSON line: records, CPU seconds and what was redacted.
import { rm } from "node:fs/promises";
import { resolveConfig } from "@app/core/config/index";
import { type IngestRedaction, ingestRedaction } from "@app/core/ingest/redaction";
import { SOURCES } from "@app/core/sources/index";
import { openDuckDb } from "@app/lake/duckdb";
import { ingestFiles } from "@app/lake/ingest";
import { LocalLakeStore } from "@app/lake/store";

const KEY = "bench-hmac-key-of-at-least-32-characters";

// A PII-heavy set: every string searched for e-mail addresses, card numbers and IP addresses, and the user fields
// of both sources hashed.
const SETS = {
  off: { credentials: false },
  "off-pipeline": { credentials: false },
  default: {},
  pii: {
    hmacKey: { value: KEY },
    rules: [
      { path: "user_id", detect: "value", action: "hash" },
      { path: "user_identity_user_name", detect: "value", action: "hash" },
      { path: "user_identity.userName", detect: "value", action: "hash" },
      { detect: "email", action: "mask" },
      { detect: "card_number", action: "mask" },
      { detect: "ip_address", action: "truncate" },
    ],
  },
} as const;

const [mode, lake, ...files] = process.argv.slice(2);
if (
  !(mode === "off" || mode === "off-pipeline" || mode === "default" || mode === "pii") ||
  !lake ||
  files.length === 0
) {
  process.stderr.write("usage: redaction-child.ts <off|off-pipeline|default|pii> <lake-dir> <file>...\n");
  process.exit(2);
}
await rm(lake, { recursive: true, force: true });
const settings = resolveConfig({ env: "bench", redaction: SETS[mode] }).redaction;
// A redaction that changes nothing and offers no screen: the fast path is never taken.
const unchanged: IngestRedaction = {
  row: (_source, _table, row) => row,
  text: (_source, text) => text,
  screen: () => undefined,
  recordScreen: () => undefined,
};
const redaction = mode === "off-pipeline" ? unchanged : ingestRedaction(settings, mode === "pii" ? KEY : undefined);
const cpu0 = process.cpuUsage();
const db = await openDuckDb();
const totals = await ingestFiles({
  db,
  store: new LocalLakeStore(lake),
  sources: SOURCES,
  files,
  lanes: 1,
  ...(redaction ? { redaction } : {}),
});
db.closeSync();
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  `${JSON.stringify({ records: totals.records, rows: totals.rows, quarantined: totals.quarantined, cpu_s: (cpu.user + cpu.system) / 1e6, redacted: totals.redacted ?? {} })}\n`,
);
