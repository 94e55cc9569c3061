// The address arithmetic the lab needs (validating a topology, moving a host, and the text forms
// FreeBSD's network commands print), on top of the one parser in src/inventory/ip.ts.
import { formatIPv4, formatIPv6 as formatIPv6Value, parseAddress, parseIPv4, parseIPv6 as parseIPv6Value, prefixContains, type Family } from '../inventory/ip';

export type { Family };

export function isIPv4(s: string): boolean {
  return parseIPv4(s) !== undefined;
}

export function isIPv6(s: string): boolean {
  return parseIPv6Value(s) !== undefined;
}

export function family(addr: string): Family | null {
  return parseAddress(addr)?.family ?? null;
}

const groupsOf = (v: bigint) => Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(112 - 16 * i)) & 0xffffn));
const valueOf = (g: number[]) => g.reduce((acc, x) => (acc << 16n) | BigInt(x), 0n);

/** An IPv6 address as 8 groups, or null when it is not one (no zone index accepted). */
export function parseIPv6(s: string): number[] | null {
  const v = parseIPv6Value(s);
  return v === undefined ? null : groupsOf(v);
}

/** RFC 5952 text form, as both FreeBSD and iproute2 print it. */
export function formatIPv6(g: number[]): string {
  return formatIPv6Value(valueOf(g));
}

export function normalizeIPv6(s: string): string {
  const v = parseIPv6Value(s);
  return v === undefined ? s : formatIPv6Value(v);
}

const mask = (bits: number, len: number) => (len === 0 ? 0n : (((1n << BigInt(bits)) - 1n) >> BigInt(bits - len)) << BigInt(bits - len));

/** The network address of addr/len ("192.0.2.7", 24 → "192.0.2.0"); addr itself when it is not an address. */
export function networkOf(addr: string, len: number): string {
  const a = parseAddress(addr);
  if (!a) return addr;
  return a.family === 4 ? formatIPv4(a.value & mask(32, len)) : formatIPv6Value(a.value & mask(128, len));
}

/** FreeBSD prints IPv4 netmasks as 0xffffff00. */
export function hexNetmask(len: number): string {
  return '0x' + mask(32, len).toString(16).padStart(8, '0');
}

/** Dotted netmask of an IPv4 prefix length (24 → 255.255.255.0), as rc.conf and route print it. */
export function dottedNetmask(len: number): string {
  return formatIPv4(mask(32, len));
}

/** Prefix length from a netmask in dotted (255.255.255.0) or hex (0xffffff00) form; null if not contiguous. */
export function netmaskToLen(text: string): number | null {
  const n = /^0x[0-9a-fA-F]{1,8}$/.test(text) ? BigInt(text) : parseIPv4(text);
  if (n === undefined) return null;
  for (let len = 0; len <= 32; len++) if (mask(32, len) === n) return len;
  return null;
}

/** IPv6 mask in FreeBSD's `route get` form (ffff:ffff:ffff::). */
export function ipv6Mask(len: number): string {
  return formatIPv6Value(mask(128, len));
}

export function isLinkLocal6(addr: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(addr);
}

/** "198.51.100.10/24" → { addr, prefixlen }. */
export function splitCidr(cidr: string): { addr: string; prefixlen: number } {
  const [addr, len] = cidr.split('/');
  return { addr, prefixlen: Number(len) };
}

/** Whether addr (no prefix length) lies inside the prefix "net/len" of the same family. */
export function inPrefix(addr: string, prefix: string): boolean {
  const a = parseAddress(addr);
  try {
    return a !== undefined && prefixContains(prefix, a);
  } catch {
    return false;
  }
}

/** The address made of prefix's network bits and addr's host bits (same family), compressed. */
export function withHostPart(prefix: string, addr: string): string {
  const { addr: net, prefixlen } = splitCidr(prefix);
  const n = parseAddress(net);
  const h = parseAddress(addr);
  if (!n || !h || n.family !== h.family) throw new Error(`${addr} and ${prefix} are not addresses of one family`);
  const bits = n.family === 4 ? 32 : 128;
  const m = mask(bits, prefixlen);
  const v = (n.value & m) | (h.value & ~m & ((1n << BigInt(bits)) - 1n));
  return n.family === 4 ? formatIPv4(v) : formatIPv6Value(v);
}
