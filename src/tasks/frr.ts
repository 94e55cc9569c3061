// FRR on FreeBSD (net/frr10 port, research §7): the integrated frr.conf, the daemons running,
// and the running configuration matching the file. Changes reach running daemons through
// frr-reload.py, which applies only the delta: sessions whose configuration did not change are
// not touched, and FRR is not restarted (a restart drops every BGP session), except one daemon
// whose flags name a module it has not loaded (frrModulesTask).
//
// Paths are the port's: /usr/local/etc/frr, /usr/local/bin/vtysh, /usr/local/sbin/frr-reload.py
// (called by full path: `service frr reload` exits 0 doing nothing when frr-pythontools is
// missing, research §0.12, while a missing frr-reload.py fails loudly here).
import { quote, sh, ShellCommand, type Secret } from '../shell/quote';
import { defineFact, type Fact } from '../engine/fact';
import type { Handler } from '../engine/playbook';
import { defineTask, type Change, type Task } from '../engine/task';
import { parseReloadTest, type ReloadDelta } from '../facts/frr-parse';
import type { Rendered } from '../render/rendered';
import { fileTask } from './file';

export const FRR_CONF = '/usr/local/etc/frr/frr.conf';
export const VTYSH = '/usr/local/bin/vtysh';
export const FRR_RELOAD = '/usr/local/sbin/frr-reload.py';

export const RELOAD_FRR = 'reload frr';
export const FRR_CONF_TASK = `frr: ${FRR_CONF}`;
export const FRR_RUNNING_TASK = 'frr: running';
export const FRR_IN_SYNC_TASK = 'frr: running config matches frr.conf';
export const FRR_MODULES_TASK = 'frr: daemon modules';
export const FRR_RUNDIR = '/var/run/frr';

/*
 * Owner and mode: frr:frr because the port's rc script runs `chown -R frr:frr /usr/local/etc/frr`
 * on every start (research §7), so any other owner would be undone and reported as a change on
 * the next run. 0640 because the file holds TCP-MD5 passwords (never world-readable) while the
 * frr group, which the daemons run as, may read it: FRR writes its own config files 0600 or 0640
 * (configure's CONFIGFILE_MASK, 0640 in distribution builds); root reads it for vtysh -b and
 * frr-reload.py either way.
 */
export const FRR_CONF_OWNER = { owner: 'frr', group: 'frr', mode: '0640' } as const;

// --stdout: log to stdout rather than /var/log/frr/frr-reload.log, which may not exist yet
const reloadCommand = sh`${FRR_RELOAD} --stdout --reload ${FRR_CONF}`;
const RELOAD_HINT = `see what differs with: ${FRR_RELOAD} --stdout --test ${FRR_CONF}; a line FRR refuses stays in the delta`;

/** Applies frr.conf to the running daemons, once at the end of a play that changed the file. */
export const reloadFrrHandler: Handler = { command: reloadCommand, hint: RELOAD_HINT };

/**
 * Lines frr-reload.py --test keeps reporting after a successful reload, which would make the
 * in-sync task report a change (and a reload) on every run. All three come from vtysh itself:
 * its `show running-config` adds lines of its OWN process (FRR vtysh/vtysh_config.c,
 * vtysh_config_write) that no reload can change. Each one with the reason:
 */
export const RELOAD_NOISE: ReadonlyArray<{ section: keyof ReloadDelta; line: RegExp; why: string }> = [
  {
    section: 'toAdd',
    line: /^service integrated-vtysh-config$/,
    why:
      'a vtysh.conf setting, in no daemon: vtysh shows it only when vtysh.conf says so, so without that line in ' +
      'vtysh.conf it stays "to add" forever (research §8.7, observed after --reload)',
  },
  {
    section: 'toDelete',
    line: /^no hostname \S+$/,
    why:
      "vtysh adds its own process's hostname, the system's (uname), to the running config: when frr.conf's hostname " +
      'differs from the system hostname (an FQDN on most hosts), the pair "no hostname SYSTEM" / "hostname FRR" never ' +
      'goes away (research §8.7, observed after --reload). The FRR hostname only names the vty prompt.',
  },
  { section: 'toAdd', line: /^hostname \S+$/, why: 'the other half of the hostname pair above' },
  {
    section: 'toDelete',
    line: /^no domainname \S+$/,
    why: "vtysh adds the system's domain name the same way when the system has one (Linux utsname); frr.conf sets none",
  },
];

export function withoutNoise(delta: ReloadDelta): ReloadDelta {
  const keep = (section: keyof ReloadDelta) => delta[section].filter((l) => !RELOAD_NOISE.some((n) => n.section === section && n.line.test(l)));
  return { toDelete: keep('toDelete'), toAdd: keep('toAdd') };
}

