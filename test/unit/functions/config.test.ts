import { resolveConfig } from "@app/core/config/index";
import { ConfigError } from "@app/core/errors";
import { functionConfigJson } from "@app/core/infra/config";
import { loadFunctionConfig } from "@app/functions/lib/config";
import { describe, expect, it } from "vitest";

function thrown(fn: () => unknown): { isConfigError: boolean; message: string } | undefined {
  try {
    fn();
  } catch (e) {
    return { isConfigError: e instanceof ConfigError, message: (e as Error).message };
  }
  return undefined;
}

describe("loadFunctionConfig", () => {
  it("reads the resolved config and the emulator endpoint from the environment", () => {
    // Prepare
    const config = resolveConfig({ env: "prod" });
    // Act
    const loaded = loadFunctionConfig({
      LOGLAKE_CONFIG: functionConfigJson(config),
      AWS_ENDPOINT_URL: "http://127.0.0.1:4566",
    });
    // Assess
    expect(loaded).toStrictEqual({ config, aws: { region: "us-east-1", endpoint: "http://127.0.0.1:4566" } });
  });

  it.each([
    ["a missing config", {}, "LOGLAKE_CONFIG is not set: the stack must pass the resolved loglake config as JSON"],
    [
      "a config that is not JSON",
      { LOGLAKE_CONFIG: "{" },
      // The JSON parser's own wording varies between Node versions.
      expect.stringMatching(/^invalid loglake config: LOGLAKE_CONFIG: is not valid JSON: \S/),
    ],
    [
      "an invalid field",
      { LOGLAKE_CONFIG: JSON.stringify({ env: "prod", worm: { mode: "SOMETIMES" } }) },
      "invalid loglake config: worm.mode: must be GOVERNANCE or COMPLIANCE",
    ],
    [
      "an unknown key",
      { LOGLAKE_CONFIG: JSON.stringify({ env: "prod", queues: { visibility: 60 } }) },
      'invalid loglake config: queues.visibility: unknown key "visibility" (did you mean "visibilityTimeoutSeconds"?)',
    ],
    [
      "a bad endpoint",
      { LOGLAKE_CONFIG: JSON.stringify({ env: "prod" }), AWS_ENDPOINT_URL: "localhost:4566" },
      'AWS_ENDPOINT_URL must be an http(s) URL, got "localhost:4566"',
    ],
  ])("fails at cold start with a ConfigError for %s", (_name, env, message) => {
    expect(thrown(() => loadFunctionConfig(env))).toStrictEqual({ isConfigError: true, message });
  });
});
