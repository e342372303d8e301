import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeS3Client } from "@app/aws/clients";
import { s3Lineage, s3ObjectName } from "@app/core/lake-layout";
import { SOURCES } from "@app/core/sources/index";
import { openDuckDb } from "@app/lake/duckdb";
import { ingestToLake } from "@app/lake/ingest";
import { LocalLakeStore } from "@app/lake/store";
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loglake } from "../../helpers/cli.ts";
import { startEmulators } from "../../helpers/emulators.ts";

// A CloudFront W3C line needs its file's #Fields header to be read again: for an S3 object the replay reads the
// object again through S3 (fauxqs here), and an object gone since leaves the record `no_context`.
const LINES = readFileSync(
  join(import.meta.dirname, "../../fixtures/sources/cloudfront/aws-sample-33.log"),
  "utf8",
).split("\n");
const TEXT = [...LINES.slice(0, 3), (LINES[3] as string).replace("\tLAX1\t392\t", "\tLAX1\t392B\t"), ""].join("\n");

let emulators: Awaited<ReturnType<typeof startEmulators>>;
let s3: S3Client;
let dir: string;

beforeAll(async () => {
  emulators = await startEmulators();
  s3 = makeS3Client({ endpoint: emulators.endpoint });
  dir = await mkdtemp(join(tmpdir(), "replay-s3-"));
  await s3.send(new CreateBucketCommand({ Bucket: "logs" }));
});

afterAll(async () => {
  s3?.destroy();
  await emulators?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("loglake replay of records from S3 objects", () => {
  it("reads the header of a CloudFront object still in S3, and says no_context for one that is gone", async () => {
    // Prepare
    const lake = join(dir, "lake");
    const store = new LocalLakeStore(lake);
    const db = await openDuckDb();
    try {
      for (const key of ["cf/E2EXAMPLE.2019-12-04-21.aaaa1111", "cf/E2EXAMPLE.2019-12-04-21.bbbb2222"]) {
        await s3.send(new PutObjectCommand({ Bucket: "logs", Key: key, Body: TEXT }));
        await ingestToLake({
          db,
          store,
          sources: SOURCES,
          bytes: (async function* () {
            yield new TextEncoder().encode(TEXT);
          })(),
          key,
          sourceObject: s3Lineage("logs", key),
          ingestTime: "2019-12-04T22:00:00.000Z",
          name: s3ObjectName({ bucket: "logs", key }),
        });
      }
    } finally {
      db.closeSync();
    }
    await s3.send(new DeleteObjectCommand({ Bucket: "logs", Key: "cf/E2EXAMPLE.2019-12-04-21.bbbb2222" }));
    // Act
    const r = await loglake("replay", "--lake", lake, "--endpoint", emulators.endpoint, "--format", "json");
    // Assess
    expect([r.code, JSON.parse(r.stdout)]).toStrictEqual([
      0,
      {
        inputs: 0,
        selected: 2,
        moved: {},
        still_quarantined: { bad_value: 1 },
        not_replayable: { no_context: 1 },
      },
    ]);
  });
});
