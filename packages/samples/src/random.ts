/**
 * The integer source behind an `Rng`: sfc32 (seed expanded by splitmix32) by default; mulberry32 for the fixture lake,
 * whose committed logs were drawn from it and whose expected query results pin those exact values.
 */
export type RngAlgorithm = "sfc32" | "mulberry32";

/**
 * The one seeded pseudo-random number generator of every sample-data generator (demo logs, benchmark data, fixture
 * lake). Everything is integer arithmetic, so the same seed gives the same bytes on every machine and Node version;
 * no Math.random, no clock and no transcendental functions whose last bits could differ between platforms.
 */
export class Rng {
  /** Uniform 32-bit unsigned integer. */
  readonly u32: () => number;
  private readonly algorithm: RngAlgorithm;

  /** Creates a generator from a 32-bit seed, or from a string hashed to one. */
  constructor(seed: number | string, algorithm: RngAlgorithm = "sfc32") {
    const s = typeof seed === "number" ? seed >>> 0 : hashString(seed);
    this.algorithm = algorithm;
    this.u32 = algorithm === "sfc32" ? sfc32(s) : mulberry32(s);
  }

  /** An independent generator derived from this seed and a label, so adding draws in one stream never shifts another. */
  fork(label: string): Rng {
    return new Rng((this.u32() ^ hashString(label)) >>> 0, this.algorithm);
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.float() * items.length)];
    if (item === undefined) throw new RangeError("pick from an empty list");
    return item;
  }

  /** One element of a non-empty list of `[item, weight]` pairs, chosen with probability proportional to weight. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let r = this.float() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    const last = items[items.length - 1];
    if (last === undefined) throw new RangeError("weighted pick from an empty list");
    return last[0];
  }

  /** Roughly bell-shaped integer around `mean` (sum of four uniforms), never below zero. */
  around(mean: number, spread: number): number {
    const u = (this.float() + this.float() + this.float() + this.float() - 2) / 2;
    return Math.max(0, Math.round(mean + u * spread));
  }

  /** A skewed positive value: mostly near `typical`, with a long tail up to `typical * tail`. */
  skewed(typical: number, tail: number): number {
    const u = this.float();
    return typical * (0.3 + 0.7 * this.float()) * (1 + (tail - 1) * u * u * u * u);
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1));
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  /** `n` characters drawn from `alphabet`. */
  chars(n: number, alphabet: string): string {
    let out = "";
    for (let i = 0; i < n; i++) out += alphabet[Math.floor(this.float() * alphabet.length)];
    return out;
  }

  /** `n` lowercase hex digits. */
  hex(n: number): string {
    return this.chars(n, "0123456789abcdef");
  }

  /** A random (version 4) UUID in lowercase. */
  uuid(): string {
    const h = this.hex(32);
    const variant = "89ab"[this.u32() & 3];
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

function sfc32(seed: number): () => number {
  let s = seed;
  const splitmix = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

function mulberry32(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** FNV-1a hash of a string to 32 bits, for string seeds and fork labels. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Upper-case letters and digits, as in CloudFront ids and access key ids. */
export const UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/** Mixed-case letters and digits, as in CloudTrail file-name suffixes and request ids. */
export const MIXED_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
