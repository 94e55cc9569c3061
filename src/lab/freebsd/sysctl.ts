// sysctl(8) over the lab's table of supported OIDs. Output formats, messages and the exit status
// (number of failed items) follow sbin/sysctl/sysctl.c (research §2.1, §2.2). OIDs that a kernel
// module provides exist only while it is loaded (if_gre); net.inet.gre.* never exists (§0.1).
// Forwarding and the hostname are also applied to the host's Linux namespaces, so they are real.
import type { FreeBSDCommand, HostContext } from './types';
import { fail } from './types';
import { parseOptions } from './system';
import { isModulePresent } from './kld';

// The emulated release; uname and freebsd-version read it from here (kern.osrelease…).
export const OS_RELEASE = '14.1-RELEASE';
/** uname -v: "FreeBSD 14.1-RELEASE releng/14.1-n267679-10e31f0946d8 GENERIC" [MEM/guess for the build id and date]. */
export const OS_VERSION = 'FreeBSD 14.1-RELEASE releng/14.1-n267679-10e31f0946d8 GENERIC';
export const OS_MACHINE = 'amd64';
/** __FreeBSD_version of 14.1 (uname -K / -U). */
export const OS_RELDATE = '1401000';

type SysctlType = 'integer' | 'unsigned integer' | 'uint32_t' | 'string';
/** CTLFLAG_RD / CTLFLAG_RW, and their loader-tunable variants (CTLFLAG_TUN). */
type Access = 'RD' | 'RW' | 'RDTUN' | 'RWTUN';

interface OidDef {
  name: string;
  /** the type word sysctl.c's ctl_typename prints in "invalid <type> 'x'" */
  type: SysctlType;
  access: Access;
  value: string;
  descr: string;
  /** the OID exists only while this kernel module is present */
  module?: string;
  /** the kernel handler's check; returns strerror text to refuse the new value */
  check?: (current: string, next: string) => string | null;
  /** what the value does to the host's real Linux namespaces */
  apply?: (host: HostContext, value: string) => Promise<string | null>;
}

const RT_MAXFIBS = 65536; // sys/net/route/route_tables.c [MEM]
// FreeBSD strerror(ENOTCAPABLE); research §2.1 marks the exact text [MEM].
const ENOTCAPABLE = 'Capabilities insufficient';
const EINVAL = 'Invalid argument';

/** Write a Linux sysctl inside the host's network namespace; null on success, else strerror text. */
function linuxSysctl(key: string) {
  return async (host: HostContext, value: string): Promise<string | null> => {
    const linux = Number(value) !== 0 ? '1' : '0';
    const r = await host.run(['/usr/sbin/sysctl', '-qw', `${key}=${linux}`], { ns: 'net' });
    return r.code === 0 ? null : 'Operation not permitted';
  };
}

