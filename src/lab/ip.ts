// Small address arithmetic the lab needs to validate a topology and to move a host between
// segments: "is this address inside that prefix", for IPv4 and IPv6.
import { isIPv4, isIPv6 } from 'net';

function v4ToBig(addr: string): bigint {
  return addr.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function v6ToBig(addr: string): bigint {
  let text = addr;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = v4ToBig(v4[1]);
    text = text.slice(0, -v4[1].length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === null ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

export type Family = 4 | 6;

export function family(addr: string): Family | null {
  if (isIPv4(addr)) return 4;
  if (isIPv6(addr)) return 6;
  return null;
}

/** "198.51.100.10/24" → { addr, prefixlen }. */
export function splitCidr(cidr: string): { addr: string; prefixlen: number } {
  const [addr, len] = cidr.split('/');
  return { addr, prefixlen: Number(len) };
}

/** Whether addr (no prefix length) lies inside the prefix "net/len" of the same family. */
export function inPrefix(addr: string, prefix: string): boolean {
  const { addr: net, prefixlen } = splitCidr(prefix);
  const f = family(addr);
  if (f === null || f !== family(net)) return false;
  const bits = f === 4 ? 32 : 128;
  const toBig = f === 4 ? v4ToBig : v6ToBig;
  const shift = BigInt(bits - prefixlen);
  return toBig(addr) >> shift === toBig(net) >> shift;
}

/** Dotted netmask of an IPv4 prefix length (24 → 255.255.255.0), as FreeBSD's rc.conf writes it. */
export function netmask4(prefixlen: number): string {
  const n = prefixlen === 0 ? 0 : (0xffffffff << (32 - prefixlen)) >>> 0;
  return [24, 16, 8, 0].map((s) => (n >>> s) & 0xff).join('.');
}

/** The address made of prefix's network bits and addr's host bits (same family), compressed. */
export function withHostPart(prefix: string, addr: string): string {
  const { addr: net, prefixlen } = splitCidr(prefix);
  const f = family(net);
  const bits = f === 4 ? 32 : 128;
  const toBig = f === 4 ? v4ToBig : v6ToBig;
  const hostMask = (1n << BigInt(bits - prefixlen)) - 1n;
  const n = (toBig(net) & ~hostMask) | (toBig(addr) & hostMask);
  if (f === 4) return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1); // the WHATWG URL parser compresses
}
