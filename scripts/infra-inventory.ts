// Runs the whole SST program (sst.config.ts and stacks/) offline under Pulumi's mocks and prints every resource it
// declares with its security-relevant settings. No AWS account and no Pulumi CLI are involved: the program is built
// the way `sst deploy` builds it, Pulumi's mock monitor records each resource, and a local server stands in for the
// SST CLI's RPC (function builds and bootstrap data). Each handler is really bundled with esbuild, so a missing or
// broken handler fails here. What this needs of SST's internals lives in lib/sst-internals.ts.
//
//   npm run infra:inventory -- [--stage <name>] [--config <loglake.config.ts>] [--json]
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { formatInventory, type Inventory, type InventoryResource } from "@app/core/infra/inventory";
import {
  type BuildReply,
  type BuildRequest,
  buildSstProgram,
  defineSstGlobals,
  type EsbuildResult,
  loadSstPlatform,
  type SstPlatform,
  startSstRpcServer,
  type TransformArgs,
} from "./lib/sst-internals.ts";

const debug = (what: string) => {
  if (process.env.LOGLAKE_INVENTORY_DEBUG) console.error(`inventory: ${what}`);
};
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ACCOUNT = "123456789012";
// The region of the stage's AWS provider, set once app() has been evaluated.
let REGION = "us-east-1";

