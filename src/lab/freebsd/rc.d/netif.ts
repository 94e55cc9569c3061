// /etc/rc.d/netif: configure the network interfaces from rc.conf, as libexec/rc/network.subr
// does (research §4.1-4.2): clone_up (cloned_interfaces + create_args_IF), then per interface
// ifconfig_IF, ifconfig_IF_ipv6 (after `inet6 -ifdisabled`; a missing leading "inet6" is
// warned about and added), ifconfig_IF_aliasN / ifconfig_IF_aliases and ifconfig_IF_descr.
// stop removes addresses, brings interfaces down and destroys cloned interfaces.
// The lab's mgmt0 is never touched, and lo0 keeps 127.0.0.1 and ::1 (the lab's own daemons
// talk over them); see fixtures/freebsd/README-network.md.
import type { CommandResult, HostContext, ServiceScript } from '../types';
import { loadRcConf } from '../rcconf';
import { shellWords } from '../sh-words';
import { getLink, linuxName } from '../linux-net';

type Vars = Map<string, string>;

/** rc's get_if_var: interface names map . - / + to _ in variable names. */
function ifVar(vars: Vars, ifn: string, suffix: string): string | undefined {
  return vars.get(`ifconfig_${ifn.replace(/[.\-/+]/g, '_')}${suffix}`);
}

function cloned(vars: Vars): Array<{ name: string; sticky: boolean }> {
  const stickyAll = /^(yes|true|on|1)$/i.test(vars.get('cloned_interfaces_sticky') ?? '');
  return (vars.get('cloned_interfaces') ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => ({ name: w.replace(/:sticky$/, ''), sticky: stickyAll || w.endsWith(':sticky') }));
}

async function exists(host: HostContext, ifn: string): Promise<boolean> {
  return (await getLink(host, linuxName(ifn))) !== null;
}

/** The interfaces netif manages: network_interfaces (default AUTO = all, as `ifconfig -l`), minus mgmt0. */
async function managed(host: HostContext, vars: Vars, only: string[]): Promise<string[]> {
  const spec = vars.get('network_interfaces') ?? 'AUTO';
  const all = /^auto$/i.test(spec) ? (await host.invoke(['ifconfig', '-l'])).stdout.trim().split(/\s+/) : spec.split(/\s+/);
  return all.filter((n) => n && host.kernel.ifaces[n]?.kind !== 'mgmt' && (only.length === 0 || only.includes(n)));
}

class Output {
  stdout = '';
  stderr = '';
  add(r: CommandResult): CommandResult {
    this.stdout += r.stdout;
    this.stderr += r.stderr;
    return r;
  }
}

async function cloneUp(host: HostContext, vars: Vars, only: string[], out: Output): Promise<void> {
  const created: string[] = [];
  for (const { name } of cloned(vars)) {
    if ((only.length && !only.includes(name)) || (await exists(host, name))) continue;
    const args = shellWords(vars.get(`create_args_${name}`) ?? '');
    const r = out.add(await host.invoke(['ifconfig', name, 'create', ...args]));
    if (r.code === 0) created.push(name);
  }
  if (created.length) out.stdout += `Created clone interfaces: ${created.join(' ')}.\n`;
}

