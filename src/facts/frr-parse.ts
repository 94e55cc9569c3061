// Parsers for what FRR's vtysh and frr-reload.py print (observed on FRR 8.4; the JSON keys are
// stable since FRR 7.5, research §8). Pure functions over recorded output.

export interface BgpSession {
  peer: string;
  remoteAs: number;
  /** FSM state: Established, Active, Connect, Idle (Admin)… */
  state: string;
  /** "OK" when policy lets routes flow; "Policy" when eBGP has no route-maps (research §0.6) */
  peerState: string;
  pfxRcd: number;
  pfxSnt: number;
  uptime: string;
  description?: string;
}

/** The IPv6 unicast sessions from `show bgp summary json` (wrapped) or `show bgp ipv6 unicast summary json` (not). */
export function parseBgpSummary(stdout: string): BgpSession[] {
  const doc = JSON.parse(stdout) as Record<string, unknown>;
  const afi = (('ipv6Unicast' in doc ? doc.ipv6Unicast : doc) ?? {}) as { peers?: Record<string, Record<string, unknown>> };
  return Object.entries(afi.peers ?? {}).map(([peer, p]) => ({
    peer,
    remoteAs: Number(p.remoteAs),
    state: String(p.state),
    peerState: String(p.peerState ?? ''),
    pfxRcd: Number(p.pfxRcd ?? 0),
    pfxSnt: Number(p.pfxSnt ?? 0),
    uptime: String(p.peerUptime ?? ''),
    ...(p.desc ? { description: String(p.desc) } : {}),
  }));
}

/** A session is up only when Established AND policy lets routes through. */
export function sessionUp(s: BgpSession): boolean {
  return s.state === 'Established' && s.peerState === 'OK';
}

/** What a person should check when a session is not up. */
export function sessionHint(s: BgpSession): string | undefined {
  if (sessionUp(s)) return undefined;
  if (s.state === 'Established') return 'the session is up but exchanges nothing: FRR requires in/out route-maps on eBGP sessions';
  if (s.state.startsWith('Idle (Admin)')) return 'the neighbour is administratively shut down';
  if (s.state === 'Active' || s.state === 'Connect' || s.state.startsWith('Idle')) {
    return 'no BGP session: check the neighbour address, its remote-as, the update-source, and that the tunnel or link to it is up';
  }
  return undefined;
}

export interface AdvertisedRoutes {
  prefixes: string[];
  /** set when FRR answered with a warning instead of a table (unknown neighbour, wrong AFI, no instance) */
  warning?: string;
}

/** `show bgp ipv6 unicast neighbors X advertised-routes json` */
export function parseAdvertisedRoutes(stdout: string): AdvertisedRoutes {
  const doc = JSON.parse(stdout) as { warning?: string; advertisedRoutes?: Record<string, unknown> };
  if (doc.warning) return { prefixes: [], warning: doc.warning };
  return { prefixes: Object.keys(doc.advertisedRoutes ?? {}).sort() };
}

export interface ReloadDelta {
  toDelete: string[];
  toAdd: string[];
}

/**
 * `frr-reload.py --test FILE`: the two sections of the delta between the running configuration
 * and FILE. Log lines and vtysh warnings around them are ignored. Exit status 0 even when there
 * is a delta; with a bad FILE it exits 1 and prints a bogus delta (research §0.9), so callers
 * must check the exit status first.
 */
export function parseReloadTest(stdout: string): ReloadDelta {
  const delta: ReloadDelta = { toDelete: [], toAdd: [] };
  let section: keyof ReloadDelta | null = null;
  for (const raw of stdout.split('\n')) {
    const l = raw.trimEnd();
    if (l === 'Lines To Delete') section = 'toDelete';
    else if (l === 'Lines To Add') section = 'toAdd';
    else if (/^=+$/.test(l) || l === '') continue;
    else if (/^\d{4}-\d\d-\d\d /.test(l) || l.startsWith('% ')) continue; // log lines, vtysh warnings
    else if (section) delta[section].push(l);
  }
  return delta;
}
