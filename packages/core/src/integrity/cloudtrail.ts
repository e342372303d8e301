import { createHash, verify } from "node:crypto";
import { partitionId } from "../lake-layout.ts";
import { isIsoUtc } from "../time.ts";
import type { PublicKeys } from "./public-keys.ts";
import { type IntegrityResult, isFinding, sortResults, type Verdict } from "./results.ts";

// CloudTrail log file integrity validation as the CloudTrail user guide documents it for custom validators
// ("Custom implementations of CloudTrail log file integrity validation"): a digest's signature, hex in the object's
// `x-amz-meta-signature`, is SHA256withRSA over the data signing string below; the digest and log file hashes are
// hex SHA-256 over the uncompressed files; each digest names its predecessor's key, hash and signature.

/** The objects of a trail bucket (or a copy of one): keys relative to the root, bytes uncompressed. */
export interface TrailObjects {
  /** Every object key under the root, S3-style (`AWSLogs/…`, with any prefix). */
  keys(): Promise<readonly string[]>;
  /** The object's uncompressed bytes, or undefined when it is absent. */
  read(key: string): Promise<Uint8Array | undefined>;
  /** The object's `x-amz-meta-signature` (hex), when it has one. */
  signature(key: string): Promise<string | undefined>;
  /** How a key is named in results: `s3://bucket/key` or a file path. */
  describe(key: string): string;
}

/** The fields of a digest file the validation reads. */
interface DigestBody {
  digestStartTime?: unknown;
  digestEndTime?: unknown;
  digestS3Bucket?: unknown;
  digestS3Object?: unknown;
  digestPublicKeyFingerprint?: unknown;
  digestSignatureAlgorithm?: unknown;
  previousDigestS3Object?: unknown;
  previousDigestHashValue?: unknown;
  previousDigestSignature?: unknown;
  logFiles?: unknown;
}

const DIGEST_NAME = /^(.*_CloudTrail-Digest_.+_)(\d{8}T\d{6}Z)(_backfill)?\.json(?:\.gz)?$/;
const LOG_NAME =
  /(?:^|\/)(\d{12})_CloudTrail(?:-Insight)?_([a-z0-9-]+)_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_[A-Za-z0-9]+\.json(?:\.gz)?$/;
const DIGEST_ACCOUNT_REGION = /(?:^|\/)(\d{12})_CloudTrail-Digest_([a-z0-9-]+)_/;

/**
 * The data signing string of a digest: its end time, `bucket/object`, the hex SHA-256 of the uncompressed digest
 * file and the previous digest's hex signature (the text `null` in a chain's first digest), separated by `\n`.
 */
export function digestSigningString(args: {
  digestEndTime: string;
  digestS3Bucket: string;
  digestS3Object: string;
  digestSha256: string;
  previousDigestSignature: string | null;
}): string {
  return [
    args.digestEndTime,
    `${args.digestS3Bucket}/${args.digestS3Object}`,
    args.digestSha256,
    args.previousDigestSignature ?? "null",
  ].join("\n");
}

/** Hex SHA-256 of bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** What `verifyCloudTrail` found: every result, and the figures a report states. */
export interface TrailVerification {
  results: IntegrityResult[];
  /** Per UTC hour of the digests: `valid`, or the findings' verdicts. */
  hours: { hour: string; verdicts: Verdict[] }[];
  digests: number;
  logFiles: number;
  logFilesValid: number;
  findings: number;
}

interface LoadedDigest {
  key: string;
  body: DigestBody;
  sha256: string;
  signature: string | undefined;
  chain: string;
  backfill: boolean;
  endTime: string;
  problems: string[];
  /** Set on a digest that starts a chain again after others. */
  restart?: string;
}

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

/** Runs `fn` over items, at most `limit` at a time, keeping their order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

/**
 * Validates every CloudTrail digest and log file under a root: each digest's signature against the public key its
 * fingerprint names, its place at its original location, the chain through `previousDigest*`, and every listed log
 * file's hash. Log files no digest lists are `not_covered` inside the time their account and region's digests span,
 * `unchecked` outside it. Backfill digests (`_backfill`) are checked like others but stand outside the hourly chain.
 */
