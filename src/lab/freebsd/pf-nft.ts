// pf on Linux: a parsed pf.conf becomes the nftables table `inet pf` in the host's namespace,
// plus policy rules for reply-to. How pf's semantics are kept:
//  - last matching rule wins unless `quick`: quick rules are emitted first, in order, then the
//    other rules in reverse order, each ending in a verdict; nothing matching = pass (pf's default).
//  - pf evaluates a forwarded packet twice (in on one interface, out on the other): the forward
//    hook has an "in" chain (iifname) and a later "out" chain (oifname).
//  - states: a `keep state` pass rule sets a conntrack mark bit (in: 0x1, out: 0x2); packets of
//    that connection skip the rules in the same direction and their replies in the other, and
//    states survive a ruleset reload, as in pf. Connections pf never passed have no state: with
//    a default TCP `flags S/SA`, their mid-stream packets meet the ruleset again, as on FreeBSD.
//  - reply-to (IF ADDR): the pass rule stores an index in ct mark bits 8-15; replies get that as
//    packet mark (prerouting for forwarded, a route chain for local output), and an `ip rule
//    fwmark` sends them to a table whose default route is ADDR on IF.
//  - scrub max-mss: TCP SYNs on the interface get their MSS option clamped.
import type { HostContext } from './types';
import { ip, linuxName, listRules, NFT } from './linux-net';
import type { FilterRule, HostSpec, PfConf, PortSpec, ScrubRule } from './pf-conf';

export const PF_NFT_TABLE = 'pf';
export const REPLY_TO_PRIORITY = 1100;
export const REPLY_TO_TABLE_BASE = 2000;
const STATE_IN = 0x1;
const STATE_OUT = 0x2;

type Side = 'in' | 'out';

interface ReplyTo {
  index: number;
  iface: string;
  addr: string;
}

function ifMatch(side: Side, on: { not: boolean; name: string }): string {
  const key = side === 'in' ? 'iifname' : 'oifname';
  // `on gif` names the interface group: every gifN.
  const name = /\d$/.test(on.name) ? linuxName(on.name) : on.name === 'lo' ? 'lo' : `${on.name}*`;
  return `${key} ${on.not ? '!= ' : ''}"${name}"`;
}

function hostMatch(dir: 'saddr' | 'daddr', h: HostSpec, af: 4 | 6 | null): string[] {
  if (h.kind === 'any') return [];
  const neg = h.not ? '!= ' : '';
  if (h.kind === 'self') return [`fib ${dir} type ${neg}local`];
  if (h.kind === 'table') return [`${af === 6 ? 'ip6' : 'ip'} ${dir} ${neg}@t${af}_${h.value}`];
  return [`${h.value.includes(':') ? 'ip6' : 'ip'} ${dir} ${neg}${h.value}`];
}

function portMatch(dir: 'sport' | 'dport', p: PortSpec | null): string[] {
  if (!p) return [];
  if (p.op === 'range') return [`th ${dir} ${p.from}-${p.to}`];
  return [`th ${dir} ${p.op === '=' ? '' : p.op + ' '}${p.from}`];
}

const TCP_FLAGS: Record<string, string> = { F: 'fin', S: 'syn', R: 'rst', P: 'psh', A: 'ack', U: 'urg', E: 'ecn', W: 'cwr' };

function flagsMatch(flags: string | null): string[] {
  if (!flags) return [];
  const [set, mask] = flags.split('/');
  const names = (s: string): string => s.split('').map((c) => TCP_FLAGS[c]).join(' | ');
  return [`tcp flags & (${names(mask)}) == ${set ? `(${names(set)})` : '0x0'}`];
}

function protoMatch(proto: string | null): string[] {
  if (!proto) return [];
  return [`meta l4proto ${proto === 'icmp6' ? 'ipv6-icmp' : proto}`];
}

function afMatch(af: 4 | 6 | null): string[] {
  return af ? [`meta nfproto ${af === 4 ? 'ipv4' : 'ipv6'}`] : [];
}