/** IAM policy JSON from `aws.iam.getPolicyDocument` arguments, as the AWS provider renders it. */
function renderPolicyDocument(inputs: Record<string, unknown>): string {
  type In = {
    sid?: string;
    effect?: string;
    actions?: string[];
    notActions?: string[];
    resources?: string[];
    principals?: { type: string; identifiers: string[] }[];
    conditions?: { test: string; variable: string; values: string[] }[];
  };
  const one = (v: string[]) => (v.length === 1 ? v[0] : v);
  const statements = ((inputs.statements as In[] | undefined) ?? []).map((s) => {
    const out: Record<string, unknown> = {};
    if (s.sid) out.Sid = s.sid;
    out.Effect = s.effect ?? "Allow";
    if (s.principals?.length) {
      const p: Record<string, unknown> = {};
      for (const pr of s.principals) p[pr.type] = one(pr.identifiers);
      out.Principal = p["*"] === "*" ? "*" : p;
    }
    if (s.actions?.length) out.Action = one(s.actions);
    if (s.notActions?.length) out.NotAction = one(s.notActions);
    if (s.resources?.length) out.Resource = one(s.resources);
    if (s.conditions?.length) {
      const c: Record<string, Record<string, unknown>> = {};
      for (const cond of s.conditions) {
        c[cond.test] ??= {};
        (c[cond.test] as Record<string, unknown>)[cond.variable] = one(cond.values);
      }
      out.Condition = c;
    }
    return out;
  });
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** Computed outputs a real provider would return for a new resource: ids, ARNs, names, URLs. */
function mockState(type: string, name: string, inputs: Record<string, unknown>): { id: string; state: object } {
  const [pkg, mod = "", kind = ""] = type.split(":");
  const service = mod.split("/")[0] ?? "";
  const physical = String(
    inputs.name ?? inputs.bucket ?? `${String(inputs.bucketPrefix ?? `${name.toLowerCase()}-`)}mock`,
  );
  const state: Record<string, unknown> = { ...inputs };
  if (pkg !== "aws") return { id: `${name}-id`, state };
  switch (type) {
    case "aws:s3/bucket:Bucket":
      Object.assign(state, { bucket: physical, arn: `arn:aws:s3:::${physical}` });
      return { id: physical, state };
    case "aws:sqs/queue:Queue":
      Object.assign(state, {
        name: physical,
        arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${physical}`,
        url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${physical}`,
      });
      return { id: String(state.url), state };
    case "aws:kms/key:Key":
      Object.assign(state, { keyId: `key-${name}`, arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/key-${name}` });
      return { id: `key-${name}`, state };
    case "aws:iam/role:Role":
      Object.assign(state, { name: physical, arn: `arn:aws:iam::${ACCOUNT}:role/${physical}` });
      return { id: physical, state };
    case "aws:lambda/function:Function":
      Object.assign(state, { name: physical, arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${physical}` });
      return { id: physical, state };
    case "aws:kinesis/stream:Stream":
      Object.assign(state, { name: physical, arn: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${physical}` });
      return { id: physical, state };
    case "aws:athena/workgroup:Workgroup":
      Object.assign(state, { arn: `arn:aws:athena:${REGION}:${ACCOUNT}:workgroup/${physical}` });
      return { id: physical, state };
    case "aws:cloudwatch/logDestination:LogDestination":
      Object.assign(state, { name: physical, arn: `arn:aws:logs:${REGION}:${ACCOUNT}:destination:${physical}` });
      return { id: physical, state };
    case "aws:sns/topic:Topic":
      Object.assign(state, { name: physical, arn: `arn:aws:sns:${REGION}:${ACCOUNT}:${physical}` });
      return { id: String(state.arn), state };
    default:
      state.arn ??= `arn:aws:${service}:${REGION}:${ACCOUNT}:${kind.toLowerCase()}/${physical}`;
      state.name ??= physical;
      return { id: `${name}-id`, state };
  }
}

function mockCall(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return {
        accountId: ACCOUNT,
        arn: `arn:aws:iam::${ACCOUNT}:user/inventory`,
        userId: "AIDAINVENTORY",
        id: ACCOUNT,
      };
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
    case "aws:index/getRegion:getRegion":
      return { name: REGION, region: REGION, id: REGION };
    case "aws:iam/getPolicyDocument:getPolicyDocument":
      // The provider echoes its arguments next to the rendered JSON; sst.aws.Function relies on `statements`.
      return {
        ...inputs,
        json: renderPolicyDocument(inputs),
        minifiedJson: renderPolicyDocument(inputs),
        id: "policy",
      };
    default:
      throw new Error(`the inventory has no mock for the provider function ${token}`);
  }
}

/** Bundles one handler as `sst deploy` would (ESM, Node 22, `nodejs.install` left out) and copies its files. */
async function buildHandler(
  root: string,
  platform: SstPlatform,
  workDir: string,
  builds: Inventory["builds"],
  req: BuildRequest,
): Promise<BuildReply> {
  const { handler, functionID, install } = req;
  const file = handler.slice(0, handler.lastIndexOf("."));
  const entry = [".ts", ".mts", ".js", ".mjs"].map((ext) => join(root, file + ext)).find(existsSync);
  if (!entry) return { errors: [`handler file not found for "${handler}" (looked for ${file}.ts/.js)`] };
  const out = join(workDir, "functions", functionID);
  mkdirSync(out, { recursive: true });
  const result = await platform.esbuild
    .build({
      entryPoints: [entry],
      outfile: join(out, `${file}.mjs`),
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node22",
      external: install,
      metafile: true,
      logLevel: "silent",
      banner: {
        js: 'import { createRequire as topLevelCreateRequire } from "module"; const require = topLevelCreateRequire(import.meta.url);',
      },
    })
    .catch((e: { errors?: { text: string }[] }) => ({ errors: e.errors ?? [{ text: String(e) }] }) as EsbuildResult);
  if (result.errors.length > 0) return { errors: result.errors.map((e) => `${handler}: ${e.text}`) };
  const files: string[] = [];
  for (const copy of req.copyFiles) {
    const from = isAbsolute(copy.from) ? copy.from : join(root, copy.from);
    if (!existsSync(from)) return { errors: [`${functionID}: copyFiles source ${copy.from} does not exist`] };
    cpSync(from, join(out, copy.to), { recursive: true });
    const to = join(out, copy.to);
    const copied = statSync(to).isDirectory()
      ? readdirSync(to, { recursive: true, withFileTypes: true })
          .filter((e) => e.isFile())
          .map((e) => join(e.parentPath, e.name))
      : [to];
    files.push(...copied.map((f) => relative(out, f).split(sep).join("/")));
  }
  const bytes = Object.values(result.metafile?.outputs ?? {}).reduce((n, o) => n + o.bytes, 0);
  builds.push({ functionID, handler, bytes, install, files: files.sort() });
  return { handler, out, errors: [], sourcemaps: [] };
}

/**
 * Runs the SST program for a stage under Pulumi's mocks and returns what it declared. `configFile` replaces
 * `loglake.config.ts` (the file `stacks/config.ts` imports).
 */
export async function runInventory(opts: { stage: string; configFile?: string; root?: string }): Promise<Inventory> {
  const root = opts.root ?? ROOT;
  const platform = loadSstPlatform(root);
  const { pulumi } = platform;
  const workDir = mkdtempSync(join(tmpdir(), "loglake-inventory-"));
  const builds: Inventory["builds"] = [];
  const rpc = await startSstRpcServer({
    build: (req) => buildHandler(root, platform, workDir, builds, req),
    bootstrap: () => ({
      asset: `sst-asset-${ACCOUNT}`,
      assetEcrRegistryId: ACCOUNT,
      assetEcrUrl: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/sst-asset`,
      state: `sst-state-${ACCOUNT}`,
      appsyncHttp: "",
      appsyncRealtime: "",
    }),
  });
  const bundle = join(platform.dir, `inventory-${process.pid}-${Date.now()}.mjs`);
  try {
    await buildSstProgram({
      platform,
      root,
      outfile: bundle,
      ...(opts.configFile ? { configFile: resolve(opts.configFile) } : {}),
    });

    const resources: InventoryResource[] = [];
    const options = new Map<string, TransformArgs["opts"]>();
    await pulumi.runtime.setMocks(
      {
        newResource(args: { type: string; name: string; inputs: Record<string, unknown>; custom?: boolean }) {
          debug(`resource ${args.type} ${args.name}`);
          const state = mockState(args.type, args.name, args.inputs);
          resources.push({
            type: args.type,
            name: args.name,
            id: state.id,
            custom: args.custom ?? true,
            inputs: args.inputs,
            protect: false,
            retainOnDelete: false,
          });
          return state;
        },
        call(args: { token: string; inputs: Record<string, unknown> }) {
          debug(`call ${args.token}`);
          return mockCall(args.token, args.inputs);
        },
      },
      "loglake",
      opts.stage,
      false,
    );

    debug("bundle built");
    // SST defines $app, $cli and $dev at build time from the evaluated app(); here app() lives in the bundle, so
    // the platform modules first see a provisional $app that app()'s result then completes in place.
    const appGlobal = defineSstGlobals({ stage: opts.stage, root, platform, workDir });
    const mod = (await import(pathToFileURL(bundle).href)) as {
      app: (stage: string) => Promise<Record<string, unknown>>;
      program: () => Promise<Record<string, unknown>>;
    };
    debug("bundle imported");
    const app = await mod.app(opts.stage);
    Object.assign(appGlobal, app, { stage: opts.stage });
    REGION = (app.providers as { aws?: { region?: string } } | undefined)?.aws?.region ?? REGION;
    debug("app evaluated");
    const cwd = process.cwd();
    let outputs: Record<string, unknown> = {};
    try {
      outputs =
        (await pulumi.runtime.runInPulumiStack(async () => {
          // Kept by reference and read at the end: SST's own transformations (retain on delete) run after this one
          // and change the same options object.
          pulumi.runtime.registerStackTransformation((t) => {
            options.set(`${t.type}::${t.name}`, t.opts);
            return undefined;
          });
          const out = await mod.program();
          debug("program returned");
          return out;
        })) ?? {};
      debug("stack outputs resolved");
      await pulumi.runtime.disconnect();
      debug("rpcs drained");
    } finally {
      process.chdir(cwd);
    }
    for (const r of resources) {
      const o = options.get(`${r.type}::${r.name}`);
      r.protect = o?.protect === true;
      r.retainOnDelete = o?.retainOnDelete === true;
    }
    return {
      stage: opts.stage,
      app: {
        name: String(app.name),
        removal: String(app.removal),
        protect: app.protect === true,
        providers: app.providers,
      },
      resources,
      outputs,
      builds,
    };
  } finally {
    rpc.close();
    rmSync(bundle, { force: true });
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      stage: { type: "string", default: "dev" },
      config: { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  const inventory = await runInventory({ stage: values.stage as string, configFile: values.config });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(inventory, null, 2)}\n`);
    return;
  }
  process.stdout.write(formatInventory(inventory));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      // A bad config is the user's to fix: its message names every field, a stack trace would only hide it.
      const configError = e instanceof Error && e.name === "ConfigError";
      console.error(e instanceof Error ? (configError ? e.message : (e.stack ?? e.message)) : String(e));
      process.exit(1);
    },
  );
}
