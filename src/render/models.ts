// From a host's inventory entry (HostConfig) to the renderers' models and the runtime tasks'
// specs. Pure, except that BGP passwords are read from the environment variables the inventory
// names. Nothing here knows a particular network: every value comes from the HostConfig.
import { InvalidInputError } from '../errors';
import type { HostConfig, ResolvedTunnel } from '../inventory/schema';
import { Secret } from '../shell/quote';
import { IPV6_BOGONS, type FrrModel, type FrrNeighbor } from './frr';
import type { PfModel } from './pf';
import type { RcModel, RcRoute, RcTunnel } from './rc-conf';
import { frrRpkiModel, rpkiRcVars } from '../rpki/frr-settings';

/** A tunnel as both rc.conf and the runtime tunnel task need it. */
export type TunnelModel = RcTunnel & { kind: ResolvedTunnel['kind'] };

/** The net/frr10 port's order: mgmtd first, then zebra (research §0.11). */
export const DEFAULT_FRR_DAEMONS = ['mgmtd', 'zebra', 'staticd', 'bgpd'] as const;

/** Longest IPv6 prefix accepted from an upstream: /48 is the global routing table's common limit. */
export const MAX_ACCEPTED_IPV6_LENGTH = 48;

const isAddress = (s: string) => s.includes(':') || s.includes('.');

/**
 * Which interface carries each service address: the one the inventory names, else the only
 * tunnel in the address's FIB. Returns interface → addresses, in inventory order.
 */
export function serviceAddressInterfaces(host: HostConfig): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const sa of host.service_addresses) {
    let iface = sa.interface;
    if (!iface) {
      const inFib = host.tunnels.filter((t) => (t.fib ?? 0) === sa.fib);
      if (inFib.length !== 1) {
        throw new InvalidInputError(
          `${host.name}: service address ${sa.address} (FIB ${sa.fib}) needs an "interface": ` +
            (inFib.length ? `tunnels ${inFib.map((t) => t.name).join(', ')} are all in FIB ${sa.fib}` : `no tunnel is in FIB ${sa.fib}`),
        );
      }
      iface = inFib[0].name;
    }
    out.set(iface, [...(out.get(iface) ?? []), sa.address]);
  }
  return out;
}

export function tunnelModels(host: HostConfig): TunnelModel[] {
  const placed = serviceAddressInterfaces(host);
  return host.tunnels.map((t) => ({
    name: t.name,
    kind: t.kind,
    src: t.local,
    dst: t.remote,
    mtu: t.mtu,
    ...(t.fib !== undefined ? { fib: t.fib } : {}),
    ...(t.tunnelfib !== undefined ? { tunnelfib: t.tunnelfib } : {}),
    inner: { local: t.inner.local, peer: t.inner.peer },
    aliases: placed.get(t.name) ?? [],
    ...(t.description !== undefined ? { description: t.description } : {}),
  }));
}

/** /128 aliases on interfaces that are not tunnels: lo0 (loopback + service addresses) first. */
export function interfaceAliases(host: HostConfig): Array<{ iface: string; addrs: string[] }> {
  const tunnels = new Set(host.tunnels.map((t) => t.name));
  const placed = serviceAddressInterfaces(host);
  const lo0 = [...host.loopback, ...(placed.get('lo0') ?? [])];
  const out = lo0.length ? [{ iface: 'lo0', addrs: lo0 }] : [];
  for (const [iface, addrs] of placed) if (iface !== 'lo0' && !tunnels.has(iface)) out.push({ iface, addrs });
  return out;
}

/** Inventory routes in route(8) terms: ::/0 and 0.0.0.0/0 are "default", `via` an address or an interface. */
export function routeModels(host: HostConfig): RcRoute[] {
  return host.routes.map((r) => {
    const family = r.dest.includes(':') ? 'inet6' : 'inet';
    const route: RcRoute = { family, dest: r.dest === '::/0' || r.dest === '0.0.0.0/0' ? 'default' : r.dest, type: r.type };
    if (r.via !== undefined) {
      if (isAddress(r.via)) route.gateway = r.via;
      else route.iface = r.via;
    }
    if (r.fib !== undefined) route.fib = r.fib;
    return route;
  });
}

