// service(8) over the lab's rc.d scripts (rcScripts). Scripts that use rc.subr's
// run_rc_command get its generic behaviour here: the one/force/fast/quiet prefixes, the
// "Cannot 'start' X. Set X_enable to YES…" refusal, enabled, rcvar, restart = stop + start,
// unknown directives [SRC libexec/rc/rc.subr]. The frr port's script does all of that itself,
// once per daemon (rc.d/frr.ts).
import type { CommandResult, FreeBSDCommand, HostContext, ServiceScript } from './types';
import { fail, ok } from './types';
import { rcScripts } from './rc.d';
import { isYes, loadRcConf } from './rcconf';
import { parseOptions } from './system';

/** Where each script lives: base scripts in /etc/rc.d, packages' in /usr/local/etc/rc.d. */
const LOCAL_SCRIPTS = new Set(['frr']);
/** Scripts whose own code handles rcvar, prefixes and verbs (they do not call run_rc_command once). */
const SELF_DISPATCHING = new Set(['frr']);
/** rcorder(8) order of the lab's scripts (sysctl, kld early; netif, pf, routing; frr REQUIREs netif routing). */
export const RC_ORDER = ['sysctl', 'kld', 'netif', 'pf', 'routing', 'frr'];

const USAGE =
  'usage: service [-j <jail name or id>] -e\n' +
  '       service [-j <jail name or id>] -R\n' +
  '       service [-j <jail name or id>] [-v] -l | -r\n' +
  '       service [-j <jail name or id>] [-v] <rc.d script> start|stop|etc.\n' +
  '       service -h\n';

export function scriptPath(name: string): string {
  return LOCAL_SCRIPTS.has(name) ? `/usr/local/etc/rc.d/${name}` : `/etc/rc.d/${name}`;
}

/** A package's script exists only once the package is installed (its file is on the host). */
export async function installed(host: HostContext, name: string): Promise<boolean> {
  if (!rcScripts[name]) return false;
  return LOCAL_SCRIPTS.has(name) ? host.fs.exists(scriptPath(name)) : true;
}

async function installedInOrder(host: HostContext): Promise<string[]> {
  const names = [...RC_ORDER, ...Object.keys(rcScripts).filter((n) => !RC_ORDER.includes(n)).sort()];
  const out: string[] = [];
  for (const n of names) if (await installed(host, n)) out.push(n);
  return out;
}

const RC_KEYWORDS = ['start', 'stop', 'restart', 'rcvar', 'enable', 'disable', 'delete', 'enabled', 'describe', 'extracommands', 'status', 'poll'];

/** rc.subr's rc_usage line for a script. */
function rcUsage(name: string): string {
  const extras = Object.keys(rcScripts[name]?.commands ?? {}).filter((v) => !RC_KEYWORDS.includes(v) && !/^(one|force|fast|quiet)/.test(v));
  return `Usage: ${scriptPath(name)} [fast|force|one|quiet](${[...RC_KEYWORDS, ...extras].join('|')})\n`;
}

