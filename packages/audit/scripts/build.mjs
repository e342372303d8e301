#!/usr/bin/env node
// Builds the publishable package into packages/audit/dist: JavaScript and declarations compiled by tsc from src/,
// the README, and a package.json whose exports point at them. Publish with `npm publish packages/audit/dist`.
import { execFileSync } from "node:child_process";
import { copyFile, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(pkgDir, "dist");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

await rm(dist, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, "-p", join(pkgDir, "tsconfig.build.json")], { stdio: "inherit" });

// tsc rewrites `.ts` specifiers in JavaScript only; declarations keep them, which consumers cannot resolve.
for (const entry of await readdir(dist, { recursive: true })) {
  if (!entry.endsWith(".d.ts")) continue;
  const file = join(dist, entry);
  const text = await readFile(file, "utf8");
  await writeFile(file, text.replace(/(from "\.{1,2}\/[^"]+)\.ts"/g, '$1.js"'));
}

const manifest = JSON.parse(await readFile(join(pkgDir, "package.json"), "utf8"));
const exports = Object.fromEntries(
  Object.entries(manifest.exports).map(([sub, src]) => {
    const base = src.replace(/^\.\/src\//, "./").replace(/\.ts$/, "");
    return [sub, { types: `${base}.d.ts`, default: `${base}.js` }];
  }),
);
const { devDependencies: _, scripts: __, files: ___, ...published } = manifest;
await writeFile(join(dist, "package.json"), `${JSON.stringify({ ...published, exports }, null, 2)}\n`);
await copyFile(join(pkgDir, "README.md"), join(dist, "README.md"));
