// Everything the offline inventory knows about SST's internals, in one place: where the platform keeps the files
// `sst deploy` builds sst.config.ts with, how the program talks to the SST CLI (its RPC server and the methods
// sst.aws.Function calls), and the globals the CLI defines. None of this is SST's public API. `checkSstInternals`
// compares each assumption with the installed SST and names what changed; test/integration/sst-internals.test.ts
// runs it, so an SST upgrade that breaks the inventory fails there with the reason rather than deep in a Pulumi run.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

/** The SST release these internals were read from. */
export const SST_VERSION = "4.17.1";

/** Files inside `.sst/platform` the inventory builds against or reads its facts from. */
export const PLATFORM_FILES = {
  /** `import * as sst` of sst.config.ts. */
  components: "src/components/index.ts",
  /** `run(program)`: SST's stack transformations around the user's `run()`. */
  run: "src/auto/run.ts",
  /** Injected into the build: `$config`, `$transform`, `$interpolate` and the other globals. */
  shim: "src/shim/run.js",
  /** The client side of the CLI's RPC. */
  rpc: "src/components/rpc/rpc.ts",
  function: "src/components/aws/function.ts",
  bootstrap: "src/components/aws/helpers/bootstrap.ts",
  globals: "src/global.d.ts",
} as const;

/** The RPC methods the inventory answers, as the platform names them. */
export const RPC = {
  build: "Runtime.Build",
  bootstrap: "Provider.Aws.Bootstrap",
} as const;

/** Methods sst.aws.Function and its helpers call only in `sst dev`; the inventory runs as `sst deploy`. */
export const DEV_ONLY_RPC = ["Provider.Aws.Appsync", "Runtime.AddTarget"] as const;

/** The fields of `Runtime.Build`'s reply that sst.aws.Function reads. */
const BUILD_RESULT_FIELDS = ["errors", "handler", "out", "sourcemaps"];
/** The fields of `Runtime.Build`'s request the inventory reads. */
const BUILD_INPUT_FIELDS = ["copyFiles", "functionID", "handler", "properties"];
/** The fields of `$cli` the platform declares. */
const CLI_FIELDS = ["command", "paths.home", "paths.platform", "paths.root", "paths.work", "rpc", "state.version"];
/** The fields of `$cli` `defineSstGlobals` sets; the platform must read no other. */
const CLI_SET = ["command", "dev", "paths.home", "paths.platform", "paths.root", "paths.work", "state.version"];

/** What `Provider.Aws.Bootstrap` returns: the CLI's per-region bootstrap bucket and ECR repository. */
export interface BootstrapData {
  asset: string;
  assetEcrRegistryId: string;
  assetEcrUrl: string;
  state: string;
  appsyncHttp: string;
  appsyncRealtime: string;
}
const BOOTSTRAP_FIELDS: (keyof BootstrapData)[] = [
  "appsyncHttp",
  "appsyncRealtime",
  "asset",
  "assetEcrRegistryId",
  "assetEcrUrl",
  "state",
];

/** A function build the program asks for, reduced to what the inventory needs. */
export interface BuildRequest {
  functionID: string;
  /** `file.export`, relative to the app root. */
  handler: string;
  /** Packages left out of the bundle (`nodejs.install`). */
  install: string[];
  architecture?: string;
  copyFiles: { from: string; to: string }[];
}

/** What a build hands back to sst.aws.Function. */
export interface BuildReply {
  handler?: string;
  out?: string;
  errors: string[];
  sourcemaps?: string[];
}

/** What esbuild's build() resolves to, as far as the inventory reads it. */
export interface EsbuildResult {
  errors: { text: string }[];
  outputFiles?: { contents: Uint8Array }[];
  metafile?: { outputs: Record<string, { bytes: number }> };
}
/** The part of esbuild the inventory uses (the platform's own copy, the version SST builds with). */
export interface Esbuild {
  build(options: Record<string, unknown>): Promise<EsbuildResult>;
}
/** The stack transformation arguments the inventory reads. */
export interface TransformArgs {
  type: string;
  name: string;
  opts: { protect?: boolean; retainOnDelete?: boolean };
}
/** The part of Pulumi's runtime the inventory drives (the platform's copy, the one the program imports). */
export interface PulumiRuntime {
  setMocks(mocks: unknown, project?: string, stack?: string, preview?: boolean): Promise<void>;
  runInPulumiStack(init: () => Promise<unknown>): Promise<Record<string, unknown> | undefined>;
  registerStackTransformation(t: (args: TransformArgs) => undefined): void;
  disconnect(): Promise<void>;
}

