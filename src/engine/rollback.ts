// Commit-confirmed for a host reached over the network it is reconfiguring (JunOS `commit
// confirmed`, deploy-rs's magic rollback). Before a play that can cut its own SSH path changes
// anything, one exec ARMS the host: the files the play may write are copied aside and a detached
// timer is started that, unless DISARMED within the confirm timeout, puts them back and runs the
// restore command (default: a reboot, because rebuilding the runtime state from the restored
// files is the one restore that is right for interfaces, routes, FIBs, pf and FRR alike).
// After the play, the tool opens a FRESH connection, re-plans every task (and runs the play's
// verification steps) and only then disarms, in that fresh session. If the connection cannot be
// made or the host does not match the playbook, it does not disarm: the host rolls itself back.
//
// Disarm and timer race for one rename: whichever of `mv armed disarmed` / `mv armed fired`
// succeeds decides, so a late disarm can tell the host has already started to roll back.
import * as path from 'path';
import { CommandFailedError } from '../errors';
import { ShellCommand, quote } from '../shell/quote';
import type { Transport } from '../transport/transport';
import type { Fact } from './fact';
import { buildGatherScript, splitGatherOutput } from './gather';
import type { Task, TaskIO } from './task';

export const DEFAULT_ROLLBACK_ROOT = '/var/db/provision/rollback';
// long enough for a play with its verification waits (JunOS commit confirmed defaults to 10 minutes)
export const DEFAULT_CONFIRM_TIMEOUT_SECONDS = 300;
/** FreeBSD shutdown(8); the host rebuilds its runtime state from the restored files */
export const DEFAULT_RESTORE_COMMAND = 'shutdown -r now';

/** Files every routing playbook may change through sysrc/sysctl/pfctl/FRR, whatever its tasks say. */
export const ALWAYS_SAVED = ['/etc/rc.conf', '/boot/loader.conf', '/etc/sysctl.conf', '/etc/pf.conf', '/usr/local/etc/frr/frr.conf'];

export interface RollbackSettings {
  timeoutSeconds: number;
  /** run by the timer after the files are restored */
  restoreCommand: string;
  root: string;
}

export interface ArmedRollback {
  runId: string;
  /** the rollback directory on the host */
  dir: string;
  files: string[];
  timeoutSeconds: number;
  /** controller clock: when the timer fires */
  deadline: Date;
}

/** Whether a play needs commit-confirmed: one of its tasks may cut the SSH session. */
export function needsRollback(tasks: readonly Task[]): boolean {
  return tasks.some((t) => t.risk === 'connectivity');
}

/** The fixed list, every file a task writes through writeFile (its fileFact), and Task.files. */
export function rollbackFiles(tasks: readonly Task[]): string[] {
  const files = new Set(ALWAYS_SAVED);
  for (const task of tasks) {
    for (const f of Object.values(task.facts)) if (f.id.startsWith('file:')) files.add(f.id.slice('file:'.length));
    for (const f of task.files ?? []) files.add(f);
  }
  for (const f of files) if (!path.posix.isAbsolute(f)) throw new Error(`rollback: file path must be absolute: ${f}`);
  return [...files].sort();
}

/** The timer, as a script written on the host: sleep, win the race, restore, run the restore command. */
export function timerScript(dir: string, files: readonly string[], s: RollbackSettings): string {
  const d = quote(dir);
  const restore = files.map((f) => {
    const saved = `"$d/files"${quote(f)}`;
    // a file the play created is removed: it did not exist before
    return `if [ -f ${saved} ]; then cp -p ${saved} ${quote(f)}; else rm -f ${quote(f)}; fi`;
  });
  return [
    '#!/bin/sh',
    `# provision rollback timer: restores the files below after ${s.timeoutSeconds} s unless disarmed`,
    `d=${d}`,
    'exec >>"$d/log" 2>&1 </dev/null',
    `sleep ${s.timeoutSeconds} & echo $! > "$d/sleep.pid"; wait $!`,
    'mv "$d/armed" "$d/fired" 2>/dev/null || exit 0',
    'date +%s >> "$d/fired"',
    ...restore,
    'echo "$(date +%s) restored; running the restore command"',
    s.restoreCommand,
    '',
  ].join('\n');
}

