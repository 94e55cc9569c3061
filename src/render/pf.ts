// pf.conf for a router or a VPS whose service addresses live behind a tunnel. Uses the old
// normalization form `scrub on IF all max-mss N`, which FreeBSD 13 and 14 both accept (the
// OpenBSD-style `match … scrub (max-mss N)` is a syntax error on 13; research §9).
import { joinLines, type Rendered } from './rendered';

export interface PfModel {
  /** who the file belongs to, for the header comment */
  hostname: string;
  /** interfaces pf ignores entirely (lo0 at least) */
  skip: string[];
  /** TCP MSS clamping per interface (tunnels whose MTU is below the path's) */
  mss: Array<{ iface: string; maxMss: number }>;
  /**
   * Replies to connections that arrived on `iface` for `to` leave through `iface` towards
   * `gateway`, whatever the routing table says: the FIB 0 default would otherwise send them
   * out the provider link with a source address the provider drops.
   */
  replyTo: Array<{ iface: string; gateway: string; to: string }>;
}

export function renderPf(m: PfModel): Rendered {
  const out: string[] = [`# pf.conf for ${m.hostname}, written by provision: edit the inventory, not this file.`];
  if (m.skip.length) out.push(`set skip on { ${m.skip.join(' ')} }`);
  // normalization rules come after options and before filtering, or pfctl refuses the file
  for (const s of m.mss) out.push(`scrub on ${s.iface} all max-mss ${s.maxMss}`);
  out.push('pass all');
  for (const r of m.replyTo) {
    out.push(`pass in quick on ${r.iface} reply-to (${r.iface} ${r.gateway}) inet6 from any to ${r.to} keep state`);
  }
  return joinLines(out);
}
