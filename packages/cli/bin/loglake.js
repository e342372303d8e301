#!/usr/bin/env node
// Runs the compiled CLI from dist/ (built by `npm install` through the root `prepare` script, or `npm run build`).
// Without a build, for instance after `npm install --ignore-scripts`, it runs the TypeScript sources through tsx.
import { existsSync, readFileSync } from "node:fs";

// The supported range is the root package.json's engines (">=20.19"): refuse older Node with one line.
const engines = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")).engines.node;
const [needMajor, needMinor] = /^>=\s*(\d+)(?:\.(\d+))?/
  .exec(engines)
  .slice(1)
  .map((n) => Number(n ?? 0));
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < needMajor || (major === needMajor && minor < needMinor)) {
  process.stderr.write(
    `loglake: needs Node.js ${engines.replace(/^>=\s*/, "")} or newer; this is ${process.version}\n`,
  );
  process.exit(2);
}

const dist = new URL("../dist/main.js", import.meta.url);
let main;
if (existsSync(dist)) ({ main } = await import(dist.href));
else {
  // Both hooks: config files outside a "type": "module" package load as CommonJS.
  (await import("tsx/cjs/api")).register();
  (await import("tsx/esm/api")).register();
  ({ main } = await import("../src/main.ts"));
}
process.exitCode = await main(process.argv);
