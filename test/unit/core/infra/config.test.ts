import { type ConfigIssue, ConfigValidationError, resolveConfig } from "@app/core/config/index";
import { functionConfigJson } from "@app/core/infra/config";
import { describe, expect, it } from "vitest";

function issues(fn: () => unknown): ConfigIssue[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigValidationError) return e.issues;
    throw e;
  }
  throw new Error("expected a config error");
}

describe("functionConfigJson", () => {
  it("is JSON that resolves back to the same config, without the parsed key templates", () => {
    // Prepare
    const config = resolveConfig({
      env: "prod",
      destinations: [
        { name: "acme", bucket: "acme-logs", roleArn: "arn:aws:iam::444455556666:role/w", externalId: "x-acme" },
      ],
    });
    // Act
    const json = JSON.parse(functionConfigJson(config)) as { worm: object; destinations: object[] };
    // Assess
    expect([Object.keys(json.worm), Object.keys(json.destinations[0] ?? {})]).toStrictEqual([
      ["mode", "retentionDays", "keyTemplate"],
      ["type", "name", "bucket", "keyTemplate", "roleArn", "externalId", "sources"],
    ]);
    expect(resolveConfig(json)).toStrictEqual(config);
  });

  it("rejects a config too large for a Lambda environment, naming the destinations", () => {
    // Prepare
    const destinations = Array.from({ length: 40 }, (_, i) => ({
      name: `customer-${i}`,
      bucket: `customer-${i}-security-logs`,
    }));
    const config = resolveConfig({ env: "prod", destinations });
    // Act
    const found = issues(() => functionConfigJson(config));
    // Assess
    expect(found).toStrictEqual([
      {
        field: "destinations",
        message: expect.stringMatching(
          /^the config is \d{4,} bytes as JSON, more than the 3072 a Lambda environment can carry; use fewer or shorter destination entries$/,
        ),
      },
    ]);
  });
});