/** rc.subr's run_rc_command for a script with a single daemon or none. */
async function runRcCommand(host: HostContext, name: string, script: ServiceScript, arg: string, args: string[]): Promise<CommandResult> {
  const path = scriptPath(name);
  const m = /^(fast|force|one|quiet)(.+)$/.exec(arg);
  const prefix = m?.[1] ?? '';
  const rcArg = m?.[2] ?? arg;
  const quiet = prefix === 'fast' || prefix === 'quiet';
  const forced = prefix === 'force' || prefix === 'one';

  const extras = Object.keys(script.commands).filter((v) => !RC_KEYWORDS.includes(v));
  if (![...RC_KEYWORDS, ...extras].includes(rcArg)) return fail(`${path}: unknown directive '${rcArg}'.\n${rcUsage(name)}`);

  const rc = await loadRcConf(host);
  const enabled = script.rcvar === null || forced || isYes(rc.get(script.rcvar));
  const running = host.kernel.services[name]?.running ?? false;
  if (rcArg === 'enabled') return { stdout: '', stderr: '', code: enabled ? 0 : 1 };
  if (rcArg === 'rcvar') {
    if (!script.rcvar) return ok(`# ${name}\n#\n\n`);
    return ok(`# ${name}\n#\n${script.rcvar}="${forced ? 'YES' : (rc.get(script.rcvar) ?? '')}"\n#   (default: "")\n\n`);
  }
  const exempt = ['stop', 'delete', 'enable', 'describe'].includes(rcArg) && !(rcArg === 'stop' && !running);
  if (script.rcvar && !exempt && !enabled) {
    if (quiet) return ok();
    return ok(`Cannot '${rcArg}' ${name}. Set ${script.rcvar} to YES in /etc/rc.conf or use 'one${rcArg}' instead of '${rcArg}'.\n`);
  }
  const verb = script.commands[rcArg];
  if (verb) return verb(host, args);
  if (rcArg === 'restart' && script.commands.stop && script.commands.start) {
    const stop = await script.commands.stop(host, args);
    const start = await script.commands.start(host, args);
    return { stdout: stop.stdout + start.stdout, stderr: stop.stderr + start.stderr, code: start.code === 0 ? 0 : 1 };
  }
  if (rcArg === 'describe' || rcArg === 'poll') return ok();
  if (rcArg === 'extracommands') return ok(extras.join(' ') + '\n');
  return fail(`${path}: '${rcArg}' is not emulated in the lab\n`);
}

/** Run `service NAME ARG...` (also used by the boot). */
export async function runService(host: HostContext, name: string, arg: string | undefined, args: string[]): Promise<CommandResult> {
  const script = rcScripts[name];
  if (!script || !(await installed(host, name))) {
    // [MEM] service.sh's message and stream
    return fail(`${name} does not exist in /etc/rc.d or the local startup\ndirectories (/usr/local/etc/rc.d), or is not executable.\n`);
  }
  if (arg === undefined) return fail(rcUsage(name));
  if (SELF_DISPATCHING.has(name)) {
    const verb = script.commands[arg];
    if (verb) return verb(host, args);
    // frr.in hands other verbs to run_rc_command, which rejects them.
    return fail(`${scriptPath(name)}: unknown directive '${arg}'.\n${rcUsage(name)}`);
  }
  return runRcCommand(host, name, script, arg, args);
}

export const service: FreeBSDCommand = async (inv, host) => {
  const opts = parseOptions('service', inv.argv.slice(1), 'ehj:lrRv');
  if ('error' in opts) return fail(opts.error + USAGE);
  const f = opts.flags;
  if (f.has('h')) return fail(USAGE);
  if (f.has('j')) return fail('service: jails are not emulated in the lab\n');
  if (f.has('e')) {
    // Scripts with an rcvar that is YES, by path, in rcorder order.
    const rc = await loadRcConf(host);
    const enabled: string[] = [];
    for (const name of await installedInOrder(host)) {
      const rcvar = rcScripts[name].rcvar;
      if (rcvar && isYes(rc.get(rcvar))) enabled.push(scriptPath(name));
    }
    return ok(enabled.map((p) => p + '\n').join(''));
  }
  if (f.has('l')) {
    const names = await installedInOrder(host);
    return ok([...names].sort().map((n) => n + '\n').join(''));
  }
  if (f.has('r')) return ok((await installedInOrder(host)).map((n) => scriptPath(n) + '\n').join(''));
  if (f.has('R')) return fail('service: -R is not emulated in the lab\n');
  const [name, arg, ...args] = opts.operands;
  if (!name) return fail(USAGE);
  const r = await runService(host, name, arg, args);
  if (f.has('v') && (await installed(host, name))) {
    const dir = scriptPath(name).replace(/\/[^/]+$/, '');
    return { ...r, stdout: `${name} is located in ${dir}\n` + r.stdout };
  }
  return r;
};
