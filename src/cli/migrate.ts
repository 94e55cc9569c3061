// `provision migrate HOST --endpoint IPV4`: HOST moved to another provider; its addresses inside
// the operator's prefix stay, only the tunnels' outer endpoint changes. The inventory is edited
// in place (byte for byte outside the edited values, so comments and layout survive), then HOST
// and every host whose tunnel points at it are provisioned (the far end of each tunnel is
// retargeted: runtime and rc.conf) and verified by the playbooks' verification steps. The run
// ends with which lines changed on which host. --check: the same, as a plan, touching nothing.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InvalidArgumentError, type Command } from 'commander';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Scalar } from 'yaml';
import { InvalidInputError, ProvisionError } from '../errors';
import { loadInventory } from '../inventory/load';
import { parseIPv4, parseAddressWithLength, parseIPv6 } from '../inventory/ip';
import { resolveHost } from '../inventory/resolve';
import type { RunResult } from '../report/events';
import { EXIT, exitCodeFor } from './exit-codes';
import { connectHost, DEFAULT_INVENTORY, runProvision, type CliIO } from './run';
import { readProviderSide, type ProviderSide } from './provider-side';
import { addInventoryOption, addOutputOptions, addRollbackOptions, runFlagsOf, type RunOptions } from './run-options';

export interface MigrateRequest {
  host: string;
  /** the new outer IPv4 (the provider's address of HOST) */
  endpoint: string;
  /** the new provider's prefix length for it (default: the old one's) */
  prefixLength?: number;
  /** the new provider's IPv4 gateway: HOST's FIB 0 default route */
  gateway?: string;
  /** HOST's new provider IPv6 address with its length, and the new IPv6 gateway */
  inet6?: string;
  gateway6?: string;
}

export interface InventoryEdit {
  /** e.g. hosts.vps01.outer_ipv4 */
  where: string;
  line: number;
  before: string;
  after: string;
}

type Path = Array<string | number>;

/**
 * The edits a migration makes to the inventory text, and the edited text. Throws
 * InvalidInputError for a request the inventory cannot take (naming the file and line to change).
 */
