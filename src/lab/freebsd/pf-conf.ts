// pf.conf(5): the subset the lab understands, parsed into atomic rules (lists expanded, as
// pfctl does before loading), and printed back the way `pfctl -s rules` shows them.
// Supported: macros, `set skip on`, a few `set` options, old-style `scrub` normalization rules
// (with pfctl's "Rules must be in order" check), tables with inline addresses, and
// pass/block [in|out] [log] [quick] [on IF] [reply-to (IF ADDR)] [inet|inet6]
// [proto P] (all | from H [port P] to H [port P]) [flags F] [keep|no|modulate state].
// Grammar: FreeBSD pf.conf(5) (research §9); messages: pfctl's parse.y (guesses marked in the fixtures README).
import { isIPv4, isIPv6, normalizeIPv6 } from '../ip';

export type Af = 4 | 6;

export interface HostSpec {
  not: boolean;
  kind: 'any' | 'addr' | 'self' | 'table';
  /** "addr" or "addr/len"; table name for kind "table" */
  value: string;
}

export interface PortSpec {
  op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'range';
  from: number;
  to: number;
}

interface Endpoint {
  host: HostSpec;
  port: PortSpec | null;
}

export interface ScrubRule {
  line: number;
  dir: 'in' | 'out' | null;
  on: { not: boolean; name: string } | null;
  af: Af | null;
  proto: string | null;
  from: Endpoint;
  to: Endpoint;
  noDf: boolean;
  randomId: boolean;
  minTtl: number | null;
  maxMss: number | null;
}

export interface FilterRule {
  line: number;
  action: 'pass' | 'block';
  blockReturn: boolean;
  dir: 'in' | 'out' | null;
  log: boolean;
  quick: boolean;
  on: { not: boolean; name: string } | null;
  route: { kind: 'reply-to'; iface: string; addr: string } | null;
  af: Af | null;
  proto: string | null;
  from: Endpoint;
  to: Endpoint;
  flags: string | null;
  state: 'keep' | 'modulate' | 'synproxy' | 'no';
  label: string | null;
}

export interface PfConf {
  skip: string[];
  blockPolicy: 'drop' | 'return';
  tables: Record<string, string[]>;
  scrub: ScrubRule[];
  rules: FilterRule[];
}

export type ParseOutcome = { ok: true; conf: PfConf } | { ok: false; errors: string[] };

// ---- lexer --------------------------------------------------------------------------------

interface Tok {
  text: string;
  quoted: boolean;
}

/** One statement per logical line: `\` joins lines, newlines inside { } do too. */
function statements(text: string): Array<{ line: number; body: string }> {
  const out: Array<{ line: number; body: string }> = [];
  const lines = text.split('\n');
  let cur = '';
  let start = 0;
  let depth = 0;
  lines.forEach((raw, i) => {
    let line = raw;
    let inQuote = false;
    for (let j = 0; j < line.length; j++) {
      if (line[j] === '"') inQuote = !inQuote;
      if (line[j] === '#' && !inQuote) {
        line = line.slice(0, j);
        break;
      }
    }
    if (cur === '') start = i + 1;
    const continued = /\\\s*$/.test(line);
    if (continued) line = line.replace(/\\\s*$/, ' ');
    for (const c of line) depth += c === '{' ? 1 : c === '}' ? -1 : 0;
    cur += line + ' ';
    if (!continued && depth <= 0) {
      if (cur.trim() !== '') out.push({ line: start, body: cur.trim() });
      cur = '';
      depth = 0;
    }
  });
  if (cur.trim() !== '') out.push({ line: start, body: cur.trim() });
  return out;
}