/** The lab's OID table, in the order `sysctl -a` walks it (kern before net, as CTL_KERN < CTL_NET). */
const OIDS: OidDef[] = [
  { name: 'kern.ostype', type: 'string', access: 'RD', value: 'FreeBSD', descr: 'Operating system type' },
  { name: 'kern.osrelease', type: 'string', access: 'RD', value: OS_RELEASE, descr: 'Operating system release' },
  { name: 'kern.osreldate', type: 'integer', access: 'RD', value: OS_RELDATE, descr: 'Kernel release date' },
  {
    name: 'kern.hostname',
    type: 'string',
    access: 'RW',
    value: '',
    descr: 'Hostname',
    // The UTS namespace is the host's own, so `hostname`, sshd banners and FRR see the same name.
    apply: async (host, value) => {
      if (value === '') return null;
      const r = await host.run(['/bin/hostname', value], { ns: 'all' });
      return r.code === 0 ? null : 'Operation not permitted';
    },
  },
  {
    name: 'net.fibs',
    type: 'uint32_t',
    access: 'RWTUN',
    value: '1',
    descr: 'set number of fibs',
    // route_tables.c: grow only (ENOTCAPABLE on shrink), research §2.2.
    check: (current, next) =>
      Number(next) < Number(current) ? ENOTCAPABLE : Number(next) < 1 || Number(next) > RT_MAXFIBS ? EINVAL : null,
  },
  { name: 'net.my_fibnum', type: 'integer', access: 'RD', value: '0', descr: 'default FIB of caller' },
  { name: 'net.add_addr_allfibs', type: 'unsigned integer', access: 'RWTUN', value: '0', descr: '' },
  { name: 'net.link.gif.max_nesting', type: 'integer', access: 'RW', value: '1', descr: 'Max nested tunnels' },
  { name: 'net.link.gre.max_nesting', type: 'integer', access: 'RW', value: '1', descr: 'Max nested tunnels', module: 'if_gre' },
  {
    name: 'net.inet.ip.forwarding',
    type: 'integer',
    access: 'RW',
    value: '0',
    descr: 'Enable IP forwarding between interfaces',
    apply: linuxSysctl('net.ipv4.ip_forward'),
  },
  { name: 'net.inet.ip.ttl', type: 'integer', access: 'RW', value: '64', descr: 'Maximum TTL on IP packets' },
  { name: 'net.inet.ip.gifttl', type: 'integer', access: 'RW', value: '30', descr: 'Default TTL value for encapsulated packets' },
  { name: 'net.inet.ip.grettl', type: 'integer', access: 'RW', value: '30', descr: 'Default TTL value for encapsulated packets', module: 'if_gre' },
  { name: 'net.inet.tcp.mssdflt', type: 'integer', access: 'RW', value: '536', descr: 'Default TCP Maximum Segment Size' },
  { name: 'net.inet.tcp.blackhole', type: 'integer', access: 'RW', value: '0', descr: 'Do not send RST on segments to closed ports' },
  { name: 'net.inet.tcp.tcbhashsize', type: 'integer', access: 'RDTUN', value: '2048', descr: 'Size of TCP control-block hashtable' },
  {
    name: 'net.inet.tcp.cc.algorithm',
    type: 'string',
    access: 'RW',
    value: 'cubic',
    descr: 'Default congestion control algorithm',
    check: (_current, next) => (['cubic', 'newreno'].includes(next) ? null : 'No such file or directory'),
  },
  {
    name: 'net.inet6.ip6.forwarding',
    type: 'integer',
    access: 'RW',
    value: '0',
    descr: 'Enable forwarding of IPv6 packets between interfaces',
    apply: linuxSysctl('net.ipv6.conf.all.forwarding'),
  },
  { name: 'net.inet6.ip6.gifhlim', type: 'integer', access: 'RW', value: '30', descr: 'Default hop limit for encapsulated packets' },
];

/** OIDs that exist in this host's kernel right now. */
function liveOids(host: HostContext): OidDef[] {
  return OIDS.filter((o) => !o.module || isModulePresent(host, o.module));
}

function findOid(host: HostContext, name: string): OidDef | undefined {
  return liveOids(host).find((o) => o.name === name);
}

function currentValue(host: HostContext, oid: OidDef): string {
  return host.kernel.sysctl[oid.name] ?? oid.value;
}

/** Value of an OID as `sysctl -n` prints it, or undefined when the OID does not exist. */
export function getSysctl(host: HostContext, name: string): string | undefined {
  const oid = findOid(host, name);
  return oid ? currentValue(host, oid) : undefined;
}

/** Number of FIBs (net.fibs); FIB numbers 0..n-1 are valid. */
export function fibCount(host: HostContext): number {
  return Number(getSysctl(host, 'net.fibs'));
}

const RANGES: Record<Exclude<SysctlType, 'string'>, [number, number]> = {
  integer: [-(2 ** 31), 2 ** 31 - 1],
  'unsigned integer': [0, 2 ** 32 - 1],
  uint32_t: [0, 2 ** 32 - 1],
};

/** strtol/strtoul with base 0 (0x hex, leading-0 octal, decimal), then the C type's range. */
function parseNumber(text: string, type: Exclude<SysctlType, 'string'>): string | null {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!m) return null;
  const digits = m[2];
  const magnitude = /^0[xX]/.test(digits) ? parseInt(digits, 16) : digits.length > 1 && digits[0] === '0' ? parseInt(digits, 8) : parseInt(digits, 10);
  const n = m[1] === '-' ? -magnitude : magnitude;
  const [lo, hi] = RANGES[type];
  return n < lo || n > hi ? null : String(n);
}

/**
 * Boot-time value of a loader tunable (/boot/loader.conf `net.fibs="2"`): only OIDs flagged TUN
 * take it, without the runtime handler's checks. Returns false when the kernel ignores it.
 */
