// pfctl(8): -n/-f (check, load), -e/-d (enable, disable), -s rules|info, -F rules|all, -q, -v.
// Messages: pfctl.c (pfctl_enable/pfctl_disable: "pf enabled", "pf already enabled", exit 1)
// and research §9; the rest are marked as guesses in fixtures/freebsd/README-network.md.
// The ruleset text is kept in kernel.pf; while pf is enabled it is live as nftables (pf-nft.ts).
import type { CommandResult, FreeBSDCommand, HostContext } from './types';
import { fail } from './types';
import { formatRules, parsePfConf, type PfConf } from './pf-conf';
import { applyRuleset, removeRuleset } from './pf-nft';
import { isModulePresent } from './kld';

const USAGE =
  'usage: pfctl [-AdeghMmNnOPqRrvz] [-a anchor] [-D macro=value] [-F modifier]\n' +
  '\t[-f file] [-i interface] [-K host | network]\n' +
  '\t[-k host | network | gateway | label | id] [-o level] [-p device]\n' +
  '\t[-s modifier] [-t table -T command [address ...]] [-x level]\n';

const EMPTY: PfConf = { skip: [], blockPolicy: 'drop', tables: {}, scrub: [], rules: [] };

interface Opts {
  enable: boolean;
  disable: boolean;
  noAction: boolean;
  quiet: boolean;
  verbose: boolean;
  file: string | null;
  show: string | null;
  flush: string | null;
}

function parseArgs(argv: string[]): Opts | null {
  const o: Opts = { enable: false, disable: false, noAction: false, quiet: false, verbose: false, file: null, show: null, flush: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('-') || a.length < 2) return null;
    for (let j = 1; j < a.length; j++) {
      const c = a[j];
      if ('fsF'.includes(c)) {
        const v = a.slice(j + 1) || argv[++i];
        if (v === undefined) return null;
        if (c === 'f') o.file = v;
        else if (c === 's') o.show = v;
        else o.flush = v;
        break;
      }
      if (c === 'e') o.enable = true;
      else if (c === 'd') o.disable = true;
      else if (c === 'n') o.noAction = true;
      else if (c === 'q') o.quiet = true;
      else if (c === 'v') o.verbose = true;
      else return null;
    }
  }
  return o;
}

/** The loaded ruleset, parsed back from the text kept in kernel.pf. */
function loaded(host: HostContext): PfConf {
  const text = host.kernel.pf.rules;
  if (text === null) return EMPTY;
  const r = parsePfConf(text, host.kernel.pf.rulesFile ?? 'pf.conf');
  return r.ok ? r.conf : EMPTY;
}

function resolvePath(file: string, cwd: string): string {
  return file.startsWith('/') ? file : `${cwd.replace(/\/$/, '')}/${file}`;
}

function uptime(host: HostContext): string {
  const since = host.kernel.counters['pf.since'] ?? Math.floor(Date.now() / 1000);
  let s = Math.max(0, Math.floor(Date.now() / 1000) - since);
  const days = Math.floor(s / 86400);
  s %= 86400;
  const hms = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60].map((n) => String(n).padStart(2, '0')).join(':');
  return `${days} days ${hms}`;
}

/** pfctl -s info, as pfctl_parser.c print_status lays it out (%-44s, %15s; the state table rows). */
function info(host: HostContext): string {
  const status = `Status: ${host.kernel.pf.enabled ? 'Enabled' : 'Disabled'} for ${uptime(host)}`;
  return (
    `${status.padEnd(44)}${'Debug: Urgent'.padStart(15)}\n\n` +
    `${'State Table'.padEnd(27)} ${'Total'.padStart(14)} ${'Rate'.padStart(16)}\n` +
    `  ${'current entries'.padEnd(25)} ${'0'.padStart(14)} ${''.padStart(14)}\n`
  );
}

export const pfctl: FreeBSDCommand = async (inv, host) => {
  const o = parseArgs(inv.argv.slice(1));
  if (!o || inv.argv.length === 1) return fail(USAGE, 1);
  if (!isModulePresent(host, 'pf')) return fail('pfctl: /dev/pf: No such file or directory\n', 1);
  let stdout = '';
  let stderr = '';
  const done = (code: number): CommandResult => ({ stdout, stderr, code });

  if (o.disable) {
    if (!host.kernel.pf.enabled) return fail(stderr + 'pfctl: pf not enabled\n', 1, stdout);
    await removeRuleset(host);
    host.kernel.pf.enabled = false;
    host.kernel.counters['pf.since'] = Math.floor(Date.now() / 1000);
    if (!o.quiet) stderr += 'pf disabled\n';
  }
  if (o.flush) {
    const what = o.flush;
    if (!['rules', 'all', 'states', 'nat', 'Sources', 'info', 'Tables'].includes(what)) return fail(`pfctl: Unknown flush modifier '${what}'\n${USAGE}`, 1);
    if (what === 'rules' || what === 'all') {
      host.kernel.pf.rules = null;
      if (host.kernel.pf.enabled) await applyRuleset(host, EMPTY);
      if (!o.quiet) stderr += 'rules cleared\n';
    }
    if (what === 'all' && !o.quiet) stderr += 'nat cleared\n0 tables deleted.\n0 states cleared\nsource tracking entries cleared\npf: statistics cleared\npf: interface flags reset\n';
    if (what === 'states' && !o.quiet) stderr += '0 states cleared\n';
  }
  if (o.file) {
    const text = await host.fs.read(resolvePath(o.file, inv.cwd));
    if (text === null) {
      stderr += `pfctl: ${o.file}: No such file or directory\n`;
      if (!o.noAction) stderr += 'pfctl: Syntax error in config file: pf rules not loaded\n';
      return done(1);
    }
    const parsed = parsePfConf(text, o.file);
    if (!parsed.ok) {
      stderr += parsed.errors.join('\n') + '\n';
      if (!o.noAction) stderr += 'pfctl: Syntax error in config file: pf rules not loaded\n';
      return done(1);
    }
    if (o.verbose) stdout += formatRules(parsed.conf);
    if (!o.noAction) {
      if (host.kernel.pf.enabled) {
        const err = await applyRuleset(host, parsed.conf);
        if (err) return fail(`${stderr}pfctl: DIOCADDRULE: Invalid argument\n(lab: ${err})\n`, 1, stdout);
      }
      host.kernel.pf.rules = text;
      host.kernel.pf.rulesFile = o.file;
    }
  }
  if (o.enable) {
    if (host.kernel.pf.enabled) return fail(stderr + 'pfctl: pf already enabled\n', 1, stdout);
    const err = await applyRuleset(host, loaded(host));
    if (err) return fail(`${stderr}pfctl: DIOCSTART: Operation not permitted\n(lab: ${err})\n`, 1, stdout);
    host.kernel.pf.enabled = true;
    host.kernel.counters['pf.since'] = Math.floor(Date.now() / 1000);
    if (!o.quiet) stderr += 'pf enabled\n';
  }
  if (o.show) {
    const what = o.show;
    if (what === 'rules' || what === 'r') stdout += formatRules(loaded(host));
    else if (what === 'info' || what === 'i') stdout += info(host);
    else if (what === 'all' || what === 'a') stdout += 'FILTER RULES:\n' + formatRules(loaded(host)) + '\nINFO:\n' + info(host);
    else if (['states', 'nat', 'Tables', 'Sources', 's', 'n', 'T'].includes(what)) stdout += '';
    else return fail(`pfctl: Unknown show modifier '${what}'\n${USAGE}`, 1);
  }
  return done(0);
};
