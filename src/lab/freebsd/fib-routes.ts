// The routes of one FreeBSD FIB and address family, read from the FIB's Linux table (plus the
// host's local addresses, which FreeBSD keeps as host routes in the interface's FIB), in the
// shape netstat -rn and route(8) show them: destination, gateway, flag letters, interface.
import { fibTable } from './types';
import type { HostContext } from './types';
import { freebsdName, listLinks, listRoutes, tableName, type Family, type LinuxRoute } from './linux-net';
import { isIPv4, isLinkLocal6, parseIPv6 } from '../ip';

export interface FibRoute {
  destination: string; // "default", "192.0.2.0/24", "2001:db8::1", "fe80::%gif0/64"
  gateway: string; // address, "link#N", or a loopback address for reject/blackhole routes
  flags: string; // "UGS", "UH", "UGSB"…
  netif: string;
  /** the Linux route this came from (null for a local address) */
  linux: LinuxRoute | null;
  host: boolean;
  hasGateway: boolean;
}

/** FreeBSD flag letters in the order netstat prints them (route.c bits[]: U G H R … S 1 2 3 B). */
export function flagLetters(f: { gateway: boolean; host: boolean; reject: boolean; blackhole: boolean; static: boolean; proto1: boolean }): string {
  return 'U' + (f.gateway ? 'G' : '') + (f.host ? 'H' : '') + (f.reject ? 'R' : '') + (f.static ? 'S' : '') + (f.proto1 ? '1' : '') + (f.blackhole ? 'B' : '');
}

// Routes FRR's zebra installs carry these protocols; FreeBSD shows them with RTF_PROTO1.
const ROUTING_DAEMONS = new Set(['zebra', 'bgp', 'ospf', 'rip', 'static', 'isis', 'babel', 'eigrp', 'openfabric']);

/** Routes of a FIB, FreeBSD-style, in the radix tree's (address) order. */
export async function fibRoutes(host: HostContext, fib: number, family: Family): Promise<FibRoute[]> {
  const links = await listLinks(host);
  const index = new Map(links.map((l) => [l.ifname, l.ifindex]));
  const loopback = family === 4 ? '127.0.0.1' : '::1';
  const fibOfDev = (dev: string): number => host.kernel.ifaces[freebsdName(dev)]?.fib ?? 0;
  const out: FibRoute[] = [];
  const full = family === 4 ? 32 : 128;
  for (const r of await listRoutes(host, family, fibTable(fib))) {
    if (r.type && !['unicast', 'blackhole', 'unreachable', 'prohibit'].includes(r.type)) continue;
    const special = r.type === 'blackhole' || r.type === 'unreachable' || r.type === 'prohibit';
    const [addr, len] = r.dst === 'default' ? ['default', '0'] : r.dst.split('/');
    const plen = len === undefined ? full : Number(len);
    const hostRoute = r.dst !== 'default' && plen === full;
    const dev = special ? 'lo' : (r.dev ?? 'lo');
    let destination = r.dst === 'default' ? 'default' : hostRoute ? addr : `${addr}/${plen}`;
    if (family === 6 && isLinkLocal6(addr) && r.dev && !special) destination = `${addr}%${freebsdName(r.dev)}/${plen}`;
    const gateway = r.gateway ?? (special ? loopback : `link#${index.get(dev) ?? 0}`);
    const proto = r.protocol ?? 'boot';
    out.push({
      destination,
      gateway,
      flags: flagLetters({
        gateway: r.gateway !== undefined || special,
        host: hostRoute,
        reject: r.type === 'unreachable' || r.type === 'prohibit',
        blackhole: r.type === 'blackhole',
        static: proto === 'boot',
        proto1: ROUTING_DAEMONS.has(proto),
      }),
      netif: freebsdName(dev),
      linux: r,
      host: hostRoute,
      hasGateway: r.gateway !== undefined || special,
    });
  }
  // Local addresses: FreeBSD's per-address host routes through lo0, in the interface's FIB.
  for (const r of await listRoutes(host, family, tableName(255))) {
    if (r.type !== 'local' || !r.dev || fibOfDev(r.dev) !== fib) continue;
    if (family === 4 && r.dst.includes('/')) continue; // 127.0.0.0/8 and friends
    const isLoop = r.dst === loopback;
    if (family === 6 && isLinkLocal6(r.dst)) continue;
    out.push({
      destination: r.dst,
      gateway: `link#${index.get(r.dev) ?? 0}`,
      flags: isLoop ? 'UH' : 'UHS',
      netif: 'lo0',
      linux: null,
      host: true,
      hasGateway: false,
    });
  }
  return out.sort((a, b) => compareDest(a.destination, b.destination));
}

/** Numeric order of destinations, "default" first, as a radix tree walk prints them. */
function compareDest(a: string, b: string): number {
  const key = (d: string): number[] => {
    if (d === 'default') return [-1];
    const [addr, len] = d.replace(/%[^/]*/, '').split('/');
    const g = isIPv4(addr) ? addr.split('.').map(Number) : (parseIPv6(addr) ?? []);
    return [...g, len === undefined ? 999 : Number(len)];
  };
  const ka = key(a);
  const kb = key(b);
  for (let i = 0; i < Math.max(ka.length, kb.length); i++) if ((ka[i] ?? 0) !== (kb[i] ?? 0)) return (ka[i] ?? 0) - (kb[i] ?? 0);
  return 0;
}
