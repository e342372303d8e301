import { detectSource, lineSample, parentFolderSource, sampleSource } from "@app/core/ingest/detect";
import { SOURCES } from "@app/core/sources/index";
import { describe, expect, it } from "vitest";

const APP_LINE = '{"timestamp":"2025-06-12T10:00:00Z","type":"auth","user_id":"u-1"}';
const TRAIL_LINE = '{"eventVersion":"1.08","eventTime":"2025-06-12T10:00:00Z","eventSource":"s3.amazonaws.com"}';

describe("lineSample", () => {
  it("takes the first lines, each cut to the clip length, across chunks", () => {
    expect(lineSample(["ab", "cdef\ngh\nij", "kl\nmn"], 3, 3)).toBe("abc\ngh\nijk");
    expect(lineSample(["ab", "c"], 5, 10)).toBe("abc");
    expect(lineSample([], 5, 10)).toBe("");
  });
});

describe("detection", () => {
  it("looks past a damaged first line or record in the head", () => {
    const damaged = "\0\0\0garbage{\n";
    expect(detectSource(SOURCES, "x", `${damaged}${APP_LINE}\n${APP_LINE}\n`)?.id).toBe("app_json");
    expect(detectSource(SOURCES, "x", `${damaged}${TRAIL_LINE}\n${TRAIL_LINE}\n`)?.id).toBe("cloudtrail");
    expect(detectSource(SOURCES, "x", `${damaged}more garbage\n`)).toBeUndefined();
  });

  it("does not take other JSON for app logs when it outnumbers the app-like lines", () => {
    const other = '{"level":"info","msg":"no time"}';
    expect(detectSource(SOURCES, "x", `${other}\n${other}\n${APP_LINE}\n`)).toBeUndefined();
    expect(detectSource(SOURCES, "x", `${other}\n${APP_LINE}\n`)?.id).toBe("app_json");
  });

  it("samples the lines after a first line longer than the head", () => {
    const chunks = [`{"message":"${"x".repeat(200_000)}`, `"}\n${APP_LINE}\n${APP_LINE}\n`];
    expect(detectSource(SOURCES, "x", chunks.join("").slice(0, 64 * 1024))).toBeUndefined();
    expect(sampleSource(SOURCES, chunks)?.id).toBe("app_json");
  });

  it("goes by a parent folder only below the key's own match", () => {
    expect(parentFolderSource(SOURCES, "/srv/logs/apps/auth/2025/events.jsonl")?.id).toBe("app_json");
    expect(
      parentFolderSource(SOURCES, "/data/exports/AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/x.json")?.id,
    ).toBe("cloudtrail");
    expect(parentFolderSource(SOURCES, "/var/tmp/export/events.jsonl")).toBeUndefined();
    expect(detectSource(SOURCES, "/srv/logs/apps/auth/2025/events.jsonl", "")).toBeUndefined();
  });
});
