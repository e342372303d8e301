import { type ConfigIssue, ConfigValidationError, resolveConfig } from "@app/core/config/index";
import { ConfigError } from "@app/core/errors";
import { ingestRedaction, redactionKeySource } from "@app/core/ingest/redaction";
import { cloudfrontTable } from "@app/core/sources/cloudfront/schema";
import { describe, expect, it } from "vitest";

function issuesOf(input: unknown): ConfigIssue[] {
  try {
    resolveConfig(input);
  } catch (e) {
    if (e instanceof ConfigValidationError) return e.issues;
    throw e;
  }
  throw new Error("config was accepted");
}

const KEY = "k".repeat(32);

describe("redaction config", () => {
  it("masks credentials by default and has no PII rules", () => {
    expect(resolveConfig({ env: "dev" }).redaction).toStrictEqual({ credentials: true, rules: [] });
  });

  it("accepts PII rules per source, table and field path, with defaults", () => {
    // Act
    const c = resolveConfig({
      env: "dev",
      redaction: {
        hmacKey: { env: "LOGLAKE_HMAC_KEY" },
        rules: [
          { sources: ["app_json"], path: "user_id", detect: "value", action: "hash" },
          { tables: ["cloudtrail"], path: "source_ip_address", detect: "value", action: "truncate" },
          { detect: "email", action: "mask" },
        ],
      },
    });
    // Assess
    expect(c.redaction).toStrictEqual({
      credentials: true,
      hmacKey: { env: "LOGLAKE_HMAC_KEY" },
      rules: [
        { sources: ["app_json"], path: "user_id", detect: "value", action: "hash" },
        { tables: ["cloudtrail"], path: "source_ip_address", detect: "value", action: "truncate" },
        { path: "**", detect: "email", action: "mask" },
      ],
    });
    expect(redactionKeySource(c.redaction)).toStrictEqual({ kind: "env", name: "LOGLAKE_HMAC_KEY" });
  });

  it("names every bad field of the block", () => {
    // Act
    const issues = issuesOf({
      env: "dev",
      redaction: {
        credentials: "yes",
        hmacKey: { value: "short", env: "X" },
        rules: [
          { sources: ["cloudtrial"], path: "a..b", detect: "phone", action: "mask" },
          { tables: ["nope"], detect: "email", action: "truncate" },
          { detect: "card_number", action: "scramble", extra: 1 },
        ],
      },
    });
    // Assess
    expect(issues).toStrictEqual([
      { field: "redaction.credentials", message: "must be true or false" },
      { field: "redaction.hmacKey.value", message: "must be at least 32 characters" },
      { field: "redaction.hmacKey", message: "must give exactly one of value, env or secretArn" },
      { field: "redaction.rules[0].sources[0]", message: '"cloudtrial" is not a source (did you mean "cloudtrail"?)' },
      { field: "redaction.rules[0].path", message: 'must be keys joined by "." with none empty' },
      {
        field: "redaction.rules[0].detect",
        message:
          "must be one of private_key, aws_secret_access_key, aws_access_key_id, jwt, bearer_token, secret_field, email, card_number, ip_address, value",
      },
      { field: "redaction.rules[1].tables[0]", message: '"nope" is not a table' },
      {
        field: "redaction.rules[1].action",
        message: "truncate applies to IP addresses only (detect ip_address or value)",
      },
      { field: "redaction.rules[2].action", message: "must be one of mask, drop, truncate, hash" },
      {
        field: "redaction.rules[2].extra",
        message: 'unknown key "extra" (known: sources, tables, path, detect, action)',
      },
    ]);
  });

  it("requires exactly one key source, and a key when a rule hashes", () => {
    expect(issuesOf({ env: "dev", redaction: { hmacKey: { value: KEY, env: "K" } } })).toStrictEqual([
      { field: "redaction.hmacKey", message: "must give exactly one of value, env or secretArn" },
    ]);
    expect(
      issuesOf({ env: "dev", redaction: { rules: [{ path: "user_id", detect: "value", action: "hash" }] } }),
    ).toStrictEqual([{ field: "redaction.rules[0].action", message: "hash needs redaction.hmacKey" }]);
    expect(issuesOf({ env: "dev", redaction: { hmacKey: { secretArn: "arn:aws:s3:::bucket" } } })).toStrictEqual([
      { field: "redaction.hmacKey.secretArn", message: "must be a Secrets Manager secret ARN" },
    ]);
  });

  it("compiles to nothing when credentials are off and no rule is given, and refuses to hash without the key", () => {
    const off = resolveConfig({ env: "dev", redaction: { credentials: false } }).redaction;
    const hashing = resolveConfig({
      env: "dev",
      redaction: { hmacKey: { value: KEY }, rules: [{ path: "user_id", detect: "value", action: "hash" }] },
    }).redaction;
    expect(ingestRedaction(off)).toBeUndefined();
    expect(() => ingestRedaction(hashing)).toThrow(ConfigError);
  });

  it("screens every line of a text for the default config's detectors, and passes lines with near misses", () => {
    const screen = ingestRedaction(resolveConfig({ env: "dev" }).redaction)?.screen("cloudfront", cloudfrontTable, [
      "cs_uri_stem",
      "cs_uri_query",
      "cs_user_agent",
    ]);
    const clean = ["/eyj/x\ttoken-free\tMozilla/5.0", "/pwd\tpass=-\tasia", "/a\tb=c\td"];
    expect(screen?.(clean.join("\n"))).toBe(false);
    for (const secret of [
      "/x\tX-Amz-Credential=AKIAIOSFODNN7EXAMPLE\t-",
      "/x\tpassword=hunter2\t-",
      "/x\t-\tBearer abcdefgh12345678",
      "/x\tjwt=eyJhbGciOi.eyJzdWIiOi.sig\t-",
    ])
      for (let at = 0; at <= clean.length; at++) {
        const lines = [...clean.slice(0, at), secret, ...clean.slice(at)];
        expect([secret, at, screen?.(lines.join("\n"))]).toStrictEqual([secret, at, true]);
      }
  });
});