/** One exec: save the files, write the timer and start it detached (daemon(8), setsid or nohup). */
export function armScript(runId: string, files: readonly string[], s: RollbackSettings): ShellCommand {
  if (!/^[A-Za-z0-9_-]+$/.test(runId)) throw new Error(`rollback: run id must be a plain word: ${runId}`);
  if (!Number.isInteger(s.timeoutSeconds) || s.timeoutSeconds < 1) throw new Error(`rollback: confirm timeout must be a whole number of seconds: ${s.timeoutSeconds}`);
  const dir = path.posix.join(s.root, runId);
  const save = files.map((f) => `if [ -f ${quote(f)} ]; then mkdir -p "$d/files"${quote(path.posix.dirname(f))} && cp -p ${quote(f)} "$d/files"${quote(f)} || exit 1; fi`);
  const marker = '__PROVISION_TIMER__';
  const text = [
    '# provision rollback-arm',
    `d=${quote(dir)}`,
    `mkdir -p ${quote(s.root)} && chmod 700 ${quote(s.root)} && rm -rf "$d" && mkdir -m 700 "$d" "$d/files" || exit 1`,
    ...save,
    `cat > "$d/timer.sh" <<'${marker}'`,
    timerScript(dir, files, s) + marker,
    'echo "$(( $(date +%s) + ' + s.timeoutSeconds + ' ))" > "$d/armed" || exit 1',
    // detached so that it outlives this SSH session (and the network the play may break)
    'if command -v daemon >/dev/null 2>&1; then daemon -f /bin/sh "$d/timer.sh"',
    'elif command -v setsid >/dev/null 2>&1; then setsid /bin/sh "$d/timer.sh" </dev/null >/dev/null 2>&1 &',
    'else nohup /bin/sh "$d/timer.sh" </dev/null >/dev/null 2>&1 & fi',
    // the timer is only trusted once it sleeps
    'i=0; while [ ! -s "$d/sleep.pid" ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done',
    '[ -s "$d/sleep.pid" ] || { echo "the rollback timer did not start (see $d/log)" >&2; exit 1; }',
    'echo "armed=$d"',
  ].join('\n');
  return new ShellCommand(text, text);
}

export type DisarmStatus = 'disarmed' | 'fired' | 'missing';

/** Win the race against the timer, stop its sleep, forget the saved files. */
export function disarmScript(dir: string): ShellCommand {
  const text = [
    '# provision rollback-disarm',
    `d=${quote(dir)}`,
    'if mv "$d/armed" "$d/disarmed" 2>/dev/null; then',
    '  kill "$(cat "$d/sleep.pid" 2>/dev/null)" 2>/dev/null',
    '  rm -rf "$d"; echo status=disarmed',
    'elif [ -f "$d/fired" ]; then echo status=fired',
    'else echo status=missing; fi',
  ].join('\n');
  return new ShellCommand(text, text);
}

export function parseDisarmOutput(stdout: string): DisarmStatus {
  const m = /^status=(disarmed|fired|missing)$/m.exec(stdout);
  if (!m) throw new Error(`unexpected rollback disarm output: ${JSON.stringify(stdout.slice(0, 200))}`);
  return m[1] as DisarmStatus;
}

export async function armRollback(
  exec: (cmd: ShellCommand) => Promise<{ stdout: string; stderr: string; code: number }>,
  runId: string,
  tasks: readonly Task[],
  s: RollbackSettings,
  now: () => Date = () => new Date(),
): Promise<ArmedRollback> {
  const files = rollbackFiles(tasks);
  const res = await exec(armScript(runId, files, s));
  const dir = /^armed=(.+)$/m.exec(res.stdout)?.[1];
  if (res.code !== 0 || !dir) {
    const hint = 'the rollback could not be armed, so nothing was applied; check that the SSH user can write the rollback directory, or run with --no-rollback';
    throw new CommandFailedError('# provision rollback-arm', res.code, res.stderr || res.stdout, { hint });
  }
  return { runId, dir, files, timeoutSeconds: s.timeoutSeconds, deadline: new Date(now().getTime() + s.timeoutSeconds * 1000) };
}

export type ConfirmOutcome =
  | { status: 'confirmed'; roundTrips: number }
  /** the fresh connection could not be made, or broke */
  | { status: 'lost'; reason: string; roundTrips: number }
  /** connected, but the host does not match the playbook: what still differs or failed */
  | { status: 'unverified'; problems: string[]; roundTrips: number }
  /** the timer won the race: the host is already rolling back */
  | { status: 'fired'; roundTrips: number };

/**
 * Prove the host is reachable and converged over a NEW connection, then disarm in that session.
 * Tasks whose `when` is false are left out, as in the play.
 */