export async function verifyCloudTrail(args: {
  objects: TrailObjects;
  keys: PublicKeys;
  concurrency?: number;
}): Promise<TrailVerification> {
  const { objects } = args;
  const limit = args.concurrency ?? 8;
  const all = await objects.keys();
  const keySet = new Set(all);
  // A digest names objects by their original key; a copy may sit under another prefix, so the part from `AWSLogs/`
  // on finds them too.
  const fromAwsLogs = new Map<string, string>();
  for (const k of all) {
    const i = k.indexOf("AWSLogs/");
    if (i >= 0 && !fromAwsLogs.has(k.slice(i))) fromAwsLogs.set(k.slice(i), k);
  }
  const resolve = (object: string): string | undefined => {
    if (keySet.has(object)) return object;
    const i = object.indexOf("AWSLogs/");
    return i >= 0 ? fromAwsLogs.get(object.slice(i)) : undefined;
  };
  const results: IntegrityResult[] = [];
  const digestKeys = all.filter((k) => DIGEST_NAME.test(k));
  const logKeys = all.filter((k) => LOG_NAME.test(k) && !DIGEST_NAME.test(k));

  const loaded = await mapLimited(digestKeys, limit, async (key): Promise<LoadedDigest> => {
    // The chain is the trail's digest name without its time, across the date folders.
    const m = DIGEST_NAME.exec(key.replace(/\/\d{4}\/\d{2}\/\d{2}\/(?=[^/]*$)/, "/")) as RegExpExecArray;
    const bytes = (await objects.read(key)) ?? new Uint8Array();
    const d: LoadedDigest = {
      key,
      body: {},
      sha256: sha256Hex(bytes),
      signature: await objects.signature(key),
      chain: m[1] as string,
      backfill: m[3] !== undefined,
      endTime: "",
      problems: [],
    };
    try {
      const body = JSON.parse(Buffer.from(bytes).toString("utf8")) as unknown;
      if (typeof body === "object" && body !== null && !Array.isArray(body)) d.body = body as DigestBody;
      else d.problems.push("not a digest file");
    } catch {
      d.problems.push("not a digest file (not JSON)");
    }
    d.endTime = str(d.body.digestEndTime) ?? "";
    if (d.problems.length === 0) await checkSignature(d, args.keys);
    return d;
  });

  // Chains: the digests of one trail, account and region in end-time order; backfill digests stand apart.
  const chains = new Map<string, LoadedDigest[]>();
  for (const d of loaded) {
    if (d.backfill || d.endTime === "") continue;
    chains.set(d.chain, [...(chains.get(d.chain) ?? []), d]);
  }
  const byKey = new Map(loaded.map((d) => [d.key, d]));
  const stopped = new Set<LoadedDigest>();
  for (const chain of chains.values()) {
    chain.sort((a, b) => a.endTime.localeCompare(b.endTime));
    const named = new Set<string>();
    chain.forEach((d, i) => {
      const prevObject = str(d.body.previousDigestS3Object);
      const prevSignature = str(d.body.previousDigestSignature);
      if (prevObject === null || prevSignature === null) {
        if (i > 0) {
          const before = chain[i - 1] as LoadedDigest;
          d.restart = `chain restarts here after ${before.endTime}: logging was off in between`;
          stopped.add(before);
        }
        return;
      }
      const prevKey = resolve(prevObject);
      const prev = prevKey === undefined ? undefined : byKey.get(prevKey);
      if (!prev) {
        if (i === 0) {
          results.push({
            object: prevObject,
            kind: "digest",
            verdict: "unchecked",
            detail: `named as previous digest by ${objects.describe(d.key)} but not among the objects examined`,
          });
        } else {
          results.push({
            object: prevObject,
            kind: "digest",
            verdict: "chain_break",
            detail: `digest missing: ${objects.describe(d.key)} names it as its previous digest`,
            hour: hourOf(d.endTime),
          });
        }
        return;
      }
      named.add(prev.key);
      if (prev.sha256 !== str(d.body.previousDigestHashValue)) {
        prev.problems.push(`its SHA-256 ${prev.sha256} is not the previousDigestHashValue of the next digest`);
      }
      if (prev.signature !== undefined && prev.signature !== prevSignature) {
        prev.problems.push("its signature is not the previousDigestSignature of the next digest");
      }
    });
    // A digest the next one skips (naming an earlier digest that exists) was put into the chain from outside.
    chain.forEach((d, i) => {
      const next = chain[i + 1];
      const nextPrevObject = next === undefined ? null : str(next.body.previousDigestS3Object);
      const nextPrev = nextPrevObject === null ? undefined : resolve(nextPrevObject);
      if (nextPrev !== undefined && nextPrev !== d.key && byKey.has(nextPrev) && !named.has(d.key)) {
        d.problems.push(`the next digest skips it: it names ${objects.describe(nextPrev)}`);
      }
    });
  }

  // Log files listed by each digest.
  const covered = new Set<string>();
  const listed: { digest: LoadedDigest; object: string; hash: string | null }[] = [];
  for (const d of loaded) {
    const files = Array.isArray(d.body.logFiles) ? d.body.logFiles : [];
    for (const f of files as unknown[]) {
      const o = typeof f === "object" && f !== null ? (f as Record<string, unknown>) : {};
      const object = str(o.s3Object);
      if (object === null) {
        d.problems.push("lists a log file without s3Object");
        continue;
      }
      listed.push({ digest: d, object, hash: str(o.hashValue) });
    }
  }
  let logFilesValid = 0;
  const logResults = await mapLimited(listed, limit, async (l): Promise<IntegrityResult> => {
    const key = resolve(l.object);
    const hour = hourOf(l.digest.endTime);
    if (key === undefined) {
      return {
        object: l.object,
        kind: "log_file",
        verdict: "missing",
        detail: `listed by ${objects.describe(l.digest.key)} but absent`,
        hour,
      };
    }
    covered.add(key);
    const bytes = await objects.read(key);
    if (bytes === undefined) {
      return { object: objects.describe(key), kind: "log_file", verdict: "missing", detail: "absent", hour };
    }
    const actual = sha256Hex(bytes);
    if (actual !== l.hash) {
      return {
        object: objects.describe(key),
        kind: "log_file",
        verdict: "modified",
        detail: `SHA-256 of the uncompressed file is ${actual}; ${objects.describe(l.digest.key)} lists ${l.hash}`,
        hour,
      };
    }
    logFilesValid++;
    return {
      object: objects.describe(key),
      kind: "log_file",
      verdict: "valid",
      detail: `hash matches ${objects.describe(l.digest.key)}`,
      hour,
    };
  });
  results.push(...logResults);

  // Log files no digest lists: findings inside the span of their account and region's digests.
  const spans = new Map<string, { start: string; end: string }>();
  for (const d of loaded) {
    const m = DIGEST_ACCOUNT_REGION.exec(d.key);
    const start = str(d.body.digestStartTime);
    if (!m || start === null || d.endTime === "") continue;
    const id = `${m[1]}/${m[2]}`;
    const s = spans.get(id);
    spans.set(id, { start: s && s.start < start ? s.start : start, end: s && s.end > d.endTime ? s.end : d.endTime });
  }
  for (const key of logKeys) {
    if (covered.has(key)) continue;
    const m = LOG_NAME.exec(key) as RegExpExecArray;
    const at = `${m[3]}-${m[4]}-${m[5]}T${m[6]}:${m[7]}:00Z`;
    const span = spans.get(`${m[1]}/${m[2]}`);
    const inside = span !== undefined && span.start <= at && at <= span.end;
    results.push({
      object: objects.describe(key),
      kind: "log_file",
      verdict: inside ? "not_covered" : "unchecked",
      detail: inside
        ? `delivered ${at}, inside the span of the digests of ${m[1]}/${m[2]}, but no digest lists it`
        : span === undefined
          ? `no digests for account ${m[1]} in ${m[2]}`
          : `delivered ${at}, outside the span of the digests of ${m[1]}/${m[2]} (${span.start} to ${span.end})`,
      hour: isIsoUtc(at) ? partitionId(at) : undefined,
    });
  }

  for (const d of loaded) {
    const verdict: Verdict =
      d.problems.length > 0 ? "chain_break" : d.restart ? "started" : stopped.has(d) ? "stopped" : "valid";
    const said = [...d.problems, ...(d.restart ? [d.restart] : [])];
    const detail =
      said.length > 0
        ? said.join("; ")
        : verdict === "stopped"
          ? "last digest before the chain restarts: logging stopped after it"
          : d.backfill
            ? "backfill digest: signature valid"
            : "signature valid, chain intact";
    results.push({ object: objects.describe(d.key), kind: "digest", verdict, detail, hour: hourOf(d.endTime) });
  }

  const sorted = sortResults(results);
  const hourVerdicts = new Map<string, Set<Verdict>>();
  for (const r of sorted) {
    if (r.hour === undefined || r.verdict === "unchecked") continue;
    const set = hourVerdicts.get(r.hour) ?? new Set<Verdict>();
    set.add(r.verdict);
    hourVerdicts.set(r.hour, set);
  }
  const hours = [...hourVerdicts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([hour, set]) => {
      const bad = [...set].filter(isFinding).sort();
      return { hour, verdicts: bad.length > 0 ? bad : (["valid"] as Verdict[]) };
    });
  return {
    results: sorted,
    hours,
    digests: loaded.length,
    logFiles: listed.length,
    logFilesValid,
    findings: sorted.filter((r) => isFinding(r.verdict)).length,
  };
}

