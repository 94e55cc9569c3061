// Runtime state of interfaces: cloned gif/gre tunnels (endpoints, inner /128 pair, extra /128
// aliases, MTU, FIBs, description, up) and /128 aliases on an existing interface (lo0). rc.conf
// makes the same state survive a reboot (src/render/rc-conf.ts); these tasks make it true now.
// Every interface task reads the same `ifconfig -a` fact, so a play lists interfaces once and
// re-reads them once after each change. Commands and output formats: research §5 (ifconfig
// source), §4.1 (fib/tunnelfib and net.fibs).
import { sh, script, type ShellCommand } from '../shell/quote';
import { CommandFailedError } from '../errors';
import { defineFact, type Fact } from '../engine/fact';
import { defineTask, type Change, type Task, type TaskIO } from '../engine/task';
import { parseIfconfig, type IfconfigInterface } from '../facts/freebsd-parse';
import { normalizeAddress, prefixContains } from '../inventory/ip';
import type { RcTunnel } from '../render/rc-conf';

export const IFCONFIG_FACT_ID = 'ifconfig:-a';

export type Interfaces = Record<string, IfconfigInterface>;

/** Every interface as `ifconfig -a` lists it; one shared id for all interface tasks. */
export function ifconfigFact(): Fact<Interfaces> {
  return defineFact({
    id: IFCONFIG_FACT_ID,
    command: sh`ifconfig -a`,
    parse({ stdout, stderr, code }) {
      if (code !== 0) throw new Error(`ifconfig -a failed (exit ${code}): ${stderr.trim()}`);
      return parseIfconfig(stdout);
    },
  });
}

/** What a freshly cloned interface looks like (research §5.1: GIF_MTU 1280, gre 1476). */
const CLONE_DEFAULT_MTU: Record<'gif' | 'gre', number> = { gif: 1280, gre: 1476 };

export type TunnelSpec = RcTunnel & { kind: 'gif' | 'gre' };

export interface InterfaceTaskOptions {
  name?: string;
  dependsOn?: string[];
  notify?: string[];
}

/** The commands each planned change needs; plan() stays data, apply() looks them up here. */
const commandsOf = new WeakMap<Change, ShellCommand[]>();

function change(key: string, before: string | null, after: string, commands: ShellCommand[]): Change {
  const c: Change = { summary: key, diff: { kind: 'value', key, before, after } };
  commandsOf.set(c, commands);
  return c;
}

/** An IPv6 address as ifconfig shows it in a listing, for diffs. */
interface Addr6 {
  addr: string;
  prefixlen: number;
  dest?: string;
}

/** A /128 written bare or as addr/128, as the inventory accepts it. */
function host128(text: string): Addr6 {
  const [addr, len] = text.split('/');
  if (len !== undefined && len !== '128') throw new Error(`${text}: only /128 aliases are supported`);
  return { addr: normalizeAddress(addr), prefixlen: 128 };
}

const show6 = (a: Addr6) => `${a.addr}${a.dest ? ` --> ${a.dest}` : ''}/${a.prefixlen}`;
const sameAddr = (a: Addr6, b: Addr6) => a.addr === b.addr && a.prefixlen === b.prefixlen && (a.dest ?? null) === (b.dest ?? null);

/** Global IPv6 addresses in canonical form; link-local ones belong to the kernel. */
function globalInet6(i: IfconfigInterface | undefined): Addr6[] {
  return (i?.inet6 ?? [])
    .filter((a) => !prefixContains('fe80::/10', a.addr))
    .map((a) => ({ addr: normalizeAddress(a.addr), prefixlen: a.prefixlen, ...(a.dest ? { dest: normalizeAddress(a.dest) } : {}) }));
}

/**
 * The address changes for one interface: `wanted` must be present exactly; a present address is
 * removed when `stale(addr)` says so. One Change listing the before/after sets.
 */
function addressChange(ifname: string, present: Addr6[], wanted: Addr6[], stale: (a: Addr6) => boolean): Change[] {
  const missing = wanted.filter((w) => !present.some((p) => sameAddr(p, w)));
  // an address held with another peer or length is removed first, then added back right
  const removed = present.filter((p) => !wanted.some((w) => sameAddr(p, w)) && (stale(p) || wanted.some((w) => w.addr === p.addr)));
  if (missing.length === 0 && removed.length === 0) return [];
  const kept = present.filter((p) => !removed.includes(p));
  const cmds = [
    ...removed.map((a) => sh`ifconfig ${ifname} inet6 ${a.addr} -alias`),
    ...missing.map((a) => (a.dest ? sh`ifconfig ${ifname} inet6 ${a.addr} ${a.dest} prefixlen ${a.prefixlen} alias` : sh`ifconfig ${ifname} inet6 ${a.addr} prefixlen ${a.prefixlen} alias`)),
  ];
  const list = (as: Addr6[]) => (as.length ? as.map(show6).join(', ') : '(none)');
  return [change(`${ifname} inet6`, present.length ? list(present) : null, list([...kept, ...missing]), cmds)];
}

/**
 * A cloned gif/gre tunnel at runtime. Retargeting (moving the far end) is exactly one change,
 * `NAME tunnel`, applied with `ifconfig NAME tunnel SRC DST` without recreating the interface.
 * Every global IPv6 address on the tunnel other than the inner /128 pair and the aliases is
 * stale and removed: the tunnel belongs to the inventory. IPv4 addresses on it are left alone.
 */
