// /usr/local/etc/rc.d/frr of the net/frr10 port (research §4.4, §7), running Debian's FRR 8.4
// daemons inside the lab host. The control flow is the port's frr.in [SRC freebsd-ports
// net/frr10/files/frr.in]: start/stop/restart do nothing unless frr_enable=YES, other verbs go
// to rc.subr's run_rc_command once per daemon (name=<daemon>, rcvar=frr_enable), and start and
// restart end with `vtysh -b`. Lab differences: watchfrr is not run (the port's
// watchfrr_enable="NO" path: the rc script starts each daemon itself), and daemons FRR 8.4 does
// not have (mgmtd, new in FRR 9) are skipped with a note.
import type { CommandResult, HostContext, ServiceScript } from '../types';
import { sh } from '../../../shell/quote';
import { isYes, loadRcConf } from '../rcconf';

export const FRR_ETCDIR = '/usr/local/etc/frr';
export const FRR_RUNDIR = '/var/run/frr';
const SCRIPT = '/usr/local/etc/rc.d/frr'; // $0 in rc.subr messages
const DEBIAN_SBIN = '/usr/lib/frr';
const PORT_SBIN = '/usr/local/sbin'; // where the port installs daemons; used in messages

/** Daemons Debian's frr 8.4 package ships in /usr/lib/frr. */
const FRR84_DAEMONS = new Set([
  'zebra', 'bgpd', 'staticd', 'ospfd', 'ospf6d', 'ripd', 'ripngd', 'isisd', 'fabricd', 'babeld',
  'bfdd', 'eigrpd', 'ldpd', 'nhrpd', 'pathd', 'pbrd', 'pimd', 'vrrpd',
]);
/** Daemons of newer FRR that the port lists but FRR 8.4 lacks. */
const NEWER_DAEMONS = new Set(['mgmtd']);

const RC_KEYWORDS = ['start', 'stop', 'restart', 'rcvar', 'enable', 'disable', 'delete', 'enabled', 'describe', 'extracommands', 'status', 'poll'];

/** The port's rc.conf knobs with its defaults (`: ${frr_daemons:=...}` in frr.in). */
export interface FrrSettings {
  enable: boolean;
  /** frr_enable as written, for `rcvar` */
  enableValue: string;
  daemons: string[];
  vtyshBoot: boolean;
  /** frr_flags with " -F ${frr_default_profile}" appended, as frr.in does */
  flags: string;
  daemonFlags: Record<string, string>;
}

export async function frrSettings(host: HostContext): Promise<FrrSettings> {
  const rc = await loadRcConf(host);
  const daemonFlags: Record<string, string> = {};
  for (const d of [...FRR84_DAEMONS, ...NEWER_DAEMONS]) {
    daemonFlags[d] = rc.get(`${d}_flags`) ?? (d === 'ospf6d' || d === 'ripngd' ? '-A ::1' : '-A 127.0.0.1');
  }
  return {
    enable: isYes(rc.get('frr_enable')),
    enableValue: rc.get('frr_enable') ?? 'NO',
    daemons: (rc.get('frr_daemons') ?? 'mgmtd zebra babeld bfdd bgpd eigrpd fabricd isisd ospfd ospf6d ripd ripngd staticd').split(/\s+/).filter(Boolean),
    vtyshBoot: isYes(rc.get('frr_vtysh_boot') ?? 'YES'),
    flags: `${rc.get('frr_flags') ?? '--limit-fds 100000'} -F ${rc.get('frr_default_profile') ?? 'traditional'}`,
    daemonFlags,
  };
}

const words = (s: string) => s.split(/\s+/).filter(Boolean);

/**
 * `$command $rc_flags $command_args` of the port (rc_flags = <daemon>_flags + frr_flags,
 * command_args = -d), on Debian's binary, as user frr. Pidfile, vty and zserv sockets use FRR's
 * compiled-in /var/run/frr, which is the port's path and is per lab host.
 */
