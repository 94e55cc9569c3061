// ifconfig(8): listing (ifconfig, -a, -l, -g, IF) and configuration of FreeBSD interfaces on the
// host's real Linux devices. gif/gre are vxlan devices (tunnel-device.ts); FIBs are routing
// tables and policy rules (fib.ts). Messages and exit codes: research §5; guesses are listed in
// fixtures/freebsd/README-network.md.
import type { FreeBSDCommand, HostContext, IfaceMeta } from './types';
import { fail, ok } from './types';
import { freebsdName, getLink, ip, linuxName, listLinks, type LinuxLink } from './linux-net';
import { defaultMeta, formatInterface, groupOf, isTunnel } from './ifconfig-status';
import { createTunnelDevice, DEFAULT_TUNNEL_MTU, recreateTunnelDevice } from './tunnel-device';
import { syncConnectedRoutes, syncFibRules } from './fib';
import { dottedNetmask, isIPv4, isIPv6, netmaskToLen, normalizeIPv6 } from '../ip';
import { fibCount } from './sysctl';
import { isModulePresent, loadModule } from './kld';

const CLONERS = ['gif', 'gre'] as const;
type Cloner = (typeof CLONERS)[number];

function clonerOf(name: string): Cloner | null {
  const m = /^(gif|gre)(\d*)$/.exec(name);
  return m ? (m[1] as Cloner) : null;
}

interface Iface {
  name: string;
  link: LinuxLink;
  meta: IfaceMeta;
}

/** Every interface of the host, FreeBSD names, in index order. */
export async function interfaces(host: HostContext): Promise<Iface[]> {
  return (await listLinks(host)).map((link) => {
    const name = freebsdName(link.ifname);
    return { name, link, meta: host.kernel.ifaces[name] ?? defaultMeta(link) };
  });
}

/** Keep kernel.ifaces' mirror of Linux state (addresses, MTU, up) current after a change. */
async function refreshMeta(host: HostContext, name: string): Promise<void> {
  const meta = host.kernel.ifaces[name];
  const link = await getLink(host, linuxName(name));
  if (!meta || !link) return;
  meta.up = link.flags.includes('UP');
  meta.mtu = meta.kind === 'loopback' && link.mtu === 65536 ? 16384 : link.mtu;
  meta.inet = link.addr_info
    .filter((a) => a.family === 'inet')
    .map((a) => ({ addr: a.local, netmask: dottedNetmask(a.prefixlen), ...(a.address ? { dest: a.address } : {}) }));
  meta.inet6 = link.addr_info
    .filter((a) => a.family === 'inet6')
    .map((a) => ({ addr: a.local, prefixlen: a.prefixlen, ...(a.address ? { dest: a.address } : {}) }));
}

// ---- listing ------------------------------------------------------------------------------

async function list(host: HostContext, args: string[]): Promise<ReturnType<typeof ok>> {
  let names = false;
  let onlyUp = false;
  let onlyDown = false;
  let group: string | null = null;
  let i = 0;
  for (; i < args.length && args[i].startsWith('-'); i++) {
    const a = args[i];
    if (a === '-g') {
      group = args[++i] ?? '';
      continue;
    }
    for (const c of a.slice(1)) {
      if (c === 'l') names = true;
      else if (c === 'u') onlyUp = true;
      else if (c === 'd') onlyDown = true;
      else if (c !== 'a' && c !== 'n') return usage();
    }
  }
  const af = args[i];
  let all = await interfaces(host);
  if (onlyUp) all = all.filter((x) => x.link.flags.includes('UP'));
  if (onlyDown) all = all.filter((x) => !x.link.flags.includes('UP'));
  if (af === 'inet' || af === 'inet6') all = all.filter((x) => x.link.addr_info.some((a) => a.family === af));
  else if (af !== undefined) return fail(`ifconfig: ${af}: bad address family\n`);
  if (group !== null) {
    const members = all.filter((x) => groupOf(x.meta) === group);
    return ok(members.map((x) => `${x.name}\n`).join(''));
  }
  if (names) return ok(all.map((x) => x.name).join(' ') + '\n');
  return ok(all.map((x) => formatInterface(x.link, x.meta)).join(''));
}