/** A rule that names a table without an address family applies to both. */
function perFamily(r: FilterRule): FilterRule[] {
  const usesTable = r.from.host.kind === 'table' || r.to.host.kind === 'table';
  return usesTable && r.af === null ? [{ ...r, af: 4 }, { ...r, af: 6 }] : [r];
}

function filterLine(r: FilterRule, side: Side, replyTo: ReplyTo | undefined): string {
  const m = [
    ...(r.on ? [ifMatch(side, r.on)] : []),
    ...afMatch(r.af),
    ...protoMatch(r.proto),
    ...hostMatch('saddr', r.from.host, r.af),
    ...portMatch('sport', r.from.port),
    ...hostMatch('daddr', r.to.host, r.af),
    ...portMatch('dport', r.to.port),
    ...flagsMatch(r.flags),
  ];
  if (r.log) m.push('log prefix "pf: "');
  if (r.action === 'block') m.push(r.blockReturn ? (r.proto === 'tcp' ? 'reject with tcp reset' : 'reject') : 'drop');
  else if (r.state === 'no') m.push('accept');
  else {
    const bit = side === 'in' ? STATE_IN : STATE_OUT;
    m.push(replyTo ? `ct mark set ct mark and 0xffff00ff or 0x${((replyTo.index << 8) | bit).toString(16)}` : `ct mark set ct mark or 0x${bit.toString(16)}`);
    m.push('accept');
  }
  return `    ${m.join(' ')}`;
}

function scrubLine(r: ScrubRule, side: Side): string | null {
  if (r.maxMss === null) return null; // the lab reassembles nothing; only max-mss has an effect
  const m = [...(r.on ? [ifMatch(side, r.on)] : []), ...afMatch(r.af), 'meta l4proto tcp'];
  m.push(...hostMatch('saddr', r.from.host, r.af), ...hostMatch('daddr', r.to.host, r.af));
  m.push('tcp flags & (syn | rst) == syn', `tcp option maxseg size > ${r.maxMss}`, `tcp option maxseg size set ${r.maxMss}`);
  return `    ${m.join(' ')}`;
}

/** The distinct reply-to targets of a ruleset, numbered from 1. */
export function replyTargets(conf: PfConf): ReplyTo[] {
  const out: ReplyTo[] = [];
  for (const r of conf.rules) {
    if (r.route?.kind !== 'reply-to') continue;
    if (!out.some((t) => t.iface === r.route!.iface && t.addr === r.route!.addr)) out.push({ index: out.length + 1, iface: r.route.iface, addr: r.route.addr });
  }
  return out;
}

function chain(name: string, hook: string, type: string, priority: number, body: string[]): string {
  return [`  chain ${name} {`, `    type ${type} hook ${hook} priority ${priority}; policy accept;`, ...body, '  }'].join('\n');
}

