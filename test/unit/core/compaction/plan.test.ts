import { describe, expect, it } from "vitest";
import { isSettled, packBySize, planHour } from "../../../../packages/core/src/compaction/plan.ts";
import type { CompactionManifest } from "../../../../packages/core/src/lake-layout.ts";

const P = { dt: "2025-06-12", hour: "10" };
const DIR = "cloudfront/dt=2025-06-12/hour=10";
const f = (name: string, bytes: number) => ({ key: `${DIR}/${name}.parquet`, bytes });
const SETTINGS = { settleHours: 2, targetFileBytes: 100 };
const LATER = new Date("2025-06-12T13:00:00Z");

function manifest(files: string[], replaces: string[]): CompactionManifest {
  return {
    kind: "compaction",
    table: "cloudfront",
    dt: P.dt,
    hour: P.hour,
    compacted_at: "2025-06-12T13:00:00.000Z",
    files: files.map((n) => `${DIR}/${n}.parquet`),
    file_sha256: {},
    file_rows: {},
    replaces: replaces.map((n) => `${DIR}/${n}.parquet`),
    inputs: {},
  };
}

describe("isSettled", () => {
  it("settles an hour once the settle window after its end has passed, not a millisecond before", () => {
    // The hour 10:00-11:00 with two hours to settle: settled from 13:00.
    expect([
      isSettled(P, new Date("2025-06-12T12:59:59.999Z"), 2),
      isSettled(P, new Date("2025-06-12T13:00:00.000Z"), 2),
      isSettled(P, new Date("2025-06-12T11:00:00.000Z"), 0),
      isSettled(P, new Date("2025-06-12T10:59:59.999Z"), 0),
    ]).toStrictEqual([false, true, true, false]);
  });
});

describe("packBySize", () => {
  it("packs files into as few groups as the target allows, largest first, a file over the target alone", () => {
    const groups = packBySize([f("a", 60), f("b", 50), f("c", 40), f("d", 30), f("e", 150), f("g", 10)], 100);
    expect(groups.map((g) => g.map((x) => x.key.slice(DIR.length + 1, -".parquet".length)))).toStrictEqual([
      ["a", "c"],
      ["b", "d", "g"],
      ["e"],
    ]);
  });

  it("keeps key order among files of the same size, so a re-run plans the same groups", () => {
    const one = packBySize([f("z", 10), f("y", 10), f("x", 10)], 20);
    const two = packBySize([f("x", 10), f("z", 10), f("y", 10)], 20);
    expect([one, two.length]).toStrictEqual([[[f("x", 10), f("y", 10)], [f("z", 10)]], 2]);
  });
});

describe("planHour", () => {
  it("leaves an hour inside its settle window alone", () => {
    const plan = planHour(
      { table: "cloudfront", partition: P, files: [f("a", 1), f("b", 1)] },
      new Date("2025-06-12T12:00:00Z"),
      SETTINGS,
    );
    expect(plan.action).toStrictEqual("unsettled");
  });

  it("merges a settled hour of small files into one group that replaces them all", () => {
    const plan = planHour(
      { table: "cloudfront", partition: P, files: [f("a", 10), f("b", 20), f("c", 30)] },
      LATER,
      SETTINGS,
    );
    expect(plan).toStrictEqual({
      table: "cloudfront",
      partition: P,
      action: "compact",
      leftovers: [],
      groups: [[f("a", 10), f("b", 20), f("c", 30)]],
      replaces: [f("a", 0).key, f("b", 0).key, f("c", 0).key],
    });
  });

  it("does nothing when packing cannot make fewer files", () => {
    const plan = planHour({ table: "cloudfront", partition: P, files: [f("a", 90), f("b", 90)] }, LATER, SETTINGS);
    expect(plan.action).toStrictEqual("done");
  });

  it("after a landed compaction, deletes the replaced files still there and merges nothing more", () => {
    const files = [f("compact-x-0-0", 60), f("a", 10)];
    const plan = planHour(
      { table: "cloudfront", partition: P, files, manifest: manifest(["compact-x-0-0"], ["a", "b"]) },
      LATER,
      SETTINGS,
    );
    expect([plan.action, plan.leftovers]).toStrictEqual(["finish", [f("a", 0).key]]);
  });

  it("merges late files into the landed compaction's file", () => {
    const files = [f("compact-x-0-0", 60), f("late", 10)];
    const plan = planHour(
      { table: "cloudfront", partition: P, files, manifest: manifest(["compact-x-0-0"], ["a"]) },
      LATER,
      SETTINGS,
    );
    expect([plan.action, plan.groups, plan.replaces]).toStrictEqual([
      "compact",
      [[f("compact-x-0-0", 60), f("late", 10)]],
      [f("compact-x-0-0", 0).key, f("late", 0).key],
    ]);
  });

  it("plans a compaction that did not land again, from its inputs, replacing its stray output", () => {
    // Two outputs committed, one put before the run stopped: the inputs are all still there.
    const files = [f("a", 30), f("b", 30), f("compact-x-0-0", 50)];
    const m = manifest(["compact-x-0-0", "compact-x-0-1"], ["a", "b"]);
    const plan = planHour({ table: "cloudfront", partition: P, files, manifest: m }, LATER, SETTINGS);
    expect([plan.action, plan.groups, plan.replaces]).toStrictEqual([
      "compact",
      [[f("a", 30), f("b", 30)]],
      [f("a", 0).key, f("b", 0).key, f("compact-x-0-0", 0).key],
    ]);
  });

  it("deletes stale files without merging them and leaves files no manifest names alone", () => {
    const files = [f("a", 10), f("b", 10), f("old", 10), f("running", 10)];
    const plan = planHour(
      { table: "cloudfront", partition: P, files, stale: [f("old", 0).key], unowned: [f("running", 0).key] },
      LATER,
      SETTINGS,
    );
    expect([plan.groups, plan.replaces]).toStrictEqual([
      [[f("a", 10), f("b", 10)]],
      [f("a", 0).key, f("b", 0).key, f("old", 0).key],
    ]);
  });
});