function usage() {
  return fail(
    'usage: ifconfig [-j jail] [-f type:format] interface address_family\n' +
      '                [address [dest_address]] [parameters]\n' +
      '       ifconfig [-j jail] interface create\n' +
      '       ifconfig [-j jail] -a [-dkLmuv] [-f type:format] [-G groupname]\n' +
      '                [-g groupname] [address_family]\n' +
      '       ifconfig -C\n' +
      '       ifconfig [-j jail] -g groupname\n' +
      '       ifconfig [-j jail] -l [-du] [address_family]\n' +
      '       ifconfig [-j jail] [-dkLmuv] [-f type:format]\n',
  );
}

// ---- configuration ------------------------------------------------------------------------

interface Plan {
  create: boolean;
  destroy: boolean;
  af: 'inet' | 'inet6' | null;
  addr: string | null;
  dest: string | null;
  prefixlen: number | null;
  alias: boolean;
  remove: boolean;
  up: boolean | null;
  mtu: number | null;
  fib: number | null;
  tunnelfib: number | null;
  tunnel: { src: string; dst: string } | null | undefined; // null = -tunnel
  description: string | null | undefined; // null = -description
  ifdisabled: boolean | null;
}

/** nd6 and other flags FreeBSD accepts that have no effect in the lab. */
const ACCEPTED_NOOPS = new Set(['auto_linklocal', '-auto_linklocal', 'accept_rtadv', '-accept_rtadv', 'nud', '-nud', 'no_dad', '-no_dad', 'rxcsum', '-rxcsum', 'txcsum', '-txcsum', 'tso', '-tso', 'lro', '-lro', 'link0', '-link0']);

type ParseResult = { plan: Plan } | { error: string };

