import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeS3EventKey, decodeSqsBody } from "@app/core/envelopes/s3-notification";
import { ParseError } from "@app/core/errors";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const dir = join(import.meta.dirname, "../../../fixtures/events/sqs-bodies");
const cases = readdirSync(dir)
  .filter((f) => f.endsWith(".body.json"))
  .map((f) => f.replace(".body.json", ""));

describe("decodeSqsBody", () => {
  it.each(cases)("decodes the %s fixture to its expected result", (name) => {
    // Prepare
    const body = readFileSync(join(dir, `${name}.body.json`), "utf8");
    const expected = JSON.parse(readFileSync(join(dir, `${name}.expected.json`), "utf8"));
    // Act
    const decoded = decodeSqsBody(body);
    // Assess
    expect(decoded).toStrictEqual(expected);
  });

  it.each([
    ["not JSON", "hello"],
    ["a JSON array", "[1,2]"],
    ["an unrelated object", '{"foo":1}'],
    ["a record without s3", '{"Records":[{"eventName":"ObjectCreated:Put"}]}'],
    [
      "a record without a key",
      '{"Records":[{"eventName":"ObjectCreated:Put","eventTime":"2024-01-01T00:00:00Z","s3":{"bucket":{"name":"b"},"object":{}}}]}',
    ],
    [
      "a bad event time",
      '{"Records":[{"eventName":"ObjectCreated:Put","eventTime":"yesterday","s3":{"bucket":{"name":"b"},"object":{"key":"k"}}}]}',
    ],
    ["an SNS message that is not JSON", '{"Type":"Notification","Message":"nope"}'],
    [
      "a malformed percent escape",
      '{"Records":[{"eventName":"ObjectCreated:Put","eventTime":"2024-01-01T00:00:00Z","s3":{"bucket":{"name":"b"},"object":{"key":"a%zz"}}}]}',
    ],
  ])("throws ParseError for %s", (_name, body) => {
    expect(() => decodeSqsBody(body)).toThrow(ParseError);
  });

  it("reports every ObjectCreated record of a multi-record notification in order", () => {
    // Prepare
    const rec = (key: string, eventName = "ObjectCreated:Put") => ({
      eventName,
      eventTime: "2024-01-01T00:00:00.000Z",
      s3: { bucket: { name: "b" }, object: { key } },
    });
    const body = JSON.stringify({ Records: [rec("a"), rec("gone", "ObjectRemoved:Delete"), rec("c+d")] });
    // Act
    const decoded = decodeSqsBody(body);
    // Assess
    expect(decoded).toStrictEqual({
      kind: "objects",
      envelope: "s3",
      objects: [
        { bucket: "b", key: "a", eventTime: "2024-01-01T00:00:00.000Z", eventName: "ObjectCreated:Put" },
        { bucket: "b", key: "c d", eventTime: "2024-01-01T00:00:00.000Z", eventName: "ObjectCreated:Put" },
      ],
    });
  });
});

describe("decodeS3EventKey", () => {
  it("inverts S3's form encoding for any key", () => {
    // S3 encodes keys like application/x-www-form-urlencoded: URLSearchParams produces the same form.
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (key) => {
        const encoded = new URLSearchParams({ k: key }).toString().slice(2);
        expect(decodeS3EventKey(encoded)).toBe(key);
      }),
    );
  });

  it("turns + into a space and %2B into a plus", () => {
    expect(decodeS3EventKey("a+b%2Bc")).toBe("a b+c");
  });
});