export function migrateInventoryText(text: string, file: string, req: MigrateRequest): { edits: InventoryEdit[]; text: string } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, keepSourceTokens: true });
  if (doc.errors.length) throw new InvalidInputError(`${file}: ${doc.errors[0].message}`);
  const node = (p: Path) => doc.getIn(p, true) as unknown;
  const lineOf = (n: Scalar) => lc.linePos(n.range?.[0] ?? 0).line;
  const hostPath = ['hosts', req.host];
  if (!isMap(node(hostPath))) throw new InvalidInputError(`${file}: no host ${req.host} under hosts:`);

  const outer = node([...hostPath, 'outer_ipv4']);
  if (!isScalar(outer)) {
    const from = findOuterElsewhere(doc, req.host);
    throw new InvalidInputError(
      from
        ? `${req.host}'s outer_ipv4 is not in its own entry: it comes from ${file}:${lineOf(from.node)} (${from.where}), which other hosts share`
        : `${req.host} has no outer_ipv4 in ${file}: a host without one is no tunnel endpoint to migrate`,
      { hint: `add "outer_ipv4: ${req.endpoint}" under hosts.${req.host} in ${file}, then run provision ${req.host} and the hosts whose tunnels point at it` },
    );
  }
  const old = String(outer.value);
  if (old === req.endpoint) throw new InvalidInputError(`${req.host}'s outer_ipv4 is already ${req.endpoint} in ${file}`);

  const edits: Array<InventoryEdit & { node: Scalar }> = [];
  const edit = (p: Path, after: string) => {
    const n = node(p);
    if (!isScalar(n) || String(n.value) === after) return;
    edits.push({ where: p.join('.'), line: lineOf(n), before: String(n.value), after, node: n });
  };
  edit([...hostPath, 'outer_ipv4'], req.endpoint);

  // HOST's provider interface (the one carrying the old endpoint) and its default routes
  const ifaces = node([...hostPath, 'interfaces']);
  if (isSeq(ifaces)) {
    ifaces.items.forEach((_i, k) => {
      const inet = node([...hostPath, 'interfaces', k, 'inet']);
      if (!isScalar(inet) || String(inet.value).split('/')[0] !== old) return;
      edit([...hostPath, 'interfaces', k, 'inet'], `${req.endpoint}/${req.prefixLength ?? String(inet.value).split('/')[1] ?? '32'}`);
      if (req.inet6) edit([...hostPath, 'interfaces', k, 'inet6'], req.inet6);
    });
  }
  const routes = node([...hostPath, 'routes']);
  if (isSeq(routes)) {
    routes.items.forEach((_r, k) => {
      const dest = node([...hostPath, 'routes', k, 'dest']);
      const fib = node([...hostPath, 'routes', k, 'fib']);
      if (!isScalar(dest) || (isScalar(fib) && Number(fib.value) !== 0)) return;
      if (dest.value === '0.0.0.0/0' && req.gateway) edit([...hostPath, 'routes', k, 'via'], req.gateway);
      if (dest.value === '::/0' && req.gateway6) edit([...hostPath, 'routes', k, 'via'], req.gateway6);
    });
  }
  // tunnels that spell the old endpoint out instead of naming the host
  const hosts = node(['hosts']);
  if (isMap(hosts)) {
    for (const pair of hosts.items) {
      const name = String(isScalar(pair.key) ? pair.key.value : pair.key);
      const tunnels = node(['hosts', name, 'tunnels']);
      if (!isSeq(tunnels)) continue;
      tunnels.items.forEach((_t, k) => {
        for (const field of name === req.host ? ['local'] : ['remote']) {
          const v = node(['hosts', name, 'tunnels', k, field]);
          if (isScalar(v) && String(v.value) === old) edit(['hosts', name, 'tunnels', k, field], req.endpoint);
        }
      });
    }
  }

  // splice the new values into the original text, last first, keeping each value's quoting
  let out = text;
  for (const e of [...edits].sort((a, b) => b.node.range![0] - a.node.range![0])) {
    const [start, end] = e.node.range!;
    const src = text.slice(start, end);
    const q = src.startsWith('"') ? '"' : src.startsWith("'") ? "'" : '';
    out = out.slice(0, start) + q + e.after + q + out.slice(end);
  }
  return { edits: edits.map(({ node: _n, ...e }) => e), text: out };
}

function findOuterElsewhere(doc: Document, host: string): { where: string; node: Scalar } | undefined {
  const groups = doc.get('groups', true);
  if (isMap(groups)) {
    for (const pair of groups.items) {
      const g = String(isScalar(pair.key) ? pair.key.value : pair.key);
      const members = doc.getIn(['groups', g, 'hosts']);
      const has = members && typeof members === 'object' && 'toJSON' in members ? (members as { toJSON(): unknown }).toJSON() : members;
      const n = doc.getIn(['groups', g, 'vars', 'outer_ipv4'], true);
      if (Array.isArray(has) && has.includes(host) && isScalar(n)) return { where: `groups.${g}.vars.outer_ipv4`, node: n };
    }
  }
  const d = doc.getIn(['defaults', 'outer_ipv4'], true);
  return isScalar(d) ? { where: 'defaults.outer_ipv4', node: d } : undefined;
}

/** Hosts with a tunnel whose far end is HOST. */
export function hostsPointingAt(inventoryFile: string, host: string): string[] {
  const inv = loadInventory(inventoryFile);
  return Object.keys(inv.hosts).filter((name) => name !== host && resolveHost(inv, name).tunnels.some((t) => t.remote_host === host));
}

