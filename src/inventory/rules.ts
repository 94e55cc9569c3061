// Rules that need more than one field: FIB numbers against net.fibs, own addresses against the
// operator's prefixes, names that must exist, tunnels whose two ends must agree. They run on
// merged, schema-valid hosts and report paths in the combined inventory (hosts.<name>...,
// groups.<name>...); the loader maps each path to the file and layer the value came from.
import { formatPath } from './errors';
import { parseAddress, prefixContains } from './ip';
import { ALL, closestNames } from './resolve';
import { TUNNEL_REMOTE_RULE, type Group, type Host, type Operator } from './schema';

export interface RuleIssue {
  path: Array<string | number>;
  message: string;
}

export interface RuleContext {
  operator: Operator;
  /** every host that passed the schema, merged */
  hosts: ReadonlyMap<string, Host>;
  /** names of all hosts, including those that failed the schema */
  hostNames: readonly string[];
  groups: Readonly<Record<string, Group>>;
}

export function checkInventory(ctx: RuleContext): RuleIssue[] {
  const issues: RuleIssue[] = [];
  checkNames(ctx, issues);
  for (const [name, host] of ctx.hosts) checkHost(name, host, ctx, issues);
  checkTunnelPairs(ctx, issues);
  checkAddressClaims(ctx, issues);
  return issues;
}

function checkNames(ctx: RuleContext, issues: RuleIssue[]): void {
  const hostSet = new Set(ctx.hostNames);
  if (hostSet.has(ALL)) issues.push({ path: ['hosts', ALL], message: `"${ALL}" is reserved: it targets every host` });
  for (const [g, group] of Object.entries(ctx.groups)) {
    if (g === ALL) issues.push({ path: ['groups', g], message: `"${ALL}" is reserved: it targets every host` });
    if (hostSet.has(g)) issues.push({ path: ['groups', g], message: `group "${g}" has the name of a host; targets would be ambiguous` });
    const seen = new Set<string>();
    group.hosts.forEach((h, i) => {
      const at = ['groups', g, 'hosts', i];
      if (!hostSet.has(h)) issues.push({ path: at, message: `names no host in the inventory (got "${h}")${suggest(h, ctx.hostNames)}` });
      if (seen.has(h)) issues.push({ path: at, message: `lists "${h}" twice` });
      seen.add(h);
    });
  }
}

function suggest(name: string, candidates: readonly string[]): string {
  const close = closestNames(name, [...candidates]);
  return close.length ? `; did you mean ${close.join(', ')}?` : '';
}

/** Interface names a host can refer to: its interfaces, its tunnels, and lo0 (always present). */
function knownInterfaces(h: Host): string[] {
  return [...new Set(['lo0', ...h.interfaces.map((i) => i.name), ...h.tunnels.map((t) => t.name)])];
}

/** Addresses that belong to the host itself. */
function ownAddresses(h: Host): Set<string> {
  const own = new Set<string>([...h.loopback, ...h.service_addresses.map((s) => s.address)]);
  if (h.outer_ipv4) own.add(h.outer_ipv4);
  for (const i of h.interfaces) for (const a of [i.inet, i.inet6]) if (a) own.add(a.split('/')[0]);
  for (const t of h.tunnels) {
    own.add(t.inner.local);
    if (t.local) own.add(t.local);
  }
  return own;
}

const isAddress = (s: string) => parseAddress(s) !== undefined;

/**
 * Why route(8) would refuse a gateway with ENETUNREACH ("Network is unreachable"). FreeBSD's
 * ifa_ifwithroute (sys/net/route.c) takes a gateway that is a point-to-point peer or on a subnet
 * of an interface in the route's FIB, or one a non-default route of that FIB reaches; one that
 * only the default route reaches is dismissed. Judged on the inventory's interface addresses,
 * tunnel peers and routes; undefined when it passes, or when the inventory lists no address of
 * that family in that FIB (nothing to judge).
 */
function offLink(h: Host, gateway: string, family: 4 | 6, fib: number): string | undefined {
  if (family === 6 && /^fe80:/i.test(gateway)) return undefined;
  const subnets = h.interfaces
    .filter((i) => (i.fib ?? 0) === fib)
    .flatMap((i) => [i.inet, i.inet6])
    .filter((a): a is string => a !== undefined && (parseAddress(a.split('/')[0])?.family ?? 0) === family);
  const peers = h.tunnels.filter((t) => (t.fib ?? 0) === fib && parseAddress(t.inner.peer)?.family === family).map((t) => t.inner.peer);
  if (!subnets.length && !peers.length) return undefined;
  if (subnets.some((s) => prefixContains(s, gateway)) || peers.some((p) => parseAddress(p)!.value === parseAddress(gateway)!.value)) return undefined;
  const viaRoute = h.routes.some((r) => (r.fib ?? 0) === fib && !r.dest.endsWith('/0') && parseAddress(r.dest.split('/')[0])?.family === family && prefixContains(r.dest, gateway));
  if (viaRoute) return undefined;
  const on = [...subnets, ...peers.map((p) => `${p} (tunnel peer)`)];
  return `gateway ${gateway} is on no subnet of this host in FIB ${fib} (${on.join(', ')}): route(8) would refuse it with "Network is unreachable"`;
}

