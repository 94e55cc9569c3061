// FreeBSD FIBs on Linux: FIB n is routing table fibTable(n), and `ip rule`s decide which
// packets use it. FreeBSD picks a FIB per interface (inbound) and per process (outbound);
// Linux has no per-process table, so the lab selects it by:
//   - iif IF           for packets arriving on an interface with `fib N`
//   - from ADDR        for locally originated packets sourced from an address of such an interface
//   - uidrange U       for commands started with setfib N (host-bin/setfib runs them as uid FIB_UID_BASE+N)
//   - from SRC udp PORT for the outer packets of a tunnel with `tunnelfib N`
// Each selector is followed by an `unreachable` rule, so a FIB without a matching route fails
// like on FreeBSD instead of falling through to the main table.
import { fibTable } from './types';
import type { HostContext } from './types';
import { ip, linuxName, listLinks, listRoutes, listRules, type Family, type LinuxAddr, type LinuxRule, familyOf } from './linux-net';
import { tunnelLink } from '../tunnel';
import { isLinkLocal6, networkOf } from '../ip';
import { fibCount } from './sysctl';

export const RULE_PRIORITY = { tunnel: 1000, process: 1500, iif: 2000, source: 3000 } as const;
/** setfib N runs its command as this uid + N (see host-bin/setfib). */
export const FIB_UID_BASE = 61000;


/** route(8)'s `-fib` list: "1", "2,4,6", "1,3-5". Returns the numbers or an error message. */
export function parseFibList(host: HostContext, spec: string): number[] | string {
  const out: number[] = [];
  for (const part of spec.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return `${spec}: invalid fib number`;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) return `${spec}: invalid fib range`;
    for (let f = lo; f <= hi; f++) {
      if (f >= fibCount(host)) return `${f}: invalid fib number`;
      if (!out.includes(f)) out.push(f);
    }
  }
  return out;
}

interface WantedRule {
  key: string;
  args: string[];
}

function ruleKey(prio: number, sel: { src?: string; iif?: string; ipproto?: string; dport?: number; uid?: number }, table: number | null): string {
  return [prio, sel.src ?? 'all', sel.iif ?? '', sel.ipproto ?? '', sel.dport ?? '', sel.uid ?? '', table ?? 'unreachable'].join('|');
}

function existingKey(r: LinuxRule): string {
  const table = r.action === 'unreachable' ? null : Number(r.table === 'main' ? 254 : r.table);
  return ruleKey(r.priority, { src: r.src, iif: r.iif, ipproto: r.ipproto, dport: r.dport, uid: r.uid_start }, table);
}

function existingArgs(r: LinuxRule): string[] {
  const a = ['priority', String(r.priority)];
  if (r.src !== 'all') a.push('from', r.srclen !== undefined ? `${r.src}/${r.srclen}` : r.src);
  if (r.iif) a.push('iif', r.iif);
  if (r.ipproto) a.push('ipproto', r.ipproto);
  if (r.dport !== undefined) a.push('dport', String(r.dport));
  if (r.uid_start !== undefined) a.push('uidrange', `${r.uid_start}-${r.uid_end}`);
  return a;
}

/** A selector and its terminating `unreachable` companion one priority below. */
function pair(prio: number, sel: { src?: string; iif?: string; ipproto?: string; dport?: number; uid?: number }, table: number): WantedRule[] {
  const args: string[] = [];
  if (sel.src) args.push('from', sel.src);
  if (sel.iif) args.push('iif', sel.iif);
  if (sel.ipproto) args.push('ipproto', sel.ipproto);
  if (sel.dport !== undefined) args.push('dport', String(sel.dport));
  if (sel.uid !== undefined) args.push('uidrange', `${sel.uid}-${sel.uid}`);
  return [
    { key: ruleKey(prio, sel, table), args: ['priority', String(prio), ...args, 'lookup', String(table)] },
    { key: ruleKey(prio + 1, sel, null), args: ['priority', String(prio + 1), ...args, 'unreachable'] },
  ];
}

const OWNED = new Set<number>(Object.values(RULE_PRIORITY).flatMap((p) => [p, p + 1]));

/**
 * Make the host's policy rules match kernel.ifaces and net.fibs: adds what is missing,
 * removes lab FIB rules nothing asks for any more. Idempotent; call after any FIB-relevant change.
 */