function parsePlan(host: HostContext, args: string[]): ParseResult {
  const plan: Plan = { create: false, destroy: false, af: null, addr: null, dest: null, prefixlen: null, alias: false, remove: false, up: null, mtu: null, fib: null, tunnelfib: null, tunnel: undefined, description: undefined, ifdisabled: null };
  const need = (i: number, n = 1): string | null => (i + n < args.length ? null : n === 1 ? `ifconfig: '${args[i]}' requires argument\n` : `ifconfig: '${args[i]}' requires ${n} arguments\n`);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    switch (a) {
      case 'create':
        plan.create = true;
        break;
      case 'destroy':
        plan.destroy = true;
        break;
      case 'inet':
      case 'inet6':
        plan.af = a;
        break;
      case 'alias':
      case 'add':
        plan.alias = true;
        break;
      case '-alias':
      case 'delete':
      case 'remove':
        plan.remove = true;
        break;
      case 'up':
        plan.up = true;
        break;
      case 'down':
        plan.up = false;
        break;
      case '-ifdisabled':
        plan.ifdisabled = false;
        break;
      case 'ifdisabled':
        plan.ifdisabled = true;
        break;
      case 'netmask': {
        const e = need(i);
        if (e) return { error: e };
        const len = netmaskToLen(args[++i]);
        if (len === null) return { error: `ifconfig: ${args[i]}: bad value\n` };
        plan.prefixlen = len;
        break;
      }
      case 'prefixlen': {
        const e = need(i);
        if (e) return { error: e };
        const v = args[++i];
        if (!/^\d+$/.test(v) || Number(v) > 128) return { error: `ifconfig: ${v}: bad value\n` };
        plan.prefixlen = Number(v);
        break;
      }
      case 'broadcast':
      case 'metric':
      case 'vhid': {
        const e = need(i);
        if (e) return { error: e };
        i++;
        break;
      }
      case 'mtu': {
        const e = need(i);
        if (e) return { error: e };
        const v = args[++i];
        if (!/^\d+$/.test(v)) return { error: `ifconfig: ${v}: invalid mtu\n` };
        plan.mtu = Number(v);
        break;
      }
      case 'fib':
      case 'tunnelfib': {
        const e = need(i);
        if (e) return { error: e };
        const v = args[++i];
        if (!/^\d+$/.test(v)) return { error: `ifconfig: ${v}: invalid fib\n` };
        // The kernel refuses FIB numbers >= net.fibs with EINVAL (if_gif.c, research §4.1).
        if (Number(v) >= fibCount(host)) return { error: `ifconfig: ioctl (${a === 'fib' ? 'SIOCSIFFIB' : 'SIOCSTUNFIB'}): Invalid argument\n` };
        if (a === 'fib') plan.fib = Number(v);
        else plan.tunnelfib = Number(v);
        break;
      }
      case 'tunnel': {
        const e = need(i, 2);
        if (e) return { error: e };
        const src = args[++i];
        const dst = args[++i];
        for (const x of [src, dst]) if (!isIPv4(x) && !isIPv6(x)) return { error: `ifconfig: ${x}: bad value\n` };
        if (isIPv4(src) !== isIPv4(dst)) return { error: 'ifconfig: source and destination address families do not match\n' };
        plan.tunnel = isIPv4(src) ? { src, dst } : { src: normalizeIPv6(src), dst: normalizeIPv6(dst) };
        break;
      }
      case '-tunnel':
        plan.tunnel = null;
        break;
      case 'description':
      case 'descr': {
        const e = need(i);
        if (e) return { error: e };
        plan.description = args[++i];
        break;
      }
      case '-description':
      case '-descr':
        plan.description = null;
        break;
      default: {
        if (ACCEPTED_NOOPS.has(a)) break;
        // A positional word: the address, then the point-to-point destination.
        if (plan.addr !== null && plan.dest !== null) return { error: `ifconfig: ${a}: bad value\n` };
        const af = plan.af ?? 'inet';
        const [addr, len] = a.split('/');
        const valid = af === 'inet' ? isIPv4(addr) : isIPv6(addr);
        if (!valid || (len !== undefined && !/^\d+$/.test(len))) return { error: `ifconfig: ${a}: bad value\n` };
        plan.af = af;
        if (plan.addr === null) {
          plan.addr = af === 'inet6' ? normalizeIPv6(addr) : addr;
          if (len !== undefined) plan.prefixlen = Number(len);
        } else plan.dest = af === 'inet6' ? normalizeIPv6(addr) : addr;
      }
    }
  }
  return { plan };
}

/** FreeBSD's default inet mask without netmask/prefix: classful. */
function classfulLen(addr: string): number {
  const first = Number(addr.split('.')[0]);
  return first < 128 ? 8 : first < 192 ? 16 : 24;
}

