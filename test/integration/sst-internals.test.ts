// The SST internals the offline inventory depends on (scripts/lib/sst-internals.ts), checked against the installed
// SST; and the checker itself, against a copy of the platform changed the way an upgrade could change it.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkSstInternals,
  loadSstPlatform,
  PLATFORM_FILES,
  rpcMethodsCalled,
  SST_VERSION,
  typeLiteralFields,
} from "../../scripts/lib/sst-internals.ts";

const ROOT = join(import.meta.dirname, "../..");
const PLATFORM = join(ROOT, ".sst", "platform");

beforeAll(() => {
  loadSstPlatform(ROOT);
}, 120_000);

describe("the SST internals of the offline inventory", () => {
  it("all hold for the installed SST", () => {
    expect(checkSstInternals(ROOT)).toStrictEqual([]);
  });
});

describe("checkSstInternals", () => {
  let root: string;

  beforeAll(() => {
    // Prepare: a project whose SST is one release on, with the changes a release could bring.
    root = mkdtempSync(join(tmpdir(), "loglake-sst-upgrade-"));
    const platform = join(root, ".sst", "platform");
    for (const rel of [...Object.values(PLATFORM_FILES), "version"]) {
      mkdirSync(dirname(join(platform, rel)), { recursive: true });
      cpSync(join(PLATFORM, rel), join(platform, rel));
    }
    symlinkSync(join(PLATFORM, "node_modules"), join(platform, "node_modules"));
    writeFileSync(join(platform, "version"), "4.99.0");
    mkdirSync(join(root, "node_modules", "sst"), { recursive: true });
    writeFileSync(join(root, "node_modules", "sst", "package.json"), JSON.stringify({ version: "4.99.0" }));
    const edit = (rel: string, from: RegExp, to: string) => {
      const file = join(platform, rel);
      const text = readFileSync(file, "utf8");
      if (!from.test(text)) throw new Error(`${rel} does not contain ${from}`);
      writeFileSync(file, text.replace(from, to));
    };
    edit(PLATFORM_FILES.function, /"Runtime\.Build"/g, '"Runtime.BuildV2"');
    edit(PLATFORM_FILES.bootstrap, /assetEcrUrl: string;/, "assetEcrUrl: string;\n  assetRegion: string;");
    edit(PLATFORM_FILES.rpc, /params: \[args\]/, "params: args");
    edit(PLATFORM_FILES.run, /process\.chdir\(\$cli\.paths\.root\);/, "process.chdir($cli.paths.app);");
    rmSync(join(platform, PLATFORM_FILES.shim));
  });

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it("names every change an upgrade made, and where", () => {
    expect(checkSstInternals(root)).toStrictEqual([
      `sst is 4.99.0, these internals were read from ${SST_VERSION}: check each item of scripts/lib/sst-internals.ts against the new release, then update SST_VERSION`,
      ".sst/platform/src/shim/run.js (shim) no longer exists",
      "src/components/rpc/rpc.ts no longer uses a POST of { jsonrpc, method, params: [args] }",
      "sst.aws.Function now calls the RPC methods Provider.Aws.Appsync, Provider.Aws.Bootstrap, Runtime.AddTarget, Runtime.BuildV2 (the inventory knows Provider.Aws.Appsync, Provider.Aws.Bootstrap, Runtime.AddTarget, Runtime.Build): answer the new ones in startSstRpcServer or list them as dev-only",
      "sst.aws.Function now reads nothing it declares from Runtime.Build (the inventory returns errors, handler, out, sourcemaps)",
      "Provider.Aws.Bootstrap now returns appsyncHttp, appsyncRealtime, asset, assetEcrRegistryId, assetEcrUrl, assetRegion, state (the inventory returns appsyncHttp, appsyncRealtime, asset, assetEcrRegistryId, assetEcrUrl, state)",
      "the platform now reads $cli.paths.app, which defineSstGlobals does not set",
    ]);
  });

  it("reads RPC method names with or without type arguments, and the fields of nested type literals", () => {
    const source = 'rpc.call<{\n  a: string;\n}>("One.Two", x); rpc.call("Three", {}); other.call("Four")';
    expect([
      rpcMethodsCalled(source),
      typeLiteralFields(
        "{ command: string; paths: { home: string; root?: string }; state: { version: Record<string, number> } }",
      ),
    ]).toStrictEqual([
      ["One.Two", "Three"],
      ["command", "paths.home", "paths.root", "state.version"],
    ]);
  });
});
