import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compileRedaction, type DetectorId, isCardNumber, luhnValid, type RedactAction } from "@loglake/redact";
import { describe, expect, it } from "vitest";

interface Case {
  detector: DetectorId;
  action: RedactAction;
  input: string;
  output: string;
}

const CASES = JSON.parse(
  readFileSync(join(import.meta.dirname, "../../fixtures/redact/detectors.json"), "utf8"),
) as Case[];

describe("built-in detectors", () => {
  it.each(CASES.map((c) => [c.detector, c.input, c] as const))("%s: %j", (_d, _i, c) => {
    // Prepare
    const redactor = compileRedaction([{ detect: c.detector, action: c.action }]);
    // Act
    const out = redactor.redactValue("message", c.input);
    // Assess
    const changed = c.output !== c.input;
    expect(out).toStrictEqual({
      value: c.output,
      changed,
      counts: changed ? { [c.detector]: { [c.action]: 1 } } : {},
    });
  });

  it("has positive and negative fixtures for every detector", () => {
    const detectors = new Set(CASES.map((c) => c.detector));
    const positives = new Set(CASES.filter((c) => c.input !== c.output).map((c) => c.detector));
    const negatives = new Set(CASES.filter((c) => c.input === c.output).map((c) => c.detector));
    expect([...positives].sort()).toStrictEqual([...detectors].sort());
    expect([...negatives].sort()).toStrictEqual([...detectors].sort());
  });
});

describe("luhnValid and isCardNumber", () => {
  it.each([
    ["4111111111111111", true, true],
    ["4111111111111112", false, false],
    ["79927398713", true, false],
    ["1234567812345670", true, false],
  ])("%s: Luhn %s, card %s", (digits, luhn, card) => {
    expect([luhnValid(digits), isCardNumber(digits)]).toStrictEqual([luhn, card]);
  });
});