function checkHost(name: string, h: Host, ctx: RuleContext, issues: RuleIssue[]): void {
  const at = (...path: Array<string | number>) => ['hosts', name, ...path];
  const add = (path: Array<string | number>, message: string) => issues.push({ path: at(...path), message });
  const ifaces = knownInterfaces(h);
  const inOperator = (x: string) => ctx.operator.prefixes.some((p) => prefixContains(p, x));
  const outside = (x: string) => `${x} is not inside the operator's prefixes (${ctx.operator.prefixes.join(', ')})`;
  const fib = (n: number | undefined, path: Array<string | number>) => {
    if (n !== undefined && n >= h.fibs) {
      add(path, `FIB ${n} does not exist: fibs (net.fibs) is ${h.fibs}, so the FIBs are 0..${h.fibs - 1}`);
    }
  };
  const iface = (n: string, path: Array<string | number>) => {
    if (!ifaces.includes(n)) add(path, `names no interface or tunnel of this host (got "${n}"; known: ${ifaces.join(', ')})`);
  };
  const fibOf = (ifname: string) =>
    h.interfaces.find((i) => i.name === ifname)?.fib ?? h.tunnels.find((t) => t.name === ifname)?.fib ?? 0;

  const names = new Map<string, string>();
  const uniqueName = (n: string, path: Array<string | number>) => {
    const first = names.get(n);
    if (first) add(path, `duplicate interface name "${n}" (also ${first})`);
    else names.set(n, formatPath(path.slice(0, 2)));
  };

  h.interfaces.forEach((i, k) => {
    uniqueName(i.name, ['interfaces', k, 'name']);
    fib(i.fib, ['interfaces', k, 'fib']);
  });

  h.loopback.forEach((a, k) => {
    if (!inOperator(a)) add(['loopback', k], outside(a));
  });

  h.tunnels.forEach((t, k) => {
    uniqueName(t.name, ['tunnels', k, 'name']);
    if (!new RegExp(`^${t.kind}[0-9]+$`).test(t.name)) {
      add(['tunnels', k, 'name'], `must be ${t.kind}<N> for a tunnel of kind ${t.kind}: ifconfig picks the driver from the name (got "${t.name}")`);
    }
    fib(t.fib, ['tunnels', k, 'fib']);
    fib(t.tunnelfib, ['tunnels', k, 'tunnelfib']);
    if (!t.local && !h.outer_ipv4) add(['tunnels', k, 'local'], 'is required when the host has no outer_ipv4');
    if (t.mss !== undefined) {
      if (t.mss > t.mtu - 60) add(['tunnels', k, 'mss'], `must be at most mtu - 60 = ${t.mtu - 60} (IPv6 header 40 + TCP header 20; got ${t.mss})`);
      if (!h.pf) add(['tunnels', k, 'mss'], 'needs pf, which does the MSS clamping: add a pf section to this host');
    }
    if (!isAddress(t.remote)) {
      if (t.remote === name) add(['tunnels', k, 'remote'], 'names this host itself; a tunnel leads to another host');
      else if (!ctx.hostNames.includes(t.remote)) {
        add(['tunnels', k, 'remote'], `${TUNNEL_REMOTE_RULE} (got "${t.remote}")${suggest(t.remote, ctx.hostNames)}`);
      } else {
        if (ctx.hosts.has(t.remote) && !ctx.hosts.get(t.remote)?.outer_ipv4) {
          add(['tunnels', k, 'remote'], `names ${t.remote}, which has no outer_ipv4 to use as the far end`);
        }
        // both ends of a tunnel between two inventory hosts are the operator's own addresses
        for (const end of ['local', 'peer'] as const) {
          if (!inOperator(t.inner[end])) add(['tunnels', k, 'inner', end], outside(t.inner[end]));
        }
      }
    }
  });

  const routeKeys = new Map<string, number>();
  h.routes.forEach((r, k) => {
    fib(r.fib, ['routes', k, 'fib']);
    const key = `${r.dest} fib ${r.fib ?? 0}`;
    if (routeKeys.has(key)) add(['routes', k, 'dest'], `duplicate route to ${r.dest} in FIB ${r.fib ?? 0} (also routes[${routeKeys.get(key)}])`);
    else routeKeys.set(key, k);
    if (r.type === 'normal' && r.via === undefined) {
      add(['routes', k, 'via'], 'is required for a normal route (only blackhole and reject routes have none)');
    }
    if (r.type !== 'normal' && r.via !== undefined) {
      add(['routes', k, 'via'], `must be omitted for a ${r.type} route (it points at the loopback itself)`);
    }
    if (r.via !== undefined) {
      const via = parseAddress(r.via);
      const destFamily = r.dest.includes(':') ? 6 : 4;
      if (!via) iface(r.via, ['routes', k, 'via']);
      else if (via.family !== destFamily) add(['routes', k, 'via'], `is an IPv${via.family} address but dest ${r.dest} is IPv${destFamily}`);
      else {
        const unreachable = offLink(h, r.via, via.family, r.fib ?? 0);
        if (unreachable) add(['routes', k, 'via'], unreachable);
      }
    }
  });

  h.service_addresses.forEach((s, k) => {
    if (!inOperator(s.address)) add(['service_addresses', k, 'address'], outside(s.address));
    fib(s.fib, ['service_addresses', k, 'fib']);
    if (s.interface !== undefined) {
      iface(s.interface, ['service_addresses', k, 'interface']);
      if (ifaces.includes(s.interface) && fibOf(s.interface) !== s.fib) {
        add(['service_addresses', k, 'fib'], `is ${s.fib} but ${s.interface} is in FIB ${fibOf(s.interface)}`);
      }
    }
  });

  if (h.bgp) {
    h.bgp.announce.forEach((p, k) => {
      if (!inOperator(p)) add(['bgp', 'announce', k], outside(p));
    });
    const peers = new Map<string, number>();
    h.bgp.neighbors.forEach((n, k) => {
      if (peers.has(n.address)) add(['bgp', 'neighbors', k, 'address'], `duplicate neighbor ${n.address} (also bgp.neighbors[${peers.get(n.address)}])`);
      else peers.set(n.address, k);
      if (n.update_source !== undefined) {
        if (!isAddress(n.update_source)) iface(n.update_source, ['bgp', 'neighbors', k, 'update_source']);
        else if (!ownAddresses(h).has(n.update_source)) {
          add(['bgp', 'neighbors', k, 'update_source'], `${n.update_source} is not an address of this host`);
        }
      }
    });
  }

  if (h.frr) {
    const d = h.frr.daemons;
    const zebraAt = d[0] === 'mgmtd' ? 1 : 0;
    if (d[zebraAt] !== 'zebra') add(['frr', 'daemons'], 'must start with zebra (after mgmtd, if listed): the other daemons need it');
    if (h.bgp && !d.includes('bgpd')) add(['frr', 'daemons'], 'must include bgpd, since this host has a bgp section');
  }

  h.pf?.reply_to.forEach((r, k) => {
    iface(r.interface, ['pf', 'reply_to', k, 'interface']);
    const g = parseAddress(r.gateway);
    const toFamily = r.to.includes(':') ? 6 : 4;
    if (g && g.family !== toFamily) add(['pf', 'reply_to', k, 'gateway'], `is an IPv${g.family} address but to ${r.to} is IPv${toFamily}`);
  });

  if (h.verify && !ownAddresses(h).has(h.verify.expect_source)) {
    add(['verify', 'expect_source'], `${h.verify.expect_source} is not an address of this host (service, loopback, tunnel or interface address)`);
  }
}

