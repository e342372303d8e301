import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from "node:crypto";
import type { ChainSigner } from "@app/core/integrity/lake";
import {
  type ChainHead,
  type ChainLink,
  type CompactionManifest,
  chainDir,
  chainHeadKey,
  chainHeadMessage,
  chainLinkKey,
  type IngestManifest,
  LOCAL_SIGNING_KEY,
  LOCAL_SIGNING_PUBLIC_KEY,
  lakeFileTableDay,
  parseChainKey,
  serializeChainRecord,
} from "@app/core/lake-layout";
import type { LakeStore } from "./store.ts";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** A store that signs nothing: heads are written with an empty signature, which `verify --lake` reports. */
export const UNSIGNED: ChainSigner = { keyId: "unsigned", sign: async () => new Uint8Array() };

/**
 * The embedded lake's signer: an ECDSA P-256 key kept in the lake (`LOCAL_SIGNING_KEY`, its public half beside it),
 * generated on first use. Anyone who can write the lake can also re-sign it; keep the key elsewhere (`keyPath`
 * outside the lake) for evidence against its writers.
 */
export async function localChainSigner(store: LakeStore, keyPath = LOCAL_SIGNING_KEY): Promise<ChainSigner> {
  let pem = await store.getText(keyPath);
  if (pem === undefined) {
    const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
    pem = pair.privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    await store.putText(keyPath, pem);
    await store.putText(LOCAL_SIGNING_PUBLIC_KEY, pair.publicKey.export({ type: "spki", format: "pem" }) as string);
  }
  const key = createPrivateKey(pem);
  const publicDer = createPublicKey(key).export({ type: "spki", format: "der" });
  return {
    keyId: `local:${createHash("sha256").update(publicDer).digest("hex")}`,
    sign: async (message) => sign("sha256", message, key),
  };
}

// One chain update at a time per table and day in this process: links are numbered from the head they follow.
const locks = new Map<string, Promise<void>>();

function serialized(id: string, fn: () => Promise<void>): Promise<void> {
  const prev = locks.get(id) ?? Promise.resolve();
  const next = prev.catch(() => undefined).then(fn);
  locks.set(id, next);
  return next.finally(() => {
    if (locks.get(id) === next) locks.delete(id);
  });
}

/**
 * Appends a link for a just-written manifest to the chain of each table and day it has files in, and of each it had
 * files in before this write (an empty link: a re-ingest moved its rows away), then signs each new head.
 */
export async function appendChainLinks(
  store: LakeStore,
  args: { key: string; text: string; manifest: IngestManifest; earlier: IngestManifest | undefined },
): Promise<void> {
  const hashes = args.manifest.file_sha256;
  if (hashes === undefined) return;
  const groups = new Map<string, { table: string; dt: string; files: Record<string, string> }>();
  const group = (f: string) => {
    const td = lakeFileTableDay(f);
    if (!td) return undefined;
    const id = `${td.table}/${td.dt}`;
    const g = groups.get(id) ?? { ...td, files: {} };
    groups.set(id, g);
    return g;
  };
  for (const f of [...(args.earlier?.files ?? []), ...(args.earlier?.stale_files ?? [])]) group(f);
  for (const f of [...args.manifest.files].sort()) {
    const g = group(f);
    if (g) g.files[f] = hashes[f] ?? "";
  }
  const manifestSha = sha256(args.text);
  const signer = await store.chainSigner();
  for (const g of groups.values()) {
    await serialized(`${store.location}\n${g.table}\n${g.dt}`, () =>
      appendLink(store, signer, g, args.key, manifestSha),
    );
  }
}

/**
 * Appends the link of a just-written compaction manifest to its table and day's chain: the merged files with their
 * SHA-256 and the files they replace, signed like an ingest's link.
 */
export async function appendCompactionLink(
  store: LakeStore,
  args: { key: string; text: string; manifest: CompactionManifest },
): Promise<void> {
  const m = args.manifest;
  const files = Object.fromEntries([...m.files].sort().map((f) => [f, m.file_sha256[f] ?? ""]));
  const signer = await store.chainSigner();
  const g = { table: m.table, dt: m.dt, files, replaces: [...m.replaces].sort() };
  await serialized(`${store.location}\n${m.table}\n${m.dt}`, () =>
    appendLink(store, signer, g, args.key, sha256(args.text)),
  );
}

async function appendLink(
  store: LakeStore,
  signer: ChainSigner,
  g: { table: string; dt: string; files: Record<string, string>; replaces?: string[] },
  manifest: string,
  manifestSha: string,
): Promise<void> {
  const headText = await store.getText(chainHeadKey(g.table, g.dt));
  const head = headText === undefined ? undefined : (JSON.parse(headText) as ChainHead);
  let seq = 0;
  let previous: string | null = null;
  if (head) {
    const last = await store.getText(chainLinkKey(g.table, g.dt, head.seq));
    const lastLink = last === undefined ? undefined : (JSON.parse(last) as ChainLink);
    // A redelivery that rewrote the same manifest and files adds nothing.
    if (lastLink?.manifest === manifest && lastLink.manifest_sha256 === manifestSha) return;
    seq = head.seq + 1;
    previous = head.link_sha256;
  } else {
    // No head: never renumber links already there (a deleted head must not let new links overwrite old ones).
    const existing = (await store.list(chainDir(g.table, g.dt)))
      .map((k) => parseChainKey(k)?.seq)
      .filter((s): s is number => s !== undefined);
    if (existing.length > 0) {
      seq = Math.max(...existing) + 1;
      previous = sha256((await store.getText(chainLinkKey(g.table, g.dt, seq - 1))) ?? "");
    }
  }
  const link: ChainLink = {
    table: g.table,
    dt: g.dt,
    seq,
    previous_sha256: previous,
    manifest,
    manifest_sha256: manifestSha,
    files: g.files,
    ...(g.replaces !== undefined ? { replaces: g.replaces } : {}),
  };
  const linkText = serializeChainRecord(link);
  await store.putText(chainLinkKey(g.table, g.dt, seq), linkText);
  const unsigned = { table: g.table, dt: g.dt, seq, link_sha256: sha256(linkText) };
  const signature = Buffer.from(await signer.sign(Buffer.from(chainHeadMessage(unsigned)))).toString("hex");
  const newHead: ChainHead = { ...unsigned, signature, key_id: signer.keyId };
  await store.putText(chainHeadKey(g.table, g.dt), serializeChainRecord(newHead));
}
