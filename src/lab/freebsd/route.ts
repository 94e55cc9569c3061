// route(8): add, delete, change, get and flush on the Linux tables behind the FreeBSD FIBs.
// Syntax: research §6.3 (route.8); messages follow sbin/route/route.c newroute()/flushroutes_fib()
// (see fixtures/freebsd/README-network.md for which texts are guesses).
import { fibTable } from './types';
import type { CommandResult, FreeBSDCommand, HostContext } from './types';
import { fail, ok } from './types';
import { parseFibList, syncFibRules } from './fib';
import { fibRoutes } from './fib-routes';
import { familyOf, freebsdName, ip, linuxName, listLinks, type Family } from './linux-net';
import { dottedNetmask, ipv6Mask, isIPv4, isIPv6, netmaskToLen, networkOf, normalizeIPv6 } from '../ip';
import { fibCount } from './sysctl';

const USAGE = 'usage: route [-46dnqtv] command [[modifiers] args]\n';

interface RouteArgs {
  cmd: string;
  family: Family | null;
  quiet: boolean;
  forceNet: boolean;
  forceHost: boolean;
  iface: boolean;
  reject: boolean;
  blackhole: boolean;
  fibs: number[] | null;
  prefixlen: number | null;
  positional: string[];
}

function parse(host: HostContext, argv: string[]): RouteArgs | CommandResult {
  const a: RouteArgs = { cmd: '', family: null, quiet: false, forceNet: false, forceHost: false, iface: false, reject: false, blackhole: false, fibs: null, prefixlen: null, positional: [] };
  let i = 0;
  // Leading options (-n, -q, -4, -6…) before the command word.
  for (; i < argv.length && argv[i].startsWith('-') && argv[i].length > 1; i++) {
    for (const c of argv[i].slice(1)) {
      if (c === 'q') a.quiet = true;
      else if (c === '4') a.family = 4;
      else if (c === '6') a.family = 6;
      else if (!'dntv'.includes(c)) return fail(USAGE, 64);
    }
  }
  a.cmd = argv[i++] ?? '';
  for (; i < argv.length; i++) {
    const w = argv[i];
    const next = (): string | null => (i + 1 < argv.length ? argv[++i] : null);
    switch (w) {
      case '-inet':
      case '-4':
        a.family = 4;
        break;
      case '-inet6':
      case '-6':
        a.family = 6;
        break;
      case '-net':
        a.forceNet = true;
        break;
      case '-host':
        a.forceHost = true;
        break;
      case '-interface':
      case '-iface':
        a.iface = true;
        break;
      case '-reject':
        a.reject = true;
        break;
      case '-blackhole':
        a.blackhole = true;
        break;
      case '-static':
      case '-nostatic':
        break;
      case '-fib': {
        const v = next();
        if (v === null) return fail('route: missing -fib argument\n', 64);
        const fibs = parseFibList(host, v);
        if (typeof fibs === 'string') return fail(`route: ${fibs}\n`, 64);
        a.fibs = fibs;
        break;
      }
      case '-prefixlen': {
        const v = next();
        if (v === null || !/^\d+$/.test(v)) return fail(`route: ${v ?? '-prefixlen'}: bad value\n`, 64);
        a.prefixlen = Number(v);
        break;
      }
      case '-netmask': {
        const v = next();
        const len = v === null ? null : netmaskToLen(v);
        if (len === null) return fail(`route: ${v}: bad value\n`, 64);
        a.prefixlen = len;
        break;
      }
      case '-mtu':
      case '-weight':
      case '-expire':
      case '-hopcount':
      case '-ifp':
      case '-ifa':
        next();
        break;
      default:
        if (w.startsWith('-') && w.length > 1) return fail(`route: ${w}: bad keyword\n`, 64);
        a.positional.push(w);
    }
  }
  return a;
}

interface Dest {
  /** Linux destination: "default" or "addr/len" */
  linux: string;
  /** as route(8) prints it in its messages */
  shown: string;
  host: boolean;
  family: Family;
}

function resolveDest(text: string, a: RouteArgs): Dest | string {
  if (text === 'default') {
    const family = a.family ?? 4;
    return { linux: 'default', shown: 'default', host: false, family };
  }
  const [addr, lenText] = text.split('/');
  const family: Family = isIPv6(addr) ? 6 : 4;
  if (family === 4 && !isIPv4(addr)) return `${text}: bad address`;
  if (a.family !== null && a.family !== family) return `${text}: bad address`;
  const full = family === 4 ? 32 : 128;
  let len: number;
  if (lenText !== undefined) len = Number(lenText);
  else if (a.forceHost) len = full;
  else if (a.prefixlen !== null) len = a.prefixlen;
  else if (a.forceNet) len = family === 6 ? 64 : Number(addr.split('.')[0]) < 128 ? 8 : Number(addr.split('.')[0]) < 192 ? 16 : 24;
  else len = full;
  if (!(len >= 0 && len <= full)) return `${text}: bad value`;
  const host = !a.forceNet && len === full;
  const norm = family === 6 ? normalizeIPv6(addr) : addr;
  const linux = len === 0 ? 'default' : `${networkOf(norm, len)}/${len}`;
  return { linux, shown: text, host, family };
}

