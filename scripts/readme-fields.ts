// Rewrites the generated field tables in README.md from the table schemas: `npx tsx scripts/readme-fields.ts`.
import { readFileSync, writeFileSync } from "node:fs";
import { fillFieldTables } from "../packages/core/src/schema/docs.ts";
import { TABLES } from "../packages/core/src/sources/index.ts";

const path = new URL("../README.md", import.meta.url);
writeFileSync(path, fillFieldTables(readFileSync(path, "utf8"), TABLES));
