// The rc.conf variables that make a host's routing configuration survive a reboot: cloned
// tunnels, addresses, static routes per FIB, forwarding, FRR and pf. Pure: the rc.conf tasks
// compare these with what `sysrc` reports and set only what differs.

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
  dest: string; // IPv6 prefix, or "default"
  gateway?: string; // IPv6 next hop
  type: 'normal' | 'blackhole' | 'reject';
  fib?: number;
}

export interface RcModel {
  forwarding: boolean;
  tunnels: RcTunnel[];
  loopbackAliases: string[]; // IPv6 /128 on lo0
  routes: RcRoute[];
  frr?: { daemons: string };
  pf: boolean;
}

/** Variables whose value is a list of words that other software may add to as well. */
export const LIST_VARS = ['cloned_interfaces', 'ipv6_static_routes', 'kld_list'] as const;

/** rc.conf variable name for an ipv6 static route: readable, stable across runs, valid sh name. */
export function routeVarName(r: RcRoute): string {
  const base = r.dest === 'default' ? 'default' : r.dest.replace(/[:/]/g, '_');
  return `pv_${base}${r.fib ? `_fib${r.fib}` : ''}`;
}

function routeValue(r: RcRoute): string {
  const [addr, len] = r.dest === 'default' ? ['default', undefined] : r.dest.split('/');
  const dest = len === undefined ? addr : `${addr} -prefixlen ${len}`;
  const target = r.type === 'normal' ? r.gateway : `::1 -${r.type}`; // rc's own idiom for discard routes
  if (!target) throw new Error(`route ${r.dest} needs a gateway`);
  return `${dest} ${target}${r.fib ? ` -fib ${r.fib}` : ''}`;
}

/**
 * The variables in a stable order. List variables hold only the words this model needs; the
 * rc.conf task adds them to whatever else the operator keeps there.
 */
export function rcConfVars(m: RcModel): Array<[string, string]> {
  const vars: Array<[string, string]> = [];
  vars.push(['gateway_enable', m.forwarding ? 'YES' : 'NO'], ['ipv6_gateway_enable', m.forwarding ? 'YES' : 'NO']);
  if (m.tunnels.length) vars.push(['cloned_interfaces', m.tunnels.map((t) => t.name).join(' ')]);
  for (const t of m.tunnels) {
    vars.push([`create_args_${t.name}`, `tunnel ${t.src} ${t.dst}`]);
    const opts = [`mtu ${t.mtu}`];
    if (t.fib !== undefined) opts.push(`fib ${t.fib}`);
    if (t.tunnelfib !== undefined) opts.push(`tunnelfib ${t.tunnelfib}`);
    vars.push([`ifconfig_${t.name}`, `${opts.join(' ')} up`]);
    vars.push([`ifconfig_${t.name}_ipv6`, `inet6 ${t.inner.local} ${t.inner.peer} prefixlen 128`]);
    t.aliases.forEach((a, i) => vars.push([`ifconfig_${t.name}_alias${i}`, `inet6 ${a} prefixlen 128`]));
    if (t.description) vars.push([`ifconfig_${t.name}_descr`, t.description]);
  }
  m.loopbackAliases.forEach((a, i) => vars.push([`ifconfig_lo0_alias${i}`, `inet6 ${a} prefixlen 128`]));
  if (m.routes.length) vars.push(['ipv6_static_routes', m.routes.map(routeVarName).join(' ')]);
  for (const r of m.routes) vars.push([`ipv6_route_${routeVarName(r)}`, routeValue(r)]);
  if (m.frr) vars.push(['frr_enable', 'YES'], ['frr_daemons', m.frr.daemons]);
  if (m.pf) vars.push(['pf_enable', 'YES'], ['pf_rules', '/etc/pf.conf']);
  return vars;
}