export function setTunable(host: HostContext, name: string, value: string): boolean {
  const oid = OIDS.find((o) => o.name === name);
  if (!oid || !oid.access.endsWith('TUN')) return false;
  const parsed = oid.type === 'string' ? value : parseNumber(value, oid.type);
  if (parsed === null) return false;
  host.kernel.sysctl[name] = parsed;
  return true;
}

/** Outcome of one sysctl(8) operand. */
interface ItemResult {
  stdout: string;
  stderr: string;
  failed: boolean;
}

interface Flags {
  nflag: boolean; // value only
  Nflag: boolean; // name only
  eflag: boolean; // name=value
  dflag: boolean; // description
  iflag: boolean; // ignore unknown OIDs
  qflag: boolean; // no "unknown oid" warning
  Tflag: boolean; // tunables only
  Wflag: boolean; // writable only
}

/** show_var(): one OID as name: value (or the -n/-N/-e/-d variants); null when filtered out. */
function showVar(host: HostContext, oid: OidDef, f: Flags): string | null {
  if (f.Wflag && !oid.access.startsWith('RW')) return null;
  if (f.Tflag && !oid.access.endsWith('TUN')) return null;
  if (f.Nflag) return oid.name;
  const sep = f.eflag ? '=' : ': ';
  const prefix = f.nflag ? '' : oid.name + sep;
  return prefix + (f.dflag ? oid.descr : currentValue(host, oid));
}

/** sysctl_all(): every live OID under a node, one per line. */
function showAll(host: HostContext, prefix: string | null, f: Flags): string {
  return liveOids(host)
    .filter((o) => prefix === null || o.name.startsWith(prefix + '.'))
    .map((o) => showVar(host, o, f))
    .filter((line): line is string => line !== null)
    .map((line) => line + '\n')
    .join('');
}

function isNode(host: HostContext, name: string): boolean {
  return liveOids(host).some((o) => o.name.startsWith(name + '.'));
}

/** Set an OID at runtime, as the kernel handler would; null on success, else strerror text. */
export async function setSysctl(host: HostContext, name: string, value: string): Promise<string | null> {
  const oid = findOid(host, name);
  if (!oid) return 'No such file or directory';
  const current = currentValue(host, oid);
  const refused = oid.check?.(current, value) ?? null;
  if (refused) return refused;
  const applied = oid.apply ? await oid.apply(host, value) : null;
  if (applied) return applied;
  host.kernel.sysctl[name] = value;
  return null;
}

/** parse(): one operand `name`, `name=value` or `name: value`; `line` is " at line N" under -f. */
async function parseItem(host: HostContext, text: string, line: string, f: Flags): Promise<ItemResult> {
  const res: ItemResult = { stdout: '', stderr: '', failed: false };
  const err = (msg: string): ItemResult => ({ ...res, stderr: res.stderr + `sysctl: ${msg}\n`, failed: true });
  const split = /[=:]/.exec(text);
  let name = split ? text.slice(0, split.index) : text;
  let newValue: string | null = null;
  if (split) {
    let v = text.slice(split.index + 1).replace(/^\s+/, '');
    // Strip one pair of matching quotes, as sysctl.c does.
    if ((v[0] === '"' || v[0] === "'") && v.length > 1 && v[v.length - 1] === v[0]) v = v.slice(1, -1);
    else if (v[0] === '"' || v[0] === "'") v = v.slice(1);
    newValue = v;
  }
  name = name.replace(/\s+$/, '');

  const oid = findOid(host, name);
  if (!oid) {
    if (isNode(host, name)) {
      if (newValue !== null) return err(`oid '${name}' isn't a leaf node${line}`);
      return { ...res, stdout: showAll(host, name, f) };
    }
    if (f.iflag) return res;
    if (f.qflag) return { ...res, failed: true };
    return err(`unknown oid '${name}'${line}`);
  }
  if (newValue === null || f.dflag) {
    const shown = showVar(host, oid, f);
    return { ...res, stdout: shown === null ? '' : shown + '\n' };
  }
  if (!oid.access.startsWith('RW')) {
    if (oid.access === 'RDTUN') {
      return { ...res, failed: true, stderr: `sysctl: oid '${name}' is a read only tunable${line}\nsysctl: Tunable values are set in /boot/loader.conf\n` };
    }
    return err(`oid '${name}' is read only${line}`);
  }
  let value = newValue;
  if (oid.type !== 'string') {
    if (newValue === '') return err('empty numeric value');
    const words = newValue.split(/[ ,]/).filter(Boolean);
    const parsed: string[] = [];
    for (const w of words) {
      const n = parseNumber(w, oid.type);
      if (n === null) return err(`invalid ${oid.type} '${w}'${line}`);
      parsed.push(n);
    }
    // A scalar OID's handler refuses a buffer holding several values.
    if (parsed.length !== 1) {
      return { ...res, stdout: (showVar(host, oid, f) ?? '') + '\n', stderr: `sysctl: ${text}${line}: ${EINVAL}\n`, failed: true };
    }
    value = parsed[0];
  }
  const before = showVar(host, oid, f) ?? '';
  const refused = await setSysctl(host, name, value);
  if (refused) {
    // The old value is already printed when the kernel refuses (research §2.1, net.fibs shrink).
    return { stdout: before + '\n', stderr: `sysctl: ${text}${line}: ${refused}\n`, failed: true };
  }
  const after = showVar(host, oid, { ...f, nflag: true }) ?? '';
  return { ...res, stdout: `${before} -> ${after}\n` };
}

