// RPKI facts for the compliance report (`provision verify`): the origin-validation state of every
// prefix the host announces, and per neighbour how many RPKI-invalid routes it sent that the
// inbound policy dropped. Validation uses the cache's VRPs fetched over RTR (the same view bgpd
// gets) and RFC 6811 (vrp.ts), so it does not depend on which FRR version prints what.
import { sh, type ShellCommand } from '../shell/quote';
import type { HostConfig } from '../inventory/schema';
import type { ExecResult } from '../transport/transport';
import { VTYSH } from '../tasks/frr';
import { cacheFact, checkAnnouncements, type PrefixFinding } from './preflight';
import { VrpSet, type OriginState } from './vrp';

export interface BgpRoute {
  prefix: string;
  /** the last AS of the AS path; undefined for locally originated routes or an AS_SET origin */
  originAs?: number;
}

/** The origin AS of an FRR "path" string ("65020 65010", "" for local, "{…}" sets have none). */
export function originOf(path: string): number | undefined {
  const words = path.trim().split(/\s+/).filter(Boolean);
  const last = words[words.length - 1];
  return last && /^\d+$/.test(last) ? Number(last) : undefined;
}

/** `show bgp ipv6 unicast neighbors X received-routes json` (needs soft-reconfiguration inbound). */
export function parseReceivedRoutes(json: string): BgpRoute[] {
  const doc = JSON.parse(json) as { receivedRoutes?: Record<string, { network?: string; path?: string }> };
  return Object.entries(doc.receivedRoutes ?? {}).map(([prefix, r]) => ({ prefix: r.network ?? prefix, originAs: originOf(r.path ?? '') }));
}

/** `show bgp ipv6 unicast json`: the routes in the table (after inbound policy), by the peer they came from. */
export function parseBgpTable(json: string): Array<BgpRoute & { peer: string }> {
  const doc = JSON.parse(json) as { routes?: Record<string, Array<{ peerId?: string; path?: string }>> };
  return Object.entries(doc.routes ?? {}).flatMap(([prefix, paths]) => paths.map((p) => ({ prefix, peer: p.peerId ?? '', originAs: originOf(p.path ?? '') })));
}

export interface NeighborRpki {
  neighbor: string;
  description?: string;
  /** routes the neighbour sent whose origin is RPKI-invalid */
  invalidReceived: number;
  /** of those, the ones not in the table: dropped by the inbound policy */
  invalidDropped: number;
  /** invalid routes still in the table (drop_invalid off, or the policy did not work) */
  invalidAccepted: string[];
}

/** Pure: count invalid routes a neighbour sent and how many of them reached the table. */
export function neighborRpki(neighbor: string, received: BgpRoute[], table: Array<BgpRoute & { peer: string }>, vrps: VrpSet): NeighborRpki {
  const invalid = received.filter((r) => r.originAs !== undefined && vrps.validate(r.prefix, r.originAs).state === 'invalid');
  const kept = new Set(table.filter((t) => t.peer === neighbor).map((t) => t.prefix));
  const accepted = invalid.filter((r) => kept.has(r.prefix)).map((r) => r.prefix);
  return { neighbor, invalidReceived: invalid.length, invalidDropped: invalid.length - accepted.length, invalidAccepted: accepted };
}

export interface RpkiCompliance {
  cache: string;
  /** undefined when the cache could not be asked */
  cacheError?: string;
  announced: Array<Pick<PrefixFinding, 'prefix' | 'asn' | 'state' | 'reasons'>>;
  neighbors: NeighborRpki[];
}

/** The vtysh commands rpkiCompliance runs, one per neighbour plus the table. */
export function receivedRoutesCommand(neighbor: string): ShellCommand {
  return sh`${VTYSH} -c ${`show bgp ipv6 unicast neighbors ${neighbor} received-routes json`}`;
}
export const BGP_TABLE_COMMAND = sh`${VTYSH} -c ${'show bgp ipv6 unicast json'}`;

/**
 * The RPKI part of the compliance report for a host with `bgp.rpki`; undefined without. `exec`
 * runs a read-only command on the host (a verify play's transport).
 */
export async function rpkiCompliance(host: HostConfig, exec: (cmd: ShellCommand) => Promise<ExecResult>): Promise<RpkiCompliance | undefined> {
  const bgp = host.bgp;
  if (!bgp?.rpki) return undefined;
  const { address, port } = bgp.rpki.cache;
  const fact = cacheFact(address, port);
  const answer = fact.parse(await exec(fact.command));
  const cache = fact.id.replace(/^rpki:rtr /, '');
  if (!answer.ok) return { cache, cacheError: answer.error, announced: [], neighbors: [] };
  if (!('snapshot' in answer)) throw new Error('the RPKI cache was not asked'); // only a preflight skips the cache
  const vrps = new VrpSet(answer.snapshot.vrps);
  const announced = checkAnnouncements(bgp.announce, bgp.asn, vrps, cache).prefixes.map(({ prefix, asn, state, reasons }) => ({ prefix, asn, state, reasons }));
  const table = parseBgpTable((await exec(BGP_TABLE_COMMAND)).stdout || '{}');
  const neighbors: NeighborRpki[] = [];
  for (const n of bgp.neighbors) {
    const received = parseReceivedRoutes((await exec(receivedRoutesCommand(n.address))).stdout || '{}');
    neighbors.push({ ...neighborRpki(n.address, received, table, vrps), ...(n.description ? { description: n.description } : {}) });
  }
  return { cache, announced, neighbors };
}

/** Report lines, e.g. for the plain reporter. */
export function describeCompliance(c: RpkiCompliance): string[] {
  if (c.cacheError) return [`rpki: ${c.cacheError}`];
  const mark = (s: OriginState) => (s === 'valid' ? 'valid' : `${s.toUpperCase()} (strict upstreams drop it)`);
  return [
    ...c.announced.map((a) => `rpki: announced ${a.prefix} from AS${a.asn}: ${mark(a.state)}`),
    ...c.neighbors.map((n) => `rpki: ${n.neighbor}${n.description ? ` (${n.description})` : ''}: ${n.invalidDropped} invalid route(s) dropped` + (n.invalidAccepted.length ? `, ${n.invalidAccepted.length} ACCEPTED: ${n.invalidAccepted.join(', ')}` : '')),
  ];
}