/** The installed platform and the tools the program must be built and run with. */
export interface SstPlatform {
  dir: string;
  esbuild: Esbuild;
  pulumi: { runtime: PulumiRuntime };
}

/** Installs the SST platform when missing (idempotent, quick when present) and loads its esbuild and Pulumi. */
export function loadSstPlatform(root: string): SstPlatform {
  const dir = join(root, ".sst", "platform");
  execFileSync(process.execPath, [join(root, "scripts", "setup-sst.mjs"), "--quiet"], { stdio: "inherit" });
  const req = createRequire(join(dir, "package.json"));
  return {
    dir,
    esbuild: req("esbuild") as Esbuild,
    pulumi: req("@pulumi/pulumi") as { runtime: PulumiRuntime },
  };
}

/**
 * Builds sst.config.ts into one ES module the way `sst deploy` does: SST's shim injected, `aws` and `sst` as globals,
 * Pulumi and the AWS SDK left external. The module exports `app(stage)` and `program()` (the user's `run()` inside
 * SST's `run`). `configFile` replaces `../loglake.config` wherever it is imported.
 */
export async function buildSstProgram(opts: {
  platform: SstPlatform;
  root: string;
  outfile: string;
  configFile?: string;
}): Promise<void> {
  const { platform, root, configFile } = opts;
  const result = await platform.esbuild.build({
    stdin: {
      contents: [
        'import * as aws from "@pulumi/aws";',
        `import * as sst from ${JSON.stringify(join(platform.dir, PLATFORM_FILES.components))};`,
        `import { run } from ${JSON.stringify(join(platform.dir, PLATFORM_FILES.run))};`,
        "Object.assign(globalThis, { aws, sst });",
        `import mod from ${JSON.stringify(join(root, "sst.config.ts"))};`,
        "export const app = (stage) => mod.app({ stage });",
        "export const program = () => run(mod.run);",
      ].join("\n"),
      resolveDir: root,
      sourcefile: "eval.ts",
      loader: "ts",
    },
    outfile: opts.outfile,
    bundle: true,
    write: true,
    format: "esm",
    platform: "node",
    mainFields: ["module", "main"],
    // esbuild runs its native binary, so it cannot be bundled (SST leaves it external as well).
    external: ["@pulumi/*", "@aws-sdk/*", "esbuild"],
    inject: [join(platform.dir, PLATFORM_FILES.shim)],
    logLevel: "silent",
    banner: {
      js: [
        'import { createRequire as topLevelCreateRequire } from "module";',
        "const require = topLevelCreateRequire(import.meta.url);",
        'import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url";',
        'const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url));',
      ].join("\n"),
    },
    plugins: configFile
      ? [
          {
            name: "loglake-config",
            setup(b: { onResolve: (f: { filter: RegExp }, cb: () => { path: string }) => void }) {
              b.onResolve({ filter: /^\.\.\/loglake\.config$/ }, () => ({ path: configFile }));
            },
          },
        ]
      : [],
  });
  if (result.errors.length > 0) throw new Error(result.errors.map((e) => e.text).join("\n"));
}

/**
 * Defines the globals the SST CLI defines before it runs a program (`$app`, `$cli`, `$dev`), as `sst deploy` for
 * `stage`. Returns `$app`, which the caller completes with app()'s result once the built module has been evaluated.
 */
export function defineSstGlobals(opts: {
  stage: string;
  root: string;
  platform: SstPlatform;
  workDir: string;
}): Record<string, unknown> {
  const g = globalThis as Record<string, unknown>;
  const app: Record<string, unknown> = {
    name: "loglake",
    stage: opts.stage,
    removal: "retain",
    protect: false,
    providers: {},
  };
  g.$app = app;
  g.$cli = {
    command: "deploy",
    dev: false,
    paths: { home: opts.workDir, root: opts.root, work: opts.workDir, platform: opts.platform.dir },
    state: { version: {} },
  };
  g.$dev = false;
  return app;
}

/** The Build request as sst.aws.Function sends it, reduced to a `BuildRequest`. */
function buildRequest(input: Record<string, unknown>): BuildRequest {
  // sst.aws.Function hands `nodejs.install` over as { package: version }.
  const props = (input.properties ?? {}) as { install?: string[] | Record<string, string>; architecture?: string };
  return {
    functionID: String(input.functionID),
    handler: String(input.handler),
    install: Array.isArray(props.install) ? props.install : Object.keys(props.install ?? {}),
    ...(props.architecture ? { architecture: props.architecture } : {}),
    copyFiles: (input.copyFiles ?? []) as { from: string; to: string }[],
  };
}