export function daemonArgv(daemon: string, s: FrrSettings): string[] {
  return [`${DEBIAN_SBIN}/${daemon}`, ...words(s.daemonFlags[daemon] ?? ''), ...words(s.flags), '-d', '-u', 'frr', '-g', 'frr'];
}

/** `vtysh -b` of the port, with the port's config directory. */
export const VTYSH_BOOT_ARGV = ['/usr/bin/vtysh', '--config_dir', FRR_ETCDIR, '-b'];

/** The port's reload: frr-reload.py --reload with the port's paths (Debian's script, /usr/bin/vtysh). */
export const RELOAD_ARGV = [
  '/usr/bin/python3', `${DEBIAN_SBIN}/frr-reload.py`, '--reload', '--bindir', '/usr/bin',
  '--confdir', FRR_ETCDIR, '--rundir', FRR_RUNDIR, `${FRR_ETCDIR}/frr.conf`,
];

const pidfileOf = (daemon: string) => `${FRR_RUNDIR}/${daemon}.pid`;

/** rc.subr check_pidfile: the pid in the pidfile, if that process is alive and is the daemon. */
async function runningPid(host: HostContext, daemon: string): Promise<string | null> {
  const pid = (await host.fs.read(pidfileOf(daemon)))?.trim();
  if (!pid || !/^\d+$/.test(pid)) return null;
  const comm = await host.run(['cat', `/proc/${pid}/comm`], { ns: 'all' });
  return comm.code === 0 && comm.stdout.trim() === daemon ? pid : null;
}

class Output {
  stdout = '';
  stderr = '';
  code = 0;
  add(r: CommandResult): boolean {
    this.stdout += r.stdout;
    this.stderr += r.stderr;
    if (r.code !== 0) this.code = 1;
    return r.code === 0;
  }
  result(): CommandResult {
    return { stdout: this.stdout, stderr: this.stderr, code: this.code };
  }
}

async function recordRunning(host: HostContext, s: FrrSettings): Promise<void> {
  const daemons: string[] = [];
  for (const d of s.daemons) if (FRR84_DAEMONS.has(d) && (await runningPid(host, d))) daemons.push(d);
  host.kernel.services.frr = { running: daemons.length > 0, detail: { daemons } };
}

async function startDaemon(host: HostContext, daemon: string, s: FrrSettings): Promise<CommandResult> {
  // /var/run is per lab host and empty after a lab reboot; on FreeBSD mtree/pkg keep it.
  await host.run(['install', '-d', '-o', 'frr', '-g', 'frr', '-m', '0755', FRR_RUNDIR], { ns: 'all' });
  // The daemon's stdio goes to a file: a pipe held open by the forked daemon would never close.
  const log = `${FRR_RUNDIR}/.${daemon}.start`;
  const script = sh`${daemonArgv(daemon, s)} </dev/null >${log} 2>&1; rc=$?; cat ${log}; rm -f ${log}; exit $rc`;
  const r = await host.run(['/bin/sh', '-c', script.text], { ns: 'all' });
  // Lab measure: the next daemons start once zebra serves its API. A bgpd that starts first
  // retries zebra only every few seconds, and sessions it opens meanwhile know no interface for
  // their own address (link-local-only next hops, refused by the peer).
  if (daemon === 'zebra' && r.code === 0) {
    for (let i = 0; i < 100 && !(await host.fs.exists(`${FRR_RUNDIR}/zserv.api`)); i++) await new Promise((w) => setTimeout(w, 50));
  }
  return r;
}

async function stopDaemon(host: HostContext, pid: string, daemon: string): Promise<boolean> {
  if ((await host.run(['kill', '-TERM', pid], { ns: 'all' })).code !== 0) return false;
  const wait = sh`i=0; while kill -0 ${pid} 2>/dev/null; do i=$((i+1)); [ $i -ge 150 ] && exit 1; sleep 0.1; done`;
  await host.run(['/bin/sh', '-c', wait.text], { ns: 'all' });
  await host.run(['rm', '-f', pidfileOf(daemon)], { ns: 'all' }); // stop_postcmd
  return true;
}

