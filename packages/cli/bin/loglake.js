#!/usr/bin/env node
// The CLI is TypeScript run in place (no build step): tsx compiles it on load.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/main.ts");
process.exitCode = await main(process.argv);