/** "add net 2001:db8:100::: gateway ::1 fib 1" — route.c newroute() (fib only when net.fibs > 1). */
function message(host: HostContext, cmd: string, d: Dest, gateway: string | null, fib: number, error: string | null): string {
  let s = `${cmd} ${d.host ? 'host' : 'net'} ${d.shown}`;
  if (gateway) s += `: gateway ${gateway}`;
  if (fibCount(host) > 1) s += ` fib ${fib}`;
  return s + (error ? `: ${error}` : '') + '\n';
}

/** What route.c prints for the errno a Linux failure stands for. */
function routeError(stderr: string, cmd: string): { errno: string; text: string } {
  if (/File exists/.test(stderr)) return { errno: 'File exists', text: 'route already in table' };
  if (/No such process|No such file|not found/i.test(stderr)) return { errno: 'No such process', text: 'not in table' };
  if (/unreachable|invalid gateway|Nexthop/i.test(stderr)) return { errno: 'Network is unreachable', text: 'Network is unreachable' };
  return { errno: cmd === 'delete' ? 'No such process' : 'Invalid argument', text: 'Invalid argument' };
}

async function modify(host: HostContext, a: RouteArgs): Promise<CommandResult> {
  const [destText, gateway] = a.positional;
  if (!destText) return fail(USAGE, 64);
  const d = resolveDest(destText, a);
  if (typeof d === 'string') return fail(`route: ${d}\n`, 68);
  if (a.cmd !== 'delete' && gateway === undefined) return fail(USAGE, 64);
  // Linux routes of type blackhole/unreachable take no gateway; FreeBSD's `::1 -blackhole` idiom just names lo0.
  const special = a.blackhole ? 'blackhole' : a.reject ? 'unreachable' : null;
  let nexthop: string[] = [];
  const [gwAddr, gwScope] = (gateway ?? '').split('%');
  if (!special && gateway !== undefined && gwScope !== undefined && isIPv6(gwAddr)) {
    // A scoped link-local gateway (fe80::1%vtnet0), as rc.conf's ipv6_defaultrouter often is.
    nexthop = ['via', gwAddr, 'dev', linuxName(gwScope)];
  } else if (!special && gateway !== undefined) {
    if (a.iface || (!isIPv4(gateway) && !isIPv6(gateway))) {
      const links = await listLinks(host);
      const byName = links.find((l) => l.ifname === linuxName(gateway));
      const byAddr = links.find((l) => l.addr_info.some((x) => x.local === gateway));
      const link = byName ?? byAddr;
      if (!link) return fail(`route: ${gateway}: bad address\n`, 68);
      nexthop = ['dev', link.ifname];
    } else {
      if (familyOf(gateway) !== d.family) return fail(`route: ${gateway}: bad address\n`, 68);
      nexthop = ['via', gateway];
    }
  }
  const fibs = a.fibs ?? [0];
  if (fibs.some((f) => f > 0)) await syncFibRules(host); // setfib's per-FIB rules exist once a FIB is used
  let out = '';
  let errs = '';
  let failed = 0;
  for (const fib of fibs) {
    const table = String(fibTable(fib));
    const verb = a.cmd === 'add' ? 'add' : a.cmd === 'change' ? 'change' : 'del';
    const argv = [`-${d.family}`, 'route', verb, ...(special ? [special] : []), d.linux, ...(a.cmd === 'delete' ? [] : nexthop), 'table', table];
    const r = await ip(host, argv);
    const err = r.code === 0 ? null : routeError(r.stderr, a.cmd);
    if (err) {
      failed++;
      errs += `route: writing to routing socket: ${err.errno}\n`;
    }
    if (!a.quiet) out += message(host, a.cmd, d, gateway ?? null, fib, err?.text ?? null);
  }
  return { stdout: out, stderr: errs, code: failed ? 1 : 0 };
}