const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * The delta between the running configuration and frr.conf, noise removed. A non-zero exit is an
 * error whatever the output says: with a bad file --test still prints a bogus "delete
 * everything" delta (research §0.9); without daemons it cannot read the running config.
 */
export function frrReloadTestFact(): Fact<ReloadDelta> {
  return defineFact({
    id: `frr-reload:--test ${FRR_CONF}`,
    command: sh`${FRR_RELOAD} --stdout --test ${FRR_CONF}`,
    parse({ stdout, stderr, code }) {
      if (code !== 0) {
        const text = `${stdout}\n${stderr}`.replace(ANSI, '');
        const errors = text.split('\n').filter((l) => /error|not running|failed/i.test(l));
        const detail = (errors.length ? errors : text.trim().split('\n').slice(-3)).join('\n').trim();
        throw new Error(`frr-reload.py --test failed (exit ${code}): ${detail}`);
      }
      return withoutNoise(parseReloadTest(stdout.replace(ANSI, '')));
    },
  });
}

export interface FrrConfTaskOptions {
  /** BGP passwords inside the text: masked in diffs, logs and errors */
  secrets?: Secret[];
  dependsOn?: string[];
}

/** frr.conf, checked with `vtysh -C -f` (exit 0 ok; 2 unknown, 4 incomplete command: research §8.6). */
export function frrConfTask(conf: Rendered, o: FrrConfTaskOptions = {}): Task {
  const task = fileTask({
    name: FRR_CONF_TASK,
    path: FRR_CONF,
    content: conf.text,
    ...FRR_CONF_OWNER,
    validate: (tmp) => sh`${VTYSH} -C -f ${tmp}`,
    notify: [RELOAD_FRR],
    secrets: o.secrets,
    hint: `a refused file: ${VTYSH} -C -f names the line FRR did not accept; a chown error: is the frr10 package installed (user frr)?`,
  });
  // a new file changes what frr-reload.py --test reports: re-read it before the in-sync task
  return { ...task, touches: [`file:${FRR_CONF}`, frrReloadTestFact().id], dependsOn: o.dependsOn };
}

export interface FrrStatus {
  running: string[];
  stopped: string[];
}

/**
 * rc.subr's status for each daemon of frr_daemons: "bgpd is running as pid 123." or "bgpd is not
 * running." (exit 1 when one is not). `onestatus` answers even before frr_enable=YES, where plain
 * `status` would print "Cannot 'status' …" and exit 0.
 */
export function frrStatusFact(): Fact<FrrStatus> {
  return defineFact({
    id: 'service:frr onestatus',
    command: sh`service frr onestatus`,
    parse({ stdout, stderr, code }) {
      const status: FrrStatus = { running: [], stopped: [] };
      for (const line of stdout.split('\n')) {
        let m: RegExpExecArray | null;
        if ((m = /^(\S+) is running as pid \d+/.exec(line))) status.running.push(m[1]);
        else if ((m = /^(\S+) is not running/.exec(line))) status.stopped.push(m[1]);
      }
      if (status.running.length + status.stopped.length === 0) {
        throw new Error(`service frr onestatus (exit ${code}) reported no daemon: ${(stderr || stdout).trim()}`);
      }
      return status;
    },
  });
}

/** The daemons a planned start change is about; empty = all of them (plain `service frr start`). */
const daemonsToStart = new WeakMap<Change, string[]>();

/** The daemons of frr_daemons running; FRR started when they are not (needs frr_enable=YES first). */
export function frrRunningTask(o: { dependsOn?: string[] } = {}): Task {
  const status = frrStatusFact();
  return defineTask({
    name: FRR_RUNNING_TASK,
    facts: { status },
    plan({ status: s }) {
      if (s.stopped.length === 0) return [];
      const partly = s.running.length > 0;
      const before = partly ? `running: ${s.running.join(' ')}; stopped: ${s.stopped.join(' ')}` : 'stopped';
      const change: Change = { summary: `start ${partly ? s.stopped.join(' ') : 'frr'}`, diff: { kind: 'value', key: 'frr', before, after: 'running' } };
      daemonsToStart.set(change, partly ? s.stopped : []);
      return [change];
    },
    async apply(changes, io) {
      // start only what is stopped: `start` on a running daemon fails, and restarting one drops its sessions
      const some = changes.flatMap((c) => daemonsToStart.get(c) ?? []);
      if (some.length === 0) await io.exec(sh`service frr start`);
      else for (const d of some) await io.exec(sh`service frr start ${d}`);
    },
    // starting FRR loads frr.conf (vtysh -b): the running config changes
    touches: [status.id, frrReloadTestFact().id],
    dependsOn: o.dependsOn,
    hint: 'is frr_enable="YES" in rc.conf? see the daemons with: service frr onestatus; logs in /var/log/messages',
  });
}

