import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loglake } from "../../helpers/cli.ts";

let dir: string;

beforeAll(async () => {
  // Config modules outside the repository, as ES modules like the project's own.
  dir = await mkdtemp(join(tmpdir(), "validate-"));
  await writeFile(join(dir, "package.json"), '{"type":"module"}\n');
  await writeFile(
    join(dir, "typos.ts"),
    [
      'export default { env: "prod", retention: 30, queues: { maxReceiveCount: 10, visibilityTimeoutSeconds: 960 } };',
      'export const deploy = { stream: { mode: "fast" } };',
      "",
    ].join("\n"),
  );
  await writeFile(join(dir, "syntax.ts"), 'export default { env: "prod",\n  sources: { cloudtrail: {} ;\n');
  await writeFile(join(dir, "prod.ts"), 'export default { env: "prod" };\n');
  await writeFile(join(dir, "dev.json"), '{ "env": "dev", "sources": { "cloudtrail": {} } }\n');
});

describe("loglake validate", () => {
  it("prints ok with a summary and exits 0 for the project's config", async () => {
    expect(await loglake("validate", "--config", "loglake.config.ts", "--stage", "prod")).toStrictEqual({
      code: 0,
      stdout: "ok: loglake.config.ts for stage prod: 6 sources, 0 destinations, 1 source bucket\n",
      stderr: "",
    });
  });

  it("checks the deployment fixture with its customers and source buckets", async () => {
    const config = "test/unit/infra/fixtures/loglake.config.ts";
    expect(await loglake("validate", "--config", config, "--stage", "production")).toStrictEqual({
      code: 0,
      stdout: `ok: ${config} for stage production: 6 sources, 3 destinations, 2 source buckets\n`,
      stderr: "",
    });
  });

  it("reads a JSON config, which has no deploy settings", async () => {
    expect(await loglake("validate", "--config", join(dir, "dev.json"))).toStrictEqual({
      code: 0,
      stdout: `ok: ${join(dir, "dev.json")} for stage dev: 1 source, 0 destinations, 1 source bucket\n`,
      stderr: "",
    });
  });

  it("prints one line per problem, unknown keys with the closest known key, and exits 2", async () => {
    expect(await loglake("validate", "--config", join(dir, "typos.ts"), "--stage", "prod")).toStrictEqual({
      code: 2,
      stdout: "",
      stderr: [
        "loglake: queues.maxReceiveCount: must be a whole number from 3 to 5: fewer gives up on a message after throttling, more keeps poison messages cycling",
        'loglake: retention: unknown key "retention" (did you mean "worm.retentionDays"?)',
        'loglake: deploy.stream.mode: must be "on-demand" or "provisioned"',
        "loglake: queues.visibilityTimeoutSeconds: must be at least 6 x sizes.functionTimeoutSeconds = 5400 for a Lambda event source (is 960)",
        "",
      ].join("\n"),
    });
  });

  it("refuses a config whose env is not the stage it is checked for", async () => {
    expect(await loglake("validate", "--config", join(dir, "prod.ts"), "--stage", "dev")).toStrictEqual({
      code: 2,
      stdout: "",
      stderr: 'loglake: env: "prod" differs from the SST stage "dev"; each stage must deploy its own env\n',
    });
  });

  it("reports a file that does not compile or does not exist in one line", async () => {
    // Act
    const syntax = await loglake("validate", "--config", join(dir, "syntax.ts"));
    const missing = await loglake("validate", "--config", join(dir, "nope.ts"));
    // Assess
    const file = join(dir, "syntax.ts");
    expect([syntax, missing]).toStrictEqual([
      {
        code: 2,
        stdout: "",
        stderr: `loglake: ${file}: cannot be loaded: ${file}:2:28: ERROR: Expected "}" but found ";"\n`,
      },
      { code: 2, stdout: "", stderr: `loglake: --config ${join(dir, "nope.ts")}: no such file\n` },
    ]);
  });
});