/** The nft script that replaces table inet pf atomically with this ruleset. */
export function nftScript(conf: PfConf): string {
  const targets = replyTargets(conf);
  const targetOf = (r: FilterRule) => (r.route ? targets.find((t) => t.iface === r.route!.iface && t.addr === r.route!.addr) : undefined);
  const ordered = [...conf.rules.filter((r) => r.quick), ...conf.rules.filter((r) => !r.quick).reverse()].flatMap(perFamily);
  const skip = (side: Side) => conf.skip.map((s) => `    ${ifMatch(side, { not: false, name: s })} accept`);
  const states = (side: Side) => {
    const [own, other] = side === 'in' ? [STATE_IN, STATE_OUT] : [STATE_OUT, STATE_IN];
    return [`    ct direction original ct mark and 0x${own.toString(16)} == 0x${own.toString(16)} accept`, `    ct direction reply ct mark and 0x${other.toString(16)} == 0x${other.toString(16)} accept`];
  };
  const rules = (side: Side) => ordered.filter((r) => r.dir === null || r.dir === side).map((r) => filterLine(r, side, targetOf(r)));
  const filter = (side: Side) => [...skip(side), ...states(side), ...rules(side)];
  const scrub = (side: Side) => conf.scrub.filter((r) => r.dir === null || r.dir === side).map((r) => scrubLine(r, side)).filter((l): l is string => l !== null);
  const replyMarks = targets.map((t) => `    ct direction reply ct mark and 0xff00 == 0x${(t.index << 8).toString(16)} meta mark set 0x${(t.index << 8).toString(16)}`);
  const sets: string[] = [];
  for (const [name, addrs] of Object.entries(conf.tables)) {
    for (const af of [4, 6] as const) {
      const elems = addrs.filter((a) => (af === 6) === a.includes(':'));
      sets.push(`  set t${af}_${name} {\n    type ${af === 4 ? 'ipv4_addr' : 'ipv6_addr'}; flags interval;${elems.length ? `\n    elements = { ${elems.join(', ')} }` : ''}\n  }`);
    }
  }
  const body = [
    ...sets,
    chain('scrub_in', 'prerouting', 'filter', -150, scrub('in')),
    chain('scrub_out', 'postrouting', 'filter', -150, scrub('out')),
    chain('replyto_fwd', 'prerouting', 'filter', -140, replyMarks),
    chain('replyto_local', 'output', 'route', -150, replyMarks),
    chain('filter_in', 'input', 'filter', 0, filter('in')),
    chain('filter_fwd_in', 'forward', 'filter', 0, filter('in')),
    chain('filter_fwd_out', 'forward', 'filter', 10, filter('out')),
    chain('filter_out', 'output', 'filter', 0, filter('out')),
  ];
  return `table inet ${PF_NFT_TABLE}\ndelete table inet ${PF_NFT_TABLE}\ntable inet ${PF_NFT_TABLE} {\n${body.join('\n')}\n}\n`;
}

async function clearReplyTo(host: HostContext): Promise<void> {
  for (const fam of [4, 6] as const) {
    for (const rule of await listRules(host, fam)) {
      if (rule.priority !== REPLY_TO_PRIORITY) continue;
      await ip(host, [`-${fam}`, 'rule', 'del', 'priority', String(REPLY_TO_PRIORITY), 'fwmark', `${rule.fwmark}/${rule.fwmask}`]);
    }
  }
  const previous = host.kernel.counters['pf.replyTo'] ?? 0;
  for (let k = 1; k <= previous; k++) {
    for (const fam of [4, 6] as const) await ip(host, [`-${fam}`, 'route', 'flush', 'table', String(REPLY_TO_TABLE_BASE + k)]);
  }
  host.kernel.counters['pf.replyTo'] = 0;
}

/** Make the ruleset active: nft table and reply-to routing. Returns nft's error text on failure. */
export async function applyRuleset(host: HostContext, conf: PfConf): Promise<string | null> {
  const r = await host.run([NFT, '-f', '-'], { ns: 'net', stdin: nftScript(conf) });
  if (r.code !== 0) return r.stderr.trim() || 'nft failed';
  await clearReplyTo(host);
  const targets = replyTargets(conf);
  for (const t of targets) {
    const fam = t.addr.includes(':') ? 6 : 4;
    const table = String(REPLY_TO_TABLE_BASE + t.index);
    await ip(host, [`-${fam}`, 'route', 'replace', 'default', 'via', t.addr, 'dev', linuxName(t.iface), 'onlink', 'table', table]);
    await ip(host, [`-${fam}`, 'rule', 'add', 'priority', String(REPLY_TO_PRIORITY), 'fwmark', `0x${(t.index << 8).toString(16)}/0xff00`, 'lookup', table]);
  }
  host.kernel.counters['pf.replyTo'] = targets.length;
  return null;
}

/** pf disabled: no filtering at all. */
export async function removeRuleset(host: HostContext): Promise<void> {
  await host.run([NFT, 'delete', 'table', 'inet', PF_NFT_TABLE], { ns: 'net' });
  await clearReplyTo(host);
}