async function addAddress(host: HostContext, name: string, meta: IfaceMeta, plan: Plan): Promise<string | null> {
  const dev = linuxName(name);
  const af = plan.af!;
  const addr = plan.addr!;
  const link = await getLink(host, dev);
  const existing = (link?.addr_info ?? []).filter((a) => a.family === af);
  if (plan.remove) {
    const found = existing.find((a) => a.local === addr);
    if (!found) return `ifconfig: ioctl (${af === 'inet' ? 'SIOCDIFADDR' : 'SIOCDIFADDR_IN6'}): Can't assign requested address\n`;
    await ip(host, [af === 'inet' ? '-4' : '-6', 'addr', 'del', found.address ? found.local : `${found.local}/${found.prefixlen}`, ...(found.address ? ['peer', `${found.address}/${found.prefixlen}`] : []), 'dev', dev]);
    return null;
  }
  const full = af === 'inet' ? 32 : 128;
  const len = plan.prefixlen ?? (plan.dest ? full : af === 'inet' ? classfulLen(addr) : 64);
  // An inet address without `alias` replaces the interface's first inet address (SIOCDIFADDR + SIOCAIFADDR).
  if (af === 'inet' && !plan.alias && existing.length > 0 && existing[0].local !== addr) {
    const first = existing[0];
    await ip(host, ['-4', 'addr', 'del', first.address ? first.local : `${first.local}/${first.prefixlen}`, ...(first.address ? ['peer', `${first.address}/${first.prefixlen}`] : []), 'dev', dev]);
  }
  const same = existing.find((a) => a.local === addr);
  if (same) {
    if (same.prefixlen === len && (same.address ?? null) === plan.dest) return null; // SIOCAIFADDR on an identical address changes nothing
    await ip(host, [af === 'inet' ? '-4' : '-6', 'addr', 'del', same.address ? same.local : `${same.local}/${same.prefixlen}`, ...(same.address ? ['peer', `${same.address}/${same.prefixlen}`] : []), 'dev', dev]);
  }
  const target = plan.dest ? [addr, 'peer', `${plan.dest}/${len}`] : [`${addr}/${len}`];
  // Connected routes are the lab's to place (fib.ts syncConnectedRoutes), so the kernel adds none.
  const flags = ['noprefixroute', ...(af === 'inet6' && isTunnel(meta) ? ['nodad'] : [])];
  const r = await ip(host, [af === 'inet' ? '-4' : '-6', 'addr', 'add', ...target, ...flags, 'dev', dev]);
  if (r.code !== 0) return `ifconfig: ioctl (${af === 'inet' ? 'SIOCAIFADDR' : 'SIOCAIFADDR_IN6'}): ${linuxErrno(r.stderr)}\n`;
  // Assigning an address marks the interface up, as on FreeBSD.
  await ip(host, ['link', 'set', 'dev', dev, 'up']);
  return null;
}

function linuxErrno(stderr: string): string {
  if (/File exists/.test(stderr)) return 'File exists';
  if (/Permission denied|not permitted/.test(stderr)) return 'Operation not permitted';
  if (/Cannot assign/.test(stderr)) return "Can't assign requested address";
  return 'Invalid argument';
}

function newTunnelMeta(name: string, kind: Cloner): IfaceMeta {
  return { linux: name, kind, fib: 0, tunnelfib: 0, tunnel: null, description: null, up: false, mtu: DEFAULT_TUNNEL_MTU[kind], inet6: [], inet: [] };
}

async function create(host: HostContext, name: string, kind: Cloner): Promise<string | null> {
  // `ifconfig greN create` loads if_gre.ko through ifmaybeload() (research §1.4).
  if (!isModulePresent(host, `if_${kind}`) && !loadModule(host, `if_${kind}`).ok) return `ifconfig: SIOCIFCREATE2 (${name}): Invalid argument\n`;
  const meta = newTunnelMeta(name, kind);
  const err = await createTunnelDevice(host, name, kind, null, meta.mtu);
  if (err) return `ifconfig: SIOCIFCREATE2 (${name}): ${linuxErrno(err)}\n`;
  host.kernel.ifaces[name] = meta;
  return null;
}

async function nextFreeName(host: HostContext, kind: Cloner): Promise<string> {
  const taken = new Set((await listLinks(host)).map((l) => freebsdName(l.ifname)));
  let n = 0;
  while (taken.has(`${kind}${n}`)) n++;
  return `${kind}${n}`;
}