const USAGE =
  'usage: sysctl [-bdehiNnoqTtWx] [ -B <bufsize> ] [-f filename] name[=value] ...\n' +
  '       sysctl [-bdehNnoqTtWx] [ -B <bufsize> ] -a\n';

/** parsefile()'s comment rule: cut at the first unescaped `#`; one after a quote cuts after that quote's closing twin. */
function stripComment(line: string): string {
  const pq = line.indexOf("'");
  const pdq = line.indexOf('"');
  for (let p = line.indexOf('#'); p >= 0; p = line.indexOf('#', p + 1)) {
    if (pq >= 0 && p > pq) {
      const close = line.indexOf("'", pq + 1);
      return close >= 0 ? line.slice(0, close + 1) : line;
    }
    if (pdq >= 0 && p > pdq) {
      const close = line.indexOf('"', pdq + 1);
      return close >= 0 ? line.slice(0, close + 1) : line;
    }
    if (p === 0 || line[p - 1] !== '\\') return line.slice(0, p);
  }
  return line;
}

/** sysctl.conf lines worth parsing, with their line numbers for " at line N". */
function sysctlConfLines(text: string): Array<{ text: string; lineno: number }> {
  return text
    .split('\n')
    .map((raw, i) => ({ text: stripComment(raw).trim(), lineno: i + 1 }))
    .filter((l) => l.text !== '');
}

export const sysctl: FreeBSDCommand = async (inv, host) => {
  const opts = parseOptions('sysctl', inv.argv.slice(1), 'AadeiNnqTWwf:');
  if ('error' in opts) return fail(opts.error + USAGE);
  const o = opts.flags;
  const f: Flags = {
    nflag: o.has('n'),
    Nflag: o.has('N'),
    eflag: o.has('e'),
    dflag: o.has('d'),
    iflag: o.has('i'),
    qflag: o.has('q'),
    Tflag: o.has('T'),
    Wflag: o.has('W'),
  };
  if (f.Nflag && f.nflag) return fail(USAGE);
  if ((o.has('a') || o.has('A')) && opts.operands.length === 0) return { stdout: showAll(host, null, f), stderr: '', code: 0 };
  const conffile = opts.values.f;
  if (opts.operands.length === 0 && conffile === undefined) return fail(USAGE);
  if ((f.Tflag || f.Wflag) && opts.operands.some((a) => /[=:]/.test(a))) {
    return fail("sysctl: Can't set variables when using -T or -W\n" + USAGE);
  }

  let stdout = '';
  let stderr = '';
  let failures = 0;
  const items: Array<{ text: string; line: string }> = [];
  if (conffile !== undefined) {
    const path = conffile.startsWith('/') ? conffile : `${inv.cwd.replace(/\/$/, '')}/${conffile}`;
    const text = await host.fs.read(path);
    if (text === null) return fail(`sysctl: ${conffile}: No such file or directory\n`, 66); // EX_NOINPUT
    for (const l of sysctlConfLines(text)) items.push({ text: l.text, line: ` at line ${l.lineno}` });
  }
  for (const a of opts.operands) items.push({ text: a, line: '' });
  for (const item of items) {
    const r = await parseItem(host, item.text, item.line, f);
    stdout += r.stdout;
    stderr += r.stderr;
    if (r.failed) failures++;
  }
  return { stdout, stderr, code: failures };
};
