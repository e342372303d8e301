import { readFileSync } from "node:fs";
import { join } from "node:path";
import semver from "semver";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../../..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
};

/**
 * Packages that ask for a newer Node than loglake supports, each with why that is harmless. Nothing loglake runs on a
 * developer's machine may be listed: only code that runs in Lambda, whose runtime is Node 22.
 */
const LAMBDA_ONLY: Record<string, string> = {
  "node_modules/@aws/durable-execution-sdk-js":
    "required by sst for its durable-workflow Lambda component (sst/aws/workflow), which loglake does not use; sst pins it exactly",
};

describe("supported Node versions", () => {
  const oldest = semver.minVersion(pkg.engines.node)?.version as string;

  it("supports Node 20.19 and newer, and the machine running the tests is in that range", () => {
    expect([pkg.engines.node, oldest]).toStrictEqual([">=20.19", "20.19.0"]);
    expect(semver.satisfies(process.versions.node, pkg.engines.node)).toBe(true);
  });

  it("deploys the functions on a Node runtime inside the range", () => {
    const config = readFileSync(join(root, "sst.config.ts"), "utf8");
    const runtime = /runtime \?\?= "nodejs(\d+)\.x"/.exec(config)?.[1];
    expect(runtime).toBe("22");
    expect(semver.satisfies(`${runtime}.0.0`, pkg.engines.node)).toBe(true);
  });

  it("installs no dependency that needs a newer Node than the oldest supported one", () => {
    const nodeRange = (p: { engines?: { node?: string } | string[] }) =>
      p.engines && !Array.isArray(p.engines) ? p.engines.node : undefined;
    const demanding = Object.entries(lock.packages)
      .filter(([path, p]) => {
        const range = nodeRange(p);
        return path !== "" && range !== undefined && !semver.satisfies(oldest, range);
      })
      .map(([path]) => path);
    expect(demanding).toStrictEqual(Object.keys(LAMBDA_ONLY));
  });
});
