import { fitWidths, formatResult, formatTable } from "@app/cli/output";
import { fitName, ingestLine, progressLine, queryLine } from "@app/cli/progress";
import type { QueryResult } from "@app/core/queries/result";
import { describe, expect, it } from "vitest";

const RESULT: QueryResult = {
  columns: [
    { name: "user_agent", kind: "string" },
    { name: "n", kind: "number" },
    { name: "path", kind: "string" },
  ],
  rows: [
    { user_agent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36", n: 1200, path: "/index.html" },
    { user_agent: "sqlmap/1.7\tscanner\nsecond line", n: 7, path: null },
  ],
};

describe("formatTable", () => {
  it("fits the width by cutting the widest columns, keeps every row, right-aligns numbers, trails no spaces", () => {
    const text = formatTable(RESULT, { width: 40, color: false });
    expect(text).toBe(
      [
        "user_agent                n  path",
        "---------------------  ----  -----------",
        "Mozilla/5.0 (X11; Li…  1200  /index.html",
        "sqlmap/1.7\\tscanner\\…     7",
        "(2 rows)",
        "",
      ].join("\n"),
    );
    expect(text.split("\n").every((l) => [...l].length <= 40 && l === l.trimEnd())).toBe(true);
  });

  it("leaves a table that fits as it is", () => {
    expect(fitWidths([10, 4, 11], 200)).toStrictEqual([10, 4, 11]);
    expect(fitWidths([50, 4, 11], 30)).toStrictEqual([11, 4, 11]);
  });

  it("colours cells only when asked", () => {
    const plain = formatTable(RESULT, { width: 200, color: false, style: () => "red" });
    const coloured = formatTable(RESULT, { width: 200, color: true, style: () => "red" });
    expect(plain.includes("\u001b[")).toBe(false);
    expect(coloured.includes("\u001b[31m1200\u001b[39m")).toBe(true);
  });

  it("writes CSV through the reports' writer and JSON with numbers as numbers", () => {
    expect(formatResult(RESULT, "csv")).toBe(
      'user_agent,n,path\nMozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36,1200,/index.html\n"sqlmap/1.7\tscanner\nsecond line",7,\n',
    );
    expect(JSON.parse(formatResult(RESULT, "json"))).toStrictEqual(RESULT.rows);
  });
});

describe("progress", () => {
  it("shows share, rates, elapsed, ETA, files and the current file's base name, within the width", () => {
    const p = {
      bytes: 30 * 1024 * 1024,
      totalBytes: 120 * 1024 * 1024,
      records: 45_000,
      filesDone: 2,
      files: 9,
      current:
        "/data/logs/AWSLogs/111122223333/CloudTrail/us-east-1/2025/06/12/111122223333_CloudTrail_us-east-1_20250612T0000Z_abc.json.gz",
    };
    expect(ingestLine(p, 10_000, 200)).toBe(
      " 25% 30.0 MiB/120 MiB · 3.00 MiB/s · 4,500 rec/s · 0:10 elapsed · ETA 0:30 · file 2/9 · 111122223333_CloudTrail_us-east-1_20250612T0000Z_abc.json.gz",
    );
    const narrow = ingestLine(p, 10_000, 120);
    expect(narrow).toBe(
      " 25% 30.0 MiB/120 MiB · 3.00 MiB/s · 4,500 rec/s · 0:10 elapsed · ETA 0:30 · file 2/9 · 111122223333_CloudT…_abc.json.gz",
    );
    expect([...narrow].length).toBeLessThanOrEqual(120);
    expect(queryLine(3, 28, "cloudtrail/root-account-usage", 6_000, 120)).toBe(
      "query 3/28 · 0:06 elapsed · ETA 0:50 · cloudtrail/root-account-usage",
    );
    expect(fitName("abcdefghijklmnopqrstuvwxyz.json.gz", 20)).toBe("abcdefghij…z.json.gz");
  });

  it("redraws on its timer while a file is read, and clears its line at the end", () => {
    const written: string[] = [];
    let tick: (() => void) | undefined;
    let clock = 0;
    let state = 0;
    const line = progressLine((ms) => `read ${state} at ${ms}`, {
      stream: { isTTY: true, columns: 80, write: (t: string) => written.push(t) },
      enabled: true,
      now: () => clock,
      setTimer: (fn) => {
        tick = fn;
        return {};
      },
      clearTimer: () => {
        tick = undefined;
      },
    });
    for (const ms of [500, 1000, 1500]) {
      clock = ms;
      state++;
      tick?.();
    }
    line.stop();
    expect(written).toStrictEqual([
      "\rread 1 at 500\u001b[K",
      "\rread 2 at 1000\u001b[K",
      "\rread 3 at 1500\u001b[K",
      "\r\u001b[K",
    ]);
    expect(tick).toBeUndefined();
  });

  it("draws nothing when disabled (stdout not a terminal, or --quiet)", () => {
    const written: string[] = [];
    const line = progressLine(() => "x", {
      stream: { isTTY: true, write: (t: string) => written.push(t) },
      enabled: false,
    });
    line.draw();
    line.stop();
    expect(written).toStrictEqual([]);
  });
});