/** "router01  rc.conf: tunnels  ifconfig_gif0: tunnel A B up → tunnel A C up", one line per change */
export function changedLines(result: RunResult): string[] {
  const lines: string[] = [];
  for (const h of result.hosts) {
    for (const t of h.tasks) {
      if (t.status !== 'changed' || t.kind !== 'task') continue;
      for (const c of t.changes) {
        if (c.diff.kind === 'value') lines.push(`${h.host}  ${t.name}  ${c.diff.key}: ${c.diff.before ?? '(unset)'} → ${c.diff.after}`);
        else {
          const before = new Set((c.diff.before ?? '').split('\n'));
          const after = new Set(c.diff.after.split('\n'));
          for (const l of before) if (l && !after.has(l)) lines.push(`${h.host}  ${c.diff.path}  - ${l}`);
          for (const l of after) if (l && !before.has(l)) lines.push(`${h.host}  ${c.diff.path}  + ${l}`);
        }
      }
    }
  }
  return lines;
}

interface MigrateCliOptions extends RunOptions {
  endpoint: string;
  gateway?: string;
  inet6?: string;
  gateway6?: string;
  check?: boolean;
}

const ipv4 = (what: string) => (v: string) => {
  if (parseIPv4(v) === undefined) throw new InvalidArgumentError(`${what} must be an IPv4 address`);
  return v;
};

/** --endpoint ADDR or ADDR/LEN (the length, when given, wins over the one read from the host) */
const endpointArg = (v: string) => {
  const [addr, len, extra] = v.split('/');
  if (parseIPv4(addr) === undefined || extra !== undefined || (len !== undefined && !/^([0-9]|[12][0-9]|3[0-2])$/.test(len))) {
    throw new InvalidArgumentError('--endpoint must be an IPv4 address, optionally with its prefix length (203.0.113.130/25)');
  }
  return v;
};

/**
 * Connects to HOST where it now is (its SSH address is the new endpoint when it was the old one)
 * and reads what the new provider set up. Unreadable or contradictory: InvalidInputError.
 */
async function discoverProviderSide(file: string, host: string, endpoint: string, o: MigrateCliOptions, io: CliIO): Promise<ProviderSide> {
  const inv = loadInventory(file);
  const cfg = resolveHost(inv, host);
  const at = cfg.ssh.host === cfg.outer_ipv4 ? { ...cfg, ssh: { ...cfg.ssh, host: endpoint } } : cfg;
  const flags = runFlagsOf(o, { check: true, inventory: file });
  let t;
  try {
    t = io.connect ? await io.connect(at, flags) : await connectHost(at, { acceptNewHostKeys: flags.acceptNewHostKeys, quiet: true }, io);
  } catch (e) {
    throw new InvalidInputError(`cannot read ${host}'s provider side at ${at.ssh.host}: ${e instanceof Error ? e.message : String(e)}`, {
      hint: 'give --endpoint ADDR/LEN, --gateway, and --inet6 with --gateway6 if it has IPv6',
    });
  }
  try {
    return await readProviderSide(t, endpoint, inv.operator?.prefixes ?? [], { gateway: o.gateway, inet6: o.inet6, gateway6: o.gateway6 });
  } finally {
    await t.close();
  }
}

export function registerMigrateCommand(program: Command, io: CliIO, setExit: (code: number) => void): Command {
  const cmd = program
    .command('migrate')
    .description('HOST moved provider: change its tunnel endpoint in the inventory, retarget every tunnel to it, provision and verify')
    .argument('<host>', 'the host that moved')
    .requiredOption('--endpoint <ipv4[/len]>', "HOST's new outer IPv4 address; the rest of the provider side is read from HOST there", endpointArg)
    .option('--gateway <ipv4>', "override: the new provider's IPv4 gateway (HOST's FIB 0 default route)", ipv4('--gateway'))
    .option('--inet6 <address/len>', "override: HOST's new provider IPv6 address, with its prefix length")
    .option('--gateway6 <ipv6>', "override: the new provider's IPv6 gateway")
    .option('--check', 'show the inventory edits and the plan; change nothing');
  // the targets are HOST and its tunnels' far ends, run all at once: no --limit, --playbook or -c
  for (const add of [addInventoryOption, addOutputOptions, addRollbackOptions]) add(cmd);
  return cmd.action(async (host: string, o: MigrateCliOptions) => setExit(await migrate(host, o, io, () => program.commands.map((c) => c.name()))));
}

