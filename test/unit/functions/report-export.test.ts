import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "@app/core/errors";
import { reportRuntime } from "@app/functions/lib/report-export";
import { afterAll, describe, expect, it } from "vitest";

const empty = await mkdtemp(join(tmpdir(), "loglake-report-export-"));
afterAll(() => rm(empty, { recursive: true, force: true }));

describe("reportRuntime", () => {
  it.each([
    ["no Athena workgroup", {}, "ATHENA_WORKGROUP"],
    ["no Glue database", { ATHENA_WORKGROUP: "wg" }, "GLUE_DATABASE"],
    ["a blank reports bucket", { ATHENA_WORKGROUP: "wg", GLUE_DATABASE: "db", REPORTS_BUCKET: " " }, "REPORTS_BUCKET"],
  ])("fails at cold start with one line on %s", async (_case, env, name) => {
    const e = await reportRuntime({ ...env, QUERIES_DIR: empty }).catch((x: unknown) => x);
    expect([e instanceof ConfigError, (e as Error).message]).toStrictEqual([
      true,
      `${name} is not set: the stack must pass it to the export-report function`,
    ]);
  });

  it("reads the lake, its prefix and the files-per-hour threshold from the environment, with no Security Hub when the config has none", async () => {
    const rt = await reportRuntime({
      ATHENA_WORKGROUP: "wg",
      GLUE_DATABASE: "db",
      REPORTS_BUCKET: "reports",
      REPORTS_PREFIX: "r/",
      LAKE_BUCKET: "lake",
      LAKE_PREFIX: "l/",
      QUERIES_DIR: empty,
      AWS_REGION: "eu-west-1",
    });
    expect([
      rt.workGroup,
      rt.database,
      rt.bucket,
      rt.reportsPrefix,
      rt.queries,
      rt.lake?.location,
      rt.maxFilesPerHour,
      rt.securityHub,
    ]).toStrictEqual(["wg", "db", "reports", "r/", [], "s3://lake/l", 50, undefined]);
  });
});