/** ifn_start for one interface; true when rc.conf configured anything on it. */
async function ifnStart(host: HostContext, vars: Vars, ifn: string, out: Output): Promise<boolean> {
  let configured = false;
  const main = ifVar(vars, ifn, '');
  if (main !== undefined && main !== '') {
    const words = shellWords(main).filter((w) => !/^(SYNC)?DHCP$|^NOAUTO$|^WPA$|^HOSTAP$/i.test(w));
    if (words.length) out.add(await host.invoke(['ifconfig', ifn, ...words]));
    configured = true;
  }
  const v6 = ifVar(vars, ifn, '_ipv6');
  if (v6 !== undefined && v6 !== '') {
    let words = shellWords(v6);
    if (words[0] !== 'inet6') {
      out.stderr += `/etc/rc.d/netif: WARNING: $ifconfig_${ifn}_ipv6 needs leading "inet6" keyword for an IPv6 address.\n`;
      words = ['inet6', ...words];
    }
    out.add(await host.invoke(['ifconfig', ifn, 'inet6', '-ifdisabled']));
    out.add(await host.invoke(['ifconfig', ifn, ...words]));
    configured = true;
  }
  // ifconfig_IF_aliasN, numbered from 0 until the first gap.
  for (let n = 0; ; n++) {
    const v = ifVar(vars, ifn, `_alias${n}`);
    if (v === undefined) break;
    let words = shellWords(v);
    if (!['inet', 'inet6', 'link', 'ether'].includes(words[0])) {
      out.stderr += `/etc/rc.d/netif: WARNING: $ifconfig_${ifn}_alias${n} needs leading "inet" keyword for an IPv4 address.\n`;
      words = ['inet', ...words];
    }
    out.add(await host.invoke(['ifconfig', ifn, ...words, 'alias']));
    configured = true;
  }
  const list = ifVar(vars, ifn, '_aliases');
  if (list) {
    const words = shellWords(list);
    for (let i = 0; i < words.length; i++) {
      if ((words[i] === 'inet' || words[i] === 'inet6') && words[i + 1]) out.add(await host.invoke(['ifconfig', ifn, words[i], words[++i], 'alias']));
    }
    configured = true;
  }
  const descr = ifVar(vars, ifn, '_descr');
  if (descr) {
    out.add(await host.invoke(['ifconfig', ifn, 'description', descr]));
    configured = true;
  }
  // An interface rc.conf names gets brought up even if its line lacked "up" (ifconfig_up).
  if (configured) out.add(await host.invoke(['ifconfig', ifn, 'up']));
  return configured;
}

async function start(host: HostContext, args: string[]): Promise<CommandResult> {
  const vars = await loadRcConf(host);
  const out = new Output();
  await cloneUp(host, vars, args, out);
  const ok: string[] = [];
  for (const ifn of await managed(host, vars, args)) if (await ifnStart(host, vars, ifn, out)) ok.push(ifn);
  if (ok.length) {
    out.stdout += `Starting Network: ${ok.join(' ')}.\n`;
    for (const ifn of ok) out.add(await host.invoke(['ifconfig', ifn]));
  }
  return { stdout: out.stdout, stderr: out.stderr, code: 0 };
}

const KEEP_ON_LO0 = new Set(['127.0.0.1', '::1']);

async function stop(host: HostContext, args: string[]): Promise<CommandResult> {
  const vars = await loadRcConf(host);
  const out = new Output();
  const stopped: string[] = [];
  for (const ifn of await managed(host, vars, args)) {
    const link = await getLink(host, linuxName(ifn));
    if (!link) continue;
    for (const a of link.addr_info) {
      if (a.family === 'inet6' && a.scope === 'link') continue;
      if (ifn === 'lo0' && KEEP_ON_LO0.has(a.local)) continue;
      out.add(await host.invoke(['ifconfig', ifn, a.family, a.local, '-alias']));
    }
    if (ifn !== 'lo0') out.add(await host.invoke(['ifconfig', ifn, 'down']));
    stopped.push(ifn);
  }
  if (stopped.length) out.stdout += `Stopping Network: ${stopped.join(' ')}.\n`;
  const destroyed: string[] = [];
  for (const { name, sticky } of cloned(vars)) {
    if (sticky || (args.length && !args.includes(name)) || !(await exists(host, name))) continue;
    const r = out.add(await host.invoke(['ifconfig', name, 'destroy']));
    if (r.code === 0) destroyed.push(name);
  }
  if (destroyed.length) out.stdout += `Destroyed clone interfaces: ${destroyed.join(' ')}.\n`;
  return { stdout: out.stdout, stderr: out.stderr, code: 0 };
}

export const netif: ServiceScript = {
  rcvar: null,
  commands: {
    start,
    stop,
    restart: async (host, args) => {
      const a = await stop(host, args);
      const b = await start(host, args);
      return { stdout: a.stdout + b.stdout, stderr: a.stderr + b.stderr, code: b.code };
    },
  },
};