async function configure(host: HostContext, requested: string, args: string[]) {
  const parsed = parsePlan(host, args);
  if ('error' in parsed) return fail(parsed.error);
  const plan = parsed.plan;
  let name = requested;
  let out = '';
  if (plan.create) {
    const kind = clonerOf(name);
    if (!kind) return fail(`ifconfig: SIOCIFCREATE2 (${name}): Invalid argument\n`);
    if (name === kind) {
      name = await nextFreeName(host, kind);
      out = `${name}\n`;
    } else if (await getLink(host, linuxName(name))) return fail(`ifconfig: SIOCIFCREATE2 (${name}): File exists\n`);
    const err = await create(host, name, kind);
    if (err) return fail(err);
  }
  const link = await getLink(host, linuxName(name));
  if (!link) return fail(`ifconfig: interface ${name} does not exist\n`);
  const meta = (host.kernel.ifaces[name] ??= defaultMeta(link));

  if (plan.destroy) {
    if (!isTunnel(meta)) return fail('ifconfig: SIOCIFDESTROY: Invalid argument\n');
    await ip(host, ['link', 'del', 'dev', linuxName(name)]);
    delete host.kernel.ifaces[name];
    await syncFibRules(host);
    return ok(out);
  }
  if (plan.tunnel !== undefined) {
    if (!isTunnel(meta)) return fail(`ifconfig: ioctl (SIOCSIFPHYADDR): Inappropriate ioctl for device\n`);
    const t = plan.tunnel;
    if (t) {
      const dup = Object.entries(host.kernel.ifaces).find(([n, m]) => n !== name && m.kind === meta.kind && m.tunnel?.src === t.src && m.tunnel?.dst === t.dst);
      if (dup) return fail("ifconfig: ioctl (SIOCSIFPHYADDR): Can't assign requested address\n");
    }
    const err = await recreateTunnelDevice(host, name, meta.kind, t);
    if (err) return fail(`ifconfig: ioctl (SIOCSIFPHYADDR): ${linuxErrno(err)}\n`);
    meta.tunnel = t;
  }
  if (plan.tunnelfib !== null) {
    if (!isTunnel(meta)) return fail('ifconfig: ioctl (SIOCSTUNFIB): Invalid argument\n');
    meta.tunnelfib = plan.tunnelfib;
  }
  if (plan.fib !== null) meta.fib = plan.fib;
  if (plan.mtu !== null) {
    const r = await ip(host, ['link', 'set', 'dev', linuxName(name), 'mtu', String(plan.mtu)]);
    if (r.code !== 0) return fail('ifconfig: ioctl SIOCSIFMTU (set mtu): Invalid argument\n');
  }
  if (plan.description !== undefined) {
    meta.description = plan.description;
    await ip(host, ['link', 'set', 'dev', linuxName(name), 'alias', plan.description ?? '']);
  }
  if (plan.ifdisabled !== null && meta.kind !== 'loopback') {
    await host.run(['/usr/sbin/sysctl', '-qw', `net.ipv6.conf.${linuxName(name)}.disable_ipv6=${plan.ifdisabled ? 1 : 0}`], { ns: 'net' });
  }
  if (plan.addr !== null) {
    const err = await addAddress(host, name, meta, plan);
    if (err) {
      await refreshMeta(host, name);
      return fail(err);
    }
  } else if (plan.remove) return fail(`ifconfig: ${plan.af ?? 'inet'}: bad value\n`);
  if (plan.up !== null) await ip(host, ['link', 'set', 'dev', linuxName(name), plan.up ? 'up' : 'down']);
  await syncConnectedRoutes(host, name);
  await syncFibRules(host);
  await refreshMeta(host, name);
  return ok(out);
}

export const ifconfig: FreeBSDCommand = async (inv, host) => {
  const args = inv.argv.slice(1);
  if (args.length === 0 || args[0].startsWith('-')) return list(host, args);
  const [name, ...rest] = args;
  if (rest.length === 0) {
    const link = await getLink(host, linuxName(name));
    if (!link) return fail(`ifconfig: interface ${name} does not exist\n`);
    return ok(formatInterface(link, host.kernel.ifaces[name] ?? defaultMeta(link)));
  }
  return configure(host, name, rest);
};
