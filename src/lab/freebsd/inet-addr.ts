// Address arithmetic the network commands need: parsing and printing IPv4/IPv6 addresses,
// prefixes, FreeBSD's hex netmasks, and the network part of an address.

export function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/** An IPv6 address as 8 groups, or null when it is not one (no zone index accepted). */
export function parseIPv6(s: string): number[] | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(':')) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (isIPv4(g)) {
        const b = g.split('.').map(Number);
        out.push((b[0] << 8) | b[1], (b[2] << 8) | b[3]);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) out.push(parseInt(g, 16));
      else return null;
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  if (head.length + tail.length > 7) return null;
  return [...head, ...new Array(8 - head.length - tail.length).fill(0), ...tail];
}

export function isIPv6(s: string): boolean {
  return parseIPv6(s) !== null;
}

/** RFC 5952 text form, as both FreeBSD and iproute2 print it. */
export function formatIPv6(g: number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return hex.slice(0, best).join(':') + '::' + hex.slice(best + bestLen).join(':');
}

export function normalizeIPv6(s: string): string {
  const g = parseIPv6(s);
  return g ? formatIPv6(g) : s;
}

function v4ToInt(s: string): number {
  return s.split('.').reduce((acc, p) => ((acc << 8) | Number(p)) >>> 0, 0);
}

function intToV4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 0xff).join('.');
}

/** The network address of addr/len ("192.0.2.7", 24 → "192.0.2.0"). */
export function networkOf(addr: string, len: number): string {
  if (isIPv4(addr)) {
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    return intToV4((v4ToInt(addr) & mask) >>> 0);
  }
  const g = parseIPv6(addr);
  if (!g) return addr;
  return formatIPv6(
    g.map((x, i) => {
      const bits = Math.max(0, Math.min(16, len - i * 16));
      return bits === 0 ? 0 : x & ((0xffff << (16 - bits)) & 0xffff);
    }),
  );
}

/** FreeBSD prints IPv4 netmasks as 0xffffff00. */
export function hexNetmask(len: number): string {
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return '0x' + mask.toString(16).padStart(8, '0');
}

/** Prefix length from a netmask in dotted (255.255.255.0) or hex (0xffffff00) form; null if not contiguous. */
export function netmaskToLen(mask: string): number | null {
  let n: number;
  if (/^0x[0-9a-fA-F]{1,8}$/.test(mask)) n = parseInt(mask, 16) >>> 0;
  else if (isIPv4(mask)) n = v4ToInt(mask);
  else return null;
  const len = n === 0 ? 0 : 32 - Math.log2((~n >>> 0) + 1);
  return Number.isInteger(len) ? len : null;
}

/** IPv6 mask in FreeBSD's `route get` form (ffff:ffff:ffff::). */
export function ipv6Mask(len: number): string {
  return formatIPv6(
    Array.from({ length: 8 }, (_, i) => {
      const bits = Math.max(0, Math.min(16, len - i * 16));
      return bits === 0 ? 0 : (0xffff << (16 - bits)) & 0xffff;
    }),
  );
}

export function dottedNetmask(len: number): string {
  return intToV4(len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0);
}

export function isLinkLocal6(addr: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(addr);
}
