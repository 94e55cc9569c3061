// Validated ROA Payloads (VRPs) and route origin validation as RFC 6811 §2 defines it:
// a VRP "covers" a route when the route's prefix lies inside the VRP's prefix; a covering VRP
// "matches" when, in addition, the route is no longer than the VRP's maxLength and the origin
// AS equals the VRP's AS (AS 0 never matches, RFC 6483 §4). A route is
//   valid     when at least one VRP matches,
//   invalid   when some VRP covers it but none matches,
//   notfound  when no VRP covers it.
import { formatPrefix, parsePrefix, prefixContains, type Prefix } from '../inventory/ip';

export interface Vrp {
  /** canonical prefix text, e.g. 2a06:9801:1c::/48 */
  prefix: string;
  maxLength: number;
  asn: number;
}

export type OriginState = 'valid' | 'invalid' | 'notfound';

export interface OriginValidation {
  state: OriginState;
  /** the VRPs whose prefix covers the route (empty when notfound) */
  covering: Vrp[];
  /** for invalid: why each covering VRP does not match */
  reasons: string[];
}

interface ParsedVrp extends Vrp {
  net: Prefix;
}

function parseNet(text: string): Prefix {
  const r = parsePrefix(text);
  if (!r.ok) throw new Error(`not a prefix: ${JSON.stringify(text)} ${r.reason}`);
  return r.prefix;
}

/** Build a VRP, checking the rules RFC 6482 §3.3 puts on maxLength (length ≤ maxLength ≤ 32/128). */
export function vrp(prefix: string, maxLength: number, asn: number): Vrp {
  const net = parseNet(prefix);
  const bits = net.family === 4 ? 32 : 128;
  if (!Number.isInteger(maxLength) || maxLength < net.length || maxLength > bits) {
    throw new Error(`VRP ${prefix}: maxLength ${maxLength} must be ${net.length}..${bits}`);
  }
  if (!Number.isInteger(asn) || asn < 0 || asn > 4294967295) throw new Error(`VRP ${prefix}: AS ${asn} is not an AS number`);
  return { prefix: formatPrefix(net), maxLength, asn };
}

/** An immutable set of VRPs with RFC 6811 lookups. */
export class VrpSet {
  private readonly entries: ParsedVrp[];

  constructor(vrps: Iterable<Vrp>) {
    const seen = new Set<string>();
    this.entries = [];
    for (const v of vrps) {
      const key = `${v.prefix} ${v.maxLength} ${v.asn}`;
      if (seen.has(key)) continue; // duplicates (the same ROA from two trust anchors) say nothing new
      seen.add(key);
      this.entries.push({ ...v, net: parseNet(v.prefix) });
    }
  }

  get size(): number {
    return this.entries.length;
  }

  all(): Vrp[] {
    return this.entries.map(({ prefix, maxLength, asn }) => ({ prefix, maxLength, asn }));
  }

  /** VRPs whose prefix contains `route` (same family, VRP prefix no longer than the route). */
  covering(route: string): Vrp[] {
    const r = parseNet(route);
    return this.entries.filter((e) => prefixContains(e.net, r)).map(({ prefix, maxLength, asn }) => ({ prefix, maxLength, asn }));
  }

  /** RFC 6811 origin validation of `route` originated by `originAs`. */
  validate(route: string, originAs: number): OriginValidation {
    const r = parseNet(route);
    const covering = this.covering(route);
    if (covering.length === 0) return { state: 'notfound', covering, reasons: [] };
    const reasons: string[] = [];
    for (const v of covering) {
      const asOk = v.asn !== 0 && v.asn === originAs;
      const lenOk = r.length <= v.maxLength;
      if (asOk && lenOk) return { state: 'valid', covering, reasons: [] };
      if (v.asn === 0) reasons.push(`${describeVrp(v)} says the prefix must not be routed (AS0)`);
      else if (!asOk) reasons.push(`${describeVrp(v)} authorizes AS${v.asn}, not AS${originAs}`);
      else reasons.push(`${describeVrp(v)} allows at most /${v.maxLength}, the route is /${r.length}`);
    }
    return { state: 'invalid', covering, reasons };
  }
}

export function describeVrp(v: Vrp): string {
  return `ROA ${v.prefix} maxLength ${v.maxLength} AS${v.asn}`;
}

/**
 * The VRP JSON file rpki-client, Routinator and stayrtr exchange (what stayrtr's -cache reads and
 * its /rpki.json export serves): {"roas":[{"prefix":"…","maxLength":48,"asn":"AS201379"|201379}]}.
 */
export function parseVrpJson(text: string): Vrp[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`VRP file is not JSON: ${(e as Error).message}`);
  }
  const roas = (doc as { roas?: unknown }).roas;
  if (!Array.isArray(roas)) throw new Error('VRP file has no "roas" list');
  return roas.map((r, i) => {
    const o = r as { prefix?: unknown; maxLength?: unknown; asn?: unknown };
    const asn = typeof o.asn === 'string' ? Number(o.asn.replace(/^AS/i, '')) : o.asn;
    if (typeof o.prefix !== 'string' || typeof o.maxLength !== 'number' || typeof asn !== 'number' || Number.isNaN(asn)) {
      throw new Error(`VRP file: roas[${i}] needs prefix (string), maxLength (number) and asn ("AS…" or number)`);
    }
    return vrp(o.prefix, o.maxLength, asn);
  });
}

/** The JSON text of a VRP list, in the same format. */
export function formatVrpJson(vrps: Vrp[]): string {
  return JSON.stringify({ roas: vrps.map((v) => ({ prefix: v.prefix, maxLength: v.maxLength, asn: `AS${v.asn}` })) }, null, 2) + '\n';
}
