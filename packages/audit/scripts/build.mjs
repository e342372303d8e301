#!/usr/bin/env node
// Builds the publishable package into packages/audit/dist: JavaScript and declarations compiled by tsc from src/,
// the README, and a package.json whose exports point at them. `@loglake/redact` and `@loglake/aws-limits` are not
// published on their own, so they are compiled along and shipped inside the package (dist/vendor/<name>), their
// imports pointed there.
// Publish with `npm publish packages/audit/dist`.
import { execFileSync } from "node:child_process";
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(pkgDir, "dist");
const out = join(dist, ".tsc");
const vendored = ["redact", "aws-limits"];
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

await rm(dist, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, "-p", join(pkgDir, "tsconfig.build.json")], { stdio: "inherit" });
// tsc's output mirrors packages/: audit/src becomes the package root, each vendored package's src its copy.
for (const entry of await readdir(join(out, "audit", "src")))
  await rename(join(out, "audit", "src", entry), join(dist, entry));
await mkdir(join(dist, "vendor"), { recursive: true });
for (const name of vendored) await rename(join(out, name, "src"), join(dist, "vendor", name));
await rm(out, { recursive: true });

for (const entry of await readdir(dist, { recursive: true })) {
  if (!entry.endsWith(".js") && !entry.endsWith(".d.ts")) continue;
  const file = join(dist, entry);
  const text = await readFile(file, "utf8");
  // tsc rewrites `.ts` specifiers in JavaScript only; declarations keep them, which consumers cannot resolve.
  const rewritten = text
    .replace(/(from "\.{1,2}\/[^"]+)\.ts"/g, '$1.js"')
    .replace(/from "@loglake\/([^"]+)"/g, (_, name) => `from "${vendorImport(file, name)}"`);
  if (rewritten !== text) await writeFile(file, rewritten);
}

const manifest = JSON.parse(await readFile(join(pkgDir, "package.json"), "utf8"));
const exports = Object.fromEntries(
  Object.entries(manifest.exports).map(([sub, src]) => {
    const base = src.replace(/^\.\/src\//, "./").replace(/\.ts$/, "");
    return [sub, { types: `${base}.d.ts`, default: `${base}.js` }];
  }),
);
const dependencies = Object.fromEntries(
  Object.entries(manifest.dependencies).filter(([dep]) => !vendored.some((name) => dep === `@loglake/${name}`)),
);
const { devDependencies: _, scripts: __, files: ___, ...published } = manifest;
await writeFile(join(dist, "package.json"), `${JSON.stringify({ ...published, dependencies, exports }, null, 2)}\n`);
await copyFile(join(pkgDir, "README.md"), join(dist, "README.md"));

/** The relative specifier from `file` to a vendored package's entry point. */
function vendorImport(file, name) {
  if (!vendored.includes(name)) throw new Error(`@loglake/${name} is imported but not vendored`);
  const target = relative(dirname(file), join(dist, "vendor", name, "index.js"))
    .split(sep)
    .join("/");
  return target.startsWith(".") ? target : `./${target}`;
}