export async function confirmOnFreshConnection(connect: () => Promise<Transport>, tasks: readonly Task[], armed: ArmedRollback, sentinel: string): Promise<ConfirmOutcome> {
  let t: Transport;
  try {
    t = await withinBudget(connect(), confirmConnectBudgetMs(armed));
  } catch (err) {
    return { status: 'lost', reason: errorMessage(err), roundTrips: 0 };
  }
  try {
    const problems = await verifyHost(t, tasks, sentinel);
    if (problems.length) return { status: 'unverified', problems, roundTrips: t.roundTrips };
    const res = await t.exec(disarmScript(armed.dir));
    const status = parseDisarmOutput(res.stdout);
    if (status === 'disarmed') return { status: 'confirmed', roundTrips: t.roundTrips };
    if (status === 'fired') return { status: 'fired', roundTrips: t.roundTrips };
    return { status: 'unverified', problems: [`the rollback marker ${armed.dir}/armed is gone: another process disarmed or removed it`], roundTrips: t.roundTrips };
  } catch (err) {
    return { status: 'lost', reason: errorMessage(err), roundTrips: t.roundTrips };
  } finally {
    await t.close().catch(() => undefined);
  }
}

/**
 * How long the fresh connection may take: it must be decided well before the timer fires (a
 * connection retried until after that would only watch the rollback), and at most 30 s.
 */
export function confirmConnectBudgetMs(armed: ArmedRollback, now = Date.now()): number {
  return Math.max(1000, Math.min(30_000, armed.deadline.getTime() - now - 5000));
}

async function withinBudget(connecting: Promise<Transport>, ms: number): Promise<Transport> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no new SSH connection within ${Math.round(ms / 1000)} s`)), ms);
  });
  try {
    return await Promise.race([connecting, late]);
  } catch (err) {
    // a connection that succeeds after all is closed, not leaked
    connecting.then((t) => t.close()).catch(() => undefined);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

async function verifyHost(t: Transport, tasks: readonly Task[], sentinel: string): Promise<string[]> {
  const facts = new Map<string, Fact<unknown>>();
  for (const task of tasks) for (const f of Object.values(task.facts)) facts.set(f.id, f);
  const script = buildGatherScript(sentinel, [...facts.values()]);
  const res = await t.exec(script);
  if (res.code !== 0) return [`the fact-gathering script failed (exit ${res.code}): ${res.stderr.trim()}`];
  const outputs = splitGatherOutput(sentinel, [...facts.values()], res.stdout, res.stderr);
  const problems: string[] = [];
  for (const task of tasks) {
    if (task.verify) continue;
    try {
      const values: Record<string, unknown> = {};
      for (const [name, f] of Object.entries(task.facts)) {
        const out = outputs.get(f.id);
        if (!out) throw new Error(`fact ${f.id} was not gathered`);
        values[name] = f.parse(out);
      }
      if (task.when && !task.when(values)) continue;
      const changes = task.plan(values);
      if (changes.length) problems.push(`${task.name}: still differs (${changes.map((c) => c.summary).join('; ')})`);
    } catch (err) {
      problems.push(`${task.name}: ${errorMessage(err)}`);
    }
  }
  // verification steps only make sense on a host that matches its playbook
  if (problems.length) return problems;
  const io: TaskIO = {
    host: t.host,
    exec: async (cmd) => {
      const r = await t.exec(cmd);
      if (r.code !== 0) throw new Error(`${cmd.masked.split('\n')[0]}: exit ${r.code}: ${r.stderr.trim()}`);
      return r;
    },
    writeFile: () => Promise.reject(new Error('verification does not write files')),
  };
  for (const task of tasks) {
    if (!task.verify) continue;
    try {
      await task.verify(io);
    } catch (err) {
      problems.push(`${task.name}: ${errorMessage(err)}`);
    }
  }
  return problems;
}

/** "connection lost after applying; the host will restore … at 12:34:56 (in 87 s)", reported under the host's name */
export function describePendingRollback(what: string, armed: ArmedRollback, now: Date = new Date()): string {
  const left = Math.round((armed.deadline.getTime() - now.getTime()) / 1000);
  const at = armed.deadline.toTimeString().slice(0, 8);
  const when = left > 0 ? `at ${at} (in ${left} s)` : `since ${at} (${-left} s ago)`;
  return `${what}; the host will restore its previous configuration ${when} (rollback ${armed.dir})`;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
