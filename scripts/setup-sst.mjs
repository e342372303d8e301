#!/usr/bin/env node
// Prepares the SST platform types (.sst/platform) without Pulumi or a network download of SST's tools:
// `sst install` only needs bun, which the npm package `bun` ships. Idempotent: a second run is a no-op.
import { execFileSync, spawnSync } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  unlinkSync,
} from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "package.json"));
const started = Date.now();
const quiet = process.argv.includes("--quiet");
const force = process.argv.includes("--force");

function log(message) {
  if (!quiet) console.error(`sst:setup ${message}`);
}

function fail(message) {
  console.error(`sst:setup failed: ${message}`);
  process.exit(1);
}

// Not require.resolve(`${name}/package.json`): packages such as sst do not export their package.json.
function packageDir(name) {
  return (require.resolve.paths(name) ?? [])
    .map((dir) => join(dir, name))
    .find((dir) => existsSync(join(dir, "package.json")));
}

// A real bun binary answers `--version`; the npm package's placeholder (when its postinstall has not run) does not.
function runs(path) {
  if (!existsSync(path) || statSync(path).size < 1_000_000) return false;
  const r = spawnSync(path, ["--version"], { encoding: "utf8", timeout: 10_000 });
  return r.status === 0 && /^\d+\.\d+\.\d+/.test(r.stdout.trim());
}

function findBun() {
  const exe = process.platform === "win32" ? "bun.exe" : "bun";
  const arch = process.arch === "arm64" ? "aarch64" : process.arch;
  const candidates = [];
  const bunPkg = packageDir("bun");
  if (bunPkg) candidates.push(join(bunPkg, "bin", "bun.exe"), join(bunPkg, "bin", exe));
  for (const suffix of ["", "-musl", "-baseline", "-musl-baseline"]) {
    const dir = packageDir(`@oven/bun-${process.platform}-${arch}${suffix}`);
    if (dir) candidates.push(join(dir, "bin", exe));
  }
  return candidates.find(runs);
}

function configDir() {
  // Same rule as Go's os.UserConfigDir, which the SST CLI uses.
  return process.env.XDG_CONFIG_HOME || join(homedir(), ".config");
}

function linkBun(target) {
  const link = join(configDir(), "sst", "bin", "bun");
  mkdirSync(dirname(link), { recursive: true });
  let current;
  try {
    current = lstatSync(link).isSymbolicLink() ? readlinkSync(link) : "(a file)";
  } catch {
    current = undefined;
  }
  if (current === target) return link;
  if (current !== undefined) unlinkSync(link);
  symlinkSync(target, link);
  log(`linked ${link} -> ${target}`);
  return link;
}

function platformReady(sstVersion) {
  const platform = join(root, ".sst", "platform");
  const versionFile = join(platform, "version");
  if (!existsSync(versionFile)) return false;
  if (readFileSync(versionFile, "utf8").trim() !== sstVersion) return false;
  return ["config.d.ts", "node_modules/@pulumi/pulumi/package.json", "node_modules/@pulumi/aws/package.json"].every(
    (p) => existsSync(join(platform, p)),
  );
}

const sstPkg = packageDir("sst");
if (!sstPkg) fail('npm package "sst" is not installed; run `npm install` first');
const sstVersion = JSON.parse(readFileSync(join(sstPkg, "package.json"), "utf8")).version;

const bun = findBun();
if (!bun) fail('no runnable bun binary found in the npm packages "bun" or "@oven/bun-*"; run `npm install` first');
linkBun(bun);

if (!force && platformReady(sstVersion)) {
  log(`platform types for sst ${sstVersion} already installed (${Date.now() - started} ms)`);
  process.exit(0);
}

const env = {
  ...process.env,
  SST_SKIP_DEPENDENCY_CHECK: "1",
  SST_TELEMETRY_DISABLED: "1",
  DO_NOT_TRACK: "1",
};
// `sst install` evaluates app() for the provider list, which needs a stage; any stage name will do.
const stage = process.env.SST_STAGE || "setup";
try {
  execFileSync(join(sstPkg, "bin", "sst.mjs"), ["install", "--stage", stage], {
    cwd: root,
    env,
    stdio: quiet ? ["ignore", "ignore", "inherit"] : "inherit",
  });
} catch {
  fail("`sst install` failed (see the output above)");
}
if (!platformReady(sstVersion)) fail("`sst install` finished but .sst/platform is incomplete");
log(`installed platform types for sst ${sstVersion} in ${Date.now() - started} ms`);
