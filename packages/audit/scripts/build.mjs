#!/usr/bin/env node
// Builds the publishable package into packages/audit/dist: JavaScript and declarations compiled by tsc from src/,
// the README, and a package.json whose exports point at them. `@loglake/redact` is not published on its own, so it
// is compiled along and shipped inside the package (dist/vendor/redact), its imports pointed there.
// Publish with `npm publish packages/audit/dist`.
import { execFileSync } from "node:child_process";
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(pkgDir, "dist");
const out = join(dist, ".tsc");
const vendor = join(dist, "vendor", "redact");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

await rm(dist, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, "-p", join(pkgDir, "tsconfig.build.json")], { stdio: "inherit" });
// tsc's output mirrors packages/: audit/src becomes the package root, redact/src its vendored copy.
for (const entry of await readdir(join(out, "audit", "src")))
  await rename(join(out, "audit", "src", entry), join(dist, entry));
await mkdir(dirname(vendor), { recursive: true });
await rename(join(out, "redact", "src"), vendor);
await rm(out, { recursive: true });

for (const entry of await readdir(dist, { recursive: true })) {
  if (!entry.endsWith(".js") && !entry.endsWith(".d.ts")) continue;
  const file = join(dist, entry);
  const text = await readFile(file, "utf8");
  let target = relative(dirname(file), join(vendor, "index.js")).split(sep).join("/");
  if (!target.startsWith(".")) target = `./${target}`;
  // tsc rewrites `.ts` specifiers in JavaScript only; declarations keep them, which consumers cannot resolve.
  const rewritten = text
    .replace(/(from "\.{1,2}\/[^"]+)\.ts"/g, '$1.js"')
    .replace(/from "@loglake\/redact"/g, `from "${target}"`);
  if (rewritten !== text) await writeFile(file, rewritten);
}

const manifest = JSON.parse(await readFile(join(pkgDir, "package.json"), "utf8"));
const exports = Object.fromEntries(
  Object.entries(manifest.exports).map(([sub, src]) => {
    const base = src.replace(/^\.\/src\//, "./").replace(/\.ts$/, "");
    return [sub, { types: `${base}.d.ts`, default: `${base}.js` }];
  }),
);
const { "@loglake/redact": _vendored, ...dependencies } = manifest.dependencies;
const { devDependencies: _, scripts: __, files: ___, ...published } = manifest;
await writeFile(join(dist, "package.json"), `${JSON.stringify({ ...published, dependencies, exports }, null, 2)}\n`);
await copyFile(join(pkgDir, "README.md"), join(dist, "README.md"));
