// The Linux device behind a FreeBSD gif/gre interface: a vxlan device (this kernel has no
// gif/gre/sit, see lab-notes.md). Its VNI is derived from the outer address pair, so changing
// the far end means re-creating the device; everything FreeBSD keeps across a retarget
// (addresses, MTU, up state, routes through it) is carried over.
import type { HostContext, IfaceMeta } from './types';
import { ip, getLink, listRoutes, type LinuxRoute } from './linux-net';
import { tunnelLink, tunnelMac, type TunnelKind } from '../tunnel';
import { syncConnectedRoutes } from './fib';

export const DEFAULT_TUNNEL_MTU: Record<TunnelKind, number> = { gif: 1280, gre: 1476 };

function vxlanArgs(host: HostContext, name: string, kind: TunnelKind, tunnel: IfaceMeta['tunnel']): string[] {
  // Without endpoints the device gets a VNI no peer uses, so it carries nothing, like an unconfigured gif.
  const { vni, port } = tunnel ? tunnelLink(kind, tunnel.src, tunnel.dst) : tunnelLink(kind, 'unconfigured', `${host.name}/${name}`);
  const args = ['link', 'add', name, 'address', tunnelMac(host.name, name), 'type', 'vxlan', 'id', String(vni), 'dstport', String(port), 'nolearning'];
  if (tunnel) args.push('local', tunnel.src, 'remote', tunnel.dst);
  return args;
}

/** Create the device; returns Linux's error text on failure (e.g. a VNI clash = duplicate tunnel). */
export async function createTunnelDevice(host: HostContext, name: string, kind: TunnelKind, tunnel: IfaceMeta['tunnel'], mtu: number): Promise<string | null> {
  const r = await ip(host, vxlanArgs(host, name, kind, tunnel));
  if (r.code !== 0) return r.stderr.trim();
  await ip(host, ['link', 'set', 'dev', name, 'mtu', String(mtu)]);
  return null;
}

function routeArgs(r: LinuxRoute, family: 4 | 6, table: string): string[] {
  const a = [`-${family}`, 'route', 'replace'];
  if (r.type && r.type !== 'unicast') a.push(r.type);
  a.push(r.dst);
  if (r.gateway) a.push('via', r.gateway);
  if (r.dev) a.push('dev', r.dev);
  if (r.protocol) a.push('proto', r.protocol);
  if (r.scope && r.scope !== 'global' && r.scope !== 'universe') a.push('scope', r.scope);
  if (r.prefsrc) a.push('src', r.prefsrc);
  if (r.metric !== undefined) a.push('metric', String(r.metric));
  a.push('table', table);
  return a;
}

/** Re-create a tunnel's device for new endpoints, keeping addresses, MTU, up state and routes. */
export async function recreateTunnelDevice(host: HostContext, name: string, kind: TunnelKind, tunnel: IfaceMeta['tunnel']): Promise<string | null> {
  const link = await getLink(host, name);
  const routes: Array<{ family: 4 | 6; route: LinuxRoute }> = [];
  for (const family of [4, 6] as const) {
    for (const route of await listRoutes(host, family, 'all')) {
      if (route.dev !== name || route.table === 'local' || route.protocol === 'kernel') continue;
      routes.push({ family, route });
    }
  }
  if (link) await ip(host, ['link', 'del', 'dev', name]);
  const mtu = link?.mtu ?? DEFAULT_TUNNEL_MTU[kind];
  const err = await createTunnelDevice(host, name, kind, tunnel, mtu);
  if (err) return err;
  for (const a of link?.addr_info ?? []) {
    if (a.family === 'inet6' && a.scope === 'link') continue; // the kernel makes a new link-local
    const target = a.address ? [a.local, 'peer', `${a.address}/${a.prefixlen}`] : [`${a.local}/${a.prefixlen}`];
    const flags = [...(a.noprefixroute ? ['noprefixroute'] : []), ...(a.family === 'inet6' ? ['nodad'] : [])];
    await ip(host, [a.family === 'inet' ? '-4' : '-6', 'addr', 'add', ...target, ...flags, 'dev', name]);
  }
  if (link?.flags.includes('UP')) await ip(host, ['link', 'set', 'dev', name, 'up']);
  // the connected routes first (the peer's /128 in the interface's FIB among them), then the
  // routes via a gateway on them: Linux refuses a gateway it cannot reach yet
  await syncConnectedRoutes(host, name);
  routes.sort((a, b) => Number(Boolean(a.route.gateway)) - Number(Boolean(b.route.gateway)));
  for (const { family, route } of routes) await ip(host, routeArgs(route, family, route.table ?? 'main'));
  return null;
}
