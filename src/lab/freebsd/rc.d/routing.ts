// /etc/rc.d/routing (libexec/rc/rc.d/routing, research §4.3, §4.6):
//  start/static: static routes through route(8): defaultrouter + static_routes/route_NAME for
//    inet; FreeBSD's built-in reject routes, ipv6_defaultrouter and ipv6_static_routes/
//    ipv6_route_NAME for inet6 ("name:ifname" entries are routes tied to an interface).
//  start also sets forwarding from gateway_enable / ipv6_gateway_enable, writing 0 when NO.
//  stop runs `route -n flush -inet` and `-inet6`: every gateway route of FIB 0 goes, which
//    cuts a router off (the trap of `service routing restart`). route.ts never flushes mgmt0.
import type { CommandResult, HostContext, ServiceScript } from '../types';
import { isYes, loadRcConf } from '../rcconf';
import { shellWords } from '../sh-words';
import { fibCount } from '../sysctl';

type Af = 'inet' | 'inet6';
type Vars = Map<string, string>;

function families(args: string[]): Af[] | null {
  const a = args[0];
  if (a === undefined || a === 'any') return ['inet', 'inet6'];
  if (a === 'inet' || a === 'inet6') return [a];
  return null;
}

/** The (name, route args) pairs rc adds for one family, built-ins first. */
function staticRoutes(vars: Vars, af: Af, fibmod: string[]): Array<{ name: string; args: string[] }> {
  const out: Array<{ name: string; args: string[] }> = [];
  const listed = (listVar: string, prefix: string) => {
    for (const entry of (vars.get(listVar) ?? '').split(/\s+/).filter(Boolean)) {
      const name = entry.replace(/:.*$/, '');
      const value = vars.get(`${prefix}${name}`);
      if (value) out.push({ name, args: shellWords(value) });
    }
  };
  if (af === 'inet') {
    const dr = vars.get('defaultrouter');
    if (dr && !/^no$/i.test(dr)) out.push({ name: '_default', args: ['default', dr] });
    listed('static_routes', 'route_');
  } else {
    // Addresses that must never reach the wire (rc.d/routing's ipv6_route__* built-ins).
    out.push({ name: '_v4mapped', args: ['::ffff:0.0.0.0', '-prefixlen', '96', '::1', '-reject', ...fibmod] });
    out.push({ name: '_v4compat', args: ['::0.0.0.0', '-prefixlen', '96', '::1', '-reject', ...fibmod] });
    out.push({ name: '_lla', args: ['fe80::', '-prefixlen', '10', '::1', '-reject', ...fibmod] });
    out.push({ name: '_llma', args: ['ff02::', '-prefixlen', '16', '::1', '-reject', ...fibmod] });
    const dr = vars.get('ipv6_defaultrouter');
    if (dr && !/^no$/i.test(dr)) out.push({ name: '_default', args: ['default', dr] });
    listed('ipv6_static_routes', 'ipv6_route_');
  }
  return out;
}

async function addStatic(host: HostContext, vars: Vars, afs: Af[]): Promise<CommandResult> {
  const fibs = fibCount(host);
  const fibmod = fibs > 1 ? ['-fib', `0-${fibs - 1}`] : [];
  let stdout = '';
  let stderr = '';
  for (const af of afs) {
    for (const r of staticRoutes(vars, af, fibmod)) {
      const res = await host.invoke(['route', 'add', `-${af}`, ...r.args]);
      stdout += res.stdout;
      stderr += res.stderr;
    }
  }
  return { stdout, stderr, code: 0 };
}

/** options_inet/options_inet6: forwarding from the rc.conf knobs, in the emulated sysctl and in Linux. */
async function options(host: HostContext, vars: Vars, afs: Af[]): Promise<string> {
  let out = '';
  for (const af of afs) {
    const knob = af === 'inet' ? 'gateway_enable' : 'ipv6_gateway_enable';
    const oid = af === 'inet' ? 'net.inet.ip.forwarding' : 'net.inet6.ip6.forwarding';
    const on = isYes(vars.get(knob));
    await host.invoke(['sysctl', `${oid}=${on ? 1 : 0}`]);
    if (on) out += `Additional ${af} routing options: gateway=YES.\n`;
  }
  return out;
}

async function start(host: HostContext, args: string[]): Promise<CommandResult> {
  const afs = families(args);
  if (!afs) return { stdout: '', stderr: `/etc/rc.d/routing: ${args[0]}: unsupported address family.\n`, code: 1 };
  const vars = await loadRcConf(host);
  const r = await addStatic(host, vars, afs);
  return { ...r, stdout: r.stdout + (await options(host, vars, afs)) };
}

async function staticOnly(host: HostContext, args: string[]): Promise<CommandResult> {
  const afs = families(args);
  if (!afs) return { stdout: '', stderr: `/etc/rc.d/routing: ${args[0]}: unsupported address family.\n`, code: 1 };
  return addStatic(host, await loadRcConf(host), afs);
}

async function stop(host: HostContext, args: string[]): Promise<CommandResult> {
  const afs = families(args);
  if (!afs) return { stdout: '', stderr: `/etc/rc.d/routing: ${args[0]}: unsupported address family.\n`, code: 1 };
  let stdout = '';
  let stderr = '';
  for (const af of afs) {
    const r = await host.invoke(['route', '-n', 'flush', `-${af}`]);
    stdout += r.stdout;
    stderr += r.stderr;
  }
  return { stdout, stderr, code: 0 };
}

export const routing: ServiceScript = { rcvar: null, commands: { start, stop, static: staticOnly } };