const result = (stdout: string, stderr = '', code = 0): CommandResult => ({ stdout, stderr, code });

/** rc.subr run_rc_command for one daemon (name=<daemon>, rcvar=frr_enable, pidfile=/var/run/frr/<daemon>.pid). */
async function runRcCommand(host: HostContext, daemon: string, arg: string, s: FrrSettings): Promise<CommandResult> {
  const m = /^(fast|force|one|quiet)(.+)$/.exec(arg);
  const prefix = m?.[1] ?? '';
  const rcArg = m?.[2] ?? arg;
  const fast = prefix === 'fast';
  const quiet = fast || prefix === 'quiet';
  const enabled = s.enable || prefix === 'force' || prefix === 'one';

  if (!RC_KEYWORDS.includes(rcArg)) {
    return result('', `${SCRIPT}: unknown directive '${rcArg}'.\nUsage: ${SCRIPT} [fast|force|one|quiet](${RC_KEYWORDS.join('|')})\n`, 1);
  }
  if (rcArg === 'enabled') return result('', '', enabled ? 0 : 1);
  if (!FRR84_DAEMONS.has(daemon) && rcArg === 'start') {
    return result('', `${SCRIPT}: WARNING: run_rc_command: cannot run ${PORT_SBIN}/${daemon}\n`, 1);
  }
  const pid = FRR84_DAEMONS.has(daemon) ? await runningPid(host, daemon) : null;
  const exempt = ['rcvar', 'stop', 'delete', 'enable', 'describe'].includes(rcArg) && !(rcArg === 'stop' && !pid);
  if (!exempt && !enabled) {
    return result(quiet ? '' : `Cannot '${rcArg}' ${daemon}. Set frr_enable to YES in /etc/rc.conf or use 'one${rcArg}' instead of '${rcArg}'.\n`);
  }
  switch (rcArg) {
    case 'start': {
      if (!fast && pid) return result('', quiet ? '' : `${daemon} already running?  (pid=${pid}).\n`, 1);
      const r = await startDaemon(host, daemon, s);
      if (r.code === 0) return result(`Starting ${daemon}.\n${r.stdout}`, r.stderr);
      return result(`Starting ${daemon}.\n${r.stdout}`, `${r.stderr}${SCRIPT}: WARNING: failed to start ${daemon}\n`, 1);
    }
    case 'stop':
      if (!pid) return fast ? result('') : result('', `${daemon} not running? (check ${pidfileOf(daemon)}).\n`, 1);
      if (!(await stopDaemon(host, pid, daemon))) return result(`Stopping ${daemon}.\n`, '', 1);
      return result(`Stopping ${daemon}.\nWaiting for PIDS: ${pid}.\n`);
    case 'restart': {
      // rc.subr: stop then start in subshells; only the start decides the result.
      const stopped = await runRcCommand(host, daemon, 'onestop', s);
      const started = await runRcCommand(host, daemon, 'onestart', s);
      return result(stopped.stdout + started.stdout, stopped.stderr + started.stderr, started.code === 0 ? 0 : 1);
    }
    case 'status':
      return pid ? result(`${daemon} is running as pid ${pid}.\n`) : result(`${daemon} is not running.\n`, '', 1);
    case 'rcvar':
      return result(`# ${daemon}\n#\nfrr_enable="${enabled && !s.enable ? 'YES' : s.enableValue}"\n#   (default: "")\n\n`);
    case 'describe': // the port sets no desc
    case 'poll':
      return result('');
    case 'extracommands':
      return result('\n');
    default:
      // enable / disable / delete edit rc.conf through `sysrc -s`, which the lab does not emulate.
      return result('', `${SCRIPT}: '${rcArg}' is not emulated in the lab; use sysrc frr_enable=YES|NO\n`, 1);
  }
}