export function tunnelTask(t: TunnelSpec, o: InterfaceTaskOptions = {}): Task {
  const name = o.name ?? `tunnel: ${t.name}`;
  const fib = t.fib ?? 0;
  const tunnelfib = t.tunnelfib ?? 0;
  const inner: Addr6 = { addr: normalizeAddress(t.inner.local), prefixlen: 128, dest: normalizeAddress(t.inner.peer) };
  const aliases: Addr6[] = t.aliases.map(host128);
  const endpoints = `${t.src} ${t.dst}`;
  return defineTask({
    name,
    facts: { ifs: ifconfigFact() },
    plan({ ifs }) {
      const cur = ifs[t.name];
      const changes: Change[] = [];
      if (!cur) changes.push(change(`${t.name}`, null, `${t.kind} (cloned)`, [sh`ifconfig ${t.name} create`]));
      const tunnel = cur?.tunnel ? `${cur.tunnel.src} ${cur.tunnel.dst}` : null;
      if (tunnel !== endpoints) changes.push(change(`${t.name} tunnel`, tunnel, endpoints, [sh`ifconfig ${t.name} tunnel ${t.src} ${t.dst}`]));
      // fib before addresses: the kernel files an address's routes in the interface's FIB
      const curFib = cur?.fib ?? 0;
      if (curFib !== fib) changes.push(change(`${t.name} fib`, String(curFib), String(fib), [sh`ifconfig ${t.name} fib ${fib}`]));
      const curTunnelfib = cur?.tunnelfib ?? 0;
      if (curTunnelfib !== tunnelfib) changes.push(change(`${t.name} tunnelfib`, String(curTunnelfib), String(tunnelfib), [sh`ifconfig ${t.name} tunnelfib ${tunnelfib}`]));
      const mtu = cur?.mtu ?? CLONE_DEFAULT_MTU[t.kind];
      if (mtu !== t.mtu) changes.push(change(`${t.name} mtu`, String(mtu), String(t.mtu), [sh`ifconfig ${t.name} mtu ${t.mtu}`]));
      changes.push(...addressChange(t.name, globalInet6(cur), [inner, ...aliases], () => true));
      if (t.description !== undefined && cur?.description !== t.description) {
        changes.push(change(`${t.name} description`, cur?.description ?? null, t.description, [sh`ifconfig ${t.name} description ${t.description}`]));
      }
      const up = cur?.flags.includes('UP') ?? false;
      if (!up) changes.push(change(`${t.name} up`, 'down', 'up', [sh`ifconfig ${t.name} up`]));
      return changes;
    },
    apply: (changes, io) => runInOneExec(changes, io, name, t),
    risk: 'connectivity',
    touches: [IFCONFIG_FACT_ID],
    dependsOn: o.dependsOn,
    notify: o.notify,
    hint: `check ${t.name} with: ifconfig ${t.name}`,
  });
}

export interface AliasesTaskOptions extends InterfaceTaskOptions {
  /**
   * Prefixes this task owns on the interface: a global IPv6 address inside one of them that is
   * not in `addrs` is stale and removed. Addresses outside them are never touched (lo0's ::1,
   * anything the operator added by hand). Default: none, only add.
   */
  prune?: string[];
}

/** /128 IPv6 aliases on an existing interface, e.g. lo0's loopback service addresses. */
export function aliasesTask(iface: string, addrs: string[], o: AliasesTaskOptions = {}): Task {
  const name = o.name ?? `aliases: ${iface}`;
  const wanted: Addr6[] = addrs.map(host128);
  const prune = o.prune ?? [];
  return defineTask({
    name,
    facts: { ifs: ifconfigFact() },
    plan({ ifs }) {
      const cur = ifs[iface];
      if (!cur) throw new Error(`interface ${iface} does not exist on this host`);
      return addressChange(iface, globalInet6(cur), wanted, (a) => prune.some((p) => prefixContains(p, a.addr)));
    },
    apply: (changes, io) => runInOneExec(changes, io, name),
    risk: 'connectivity',
    touches: [IFCONFIG_FACT_ID],
    dependsOn: o.dependsOn,
    notify: o.notify,
    hint: `check the addresses with: ifconfig ${iface} inet6`,
  });
}

async function runInOneExec(changes: Change[], io: TaskIO, task: string, t?: TunnelSpec): Promise<void> {
  const cmds = changes.flatMap((c) => {
    const cs = commandsOf.get(c);
    if (!cs) throw new Error(`${task}: apply got a change it did not plan: ${c.summary}`);
    return cs;
  });
  try {
    await io.exec(script(sh`set -e`, ...cmds));
  } catch (err) {
    const hint = t && err instanceof CommandFailedError ? tunnelErrorHint(t, err.stderr) : undefined;
    if (hint && err instanceof CommandFailedError) throw new CommandFailedError(err.command, err.exitCode, err.stderr, { ...err.ctx, hint });
    throw err;
  }
}

/** A precise hint for the ifconfig failures a tunnel task can meet. */
export function tunnelErrorHint(t: TunnelSpec, stderr: string): string | undefined {
  if (/SIOCSIFFIB|SIOCSTUNFIB/.test(stderr)) {
    const need = Math.max(t.fib ?? 0, t.tunnelfib ?? 0) + 1;
    return `ifconfig ${t.name} fib/tunnelfib needs net.fibs >= ${need} at that moment (the kernel refuses a FIB number >= net.fibs); set net.fibs (loader.conf and live sysctl) before configuring the tunnel`;
  }
  if (/SIOCSIFPHYADDR/.test(stderr)) {
    return `another ${t.kind} interface may already use the endpoints ${t.src} -> ${t.dst} (the kernel refuses a duplicate pair), or ${t.src} is not an address of this host`;
  }
  if (/SIOCIFCREATE/.test(stderr)) return `cannot create ${t.name}: ${t.kind === 'gre' ? 'load if_gre (kldload if_gre) first' : 'is the gif driver in the kernel?'}`;
  return undefined;
}
