const V4 =
  /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail counts as two), or undefined. */
function v6Groups(text: string): number[] | undefined {
  if (text.length < 2 || text.length > 45) return undefined;
  let head = text;
  const lastColon = text.lastIndexOf(":");
  if (lastColon === -1) return undefined;
  if (text.indexOf(".", lastColon) !== -1) {
    // An IPv4 tail (`::ffff:192.0.2.1`) stands for the last two groups.
    const m = V4.exec(text.slice(lastColon + 1));
    if (!m) return undefined;
    const b = m.slice(1, 5).map(Number) as [number, number, number, number];
    head = `${text.slice(0, lastColon + 1)}${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === "") return [];
    const out: number[] = [];
    for (const g of part.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const left = parse(halves[0] as string);
  if (!left) return undefined;
  if (halves.length === 1) {
    return left.length === 8 ? left : undefined;
  }
  const right = parse(halves[1] as string);
  if (!right) return undefined;
  const fill = 8 - left.length - right.length;
  if (fill < 1) return undefined;
  return [...left, ...new Array<number>(fill).fill(0), ...right];
}

/** True when the text is exactly an IPv4 or IPv6 address. */
export function isIpAddress(text: string): boolean {
  return V4.test(text) || v6Groups(text) !== undefined;
}

/**
 * The network an address belongs to, as an address: IPv4 to its /24 (`203.0.113.0`), IPv6 to its /48
 * (`2001:db8:85a3::`; an IPv4-mapped address keeps its prefix and truncates the IPv4 part). Undefined for text that
 * is no address.
 */
export function truncateIp(text: string): string | undefined {
  const m = V4.exec(text);
  if (m) return `${m[1]}.${m[2]}.${m[3]}.0`;
  const g = v6Groups(text);
  if (!g) return undefined;
  const mapped = g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff;
  if (mapped) return `::ffff:${(g[6] as number) >> 8}.${(g[6] as number) & 255}.${(g[7] as number) >> 8}.0`;
  return `${g
    .slice(0, 3)
    .map((x) => x.toString(16))
    .join(":")}::`;
}
