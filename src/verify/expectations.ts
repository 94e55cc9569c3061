// What a converged host must show, derived from its inventory entry only: tunnels up with the
// inventory's endpoints and carrying traffic, BGP sessions up and announcing, and traffic
// leaving with the expected source address. Nothing here knows the lab or the seed network.
import type { HostConfig } from '../inventory/schema';

export interface TunnelExpectation {
  kind: 'tunnel';
  host: string;
  iface: string;
  src: string;
  dst: string;
  inner: { local: string; peer: string };
  /** FIB the inner addresses live in: where ping6 to the peer must go */
  fib: number;
  tunnelKind: 'gif' | 'gre';
  /** the inventory host at the far end, when there is one */
  peerHost?: string;
  description?: string;
}

export interface SessionExpectation {
  kind: 'bgp-session';
  host: string;
  peer: string;
  remoteAs: number;
  description?: string;
}

export interface AdvertisedExpectation {
  kind: 'bgp-advertised';
  host: string;
  peer: string;
  description?: string;
  prefix: string;
}

export interface ExitExpectation {
  kind: 'exit';
  host: string;
  /** "service" address (through the tunnel's FIB) or "provider" address (native, FIB 0) */
  role: 'service' | 'provider';
  source: string;
  fib: number;
  /** the echo service's URL: it answers with the address it saw */
  url: string;
  /** the address the echo service must see */
  expect: string;
}

export type Expectation = TunnelExpectation | SessionExpectation | AdvertisedExpectation | ExitExpectation;

/** Which part of a host's expectations: the tunnels, or routing (BGP and exit addresses). */
export type Scope = 'tunnels' | 'routing' | 'all';

export function tunnelExpectations(host: HostConfig): TunnelExpectation[] {
  return host.tunnels.map((t) => ({
    kind: 'tunnel',
    host: host.name,
    iface: t.name,
    src: t.local,
    dst: t.remote,
    inner: { local: t.inner.local, peer: t.inner.peer },
    fib: t.fib ?? 0,
    tunnelKind: t.kind,
    ...(t.remote_host ? { peerHost: t.remote_host } : {}),
    ...(t.description ? { description: t.description } : {}),
  }));
}

/**
 * Every neighbour's session must be up; every announced prefix must be advertised to every
 * upstream (an eBGP neighbour: another AS).
 */
export function bgpExpectations(host: HostConfig): Array<SessionExpectation | AdvertisedExpectation> {
  const bgp = host.bgp;
  if (!bgp) return [];
  const out: Array<SessionExpectation | AdvertisedExpectation> = [];
  for (const n of bgp.neighbors) {
    const desc = n.description ? { description: n.description } : {};
    out.push({ kind: 'bgp-session', host: host.name, peer: n.address, remoteAs: n.remote_as, ...desc });
    if (n.remote_as === bgp.asn) continue;
    for (const prefix of bgp.announce) out.push({ kind: 'bgp-advertised', host: host.name, peer: n.address, prefix, ...desc });
  }
  return out;
}

/**
 * With verify.echo_url: a request from each service address (in its FIB) must be seen as
 * verify.expect_source, and a request from the provider address (FIB 0, same family as the echo
 * service) must be seen as itself: native traffic leaves natively.
 */
export function exitExpectations(host: HostConfig): ExitExpectation[] {
  const v = host.verify;
  if (!v) return [];
  const out: ExitExpectation[] = host.service_addresses.map((s) => ({
    kind: 'exit',
    host: host.name,
    role: 'service',
    source: s.address,
    fib: s.fib,
    url: v.echo_url,
    expect: v.expect_source,
  }));
  const provider = providerAddress(host, echoFamily(v.echo_url));
  if (provider) out.push({ kind: 'exit', host: host.name, role: 'provider', source: provider, fib: 0, url: v.echo_url, expect: provider });
  return out;
}

function echoFamily(url: string): 4 | 6 {
  return new URL(url).hostname.startsWith('[') ? 6 : 4;
}

/** The first FIB 0 interface address of that family: the provider's (tunnels are not interfaces here). */
function providerAddress(host: HostConfig, family: 4 | 6): string | undefined {
  for (const i of host.interfaces) {
    if ((i.fib ?? 0) !== 0) continue;
    const a = family === 6 ? i.inet6 : i.inet;
    if (a) return a.split('/')[0];
  }
  return undefined;
}

export function hostExpectations(host: HostConfig, scope: Scope = 'all'): Expectation[] {
  const out: Expectation[] = [];
  if (scope !== 'routing') out.push(...tunnelExpectations(host));
  if (scope !== 'tunnels') out.push(...bgpExpectations(host), ...exitExpectations(host));
  return out;
}

/**
 * "Both ends": the tunnels of `far` that lead to one of `towards`, so that a report on those
 * hosts also checks the far side of their tunnels on the host that holds it.
 */
export function farEndExpectations(far: HostConfig, towards: string[]): TunnelExpectation[] {
  return tunnelExpectations(far).filter((t) => t.peerHost !== undefined && towards.includes(t.peerHost));
}
