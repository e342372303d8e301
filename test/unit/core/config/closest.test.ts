import { closestKey, editDistance } from "@app/core/config/closest";
import { describe, expect, it } from "vitest";

describe("editDistance", () => {
  it.each<[string, string, number]>([
    ["", "", 0],
    ["", "worm", 4],
    ["worm", "worm", 0],
    ["cloudtrial", "cloudtrail", 1],
    ["maxRecieveCount", "maxReceiveCount", 1],
    ["region", "regoin", 1],
    ["kitten", "sitting", 3],
  ])("counts the edits from %j to %j", (a, b, expected) => {
    expect([editDistance(a, b), editDistance(b, a)]).toStrictEqual([expected, expected]);
  });
});

describe("closestKey", () => {
  it.each<[string, string[], string | undefined]>([
    ["retention", ["region", "worm", "worm.retentionDays"], "worm.retentionDays"],
    ["retention", ["mode", "retentionDays", "keyTemplate"], "retentionDays"],
    ["memoryMB", ["functionTimeoutSeconds", "memoryMb"], "memoryMb"],
    ["cloudtrial", ["cloudtrail_digest", "cloudtrail", "cloudfront"], "cloudtrail"],
    ["wrom", ["worm", "realtimeFields"], "worm"],
    ["env", ["worm.env", "env"], "env"],
    ["colour", ["env", "region", "sources"], undefined],
    ["s", ["sources", "sizes", "stream"], undefined],
  ])("guesses what %j meant among %j", (key, candidates, expected) => {
    expect(closestKey(key, candidates)).toBe(expected);
  });
});
