// IPv4/IPv6 addresses and prefixes: strict parsing, containment and the canonical text form.
// Canonical IPv6 text is RFC 5952 (lowercase, longest zero run compressed), which is what
// FreeBSD's inet_ntop prints in ifconfig/netstat output, so normalized inventory values compare
// equal to what a host reports.

export type Family = 4 | 6;

export interface Address {
  family: Family;
  /** the address as an unsigned integer (32 or 128 bits) */
  value: bigint;
}

export interface Prefix extends Address {
  length: number;
}

export type PrefixResult = { ok: true; prefix: Prefix } | { ok: false; reason: string };

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

/** Dotted quad; leading zeros are refused because inet_aton(3) would read "010" as octal. */
export function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

/** RFC 4291 text form, including "::" and a trailing dotted quad; no zone index (%ifname). */
export function parseIPv6(text: string): bigint | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return undefined;
  // a trailing dotted quad stands for the last two groups: rewrite it as hex and parse once
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.includes('.', lastColon)) {
    const tail = parseIPv4(text.slice(lastColon + 1));
    if (tail === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}${(tail >> 16n).toString(16)}:${(tail & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const split = (s: string) => (s === '' ? [] : s.split(':'));
  const head = split(halves[0]);
  const rest = halves.length === 2 ? split(halves[1]) : [];
  if (![...head, ...rest].every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return undefined;
  const explicit = head.length + rest.length;
  let groups: string[];
  if (halves.length === 2) {
    if (explicit > 7) return undefined; // "::" stands for at least one zero group
    groups = [...head, ...Array<string>(8 - explicit).fill('0'), ...rest];
  } else {
    if (explicit !== 8) return undefined;
    groups = head;
  }
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(parseInt(g, 16));
  return value;
}

export function parseAddress(text: string): Address | undefined {
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = parseIPv6(text);
  if (v6 !== undefined) return { family: 6, value: v6 };
  return undefined;
}

export function formatIPv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
}

export function formatIPv6(value: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  // longest run of two or more zero groups; the first one wins a tie (RFC 5952 §4.2.3)
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (best < 0) return hex(groups);
  return `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
}

export function formatAddress(a: Address): string {
  return a.family === 4 ? formatIPv4(a.value) : formatIPv6(a.value);
}

/** The canonical text of a valid address; throws on anything else. */
export function normalizeAddress(text: string): string {
  const a = parseAddress(text);
  if (!a) throw new Error(`not an IP address: ${JSON.stringify(text)}`);
  return formatAddress(a);
}

function mask(family: Family, length: number): bigint {
  const bits = BigInt(BITS[family]);
  const all = (1n << bits) - 1n;
  return (all << (bits - BigInt(length))) & all;
}

/** "addr/len" with the length in range for the family; host bits may be set (an interface address). */
export function parseAddressWithLength(text: string, family?: Family): PrefixResult {
  const m = /^([^/]+)\/(0|[1-9][0-9]{0,2})$/.exec(text);
  if (!m) return { ok: false, reason: 'is not of the form address/length' };
  const addr = parseAddress(m[1]);
  if (!addr) return { ok: false, reason: `${JSON.stringify(m[1])} is not an IP address` };
  if (family && addr.family !== family) return { ok: false, reason: `is not an IPv${family} address` };
  const length = Number(m[2]);
  if (length > BITS[addr.family]) {
    return { ok: false, reason: `prefix length ${length} is out of range 0..${BITS[addr.family]}` };
  }
  return { ok: true, prefix: { ...addr, length } };
}

/** A network prefix: like parseAddressWithLength, but the host bits must be zero. */
export function parsePrefix(text: string, family?: Family): PrefixResult {
  const r = parseAddressWithLength(text, family);
  if (!r.ok) return r;
  const { prefix } = r;
  const network = prefix.value & mask(prefix.family, prefix.length);
  if (network !== prefix.value) {
    const fixed = formatPrefix({ ...prefix, value: network });
    return { ok: false, reason: `has host bits set (the network is ${fixed})` };
  }
  return r;
}

export function formatPrefix(p: Prefix): string {
  return `${formatAddress(p)}/${p.length}`;
}

/** The network an interface address is on: 203.0.113.130/25 → 203.0.113.128/25; throws on anything else. */
export function networkOf(addressWithLength: string): string {
  const p = parseOrThrow(addressWithLength);
  return formatPrefix({ ...p, value: p.value & mask(p.family, p.length) });
}

/** The canonical text of a valid prefix; throws on anything else. */
export function normalizePrefix(text: string): string {
  const r = parsePrefix(text);
  if (!r.ok) throw new Error(`not a prefix: ${JSON.stringify(text)} ${r.reason}`);
  return formatPrefix(r.prefix);
}

/** Does `outer` contain `inner` (an address, or a prefix no shorter than outer)? */
export function prefixContains(outer: Prefix | string, inner: Address | Prefix | string): boolean {
  const o = typeof outer === 'string' ? parseOrThrow(outer) : outer;
  const i: Address | Prefix | undefined =
    typeof inner === 'string' ? (inner.includes('/') ? parseOrThrow(inner) : parseAddress(inner)) : inner;
  if (!i) throw new Error(`not an IP address: ${JSON.stringify(inner)}`);
  if (o.family !== i.family) return false;
  const innerLength = 'length' in i ? (i as Prefix).length : BITS[i.family];
  if (innerLength < o.length) return false;
  const m = mask(o.family, o.length);
  return (i.value & m) === (o.value & m);
}

function parseOrThrow(text: string): Prefix {
  const r = parseAddressWithLength(text);
  if (!r.ok) throw new Error(`not a prefix: ${JSON.stringify(text)} ${r.reason}`);
  return r.prefix;
}