/**
 * Stands in for the SST CLI's RPC server: `build` answers `Runtime.Build`, `bootstrap` answers
 * `Provider.Aws.Bootstrap`, anything else is refused as the CLI refuses an unknown method. Sets `SST_SERVER`, where the
 * platform's RPC client looks for the server.
 */
export async function startSstRpcServer(handlers: {
  build(req: BuildRequest): Promise<BuildReply>;
  bootstrap(region: string): BootstrapData;
}): Promise<{ url: string; close(): void }> {
  const methods: Record<string, (args: Record<string, unknown>) => Promise<unknown> | unknown> = {
    [RPC.build]: (args) => handlers.build(buildRequest(args)),
    [RPC.bootstrap]: (args) => handlers.bootstrap(String(args.region ?? "")),
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", async () => {
      const { method, params } = JSON.parse(body) as { method: string; params: Record<string, unknown>[] };
      const fn = methods[method];
      const reply = fn
        ? await Promise.resolve(fn(params[0] ?? {})).then(
            (result) => ({ result, error: null }),
            (e: unknown) => ({ result: null, error: String(e) }),
          )
        : { result: null, error: `rpc: can't find method ${method}` };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.SST_SERVER = url;
  return { url, close: () => server.close() };
}

// ---- checks -------------------------------------------------------------------------------------------------------

function packageVersion(root: string, name: string): string | undefined {
  const file = join(root, "node_modules", name, "package.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version : undefined;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.(ts|js)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** Every `rpc.call("<method>"` in a source text, type arguments allowed. */
export function rpcMethodsCalled(source: string): string[] {
  return [...source.matchAll(/rpc\.call\s*(?:<[\s\S]*?>)?\s*\(\s*"([^"]+)"/g)].map((m) => m[1] as string);
}

/** The dotted field names of a TypeScript object type literal such as `{ a: string; b: { c: number } }`. */
export function typeLiteralFields(literal: string): string[] {
  const out: string[] = [];
  const path: string[] = [];
  let pending: string | undefined;
  for (const token of literal.matchAll(/([A-Za-z_$][\w$]*)\??\s*:|\{|\}/g)) {
    const t = token[0];
    if (t === "{") {
      if (pending !== undefined) path.push(pending);
      pending = undefined;
    } else if (t === "}") {
      if (pending !== undefined) out.push([...path, pending].join("."));
      pending = undefined;
      path.pop();
    } else {
      if (pending !== undefined) out.push([...path, pending].join("."));
      pending = token[1];
    }
  }
  return out.sort();
}

/** The text from `start` to its matching closing brace. */
function block(source: string, start: RegExp): string | undefined {
  const m = start.exec(source);
  if (!m) return undefined;
  const open = source.indexOf("{", m.index + m[0].length - 1);
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    if (source[i] === "{") depth++;
    if (source[i] === "}" && --depth === 0) return source.slice(open, i + 1);
  }
  return undefined;
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

/**
 * Compares every assumption above with the installed SST; returns one line per difference, naming what changed and
 * where (empty when all hold). The platform must be installed (`npm run sst:setup`).
 */
export function checkSstInternals(root: string): string[] {
  const problems: string[] = [];
  const platform = join(root, ".sst", "platform");
  const npmVersion = packageVersion(root, "sst");
  if (npmVersion !== SST_VERSION) {
    problems.push(
      `sst is ${npmVersion ?? "not installed"}, these internals were read from ${SST_VERSION}: check each item of scripts/lib/sst-internals.ts against the new release, then update SST_VERSION`,
    );
  }
  const platformVersion = existsSync(join(platform, "version"))
    ? readFileSync(join(platform, "version"), "utf8").trim()
    : undefined;
  if (platformVersion !== npmVersion) {
    problems.push(
      `.sst/platform is ${platformVersion ?? "missing"} but sst is ${npmVersion}: run \`npm run sst:setup\``,
    );
  }
  const text: Partial<Record<keyof typeof PLATFORM_FILES, string>> = {};
  for (const [name, rel] of Object.entries(PLATFORM_FILES) as [keyof typeof PLATFORM_FILES, string][]) {
    const file = join(platform, rel);
    if (existsSync(file)) text[name] = readFileSync(file, "utf8");
    else problems.push(`.sst/platform/${rel} (${name}) no longer exists`);
  }

  if (text.run !== undefined && !/export\s+async\s+function\s+run\s*\(\s*program/.test(text.run)) {
    problems.push(`${PLATFORM_FILES.run} no longer exports \`run(program)\``);
  }
  if (text.rpc !== undefined) {
    const protocol: [string, RegExp][] = [
      ["the server address from process.env.SST_SERVER + /rpc", /process\.env\.SST_SERVER!?\s*\+\s*"\/rpc"/],
      ["a POST of { jsonrpc, method, params: [args] }", /method,\s*params:\s*\[args\]/],
      ["the reply's result and error fields", /json\.error[\s\S]*json\.result/],
      ['"rpc: can\'t find" for an unknown method', /rpc: can't find/],
    ];
    for (const [what, re] of protocol) {
      if (!re.test(text.rpc)) problems.push(`${PLATFORM_FILES.rpc} no longer uses ${what}`);
    }
  }
  if (text.function !== undefined && text.bootstrap !== undefined) {
    const called = [...new Set([...rpcMethodsCalled(text.function), ...rpcMethodsCalled(text.bootstrap)])].sort();
    const known = [...Object.values(RPC), ...DEV_ONLY_RPC].sort();
    if (!sameList(called, known)) {
      problems.push(
        `sst.aws.Function now calls the RPC methods ${called.join(", ")} (the inventory knows ${known.join(", ")}): answer the new ones in startSstRpcServer or list them as dev-only`,
      );
    }
    const reply = /rpc\.call\s*<\s*(\{[\s\S]*?\})\s*>\s*\(\s*"Runtime\.Build"/.exec(text.function)?.[1];
    const replyFields = reply ? typeLiteralFields(reply) : [];
    if (!sameList(replyFields, BUILD_RESULT_FIELDS)) {
      problems.push(
        `sst.aws.Function now reads ${replyFields.join(", ") || "nothing it declares"} from Runtime.Build (the inventory returns ${BUILD_RESULT_FIELDS.join(", ")})`,
      );
    }
    const input = block(text.function, /const buildInput = output\(\{/) ?? "";
    const missing = BUILD_INPUT_FIELDS.filter((f) => !new RegExp(`^\\s*${f}\\b`, "m").test(input));
    if (missing.length > 0) {
      problems.push(`sst.aws.Function no longer sends ${missing.join(", ")} in its Runtime.Build request`);
    }
    const bootstrap = block(text.bootstrap, /interface BootstrapData\s*\{/);
    const fields = bootstrap ? typeLiteralFields(bootstrap) : [];
    if (!sameList(fields, BOOTSTRAP_FIELDS)) {
      problems.push(
        `Provider.Aws.Bootstrap now returns ${fields.join(", ") || "an undeclared shape"} (the inventory returns ${BOOTSTRAP_FIELDS.join(", ")})`,
      );
    }
  }
  if (text.globals !== undefined) {
    const cli = block(text.globals, /export const \$cli:\s*\{/);
    const fields = cli ? typeLiteralFields(cli) : [];
    if (!sameList(fields, CLI_FIELDS)) {
      problems.push(
        `the platform now declares $cli as ${fields.join(", ") || "nothing"} (the inventory sets ${CLI_FIELDS.join(", ")}): update defineSstGlobals`,
      );
    }
    if (!/export const \$dev:\s*boolean/.test(text.globals)) problems.push("the platform no longer declares `$dev`");
    const read = new Set<string>();
    for (const file of sources(join(platform, "src"))) {
      for (const m of readFileSync(file, "utf8").matchAll(/\$cli\.([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)/g)) {
        read.add(m[1] as string);
      }
    }
    const covered = (f: string) => CLI_SET.some((s) => f === s || f.startsWith(`${s}.`) || s.startsWith(`${f}.`));
    const unset = [...read].filter((f) => !covered(f)).sort();
    if (unset.length > 0) {
      problems.push(`the platform now reads $cli.${unset.join(", $cli.")}, which defineSstGlobals does not set`);
    }
  }
  try {
    const req = createRequire(join(platform, "package.json"));
    const esbuild = req("esbuild") as Partial<Esbuild>;
    if (typeof esbuild.build !== "function") problems.push("the platform's esbuild has no build()");
    const runtime = (req("@pulumi/pulumi") as { runtime?: Partial<Record<keyof PulumiRuntime, unknown>> }).runtime;
    for (const fn of ["setMocks", "runInPulumiStack", "registerStackTransformation", "disconnect"] as const) {
      if (typeof runtime?.[fn] !== "function") problems.push(`the platform's @pulumi/pulumi has no runtime.${fn}()`);
    }
  } catch (e) {
    problems.push(`the platform's esbuild or @pulumi/pulumi cannot be loaded: ${String(e)}`);
  }
  return problems;
}