/** Does the host run FRR (BGP configured, or daemons listed)? */
export function usesFrr(host: HostConfig): boolean {
  return host.bgp !== undefined || host.frr !== undefined;
}

export function frrDaemons(host: HostConfig): string[] {
  return [...(host.frr?.daemons ?? DEFAULT_FRR_DAEMONS)];
}

/** Kernel modules for kld_list: the inventory's, plus if_gre when a gre tunnel needs it. */
export function kernelModules(host: HostConfig): string[] {
  const mods = [...host.modules];
  if (host.tunnels.some((t) => t.kind === 'gre') && !mods.includes('if_gre')) mods.push('if_gre');
  return mods;
}

export function rcModel(host: HostConfig): RcModel {
  return {
    forwarding: { ipv4: host.forwarding.ipv4, ipv6: host.forwarding.ipv6 },
    tunnels: tunnelModels(host),
    aliases: interfaceAliases(host),
    routes: routeModels(host),
    ...(usesFrr(host) ? { frr: { daemons: frrDaemons(host).join(' '), flags: rpkiRcVars(host) } } : {}),
    pf: host.pf !== undefined,
  };
}

/** pf.conf for a host with `pf` in the inventory; undefined without. */
export function pfModel(host: HostConfig): PfModel | undefined {
  if (!host.pf) return undefined;
  return {
    hostname: host.name,
    skip: ['lo0'],
    mss: host.tunnels.filter((t) => t.mss !== undefined).map((t) => ({ iface: t.name, maxMss: t.mss! })),
    replyTo: host.pf.reply_to.map((r) => ({ iface: r.interface, gateway: r.gateway, to: r.to })),
  };
}

/**
 * frr.conf for a host with `bgp`; undefined without. A neighbour's password is read from the
 * environment variable the inventory names, now: a missing one is an input error, raised before
 * any host is contacted.
 */
export function frrModel(host: HostConfig, env: NodeJS.ProcessEnv = process.env): FrrModel | undefined {
  const bgp = host.bgp;
  if (!bgp) return undefined;
  const v4 = bgp.announce.filter((p) => !p.includes(':'));
  if (v4.length) {
    throw new InvalidInputError(`${host.name}: bgp.announce ${v4.join(', ')}: only IPv6 prefixes can be announced (frr.conf has an IPv6 unicast address family only)`);
  }
  const neighbors = bgp.neighbors.map((n): FrrNeighbor => {
    const out: FrrNeighbor = { address: n.address, remoteAs: n.remote_as };
    if (n.description !== undefined) out.description = n.description;
    if (n.update_source !== undefined) out.updateSource = n.update_source;
    if (n.max_prefix !== undefined) out.maxPrefix = n.max_prefix;
    if (n.multihop !== undefined) out.ebgpMultihop = n.multihop;
    if (n.password) {
      const value = env[n.password.env];
      if (value === undefined || value === '') {
        throw new InvalidInputError(
          `${host.name}: the BGP password of neighbor ${n.address}${n.description ? ` (${n.description})` : ''} comes from the environment variable ${n.password.env}, which is not set`,
          { hint: `export ${n.password.env}=... before running provision` },
        );
      }
      out.password = new Secret(value);
    }
    return out;
  });
  const rpki = frrRpkiModel(host);
  return {
    hostname: host.name,
    forwarding: { ipv4: host.forwarding.ipv4, ipv6: host.forwarding.ipv6 },
    asn: bgp.asn,
    routerId: bgp.router_id,
    announce: bgp.announce,
    neighbors,
    bogons: [...IPV6_BOGONS],
    maxAcceptedLength: MAX_ACCEPTED_IPV6_LENGTH,
    ...(rpki ? { rpki } : {}),
  };
}

/** The secrets inside an FRR model, for the tasks that must mask them. */
export function frrSecrets(m: FrrModel | undefined): Secret[] {
  return (m?.neighbors ?? []).flatMap((n) => (n.password ? [n.password] : []));
}