/** A tunnel between two inventory hosts needs a tunnel back, of the same kind, with the inner pair mirrored. */
function checkTunnelPairs(ctx: RuleContext, issues: RuleIssue[]): void {
  for (const [name, h] of ctx.hosts) {
    h.tunnels.forEach((t, k) => {
      const other = ctx.hosts.get(t.remote);
      if (!other || t.remote === name) return;
      const j = other.tunnels.findIndex((o) => o.remote === name);
      const at = ['hosts', name, 'tunnels', k];
      if (j < 0) {
        issues.push({ path: [...at, 'remote'], message: `host ${t.remote} has no tunnel back to ${name} (one whose remote is "${name}")` });
        return;
      }
      const back = other.tunnels[j];
      if (name > t.remote) return; // report a disagreement once, from the first host by name
      if (back.kind !== t.kind) {
        issues.push({ path: [...at, 'kind'], message: `is ${t.kind} but the other end, ${t.remote} tunnels[${j}] (${back.name}), is ${back.kind}` });
      }
      if (back.inner.local !== t.inner.peer || back.inner.peer !== t.inner.local) {
        issues.push({
          path: [...at, 'inner'],
          message: `does not mirror the other end, ${t.remote} tunnels[${j}].inner (local ${back.inner.local}, peer ${back.inner.peer})`,
        });
      }
    });
  }
}

/** An address the operator assigns (loopback, service address, tunnel inner local) has one owner. */
function checkAddressClaims(ctx: RuleContext, issues: RuleIssue[]): void {
  const owner = new Map<string, string>();
  const claim = (addr: string, path: Array<string | number>) => {
    const shown = formatPath(path);
    const first = owner.get(addr);
    if (first) issues.push({ path, message: `${addr} is also claimed by ${first}` });
    else owner.set(addr, shown);
  };
  for (const [name, h] of ctx.hosts) {
    h.loopback.forEach((a, k) => claim(a, ['hosts', name, 'loopback', k]));
    h.service_addresses.forEach((s, k) => claim(s.address, ['hosts', name, 'service_addresses', k, 'address']));
    h.tunnels.forEach((t, k) => claim(t.inner.local, ['hosts', name, 'tunnels', k, 'inner', 'local']));
  }
}
