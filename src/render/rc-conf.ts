// The rc.conf variables that make a host's routing configuration survive a reboot: cloned
// tunnels, addresses, static routes per FIB, forwarding, FRR and pf. Pure: the rc.conf tasks
// compare these with what `sysrc` reports and set only what differs.
// Syntax: research/freebsd-frr.md §4 (network.subr, rc.d/routing), route(8) §6.3.

export interface RcTunnel {
  name: string; // gif0, gre0…
  src: string; // outer IPv4, local
  dst: string; // outer IPv4, far end
  mtu: number;
  fib?: number;
  tunnelfib?: number;
  inner: { local: string; peer: string }; // IPv6 /128 pair
  /** extra /128 addresses on the tunnel interface (service addresses in the tunnel's FIB) */
  aliases: string[];
  description?: string;
}

export interface RcRoute {
  /** default: from the addresses in dest/gateway, else inet6 (the model's first scope) */
  family?: 'inet' | 'inet6';
  dest: string; // prefix, or "default"
  /** next-hop address */
  gateway?: string;
  /** interface route: `route add … -interface IF` */
  iface?: string;
  type: 'normal' | 'blackhole' | 'reject';
  fib?: number;
}

export interface RcModel {
  /** rc.d/routing writes the forwarding sysctls from these knobs at boot (research §4.6) */
  forwarding: { ipv4: boolean; ipv6: boolean };
  tunnels: RcTunnel[];
  /** IPv6 /128 aliases on interfaces that are not tunnels, lo0 first */
  aliases: Array<{ iface: string; addrs: string[] }>;
  routes: RcRoute[];
  /** `flags`: per-daemon rc variables such as bgpd_flags (the rpki module) */
  frr?: { daemons: string; flags?: Array<[string, string]> };
  pf: boolean;
}

/** Variables whose value is a list of words that other software may add to as well. */
export const LIST_VARS = ['cloned_interfaces', 'ipv6_static_routes', 'kld_list', 'static_routes'] as const;

/** rc.conf variable name for a static route: readable, stable across runs, valid sh name. */
export function routeVarName(r: Pick<RcRoute, 'dest' | 'fib'>): string {
  const base = r.dest === 'default' ? 'default' : r.dest.replace(/[:./]/g, '_');
  return `pv_${base}${r.fib ? `_fib${r.fib}` : ''}`;
}

export function routeFamily(r: RcRoute): 'inet' | 'inet6' {
  if (r.family) return r.family;
  return /^[0-9.]+(\/\d+)?$/.test(r.dest) || /^[0-9.]+$/.test(r.gateway ?? '') ? 'inet' : 'inet6';
}

/** route(8) arguments after `route add -inet|-inet6`, as rc.d/routing passes them. */
export function routeValue(r: RcRoute): string {
  const family = routeFamily(r);
  let dest: string;
  if (r.dest === 'default') dest = 'default';
  else {
    const [addr, len] = r.dest.split('/');
    const host = len === (family === 'inet' ? '32' : '128');
    // IPv6 keeps rc's own "-prefixlen" idiom (ipv6_route__lla…); IPv4 uses -net/-host with CIDR
    if (family === 'inet6') dest = host ? `-host ${addr}` : `${addr} -prefixlen ${len}`;
    else dest = host ? `-host ${addr}` : `-net ${r.dest}`;
  }
  let target: string;
  if (r.type !== 'normal') target = `${family === 'inet' ? '127.0.0.1' : '::1'} -${r.type}`; // rc's idiom for discard routes
  else if (r.iface) target = `-interface ${r.iface}`;
  else if (r.gateway) target = r.gateway;
  else throw new Error(`route ${r.dest} needs a gateway or an interface`);
  return `${dest} ${target}${r.fib ? ` -fib ${r.fib}` : ''}`;
}

/**
 * The default route of FIB 0 through an address goes in defaultrouter / ipv6_defaultrouter, the
 * variables the installer writes: a second route to the same default would fail at boot.
 */
function isPlainDefault(r: RcRoute): boolean {
  return r.dest === 'default' && !r.fib && r.type === 'normal' && !r.iface && r.gateway !== undefined;
}

export type RcGroupName = 'forwarding' | 'tunnels' | 'addresses' | 'routes' | 'frr' | 'pf';

export interface RcGroup {
  name: RcGroupName;
  vars: Array<[string, string]>;
}

/**
 * The variables by concern, in boot order, empty groups left out. List variables hold only the
 * words this model needs; the rc.conf task adds them to whatever else the operator keeps there.
 */
export function rcConfGroups(m: RcModel): RcGroup[] {
  const yesNo = (b: boolean) => (b ? 'YES' : 'NO');
  const groups: RcGroup[] = [];
  const add = (name: RcGroupName, vars: Array<[string, string]>) => {
    if (vars.length) groups.push({ name, vars });
  };

  add('forwarding', [
    ['gateway_enable', yesNo(m.forwarding.ipv4)],
    ['ipv6_gateway_enable', yesNo(m.forwarding.ipv6)],
  ]);

  const tunnels: Array<[string, string]> = [];
  if (m.tunnels.length) tunnels.push(['cloned_interfaces', m.tunnels.map((t) => t.name).join(' ')]);
  for (const t of m.tunnels) {
    tunnels.push([`create_args_${t.name}`, `tunnel ${t.src} ${t.dst}`]);
    const opts = [`mtu ${t.mtu}`];
    if (t.fib !== undefined) opts.push(`fib ${t.fib}`);
    if (t.tunnelfib !== undefined) opts.push(`tunnelfib ${t.tunnelfib}`);
    tunnels.push([`ifconfig_${t.name}`, `${opts.join(' ')} up`]);
    tunnels.push([`ifconfig_${t.name}_ipv6`, `inet6 ${t.inner.local} ${t.inner.peer} prefixlen 128`]);
    t.aliases.forEach((a, i) => tunnels.push([`ifconfig_${t.name}_alias${i}`, `inet6 ${a} prefixlen 128`]));
    if (t.description) tunnels.push([`ifconfig_${t.name}_descr`, t.description]);
  }
  add('tunnels', tunnels);

  const addresses: Array<[string, string]> = [];
  for (const { iface, addrs } of m.aliases) {
    addrs.forEach((a, i) => addresses.push([`ifconfig_${iface}_alias${i}`, `inet6 ${a} prefixlen 128`]));
  }
  add('addresses', addresses);

  const routes: Array<[string, string]> = [];
  for (const family of ['inet', 'inet6'] as const) {
    const prefix = family === 'inet' ? '' : 'ipv6_';
    const mine = m.routes.filter((r) => routeFamily(r) === family);
    const dflt = mine.find(isPlainDefault);
    if (dflt) routes.push([`${prefix}defaultrouter`, dflt.gateway!]);
    const listed = mine.filter((r) => r !== dflt);
    if (listed.length) routes.push([`${prefix}static_routes`, listed.map(routeVarName).join(' ')]);
    for (const r of listed) routes.push([`${prefix}route_${routeVarName(r)}`, routeValue(r)]);
  }
  add('routes', routes);

  if (m.frr) add('frr', [['frr_enable', 'YES'], ['frr_daemons', m.frr.daemons], ...(m.frr.flags ?? [])]);
  if (m.pf) add('pf', [['pf_enable', 'YES'], ['pf_rules', '/etc/pf.conf']]);
  return groups;
}

/** Every variable, in the groups' order. */
export function rcConfVars(m: RcModel): Array<[string, string]> {
  return rcConfGroups(m).flatMap((g) => g.vars);
}