/** The loadable modules (`-M name`, `--module name`, `-Mname`) in a daemon's command line. */
export function modulesOf(args: string): string[] {
  const words = args.split(/\s+/).filter(Boolean);
  const out: string[] = [];
  words.forEach((w, i) => {
    if ((w === '-M' || w === '--module') && words[i + 1]) out.push(words[i + 1].split(':')[0]);
    else if (/^-M./.test(w)) out.push(w.slice(2).split(':')[0]);
    else if (w.startsWith('--module=')) out.push(w.slice('--module='.length).split(':')[0]);
  });
  return [...new Set(out)].sort();
}

/** Each daemon's command line from its pidfile (`ps -o args=`); null when it is not running. */
export function daemonArgsFact(daemons: string[]): Fact<Record<string, string | null>> {
  const script = daemons
    .map((d) => {
      const pidfile = quote(`${FRR_RUNDIR}/${d}.pid`);
      return `p=$(cat ${pidfile} 2>/dev/null) && a=$(ps -o args= -p "$p" 2>/dev/null) && echo ${quote(d)} "$a" || echo ${quote(d)}`;
    })
    .join('; ');
  return defineFact({
    id: `frr:args ${daemons.join(' ')}`,
    command: new ShellCommand(script, script),
    parse({ stdout }) {
      const out: Record<string, string | null> = Object.fromEntries(daemons.map((d) => [d, null]));
      for (const line of stdout.split('\n')) {
        const m = /^(\S+)(?: (.*))?$/.exec(line);
        if (m && m[1] in out) out[m[1]] = m[2]?.trim() || null;
      }
      return out;
    },
  });
}

/**
 * Running daemons load the modules their rc.conf flags name (e.g. bgpd's `-M rpki`). A module
 * loads only when the daemon starts, so a daemon started before the flags changed is restarted,
 * on its own (`service frr restart bgpd`): its sessions reset once, the other daemons stay up.
 */
export function frrModulesTask(modules: Record<string, string[]>, o: { dependsOn?: string[] } = {}): Task {
  const daemons = Object.keys(modules).sort();
  const args = daemonArgsFact(daemons);
  const restart = new WeakMap<Change, string>();
  return defineTask({
    name: FRR_MODULES_TASK,
    facts: { args },
    plan({ args: a }) {
      const changes: Change[] = [];
      for (const d of daemons) {
        const cmdline = a[d];
        if (cmdline === null) continue; // not running: its start (frr: running) reads the flags
        const have = modulesOf(cmdline);
        const want = [...new Set(modules[d])].sort();
        if (have.join(' ') === want.join(' ')) continue;
        const c: Change = {
          summary: `restart ${d} to load modules: ${want.join(' ') || '(none)'} (its BGP sessions reset once)`,
          diff: { kind: 'value', key: `${d} modules`, before: have.join(' ') || null, after: want.join(' ') },
        };
        restart.set(c, d);
        changes.push(c);
      }
      return changes;
    },
    async apply(changes, io) {
      for (const c of changes) await io.exec(sh`service frr restart ${restart.get(c)!}`);
    },
    // a restart runs vtysh -b: the running config is frr.conf's again
    touches: [args.id, frrReloadTestFact().id],
    dependsOn: o.dependsOn,
    hint: `the flags come from rc.conf (<daemon>_flags); see the running command line with: ps -o args= -p "$(cat ${FRR_RUNDIR}/bgpd.pid)"`,
  });
}

/** The running configuration equals frr.conf (frr-reload.py's delta is empty); applied by reload. */
export function frrInSyncTask(o: { secrets?: Secret[]; dependsOn?: string[] } = {}): Task {
  return defineTask({
    name: FRR_IN_SYNC_TASK,
    facts: { delta: frrReloadTestFact() },
    plan({ delta }) {
      if (delta.toDelete.length === 0 && delta.toAdd.length === 0) return [];
      return [
        {
          summary: `reload frr: ${delta.toDelete.length} line(s) only in the running config, ${delta.toAdd.length} only in frr.conf`,
          diff: { kind: 'value', key: 'frr running config', before: delta.toDelete.join('\n') || null, after: delta.toAdd.join('\n') },
        },
      ];
    },
    apply: async (_changes, io) => {
      await io.exec(reloadCommand);
    },
    secrets: o.secrets,
    dependsOn: o.dependsOn,
    hint: RELOAD_HINT,
  });
}
