#!/usr/bin/env node
// Builds the CLI into packages/cli/dist: one ES module bundle of the workspace sources, split at every dynamic
// import so that `loglake --help` loads neither DuckDB nor the AWS SDK. Packages from node_modules stay external
// (DuckDB is a native addon; the rest is resolved by Node as usual). Run by the root `prepare` script, so
// `npm install` leaves a built CLI; `--metafile` also writes dist/meta.json, the module graph tests inspect.
import { rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const cli = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(cli, "dist");

/** Bare imports that are not workspace packages (`@app/*`, `@loglake/*`) are left for Node to load at run time. */
const externalDependencies = {
  name: "external-dependencies",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@app/") || args.path.startsWith("@loglake/") || args.path.startsWith("node:")
        ? undefined
        : { path: args.path, external: true },
    );
  },
};

await rm(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: { main: join(cli, "src/main.ts") },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.19",
  // Chunks sit next to main.js: modules that find files relative to themselves (queries/, package.json) keep
  // the same depth as in src/.
  chunkNames: "[name]-[hash]",
  sourcemap: "linked",
  sourcesContent: false,
  metafile: true,
  logLevel: "warning",
  // Config files are imported by path at run time, on purpose.
  logOverride: { "unsupported-dynamic-import": "silent" },
  plugins: [externalDependencies],
});
if (process.argv.includes("--metafile")) await writeFile(join(outdir, "meta.json"), JSON.stringify(result.metafile));