async function migrate(host: string, o: MigrateCliOptions, io: CliIO, names: () => string[]): Promise<number> {
  const file = path.resolve(io.cwd, o.inventory ?? DEFAULT_INVENTORY);
  const say = (t: string) => (o.json ? io.stderr : io.stdout)(t);
  let targets: string[];
  let edited: { edits: InventoryEdit[]; text: string };
  try {
    if (o.inet6 && parseAddressWithLength(o.inet6, 6).ok !== true) throw new InvalidInputError(`--inet6 must be an IPv6 address with its length, e.g. 2001:db8::10/64 (got ${o.inet6})`);
    if (o.gateway6 && parseIPv6(o.gateway6) === undefined) throw new InvalidInputError(`--gateway6 must be an IPv6 address (got ${o.gateway6})`);
    const referrers = hostsPointingAt(file, host);
    if (!referrers.length) throw new InvalidInputError(`no tunnel in ${file} points at ${host}: there is no tunnel endpoint to migrate`);
    targets = [host, ...referrers];
    const [endpoint, length] = o.endpoint.split('/');
    const side = await discoverProviderSide(file, host, endpoint, o, io);
    say(`read from ${host} at ${endpoint}: ${side.iface} inet ${side.inet}${side.inet6 ? ` inet6 ${side.inet6}` : ''}, default via ${side.gateway}${side.gateway6 ? `, ::/0 via ${side.gateway6}` : ''}\n`);
    edited = migrateInventoryText(fs.readFileSync(file, 'utf8'), file, {
      host,
      endpoint,
      prefixLength: Number(length ?? side.inet.split('/')[1]),
      gateway: side.gateway,
      inet6: side.inet6,
      gateway6: side.gateway6,
    });
  } catch (err) {
    if (err instanceof ProvisionError) {
      io.stderr(`provision: ${err.message}\n${err.ctx.hint ? `hint: ${err.ctx.hint}\n` : ''}`);
      return EXIT.invalid;
    }
    throw err;
  }
  const editLines = edited.edits.map((e) => `  ${path.relative(io.cwd, file) || file}:${e.line}: ${e.where}: ${e.before} → ${e.after}`);

  let runInventory = file;
  let scratch: string | undefined;
  if (o.check) {
    say(`inventory edits (not made, --check):\n${editLines.join('\n')}\n`);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'provision-migrate-'));
    runInventory = path.join(scratch, path.basename(file));
    fs.writeFileSync(runInventory, edited.text);
  } else {
    try {
      fs.accessSync(file, fs.constants.W_OK);
    } catch {
      io.stderr(`provision: ${file} is not writable; change these lines, then run: provision migrate ${host} --endpoint ${o.endpoint} again\n${editLines.join('\n')}\n`);
      return EXIT.invalid;
    }
    const tmp = `${file}.provision-${process.pid}`;
    fs.writeFileSync(tmp, edited.text, { mode: fs.statSync(file).mode & 0o777 });
    fs.renameSync(tmp, file);
    say(`inventory edited:\n${editLines.join('\n')}\n`);
  }

  const flags = runFlagsOf(o, { check: Boolean(o.check), inventory: runInventory, concurrency: targets.length });
  try {
    return await runProvision(targets, flags, io, names, {
      finish(result) {
        const lines = changedLines(result);
        say(`\n${o.check ? 'would change' : 'changed'} on the hosts:\n${lines.length ? lines.map((l) => `  ${l}`).join('\n') : '  (nothing)'}\n`);
        return exitCodeFor(result);
      },
    });
  } finally {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  }
}