async function get(host: HostContext, a: RouteArgs): Promise<CommandResult> {
  const [destText] = a.positional;
  if (!destText) return fail(USAGE, 64);
  const d = resolveDest(destText, a);
  if (typeof d === 'string') return fail(`route: ${d}\n`, 68);
  const fib = a.fibs?.[0] ?? 0;
  if (fib > 0) await syncFibRules(host);
  const target = d.linux === 'default' ? (d.family === 4 ? '0.0.0.0' : '::') : d.linux.split('/')[0];
  const routes = await fibRoutes(host, fib, d.family);
  // Longest prefix match over the FIB, as the kernel's rtalloc does.
  const match = routes
    .map((r) => ({ r, len: prefixLen(r.destination, d.family) }))
    .filter(({ r, len }) => r.destination === 'default' || networkOf(target, len) === networkOf(stripScope(r.destination), len))
    .sort((x, y) => y.len - x.len)[0];
  if (!match) return fail('route: route has not been found\n', 1);
  const r = match.r;
  const dest = r.destination === 'default' ? 'default' : stripScope(r.destination);
  const lines = [`   route to: ${d.linux === 'default' ? 'default' : target}`, `destination: ${dest}`];
  if (!r.host) lines.push(`       mask: ${d.family === 4 ? dottedNetmask(match.len) : match.len === 0 ? 'default' : ipv6Mask(match.len)}`);
  lines.push(`        fib: ${fib}`);
  if (r.hasGateway) lines.push(`    gateway: ${r.gateway}`);
  lines.push(`  interface: ${r.netif}`);
  const names = ['UP'];
  if (r.flags.includes('G')) names.push('GATEWAY');
  if (r.flags.includes('H')) names.push('HOST');
  if (r.flags.includes('R')) names.push('REJECT');
  names.push('DONE');
  if (r.flags.includes('S')) names.push('STATIC');
  if (r.flags.includes('B')) names.push('BLACKHOLE');
  if (r.flags.includes('1')) names.push('PROTO1');
  lines.push(`      flags: <${names.join(',')}>`);
  const links = await listLinks(host);
  const mtu = links.find((l) => freebsdName(l.ifname) === r.netif)?.mtu ?? 1500;
  lines.push(' recvpipe  sendpipe  ssthresh  rtt,msec    mtu        weight    expire');
  lines.push(`${'0'.padStart(9)}${'0'.padStart(10)}${'0'.padStart(10)}${'0'.padStart(10)}${String(r.netif === 'lo0' ? 16384 : mtu).padStart(10)}${'1'.padStart(10)}${'0'.padStart(10)} `);
  return ok(lines.join('\n') + '\n');
}

function stripScope(dest: string): string {
  return dest.replace(/%[^/]*/, '').split('/')[0];
}

function prefixLen(dest: string, family: Family): number {
  if (dest === 'default') return 0;
  const len = dest.split('/')[1];
  return len === undefined ? (family === 4 ? 32 : 128) : Number(len);
}

/**
 * route flush: remove every gateway route (RTF_GATEWAY; reject/blackhole routes name a
 * gateway too) of the FIB, printing "dest gateway [-fib N] done" per route (flushroutes_fib).
 * Routes through mgmt0 are left alone: that is the lab's out-of-band path, not FreeBSD's.
 */
async function flush(host: HostContext, a: RouteArgs): Promise<CommandResult> {
  const families: Family[] = a.family ? [a.family] : [4, 6];
  let out = '';
  for (const fib of a.fibs ?? [0]) {
    for (const family of families) {
      for (const r of await fibRoutes(host, fib, family)) {
        if (!r.hasGateway || !r.linux || host.kernel.ifaces[r.netif]?.kind === 'mgmt') continue;
        const type = r.linux.type && r.linux.type !== 'unicast' ? [r.linux.type] : [];
        await ip(host, [`-${family}`, 'route', 'del', ...type, r.linux.dst, 'table', String(fibTable(fib))]);
        if (!a.quiet) out += `${r.destination.padEnd(20).slice(0, 20)} ${r.gateway.padEnd(20).slice(0, 20)} ${fibCount(host) > 1 ? `-fib ${String(fib).padEnd(3)} ` : ''}done\n`;
      }
    }
  }
  return ok(out);
}

export const route: FreeBSDCommand = async (inv, host) => {
  const parsed = parse(host, inv.argv.slice(1));
  if ('code' in parsed) return parsed;
  switch (parsed.cmd) {
    case 'add':
    case 'delete':
    case 'change':
      return modify(host, parsed);
    case 'get':
    case 'show':
      return get(host, parsed);
    case 'flush':
      return flush(host, parsed);
    case '':
      return fail(USAGE, 64);
    default:
      return fail(`route: ${parsed.cmd}: bad keyword\n${USAGE}`, 64);
  }
};