function lex(body: string): Tok[] | null {
  const toks: Tok[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    if (/\s/.test(c) || c === ',') {
      i++;
    } else if (c === '"') {
      const end = body.indexOf('"', i + 1);
      if (end < 0) return null;
      toks.push({ text: body.slice(i + 1, end), quoted: true });
      i = end + 1;
    } else if ('{}()!'.includes(c)) {
      if (c === '!' && body[i + 1] === '=') {
        toks.push({ text: '!=', quoted: false });
        i += 2;
      } else {
        toks.push({ text: c, quoted: false });
        i++;
      }
    } else if ('<>='.includes(c)) {
      // <table> names, or the port operators < <= > >= =
      const table = /^<([A-Za-z0-9_-]+)>/.exec(body.slice(i));
      if (c === '<' && table) {
        toks.push({ text: table[0], quoted: false });
        i += table[0].length;
      } else if (body[i + 1] === '=' && c !== '=') {
        toks.push({ text: c + '=', quoted: false });
        i += 2;
      } else {
        toks.push({ text: c, quoted: false });
        i++;
      }
    } else {
      let j = i;
      while (j < body.length && !/[\s,{}()!<>="]/.test(body[j])) j++;
      toks.push({ text: body.slice(i, j), quoted: false });
      i = j;
    }
  }
  return toks;
}

// ---- parser -------------------------------------------------------------------------------

class Fail extends Error {}

const SERVICES: Record<string, number> = { ssh: 22, domain: 53, http: 80, https: 443, bgp: 179, ntp: 123, smtp: 25, www: 80, telnet: 23, ftp: 21 };
const PORT_NAMES: Record<number, string> = { 22: 'ssh', 53: 'domain', 80: 'http', 443: 'https', 179: 'bgp', 123: 'ntp', 25: 'smtp', 23: 'telnet', 21: 'ftp' };
const PROTOS = new Set(['tcp', 'udp', 'icmp', 'icmp6', 'ipv6-icmp', 'gre', 'esp', 'ah', 'ipencap', 'ipv6', 'carp', 'pfsync', 'ospf', 'sctp']);

// pfctl's statement classes; a class may not follow a later one (parse.y check_rulestate).
const ORDER = { option: 0, normalization: 2, filtering: 5 } as const;
const ORDER_ERROR = 'Rules must be in order: options, ethernet, normalization, queueing, translation, filtering';

class Cursor {
  i = 0;
  constructor(readonly toks: Tok[]) {}
  peek(): string | undefined {
    return this.toks[this.i]?.text;
  }
  next(): string {
    const t = this.toks[this.i++];
    if (t === undefined) throw new Fail('syntax error');
    return t.text;
  }
  accept(word: string): boolean {
    if (this.peek() === word) {
      this.i++;
      return true;
    }
    return false;
  }
  expect(word: string): void {
    if (!this.accept(word)) throw new Fail('syntax error');
  }
  done(): boolean {
    return this.i >= this.toks.length;
  }
  /** A single word or a { list } of words. */
  list(): string[] {
    if (!this.accept('{')) return [this.next()];
    const out: string[] = [];
    while (!this.accept('}')) out.push(this.next());
    if (out.length === 0) throw new Fail('syntax error');
    return out;
  }
}

const IFNAME = /^[A-Za-z][A-Za-z0-9_.]*$/;

function parseHost(word: string, not: boolean, tables: Record<string, string[]>): HostSpec {
  if (word === 'any') return { not, kind: 'any', value: 'any' };
  if (word === 'self') return { not, kind: 'self', value: 'self' };
  const table = /^<(.+)>$/.exec(word);
  if (table) {
    if (!tables[table[1]]) throw new Fail(`invalid table <${table[1]}>`);
    return { not, kind: 'table', value: table[1] };
  }
  const [addr, len] = word.split('/');
  const v6 = isIPv6(addr);
  if (!v6 && !isIPv4(addr)) throw new Fail(`host ${word} not found`); // pfctl: no name resolution in the lab
  if (len !== undefined && !(/^\d+$/.test(len) && Number(len) <= (v6 ? 128 : 32))) throw new Fail('syntax error');
  const norm = v6 ? normalizeIPv6(addr) : addr;
  return { not, kind: 'addr', value: len === undefined ? norm : `${norm}/${len}` };
}

function parseHosts(c: Cursor, tables: Record<string, string[]>): HostSpec[] {
  const not = c.accept('!');
  return c.list().map((w) => {
    const n = w.startsWith('!');
    return parseHost(n ? w.slice(1) : w, not || n, tables);
  });
}

function portNumber(word: string): number {
  if (/^\d+$/.test(word) && Number(word) <= 65535) return Number(word);
  if (SERVICES[word] !== undefined) return SERVICES[word];
  throw new Fail(`illegal port value ${word}`);
}

function parsePorts(c: Cursor): PortSpec[] {
  const one = (): PortSpec => {
    const w = c.next();
    if (['=', '!=', '<', '<=', '>', '>='].includes(w)) {
      const p = portNumber(c.next());
      return { op: w as PortSpec['op'], from: p, to: p };
    }
    const range = /^(\w+):(\w+)$/.exec(w);
    if (range) return { op: 'range', from: portNumber(range[1]), to: portNumber(range[2]) };
    const p = portNumber(w);
    return { op: '=', from: p, to: p };
  };
  if (!c.accept('{')) return [one()];
  const out: PortSpec[] = [];
  while (!c.accept('}')) out.push(one());
  return out;
}

interface Selectors {
  froms: Array<{ host: HostSpec; port: PortSpec | null }>;
  tos: Array<{ host: HostSpec; port: PortSpec | null }>;
}

const ANY: HostSpec = { not: false, kind: 'any', value: 'any' };

function parseHostsPart(c: Cursor, tables: Record<string, string[]>): Selectors {
  if (c.accept('all')) return { froms: [{ host: ANY, port: null }], tos: [{ host: ANY, port: null }] };
  const side = (kw: string): Array<{ host: HostSpec; port: PortSpec | null }> => {
    if (!c.accept(kw)) return [{ host: ANY, port: null }];
    const hosts = c.peek() === 'port' ? [ANY] : parseHosts(c, tables);
    const ports: Array<PortSpec | null> = c.accept('port') ? parsePorts(c) : [null];
    return hosts.flatMap((host) => ports.map((port) => ({ host, port })));
  };
  const froms = side('from');
  const tos = side('to');
  return { froms, tos };
}

function hostAf(h: HostSpec): Af | null {
  if (h.kind !== 'addr') return null;
  return isIPv4(h.value.split('/')[0]) ? 4 : 6;
}

function checkPortsNeedProto(protos: Array<string | null>, sel: Selectors): void {
  const hasPort = [...sel.froms, ...sel.tos].some((e) => e.port !== null);
  if (hasPort && protos.some((p) => p !== 'tcp' && p !== 'udp')) throw new Fail('port only applies to tcp/udp');
}

/** Expand lists into atomic rules, dropping address-family mismatches as pfctl does. */
function expand<T extends { af: Af | null; from: Endpoint; to: Endpoint }>(
  base: Omit<T, 'from' | 'to' | 'af' | 'proto' | 'on'>,
  ifaces: Array<{ not: boolean; name: string } | null>,
  af: Af | null,
  protos: Array<string | null>,
  sel: Selectors,
): T[] {
  const out: T[] = [];
  for (const on of ifaces)
    for (const proto of protos)
      for (const from of sel.froms)
        for (const to of sel.tos) {
          const fa = hostAf(from.host);
          const ta = hostAf(to.host);
          if (fa && ta && fa !== ta) continue;
          const ruleAf = af ?? fa ?? ta;
          if (af && ((fa && fa !== af) || (ta && ta !== af))) continue;
          if (proto === 'icmp6' && ruleAf === 4) continue;
          if (proto === 'icmp' && ruleAf === 6) continue;
          out.push({ ...(base as object), on, af: ruleAf ?? (proto === 'icmp6' ? 6 : proto === 'icmp' ? 4 : null), proto, from, to } as unknown as T);
        }
  if (out.length === 0) throw new Fail('rule expands to no valid combination');
  return out;
}

function parseIfaces(c: Cursor): Array<{ not: boolean; name: string } | null> {
  if (!c.accept('on')) return [null];
  const not = c.accept('!');
  return c.list().map((name) => {
    if (!IFNAME.test(name)) throw new Fail('syntax error');
    return { not, name };
  });
}

function parseDir(c: Cursor): 'in' | 'out' | null {
  return c.accept('in') ? 'in' : c.accept('out') ? 'out' : null;
}

function parseAf(c: Cursor): Af | null {
  return c.accept('inet') ? 4 : c.accept('inet6') ? 6 : null;
}

function parseProtos(c: Cursor): Array<string | null> {
  if (!c.accept('proto')) return [null];
  return c.list().map((p) => {
    const name = p === 'ipv6-icmp' ? 'icmp6' : p;
    if (!PROTOS.has(name) && !/^\d+$/.test(name)) throw new Fail(`unknown protocol ${p}`);
    return name;
  });
}

function parseScrub(c: Cursor, line: number, tables: Record<string, string[]>): ScrubRule[] {
  const dir = parseDir(c);
  const ifaces = parseIfaces(c);
  const af = parseAf(c);
  const protos = parseProtos(c);
  const sel = parseHostsPart(c, tables);
  const opts = { noDf: false, randomId: false, minTtl: null as number | null, maxMss: null as number | null };
  const num = (): number => {
    const v = c.next();
    if (!/^\d+$/.test(v)) throw new Fail('syntax error');
    return Number(v);
  };
  while (!c.done()) {
    const w = c.next();
    if (w === 'no-df') opts.noDf = true;
    else if (w === 'random-id') opts.randomId = true;
    else if (w === 'min-ttl') opts.minTtl = num();
    else if (w === 'max-mss') opts.maxMss = num();
    else if (w === 'fragment') {
      if (!c.accept('reassemble') && !c.accept('crop') && !c.accept('drop-ovl')) throw new Fail('syntax error');
    } else if (w === 'reassemble') c.expect('tcp');
    else throw new Fail('syntax error');
  }
  return expand<ScrubRule>({ line, dir, ...opts } as Omit<ScrubRule, 'from' | 'to' | 'af' | 'proto' | 'on'>, ifaces, af, protos, sel);
}

function parseFilter(c: Cursor, action: 'pass' | 'block', line: number, conf: PfConf): FilterRule[] {
  let blockReturn = conf.blockPolicy === 'return';
  if (action === 'block') {
    if (c.accept('drop')) blockReturn = false;
    else if (c.accept('return') || c.accept('return-rst') || c.accept('return-icmp') || c.accept('return-icmp6')) blockReturn = true;
  }
  const dir = parseDir(c);
  let log = false;
  let quick = false;
  for (;;) {
    if (c.accept('log')) log = true;
    else if (c.accept('quick')) quick = true;
    else break;
  }
  const ifaces = parseIfaces(c);
  let route: FilterRule['route'] = null;
  const rk = c.peek();
  if (rk === 'route-to' || rk === 'reply-to' || rk === 'dup-to') {
    c.next();
    if (rk !== 'reply-to') throw new Fail(`${rk} is not supported by the lab`);
    c.expect('(');
    const iface = c.next();
    const addr = c.next();
    c.expect(')');
    if (!IFNAME.test(iface) || (!isIPv4(addr) && !isIPv6(addr))) throw new Fail('syntax error');
    route = { kind: 'reply-to', iface, addr: isIPv6(addr) ? normalizeIPv6(addr) : addr };
  }
  const af = parseAf(c);
  const protos = parseProtos(c);
  const sel = parseHostsPart(c, conf.tables);
  checkPortsNeedProto(protos, sel);
  let flags: string | null = null;
  let state: FilterRule['state'] = action === 'pass' ? 'keep' : 'no';
  let label: string | null = null;
  let explicitFlags = false;
  while (!c.done()) {
    const w = c.next();
    if (w === 'flags') {
      flags = c.next();
      explicitFlags = true;
      if (!/^[FSRPAUEW]*\/[FSRPAUEW]+$|^any$/.test(flags)) throw new Fail('syntax error');
    } else if (w === 'keep' || w === 'modulate' || w === 'synproxy') {
      c.expect('state');
      state = w;
      if (c.accept('(')) while (c.next() !== ')');
    } else if (w === 'no') {
      c.expect('state');
      state = 'no';
    } else if (w === 'label') label = c.next();
    else throw new Fail('syntax error');
  }
  const rules = expand<FilterRule>({ line, action, blockReturn, dir, log, quick, route, flags: null, state, label } as Omit<FilterRule, 'from' | 'to' | 'af' | 'proto' | 'on'>, ifaces, af, protos, sel);
  for (const r of rules) {
    // pf's default for stateful pass rules on TCP is "flags S/SA" (FreeBSD 7+).
    if (explicitFlags) r.flags = flags === 'any' ? null : flags;
    else if (action === 'pass' && r.state !== 'no' && (r.proto === 'tcp' || r.proto === null)) r.flags = r.proto === 'tcp' ? 'S/SA' : null;
    if (route && r.af && (isIPv4(route.addr) ? 4 : 6) !== r.af) throw new Fail('no routable address with matching address family found.');
  }
  return rules;
}

function parseSet(c: Cursor, conf: PfConf): void {
  const opt = c.next();
  switch (opt) {
    case 'skip':
      c.expect('on');
      for (const name of c.list()) {
        if (!IFNAME.test(name)) throw new Fail('syntax error');
        if (!conf.skip.includes(name)) conf.skip.push(name);
      }
      break;
    case 'block-policy': {
      const v = c.next();
      if (v !== 'drop' && v !== 'return') throw new Fail('syntax error');
      conf.blockPolicy = v;
      break;
    }
    case 'optimization':
    case 'ruleset-optimization':
    case 'loginterface':
    case 'state-policy':
    case 'debug':
    case 'hostid':
    case 'reassemble':
    case 'fingerprints':
      c.next();
      while (!c.done()) c.next();
      break;
    case 'limit':
    case 'timeout':
      while (!c.done()) c.next();
      break;
    default:
      throw new Fail('syntax error');
  }
  if (!c.done()) throw new Fail('syntax error');
}

const MACRO = /^([A-Za-z][A-Za-z0-9_]*)\s*=\s*(.*)$/;

function expandMacros(body: string, macros: Map<string, string>): string {
  return body.replace(/\$([A-Za-z][A-Za-z0-9_]*)/g, (_, name: string) => {
    const v = macros.get(name);
    if (v === undefined) throw new Fail(`macro '${name}' not defined`);
    return v;
  });
}

/** Parse a pf.conf. Errors are "FILE:LINE: message" lines, as pfctl prints them. */
export function parsePfConf(text: string, file: string): ParseOutcome {
  const conf: PfConf = { skip: [], blockPolicy: 'drop', tables: {}, scrub: [], rules: [] };
  const macros = new Map<string, string>();
  const errors: string[] = [];
  let state = 0;
  const advance = (want: number): void => {
    if (want < state) throw new Fail(ORDER_ERROR);
    state = want;
  };
  for (const { line, body } of statements(text)) {
    try {
      const m = MACRO.exec(body);
      if (m && !/^(pass|block|scrub|set|table|match)\b/.test(body)) {
        const toks = lex(expandMacros(m[2], macros));
        if (!toks || toks.length === 0) throw new Fail('syntax error');
        macros.set(m[1], m[2].startsWith('"') ? toks[0].text : toks.map((t) => t.text).join(' '));
        continue;
      }
      const toks = lex(expandMacros(body, macros));
      if (!toks) throw new Fail('syntax error');
      const c = new Cursor(toks);
      const head = c.next();
      if (head === 'set') {
        advance(ORDER.option);
        parseSet(c, conf);
      } else if (head === 'scrub') {
        advance(ORDER.normalization);
        conf.scrub.push(...parseScrub(c, line, conf.tables));
      } else if (head === 'pass' || head === 'block') {
        advance(ORDER.filtering);
        conf.rules.push(...parseFilter(c, head, line, conf));
      } else if (head === 'table') {
        const name = /^<([A-Za-z0-9_-]+)>$/.exec(c.next());
        if (!name) throw new Fail('syntax error');
        while (c.accept('persist') || c.accept('const') || c.accept('counters'));
        const addrs: string[] = [];
        if (c.accept('{')) {
          while (!c.accept('}')) {
            const h = parseHost(c.next(), false, conf.tables);
            if (h.kind !== 'addr') throw new Fail('syntax error');
            addrs.push(h.value);
          }
        }
        if (!c.done()) throw new Fail('syntax error');
        conf.tables[name[1]] = addrs;
      } else if (['nat', 'rdr', 'binat', 'antispoof', 'anchor', 'nat-anchor', 'rdr-anchor', 'load', 'altq', 'queue', 'match', 'ether'].includes(head)) {
        throw new Fail(`'${head}' rules are not supported by the lab`);
      } else throw new Fail('syntax error');
    } catch (e) {
      if (!(e instanceof Fail)) throw e;
      errors.push(`${file}:${line}: ${e.message}`);
    }
  }
  return errors.length ? { ok: false, errors } : { ok: true, conf };
}

// ---- printing (pfctl -s rules) ------------------------------------------------------------

function fmtHost(h: HostSpec): string {
  const v = h.kind === 'table' ? `<${h.value}>` : h.value;
  return (h.not ? '! ' : '') + v;
}

function fmtPort(p: PortSpec): string {
  const name = (n: number): string => PORT_NAMES[n] ?? String(n);
  return p.op === 'range' ? `port ${p.from}:${p.to}` : `port ${p.op} ${name(p.from)}`;
}

function fmtSelectors(r: { from: Endpoint; to: Endpoint }): string {
  const anyFrom = r.from.host.kind === 'any' && !r.from.port;
  const anyTo = r.to.host.kind === 'any' && !r.to.port;
  if (anyFrom && anyTo) return 'all';
  const side = (kw: string, e: Endpoint): string => `${kw} ${fmtHost(e.host)}${e.port ? ' ' + fmtPort(e.port) : ''}`;
  return `${side('from', r.from)} ${side('to', r.to)}`;
}

function fmtHead(dir: string | null, on: { not: boolean; name: string } | null): string[] {
  const parts: string[] = [];
  if (dir) parts.push(dir);
  return parts.concat(on ? [`on ${on.not ? '! ' : ''}${on.name}`] : []);
}

export function formatScrub(r: ScrubRule): string {
  const parts = ['scrub', ...fmtHead(r.dir, r.on)];
  if (r.af) parts.push(r.af === 4 ? 'inet' : 'inet6');
  if (r.proto) parts.push(`proto ${r.proto}`);
  parts.push(fmtSelectors(r));
  if (r.noDf) parts.push('no-df');
  if (r.randomId) parts.push('random-id');
  if (r.minTtl !== null) parts.push(`min-ttl ${r.minTtl}`);
  if (r.maxMss !== null) parts.push(`max-mss ${r.maxMss}`);
  parts.push('fragment reassemble');
  return parts.join(' ');
}

export function formatFilter(r: FilterRule): string {
  const parts: string[] = [r.action === 'block' ? (r.blockReturn ? 'block return' : 'block drop') : 'pass'];
  if (r.dir) parts.push(r.dir);
  if (r.log) parts.push('log');
  if (r.quick) parts.push('quick');
  if (r.on) parts.push(`on ${r.on.not ? '! ' : ''}${r.on.name}`);
  if (r.route) parts.push(`${r.route.kind} (${r.route.iface} ${r.route.addr})`);
  if (r.af) parts.push(r.af === 4 ? 'inet' : 'inet6');
  if (r.proto) parts.push(`proto ${r.proto === 'icmp6' ? 'ipv6-icmp' : r.proto}`);
  parts.push(fmtSelectors(r));
  if (r.flags) parts.push(`flags ${r.flags}`);
  if (r.action === 'pass') parts.push(r.state === 'no' ? 'no state' : `${r.state} state`);
  if (r.label) parts.push(`label "${r.label}"`);
  return parts.join(' ');
}

/** The loaded ruleset as `pfctl -s rules` prints it: normalization rules, then filter rules. */
export function formatRules(conf: PfConf): string {
  return [...conf.scrub.map(formatScrub), ...conf.rules.map(formatFilter)].map((l) => l + '\n').join('');
}
