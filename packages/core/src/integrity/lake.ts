import { createHash, type KeyObject, verify } from "node:crypto";
import {
  type ChainHead,
  type ChainLink,
  COMPACTION_DIR,
  chainHeadMessage,
  lakeFileTableDay,
  MANIFEST_DIR,
  parseChainKey,
  parseManifest,
} from "../lake-layout.ts";
import { type IntegrityResult, isFinding, sortResults } from "./results.ts";

/** Signs chain heads: an asymmetric KMS key on AWS, a local key file for the embedded lake. */
export interface ChainSigner {
  /** A KMS key ARN, or `local:<SHA-256 of the public key>`; `unsigned` when no key is configured. */
  readonly keyId: string;
  /** `ECDSA_SHA_256` signature (DER) of the message; empty when unsigned. */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** The files of a lake as `verifyLake` reads them: lake-relative keys and their bytes. */
export interface LakeFiles {
  /** Every file under the lake root, lake-relative. */
  list(): Promise<readonly string[]>;
  read(key: string): Promise<Uint8Array | undefined>;
}

/** What `verifyLake` found. */
export interface LakeVerification {
  results: IntegrityResult[];
  chains: number;
  manifests: number;
  files: number;
  filesValid: number;
  findings: number;
}

const sha = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");

/**
 * Checks a lake against its manifest chains: each table and day's links follow one another by hash, its head names
 * the last link and carries a valid signature from `publicKey`, every manifest is the one its latest link recorded,
 * and every Parquet file is one a link recorded, with the recorded SHA-256. Names each changed (`modified`),
 * removed (`missing`) or added (`added`) file and each rewritten manifest or broken chain (`chain_break`).
 */
export async function verifyLake(args: {
  files: LakeFiles;
  publicKey?: KeyObject;
  /** How a key is named in results (default: the lake-relative key). */
  describe?: (key: string) => string;
}): Promise<LakeVerification> {
  const name = args.describe ?? ((k: string) => k);
  const keys = await args.files.list();
  const results: IntegrityResult[] = [];
  const text = async (k: string) => {
    const b = await args.files.read(k);
    return b === undefined ? undefined : Buffer.from(b).toString("utf8");
  };

  // Chains, by table and day.
  const chains = new Map<string, { links: Map<number, string>; head?: string }>();
  for (const k of keys) {
    const c = parseChainKey(k);
    if (!c) continue;
    const id = `${c.table}/dt=${c.dt}`;
    const entry = chains.get(id) ?? { links: new Map<number, string>() };
    if (c.head) entry.head = k;
    else entry.links.set(c.seq as number, k);
    chains.set(id, entry);
  }
  // Expected state: per chain, the latest link of each manifest.
  const expectedFiles = new Map<string, string>();
  const expectedManifests = new Map<string, string>();
  for (const [id, chain] of chains) {
    const seqs = [...chain.links.keys()].sort((a, b) => a - b);
    let previous: string | null = null;
    let broken = false;
    const latest = new Map<string, ChainLink>();
    // Compaction links replace files for good: a file is expected again only when a later link names it.
    const replaced = new Map<string, number>();
    for (const [i, seq] of seqs.entries()) {
      const key = chain.links.get(seq) as string;
      const body = (await text(key)) ?? "";
      const bad = (detail: string) => {
        results.push({ object: name(key), kind: "lake_chain", verdict: "chain_break", detail });
        broken = true;
      };
      let link: ChainLink;
      try {
        link = JSON.parse(body) as ChainLink;
      } catch {
        bad("chain link is not JSON");
        previous = sha(body);
        continue;
      }
      if (seq !== i) bad(`link ${i} is missing before link ${seq}`);
      else if (link.seq !== seq || link.previous_sha256 !== previous)
        bad(`does not follow link ${i - 1}: it names ${link.previous_sha256 ?? "no previous link"}`);
      latest.set(link.manifest, link);
      for (const f of link.replaces ?? []) replaced.set(f, seq);
      previous = sha(body);
    }
    if (chain.head === undefined) {
      results.push({ object: `${id} chain`, kind: "lake_chain", verdict: "chain_break", detail: "no signed head" });
    } else {
      const headKey = chain.head;
      const detail = await checkHead((await text(headKey)) ?? "", seqs.at(-1), previous, args.publicKey);
      const verdict = detail === undefined ? (broken ? "chain_break" : "valid") : detail.verdict;
      results.push({
        object: name(headKey),
        kind: "lake_chain",
        verdict,
        detail:
          detail?.text ?? (broken ? "head valid, but the links before it are broken" : "signed head, links intact"),
      });
    }
    // A file is expected as the latest link naming it recorded it, unless a later compaction link replaced it.
    const named = new Map<string, { seq: number; sha: string }>();
    for (const link of latest.values()) {
      expectedManifests.set(link.manifest, link.manifest_sha256);
      for (const [f, h] of Object.entries(link.files)) {
        const n = named.get(f);
        if (!n || n.seq < link.seq) named.set(f, { seq: link.seq, sha: h });
      }
    }
    for (const [f, n] of named) if ((replaced.get(f) ?? -1) < n.seq) expectedFiles.set(f, n.sha);
  }

  // Manifests: each as its latest link recorded it.
  let manifests = 0;
  const manifestKeys = keys.filter(
    (k) => (k.startsWith(MANIFEST_DIR) || k.startsWith(COMPACTION_DIR)) && k.endsWith(".json"),
  );
  for (const k of manifestKeys) {
    manifests++;
    const body = (await text(k)) ?? "";
    const want = expectedManifests.get(k);
    if (want === undefined) {
      let hashed = k.startsWith(COMPACTION_DIR);
      try {
        const m = parseManifest(body);
        hashed = m.file_sha256 !== undefined && m.files.length > 0;
      } catch {
        hashed = true;
      }
      results.push({
        object: name(k),
        kind: "manifest",
        verdict: hashed ? "added" : "unchecked",
        detail: hashed ? "no chain link records this manifest" : "written without file hashes or files: not chained",
      });
    } else if (sha(body) !== want) {
      results.push({
        object: name(k),
        kind: "manifest",
        verdict: "chain_break",
        detail: `manifest rewritten: its SHA-256 is ${sha(body)}, its chain link recorded ${want}`,
      });
    } else results.push({ object: name(k), kind: "manifest", verdict: "valid", detail: "as its chain link recorded" });
  }
  for (const [k] of expectedManifests) {
    if (!manifestKeys.includes(k))
      results.push({ object: name(k), kind: "manifest", verdict: "missing", detail: "recorded by a chain link" });
  }

  // Parquet files.
  let files = 0;
  let filesValid = 0;
  const present = new Set<string>();
  const hourOf = (k: string) => {
    const m = /\/dt=(\d{4}-\d{2}-\d{2})\/hour=(\d{1,2})\//.exec(k);
    return m ? `${m[1]}T${(m[2] as string).padStart(2, "0")}` : undefined;
  };
  for (const k of keys) {
    if (!lakeFileTableDay(k)) continue;
    files++;
    present.add(k);
    const want = expectedFiles.get(k);
    const bytes = await args.files.read(k);
    const got = bytes === undefined ? "" : sha(bytes);
    if (want === undefined) {
      results.push({
        object: name(k),
        kind: "parquet_file",
        verdict: "added",
        detail: "no chain link records it",
        hour: hourOf(k),
      });
    } else if (got !== want) {
      results.push({
        object: name(k),
        kind: "parquet_file",
        verdict: "modified",
        detail: `SHA-256 is ${got}; its chain link recorded ${want}`,
        hour: hourOf(k),
      });
    } else {
      filesValid++;
      results.push({
        object: name(k),
        kind: "parquet_file",
        verdict: "valid",
        detail: "hash matches its chain link",
        hour: hourOf(k),
      });
    }
  }
  for (const [k] of expectedFiles) {
    if (!present.has(k))
      results.push({
        object: name(k),
        kind: "parquet_file",
        verdict: "missing",
        detail: "recorded by a chain link",
        hour: hourOf(k),
      });
  }
  const sorted = sortResults(results);
  return {
    results: sorted,
    chains: chains.size,
    manifests,
    files,
    filesValid,
    findings: sorted.filter((r) => isFinding(r.verdict)).length,
  };
}

async function checkHead(
  body: string,
  lastSeq: number | undefined,
  lastLinkSha: string | null,
  publicKey: KeyObject | undefined,
): Promise<{ verdict: "chain_break" | "unchecked"; text: string } | undefined> {
  let head: ChainHead;
  try {
    head = JSON.parse(body) as ChainHead;
  } catch {
    return { verdict: "chain_break", text: "head is not JSON" };
  }
  if (head.seq !== lastSeq || head.link_sha256 !== lastLinkSha)
    return { verdict: "chain_break", text: `head names link ${head.seq} ${head.link_sha256}, not the last link` };
  if (head.signature === "") return { verdict: "unchecked", text: "head not signed: no signing key was configured" };
  if (!publicKey) return { verdict: "unchecked", text: `no public key to check the signature of ${head.key_id}` };
  const ok = verify("sha256", Buffer.from(chainHeadMessage(head)), publicKey, Buffer.from(head.signature, "hex"));
  return ok ? undefined : { verdict: "chain_break", text: `head signature does not match (${head.key_id})` };
}
