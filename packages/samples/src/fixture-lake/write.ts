// Rewrites test/fixtures/lake/raw/ and ingest-times.json from the generator:
// `npx tsx packages/samples/src/fixture-lake/write.ts`. The expected query results beside them are not touched.
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { FIXTURE, fixtureLakeFiles } from "./generate.ts";

const files = fixtureLakeFiles();
await rm(FIXTURE.raw, { recursive: true, force: true });
for (const f of files) {
  const path = join(FIXTURE.raw, f.path);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, f.body);
}
const ingestTimes = Object.fromEntries(files.map((f) => [f.path, f.ingestTime]));
await writeFile(join(FIXTURE.dir, "ingest-times.json"), `${JSON.stringify(ingestTimes, null, 2)}\n`);