/** loop_do_cmd: the verb for every daemon, then `vtysh -b` after start and restart. */
async function loopDoCmd(host: HostContext, daemons: string[], cmd: string, s: FrrSettings): Promise<CommandResult> {
  const out = new Output();
  for (const d of daemons) {
    if (NEWER_DAEMONS.has(d)) {
      out.stderr += `frr: ${d} is not part of FRR 8.4, the lab's FRR; skipped\n`;
      continue;
    }
    const r = await runRcCommand(host, d, cmd, s);
    out.add(r);
    // rc_usage exits the whole script
    if (r.stderr.includes('unknown directive')) return out.result();
  }
  if ((cmd === 'start' || cmd === 'restart') && s.vtyshBoot) {
    const b = await host.run(VTYSH_BOOT_ARGV, { ns: 'all' });
    out.add(b);
  }
  return out.result();
}

/** The port script's top level (frr.in after `frr_cmd=$1`). */
async function frrScript(host: HostContext, verb: string, args: string[]): Promise<CommandResult> {
  const s = await frrSettings(host);
  let cmd = verb;
  if (cmd.startsWith('force')) cmd = cmd.slice(5);
  else if (cmd.startsWith('fast')) cmd = cmd.slice(4);
  const daemons = args.length > 0 && args[0] !== 'all' ? [args[0]] : s.daemons;
  const out = new Output();

  switch (cmd) {
    case 'start':
    case 'quietstart':
      if (!s.enable) break;
      await host.run(['install', '-d', '-o', 'frr', '-g', 'frr', '/var/lib/frr'], { ns: 'all' });
      if (s.vtyshBoot) {
        out.stdout += 'Checking intergrated config...\n'; // sic, the port's spelling
        if (!(await host.fs.exists(`${FRR_ETCDIR}/vtysh.conf`))) await host.fs.write(`${FRR_ETCDIR}/vtysh.conf`, 'service integrated-vtysh-config\n');
        if (!(await host.fs.exists(`${FRR_ETCDIR}/frr.conf`))) await host.fs.write(`${FRR_ETCDIR}/frr.conf`, 'log syslog informational\n');
        await host.run(['chown', '-R', 'frr:frr', FRR_ETCDIR], { ns: 'all' });
      }
      out.add(await loopDoCmd(host, daemons, 'start', s));
      break;
    case 'stop':
      if (!s.enable) break;
      out.add(await loopDoCmd(host, [...daemons].reverse(), 'stop', s));
      break;
    case 'restart':
      if (!s.enable) break;
      out.add(await loopDoCmd(host, [...daemons].reverse(), 'stop', s));
      out.add(await loopDoCmd(host, daemons, 'start', s));
      break;
    case 'reload': {
      const have = await host.run(['test', '-f', `${DEBIAN_SBIN}/frr-reload.py`], { ns: 'all' });
      if (have.code !== 0) return { stdout: 'Please install frr-pythontools package. Required for reload\n', stderr: '', code: 0 };
      // frr-reload.py logs to /var/log/frr/frr-reload.log and fails if the directory is missing.
      await host.run(['install', '-d', '-o', 'frr', '-g', 'frr', '/var/log/frr'], { ns: 'all' });
      return host.run(RELOAD_ARGV, { ns: 'all' });
    }
    default:
      out.add(await loopDoCmd(host, daemons, cmd, s));
  }
  await recordRunning(host, s);
  return out.result();
}

const VERBS = ['start', 'stop', 'restart', 'reload', 'status', 'rcvar', 'enabled', 'describe', 'extracommands', 'poll', 'enable', 'disable', 'delete'];
const PREFIXES = ['', 'one', 'force', 'fast', 'quiet'];

export const frr: ServiceScript = {
  rcvar: 'frr_enable',
  commands: Object.fromEntries(
    PREFIXES.flatMap((p) => VERBS.map((v) => p + v)).map((verb) => [verb, (host: HostContext, args: string[]) => frrScript(host, verb, args)]),
  ),
};