function hourOf(iso: string): string | undefined {
  return isIsoUtc(iso) ? partitionId(iso) : undefined;
}

async function checkSignature(d: LoadedDigest, keys: PublicKeys): Promise<void> {
  const b = d.body;
  const bucket = str(b.digestS3Bucket);
  const object = str(b.digestS3Object);
  const fingerprint = str(b.digestPublicKeyFingerprint);
  if (!isIsoUtc(d.endTime) || bucket === null || object === null || fingerprint === null) {
    d.problems.push("digest lacks digestEndTime, digestS3Bucket, digestS3Object or digestPublicKeyFingerprint");
    return;
  }
  const fromAwsLogs = (k: string) => k.slice(Math.max(0, k.indexOf("AWSLogs/")));
  if (d.key !== object && fromAwsLogs(d.key) !== fromAwsLogs(object)) {
    d.problems.push(`not at its original location: it names ${object}`);
  }
  if (b.digestSignatureAlgorithm !== "SHA256withRSA") {
    d.problems.push(`unsupported digestSignatureAlgorithm ${String(b.digestSignatureAlgorithm)}`);
    return;
  }
  if (d.signature === undefined || !/^(?:[0-9a-fA-F]{2})+$/.test(d.signature)) {
    d.problems.push("no hex x-amz-meta-signature");
    return;
  }
  const key = await keys.find(fingerprint, d.endTime);
  if (!key) {
    d.problems.push(`signed by an unknown key: no public key ${fingerprint} valid at ${d.endTime}`);
    return;
  }
  const data = digestSigningString({
    digestEndTime: d.endTime,
    digestS3Bucket: bucket,
    digestS3Object: object,
    digestSha256: d.sha256,
    previousDigestSignature: str(b.previousDigestSignature),
  });
  if (!verify("sha256", Buffer.from(data, "utf8"), key, Buffer.from(d.signature, "hex"))) {
    d.problems.push(`signature does not match (key ${fingerprint})`);
  }
}
