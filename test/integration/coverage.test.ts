import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type CoverageGaps, coverageProblems, fillCoverageTables } from "@app/core/detections/coverage";
import { STRATUS_ID } from "@app/core/detections/frameworks";
import { loadQueryDir } from "@app/lake/query-files";
import { describe, expect, it } from "vitest";

const DIR = join(import.meta.dirname, "..", "..", "queries");
const read = (name: string) => readFileSync(join(DIR, name), "utf8");
const queries = await loadQueryDir(DIR);
const catalog = JSON.parse(read("stratus-aws-techniques.json")) as { techniques: string[] };
const gaps = JSON.parse(read("coverage-gaps.json")) as CoverageGaps;

describe("detection coverage", () => {
  it("keeps the coverage tables in queries/README.md true to the headers (npx tsx scripts/coverage-table.ts)", () => {
    const readme = read("README.md");
    expect(fillCoverageTables(readme, queries, catalog.techniques, gaps)).toBe(readme);
    expect(readme.match(/<!-- coverage:(cis|attack|stratus) -->/g)?.length).toBe(3);
  });

  it("lists each Stratus Red Team AWS technique once, each a well-formed id", () => {
    expect(catalog.techniques.filter((t) => !STRATUS_ID.test(t) || !t.startsWith("aws."))).toStrictEqual([]);
    expect(new Set(catalog.techniques).size).toBe(catalog.techniques.length);
    expect(catalog.techniques.length).toBeGreaterThanOrEqual(40);
  });

  it("names only catalogued Stratus techniques, and gives a reason only where no detection sees one", () => {
    expect(coverageProblems(queries, catalog.techniques, gaps)).toStrictEqual([]);
  });

  it("finds a header id the catalog lacks and a reason for a covered technique", () => {
    const withDetection = queries.filter((q) => q.detection?.stratus.includes("aws.defense-evasion.cloudtrail-stop"));
    expect(
      coverageProblems(withDetection, ["aws.defense-evasion.cloudtrail-delete"], {
        stratus: { "aws.defense-evasion.cloudtrail-delete": "x", "aws.impact.unknown": "y" },
      }),
    ).toStrictEqual([
      'queries/cloudtrail/cloudtrail-tampering.sql: stratus "aws.defense-evasion.cloudtrail-stop" is not in the Stratus Red Team catalog',
      'queries/cloudtrail/cloudtrail-tampering.sql: stratus "aws.defense-evasion.cloudtrail-event-selectors" is not in the Stratus Red Team catalog',
      'coverage-gaps.json: "aws.impact.unknown" is not in the Stratus Red Team catalog',
      'coverage-gaps.json: "aws.defense-evasion.cloudtrail-delete" has a detection, so it needs no reason',
    ]);
  });
});
