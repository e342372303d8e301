// Rewrites the coverage tables in queries/README.md from the detection headers, the Stratus Red Team catalog and
// the reasons file: `npx tsx scripts/coverage-table.ts`. With `--strict` it exits 1 while a Stratus technique has
// neither a detection nor a reason.
import { readFileSync, writeFileSync } from "node:fs";
import { fillCoverageTables, uncoveredStratus } from "../packages/core/src/detections/coverage.ts";
import { loadQueryDir } from "../packages/lake/src/query-files.ts";

const dir = new URL("../queries/", import.meta.url);
const read = (name: string) => JSON.parse(readFileSync(new URL(name, dir), "utf8"));
const queries = await loadQueryDir(dir.pathname);
const catalog = read("stratus-aws-techniques.json") as { techniques: string[] };
const gaps = read("coverage-gaps.json");
const readme = new URL("README.md", dir);
writeFileSync(readme, fillCoverageTables(readFileSync(readme, "utf8"), queries, catalog.techniques, gaps));
const missing = uncoveredStratus(queries, catalog.techniques, gaps);
if (process.argv.includes("--strict") && missing.length > 0) {
  process.stderr.write(`Stratus techniques with neither a detection nor a reason: ${missing.join(", ")}\n`);
  process.exitCode = 1;
}
