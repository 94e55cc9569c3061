// frr.conf for a small AS that originates its own prefixes to a few upstreams. The text is
// accepted by FRR 8.4 (the lab) and FRR 10 (the FreeBSD port), and it is written in the order
// FRR's own `show running-config` uses, so frr-reload.py finds no spurious delta.
import type { Secret } from '../shell/quote';
import { joinLines, line, type Rendered } from './rendered';

export interface FrrNeighbor {
  address: string;
  remoteAs: number;
  description?: string;
  /** local address the session is sourced from (a tunnel's inner address) */
  updateSource?: string;
  password?: Secret;
  /** session goes down when the upstream sends more than this many prefixes */
  maxPrefix?: number;
  /** eBGP multihop TTL, for sessions that are not one hop away */
  ebgpMultihop?: number;
}

export interface FrrModel {
  hostname: string;
  /** the kernel's forwarding state, which rc.conf sets and zebra mirrors */
  forwarding: { ipv4: boolean; ipv6: boolean };
  asn: number;
  routerId: string;
  /** IPv6 prefixes this AS originates; the only prefixes it lets out */
  announce: string[];
  neighbors: FrrNeighbor[];
  /** IPv6 prefixes never accepted from an upstream (bogons); more-specifics are refused too */
  bogons: string[];
  /** longest prefix accepted from an upstream (48 for IPv6 by common practice) */
  maxAcceptedLength: number;
  /** RPKI origin validation (bgpd must run with the rpki module: -M rpki); absent = none */
  rpki?: FrrRpki;
}

export interface FrrRpki {
  /** the RTR cache bgpd connects to */
  cache: { address: string; port: number };
  /** refuse routes whose origin is RPKI-invalid (RFC 6811) */
  dropInvalid: boolean;
  /** give RPKI-valid routes a higher local-preference than the rest */
  preferValid: boolean;
}

/** local-preference of RPKI-valid routes when preferValid (FRR's default for the others is 100). */
export const VALID_LOCAL_PREF = 200;

/** Prefixes that must never be accepted from the Internet (IANA special-purpose registry, RFC 6890). */
export const IPV6_BOGONS: readonly string[] = [
  '::/8',
  '100::/64',
  '2001:2::/48',
  '2001:10::/28',
  '2001:db8::/32',
  '2002::/16',
  '3ffe::/16',
  'fc00::/7',
  'fe80::/10',
  'fec0::/10',
  'ff00::/8',
];

// Names of the policy objects this renderer owns; a prefix makes them easy to spot in a running config.
const OWN = 'PV-OWN-PREFIXES';
const BOGONS = 'PV-BOGONS';
const IN = 'PV-UPSTREAM-IN';
const OUT = 'PV-UPSTREAM-OUT';

export function renderFrr(m: FrrModel): Rendered {
  for (const n of m.neighbors) {
    // FRR reads the password as one WORD token, and TCP-MD5 keys are at most 80 bytes.
    if (n.password && !/^\S{1,80}$/.test(n.password.value)) {
      throw new Error(`BGP password for ${n.address} must be 1-80 characters without spaces`);
    }
  }
  const out: Array<string | Rendered> = [
    'frr defaults traditional',
    `hostname ${m.hostname}`,
    'log syslog informational',
    // zebra mirrors the kernel's forwarding sysctls and its running config says only
    // `no ip forwarding` (forwarding on is the default and is not printed). Writing the same
    // keeps frr-reload.py from "fixing" the kernel (research §0.10) and leaves no permanent
    // delta; rc.conf's gateway knobs are what set forwarding at boot.
    ...(m.forwarding.ipv4 ? [] : ['no ip forwarding']),
    ...(m.forwarding.ipv6 ? [] : ['no ipv6 forwarding']),
    'service integrated-vtysh-config',
    '!',
  ];
  if (m.rpki) out.push('rpki', ` rpki cache ${m.rpki.cache.address} ${m.rpki.cache.port} preference 1`, 'exit', '!');
  const nbr = (n: FrrNeighbor, ...rest: Array<string | number | Secret>) => line(' neighbor ', n.address, ' ', ...rest);

  out.push(`router bgp ${m.asn}`, ` bgp router-id ${m.routerId}`, ' no bgp default ipv4-unicast');
  for (const n of m.neighbors) {
    out.push(nbr(n, 'remote-as ', n.remoteAs));
    if (n.description) out.push(nbr(n, 'description ', n.description));
    if (n.password) out.push(nbr(n, 'password ', n.password));
    if (n.ebgpMultihop) out.push(nbr(n, 'ebgp-multihop ', n.ebgpMultihop));
    if (n.updateSource) out.push(nbr(n, 'update-source ', n.updateSource));
  }
  out.push(' !', ' address-family ipv6 unicast');
  for (const p of m.announce) out.push(`  network ${p}`);
  for (const n of m.neighbors) {
    out.push(line(' ', nbr(n, 'activate').text));
    // keeps what the upstream sent before policy, so verification can tell "not sent" from "filtered"
    out.push(line(' ', nbr(n, 'soft-reconfiguration inbound').text));
    out.push(line(' ', nbr(n, `route-map ${IN} in`).text));
    out.push(line(' ', nbr(n, `route-map ${OUT} out`).text));
    if (n.maxPrefix) out.push(line(' ', nbr(n, `maximum-prefix ${n.maxPrefix}`).text));
  }
  out.push(' exit-address-family', 'exit', '!');

  // Prefix lists: ours (out), bogons and too-specifics (in). Sequence numbers step by 5.
  m.announce.forEach((p, i) => out.push(`ipv6 prefix-list ${OWN} seq ${(i + 1) * 5} permit ${p}`));
  out.push('!');
  m.bogons.forEach((p, i) => out.push(`ipv6 prefix-list ${BOGONS} seq ${(i + 1) * 5} permit ${p} le 128`));
  out.push('!');
  out.push(`route-map ${OUT} permit 10`, ` match ipv6 address prefix-list ${OWN}`, 'exit', '!');
  // Inbound: refuse bogons, anything longer than maxAcceptedLength and our own space; accept the rest.
  out.push(`route-map ${IN} deny 10`, ` match ipv6 address prefix-list ${BOGONS}`, 'exit', '!');
  out.push(`route-map ${IN} deny 20`, ` match ipv6 address prefix-list ${OWN}-AND-LONGER`, 'exit', '!');
  out.push(`route-map ${IN} deny 30`, ` match ipv6 address prefix-list PV-TOO-SPECIFIC`, 'exit', '!');
  // RPKI (RFC 6811): invalid origins refused; valid ones optionally preferred. Not-found routes
  // (no ROA at all, still most of the table) stay accepted, as do all routes while the cache is down.
  if (m.rpki?.dropInvalid) out.push(`route-map ${IN} deny 40`, ' match rpki invalid', 'exit', '!');
  if (m.rpki?.preferValid) out.push(`route-map ${IN} permit 90`, ' match rpki valid', ` set local-preference ${VALID_LOCAL_PREF}`, 'exit', '!');
  out.push(`route-map ${IN} permit 100`, 'exit', '!');
  m.announce.forEach((p, i) => out.push(`ipv6 prefix-list ${OWN}-AND-LONGER seq ${(i + 1) * 5} permit ${p} le 128`));
  out.push(`ipv6 prefix-list PV-TOO-SPECIFIC seq 5 permit ::/0 ge ${m.maxAcceptedLength + 1}`, '!');
  return joinLines(out);
}