export async function syncFibRules(host: HostContext): Promise<void> {
  const wanted: Record<Family, WantedRule[]> = { 4: [], 6: [] };
  const fibs = fibCount(host);
  for (let n = 1; n < fibs; n++) {
    for (const fam of [4, 6] as const) wanted[fam].push(...pair(RULE_PRIORITY.process, { uid: FIB_UID_BASE + n }, fibTable(n)));
  }
  const links = await listLinks(host);
  for (const [name, meta] of Object.entries(host.kernel.ifaces)) {
    const dev = linuxName(name);
    if (meta.tunnel && meta.tunnelfib > 0 && (meta.kind === 'gif' || meta.kind === 'gre')) {
      const { port } = tunnelLink(meta.kind, meta.tunnel.src, meta.tunnel.dst);
      wanted[familyOf(meta.tunnel.src)].push(...pair(RULE_PRIORITY.tunnel, { src: meta.tunnel.src, ipproto: 'udp', dport: port }, fibTable(meta.tunnelfib)));
    }
    if (meta.fib <= 0 || meta.kind === 'mgmt') continue;
    const table = fibTable(meta.fib);
    for (const fam of [4, 6] as const) wanted[fam].push(...pair(RULE_PRIORITY.iif, { iif: dev }, table));
    const link = links.find((l) => l.ifname === dev);
    for (const a of link?.addr_info ?? []) {
      if (a.family === 'inet6' && isLinkLocal6(a.local)) continue;
      wanted[a.family === 'inet' ? 4 : 6].push(...pair(RULE_PRIORITY.source, { src: a.local }, table));
    }
  }
  for (const fam of [4, 6] as const) {
    const existing = (await listRules(host, fam)).filter((r) => OWNED.has(r.priority));
    const have = new Set(existing.map(existingKey));
    const want = new Set(wanted[fam].map((w) => w.key));
    for (const r of existing) if (!want.has(existingKey(r))) await ip(host, [`-${fam}`, 'rule', 'del', ...existingArgs(r)]);
    const added = new Set<string>();
    for (const w of wanted[fam]) {
      if (have.has(w.key) || added.has(w.key)) continue;
      added.add(w.key);
      await ip(host, [`-${fam}`, 'rule', 'add', ...w.args]);
    }
  }
}

/** The connected route an address implies: its peer, or its prefix (none for a lone /32 or /128). */
function connectedDst(a: LinuxAddr): string | null {
  const full = a.family === 'inet' ? 32 : 128;
  if (a.address) return `${a.address}/${a.prefixlen}`;
  return a.prefixlen < full ? `${networkOf(a.local, a.prefixlen)}/${a.prefixlen}` : null;
}

function sameDst(linuxDst: string, dst: string): boolean {
  return (linuxDst.includes('/') ? linuxDst : `${linuxDst}/${linuxDst.includes(':') ? 128 : 32}`) === dst;
}

/**
 * Connected routes live in the interface's FIB (net.add_addr_allfibs=0). The lab adds addresses
 * with `noprefixroute` and puts each one's prefix or peer route into fibTable(fib) itself
 * (Linux's own choice for IPv6 peers is the wrong route, and it knows no FIBs); connected
 * routes of the interface left in other FIB tables are removed. Link-local routes stay in main.
 */
export async function syncConnectedRoutes(host: HostContext, name: string): Promise<void> {
  const meta = host.kernel.ifaces[name];
  // lo0's addresses need no connected route: Linux's local table already delivers them.
  if (!meta || meta.kind === 'loopback') return;
  const dev = linuxName(name);
  const link = (await listLinks(host)).find((l) => l.ifname === dev);
  if (!link) return;
  const table = fibTable(meta.fib);
  const up = link.flags.includes('UP');
  const wanted: Array<{ fam: 4 | 6; dst: string; src: string }> = [];
  for (const a of link.addr_info) {
    if (a.family === 'inet6' && isLinkLocal6(a.local)) continue;
    const dst = connectedDst(a);
    if (dst) wanted.push({ fam: a.family === 'inet' ? 4 : 6, dst, src: a.local });
  }
  for (let n = 0; n < fibCount(host); n++) {
    const t = fibTable(n);
    for (const fam of [4, 6] as const) {
      for (const r of await listRoutes(host, fam, t)) {
        if (r.dev !== dev || r.protocol !== 'kernel' || (r.type && r.type !== 'unicast')) continue;
        if (fam === 6 && isLinkLocal6(r.dst)) continue;
        if (t === table && wanted.some((w) => w.fam === fam && sameDst(r.dst, w.dst))) continue;
        await ip(host, [`-${fam}`, 'route', 'del', r.dst, 'dev', dev, 'proto', 'kernel', 'table', String(t)]);
      }
    }
  }
  if (!up) return;
  for (const w of wanted) {
    const args = [`-${w.fam}`, 'route', 'replace', w.dst, 'dev', dev, 'proto', 'kernel', 'scope', 'link'];
    if (w.fam === 4) args.push('src', w.src);
    await ip(host, [...args, 'table', String(table)]);
  }
}
