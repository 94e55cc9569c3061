// One host's play: gather (one exec) → lock + gather again when something is to change (one
// exec) → for each task plan / apply / re-plan → handlers → unlock (one exec). A no-op run and a
// check run therefore cost one round trip whatever the number of tasks.
import { ShellCommand, type Secret } from '../shell/quote';
import type { Transport, ExecResult } from '../transport/transport';
import { TransportError } from '../transport/errors';
import { CommandFailedError, LockHeldError, ProvisionError } from '../errors';
import type { RunLog } from '../log';
import type { ErrorReport, HostResult, Reporter, TaskResult, Totals } from '../report/events';
import { emptyTotals } from '../report/events';
import type { Fact } from './fact';
import { buildGatherScript, splitGatherOutput, PRELUDE } from './gather';
import { acquireLockScript, describeHolder, lockStatusScript, parseLockOutput, releaseLockScript, type LockHolder, type LockOptions, type LockOwner } from './lock';
import { Masker } from './mask';
import type { Playbook } from './playbook';
import { readOnlyTransport } from './read-only';
import { VALIDATION_FAILED, writeFileScript, type BackupPolicy, type FileState, type WriteFileRequest } from './remote-file';
import { touchedFactIds, type Change, type Task, type TaskIO } from './task';

export interface PlayOptions {
  check: boolean;
  runId: string;
  /** random per run; delimits fact outputs in the gather script */
  sentinel: string;
  lock: LockOptions & { owner: LockOwner };
  backup: BackupPolicy;
  reporter: Reporter;
  log: RunLog;
  /** every remote command (facts, tasks, handlers, unlock) is abandoned after this; none when unset */
  commandTimeoutMs?: number;
}

export interface HostPlay {
  host: string;
  playbook: Playbook<never>;
  tasks: Task[];
  /** secrets from the host's inventory entry, masked like the tasks' own */
  secrets: Secret[];
  /** runs once, just before the play's first change (commit-confirmed: rollback.ts); throwing applies nothing */
  beforeFirstChange?: (exec: (cmd: ShellCommand) => Promise<ExecResult>) => Promise<void>;
  /** sees the first gather's facts before any task runs; an error refuses the host (saved plans: plan-file.ts) */
  inspectFacts?: (facts: ReadonlyMap<string, FactEntry>) => ErrorReport | undefined;
}

const DEPENDENCY_FAILED = 'dependency failed:';
const PRECONDITION_FAILED = 'not run: precondition failed:';

export type FactEntry = { ok: true; value: unknown } | { ok: false; error: string };

/** A transport error (connection lost, timeout): the host is gone for the rest of the play. */
class HostLostError extends Error {}

/** A remote command outlived its timeout: its task fails, the connection is presumed good. */
class CommandTimedOutError extends CommandFailedError {}

export async function playHost(transport: Transport, play: HostPlay, opts: PlayOptions): Promise<HostResult> {
  const started = Date.now();
  const { host, playbook, tasks } = play;
  const masker = new Masker([...play.secrets, ...tasks.flatMap((t) => t.secrets ?? [])]);
  const results: TaskResult[] = [];
  const warnings: string[] = [];
  const logged = loggingTransport(transport, opts, masker);
  // check mode: everything below talks through a transport that only sends read-only scripts
  const t = opts.check ? readOnlyTransport(logged) : logged;
  const done = (extra: Partial<HostResult> = {}): HostResult => ({
    host,
    playbook: playbook.name,
    tasks: results,
    totals: totalsOf(results),
    roundTrips: transport.roundTrips,
    warnings,
    durationMs: Date.now() - started,
    ...extra,
  });

  // every fact of the play, once
  const allFacts = new Map<string, Fact<unknown>>();
  for (const task of tasks) for (const f of Object.values(task.facts)) allFacts.set(f.id, f);
  const cache = new Map<string, FactEntry>();

  const gather = async (facts: Fact<unknown>[], prelude?: ShellCommand) => {
    const script = buildGatherScript(opts.sentinel, facts, prelude);
    const res = await execOrLost(t, script, { timeoutMs: opts.commandTimeoutMs });
    if (res.code !== 0) {
      throw new CommandFailedError('# provision gather', res.code, masker.mask(res.stderr), { host, hint: 'the fact-gathering script itself failed; see the log for the script' });
    }
    const outputs = splitGatherOutput(opts.sentinel, facts, res.stdout, res.stderr);
    for (const f of facts) {
      const out = outputs.get(f.id);
      if (!out) continue;
      try {
        cache.set(f.id, { ok: true, value: f.parse(out) });
      } catch (err) {
        cache.set(f.id, { ok: false, error: `fact ${f.id}: ${masker.mask(errorMessage(err))}` });
      }
    }
    return outputs.get(PRELUDE);
  };

  // 1. all facts and the lock's status, one exec. The lock is optimistic: a run with nothing to
  // change never takes it (a no-op is one round trip, like a check); when something is to change,
  // the lock is taken and the facts read again under it, in one more exec.
  let locked = false;
  let lost: string | undefined; // the connection is gone: nothing more is sent
  try {
    const status = parseLockOutput((await gather([...allFacts.values()], lockStatusScript(opts.lock)))?.stdout ?? '');
    const takeOver = status.status === 'busy' && status.holder.stale && opts.lock.breakStale;
    if (status.status === 'busy' && (opts.check || !takeOver)) {
      if (!opts.check) return done({ error: heldError(status.holder) });
      warnings.push(`another run holds the lock (${describeHolder(status.holder)}); facts may change under this check`);
    }
    if (!opts.check && (takeOver || somethingToChange())) {
      locked = true; // from here the lock may be ours: released at the end, or on an error below
      // again under the lock: what runs of provision change (facts some task touches); not, e.g.,
      // the RPKI cache's answer, which no run changes and which costs seconds to ask for
      const changeable = new Set(tasks.flatMap(touchedFactIds));
      const reread = [...allFacts.values()].filter((f) => changeable.has(f.id));
      const lock = parseLockOutput((await gather(reread, acquireLockScript(opts.lock.owner, opts.lock)))?.stdout ?? '');
      if (lock.status === 'held') return done({ error: heldError(lock.holder) });
      if (lock.status === 'broken') warnings.push(`broke the stale lock of ${describeHolder(lock.previous)}`);
      locked = lock.status === 'acquired' || lock.status === 'broken';
    }
  } catch (err) {
    if (err instanceof HostLostError) return done({ unreachable: masker.mask(err.message) });
    // e.g. the gather timed out after taking the lock: the connection is good, so release it
    // (the release only removes a lock this run owns)
    await unlock();
    return done({ error: errorReport(err, masker) });
  }

  function heldError(holder: LockHolder): ErrorReport {
    const hint = holder.stale
      ? 'the lock is stale; rerun with --break-lock to take it over'
      : 'wait for that run to finish; if it died, the lock becomes stale when its SSH session is gone or after the TTL';
    return errorReport(new LockHeldError(`${host} is locked by ${describeHolder(holder)}`, { host, hint }), masker);
  }

  /** Would any task change something, judged on the facts just read? (A plan that throws might.) */
  function somethingToChange(): boolean {
    return tasks.some((task) => {
      if (task.verify) return false;
      try {
        const values = factValues(task);
        return !(task.when && !task.when(values)) && task.plan(values).length > 0;
      } catch {
        return true;
      }
    });
  }

  // 2. tasks in order
  const failed = new Set<string>(); // names of failed (or skipped-because-failed) tasks
  const brokenFacts = new Map<string, string>(); // fact id → failed task that touches it
  const pendingFacts = new Map<string, string>(); // check mode: fact id → earlier task with pending changes
  const notified = new Set<string>();
  let refused: string | undefined; // a failed precondition: nothing after it runs
  let prepared: { error?: unknown } | undefined; // the outcome of play.beforeFirstChange
  const refusal = play.inspectFacts?.(cache);
  if (refusal) {
    await unlock();
    return done({ error: refusal });
  }

  for (const task of tasks) {
    const t0 = Date.now();
    opts.reporter.onEvent({ type: 'task:start', host, task: task.name, kind: 'task' });
    const result = await runTask(task);
    result.durationMs = Date.now() - t0;
    results.push(result);
    opts.reporter.onEvent({ type: 'task:result', host, result });
    // a failure propagates: tasks depending on this one (or on a task skipped because of it) skip
    if (result.status === 'failed' || result.note?.startsWith(DEPENDENCY_FAILED)) {
      if (task.precondition && result.status === 'failed') refused ??= task.name;
      failed.add(task.name);
      for (const id of touchedFactIds(task)) brokenFacts.set(id, task.name);
    }
    if (result.status === 'changed') {
      // the earliest pending task is the one to name
      if (opts.check) for (const id of touchedFactIds(task)) if (!pendingFacts.has(id)) pendingFacts.set(id, task.name);
      for (const h of task.notify ?? []) notified.add(h);
    }
  }

  async function runTask(task: Task): Promise<TaskResult> {
    const base = { name: task.name, kind: 'task' as const, changes: [] as Change[], durationMs: 0, ...(task.risk ? { risk: task.risk } : {}) };
    if (lost) return { ...base, status: 'skipped', note: 'host unreachable' };
    if (refused) return { ...base, status: 'skipped', note: `${PRECONDITION_FAILED} ${refused}` };
    const factIds = Object.values(task.facts).map((f) => f.id);
    const dep = (task.dependsOn ?? []).find((d) => failed.has(d)) ?? factIds.map((id) => brokenFacts.get(id)).find((n) => n);
    if (dep) return { ...base, status: 'skipped', note: `${DEPENDENCY_FAILED} ${dep}` };
    if (task.verify) {
      if (opts.check) return { ...base, status: 'skipped', note: 'verification runs after apply' };
      try {
        for (const w of await task.verify(taskIO(task))) warnings.push(masker.mask(`${task.name}: ${w}`));
        return { ...base, status: 'ok' };
      } catch (err) {
        if (err instanceof HostLostError) lost = err.message;
        return { ...base, status: 'failed', error: errorReport(err, masker, task) };
      }
    }
    const pendingAfter = factIds.map((id) => pendingFacts.get(id)).find((n) => n);
    // check mode, an earlier task would change what this one reads: whatever the current facts
    // say, it is honest only to say "changed", never ok and never failed
    const wouldChange = (changes: Change[]): TaskResult => ({ ...base, status: 'changed', changes: maskChanges(changes, masker), note: `would change after: ${pendingAfter}` });

    let values: Record<string, unknown>;
    try {
      values = factValues(task);
    } catch (err) {
      return pendingAfter ? wouldChange([]) : { ...base, status: 'failed', error: errorReport(err, masker, task) };
    }
    let changes: Change[];
    try {
      if (task.when && !task.when(values)) return pendingAfter ? wouldChange([]) : { ...base, status: 'skipped', note: 'condition is false' };
      changes = task.plan(values);
      for (const w of task.warnings?.(values) ?? []) warnings.push(masker.mask(`${task.name}: ${w}`));
    } catch (err) {
      if (pendingAfter) return wouldChange([]);
      return { ...base, status: 'failed', error: errorReport(new ProvisionError('E_PLAN', `plan failed: ${errorMessage(err)}`, { host, task: task.name, hint: task.hint }), masker, task) };
    }
    if (pendingAfter) return wouldChange(changes);
    if (changes.length === 0) return { ...base, status: 'ok' };
    if (opts.check) return { ...base, status: 'changed', changes: maskChanges(changes, masker) };

    try {
      if (play.beforeFirstChange) {
        prepared ??= await play.beforeFirstChange((cmd) => execOrLost(t, cmd, { timeoutMs: opts.commandTimeoutMs })).then(
          () => ({}),
          (error: unknown) => ({ error }),
        );
        if (prepared.error) throw prepared.error;
      }
      await task.apply(changes, taskIO(task));
      const refresh = new Map<string, Fact<unknown>>();
      for (const f of Object.values(task.facts)) refresh.set(f.id, f);
      for (const id of touchedFactIds(task)) {
        const f = allFacts.get(id);
        if (f) refresh.set(id, f);
      }
      await gather([...refresh.values()]);
      const remaining = task.plan(factValues(task));
      if (remaining.length > 0) {
        const err = new ProvisionError('E_NOT_CONVERGED', `did not converge: after apply, ${remaining.length} change(s) remain`, {
          host,
          task: task.name,
          hint: task.hint ?? 'the task applied its changes but the host still differs; the apply step or the fact is wrong',
        });
        return { ...base, status: 'failed', changes: maskChanges(remaining, masker), error: errorReport(err, masker, task) };
      }
      return { ...base, status: 'changed', changes: maskChanges(changes, masker) };
    } catch (err) {
      if (err instanceof HostLostError) lost = err.message;
      // except after a change that can cut the session: then silence means it did (a rollback, if armed, decides)
      if (err instanceof CommandTimedOutError && task.risk === 'connectivity') lost = `no answer after "${task.name}", which can cut the connection`;
      return { ...base, status: 'failed', changes: maskChanges(changes, masker), error: errorReport(err, masker, task) };
    }
  }

  function factValues(task: Task): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const [name, f] of Object.entries(task.facts)) {
      const entry = cache.get(f.id);
      if (!entry) throw new ProvisionError('E_FACT', `fact ${f.id} was not gathered`, { host, task: task.name });
      if (!entry.ok) throw new ProvisionError('E_FACT', entry.error, { host, task: task.name, hint: task.hint });
      values[name] = entry.value;
    }
    return values;
  }

  function taskIO(task: Task): TaskIO {
    const run = async (cmd: ShellCommand, stdin?: string): Promise<ExecResult> => {
      const res = await execOrLost(t, cmd, { stdin, timeoutMs: opts.commandTimeoutMs });
      if (res.code !== 0) {
        throw new CommandFailedError(masker.mask(cmd.masked), res.code, masker.mask(res.stderr), { host, task: task.name, hint: task.hint });
      }
      return res;
    };
    return {
      host,
      exec: (cmd, o) => run(cmd, o?.stdin),
      async writeFile(req: WriteFileRequest) {
        const entry = cache.get(`file:${req.path}`);
        if (!entry?.ok) throw new Error(`writeFile(${req.path}) needs fileFact(${req.path}) among the task's facts`);
        const script = writeFileScript(req, entry.value as FileState | null, opts.backup);
        try {
          await run(script, req.content);
        } catch (err) {
          if (err instanceof CommandFailedError && err.stderr.includes(VALIDATION_FAILED) && req.validate) {
            const validator = req.validate(new ShellCommand('<new file>', '<new file>'));
            throw new CommandFailedError(masker.mask(validator.masked), err.exitCode, err.stderr, {
              host,
              task: task.name,
              hint: task.hint ?? `the new ${req.path} was rejected by its validator; the old file is untouched`,
            });
          }
          throw err;
        }
      },
    };
  }

  // 3. handlers, once each, in the order the playbook declares them
  for (const [name, handler] of Object.entries(playbook.handlers ?? {})) {
    if (!notified.has(name)) continue;
    const t0 = Date.now();
    opts.reporter.onEvent({ type: 'task:start', host, task: name, kind: 'handler' });
    const base = { name, kind: 'handler' as const, changes: [] as Change[] };
    let result: TaskResult;
    if (lost) result = { ...base, status: 'skipped', note: 'host unreachable', durationMs: 0 };
    else if (opts.check) result = { ...base, status: 'changed', note: 'would run', durationMs: 0 };
    else {
      try {
        const res = await execOrLost(t, handler.command, { timeoutMs: opts.commandTimeoutMs });
        result =
          res.code === 0
            ? { ...base, status: 'changed', durationMs: Date.now() - t0 }
            : {
                ...base,
                status: 'failed',
                durationMs: Date.now() - t0,
                error: errorReport(new CommandFailedError(masker.mask(handler.command.masked), res.code, masker.mask(res.stderr), { host, task: name, hint: handler.hint }), masker),
              };
      } catch (err) {
        if (err instanceof HostLostError) lost = err.message;
        result = { ...base, status: 'failed', durationMs: Date.now() - t0, error: errorReport(err, masker) };
      }
    }
    results.push(result);
    opts.reporter.onEvent({ type: 'task:result', host, result });
  }

  // 4. unlock
  await unlock();
  return done(lost ? { unreachable: masker.mask(lost) } : {});

  async function unlock(): Promise<void> {
    if (!locked || lost) return;
    try {
      const res = await execOrLost(t, releaseLockScript(opts.runId, opts.lock.dir), { timeoutMs: opts.commandTimeoutMs });
      if (res.code !== 0) warnings.push(`could not release the lock ${opts.lock.dir}: ${masker.mask(res.stderr.trim())}`);
    } catch (err) {
      lost = errorMessage(err);
    }
  }
}

async function execOrLost(t: Transport, script: ShellCommand, o: { stdin?: string; timeoutMs?: number }): Promise<ExecResult> {
  try {
    return await t.exec(script, { ...(o.stdin === undefined ? {} : { stdin: o.stdin }), ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }) });
  } catch (err) {
    if (err instanceof ProvisionError) throw err; // e.g. the check-mode refusal: a bug, not the network
    // a command that outlived its timeout fails its task; the connection itself is still good
    if (err instanceof TransportError && err.kind === 'timeout') throw new CommandTimedOutError(script.masked, 124, errorMessage(err));
    throw new HostLostError(errorMessage(err));
  }
}

/** Logs every exec (masked) to the run log and reports it to -v reporters. */
function loggingTransport(inner: Transport, opts: PlayOptions, masker: Masker): Transport {
  const log = opts.log.child({ host: inner.host, run: opts.runId });
  return {
    get host() {
      return inner.host;
    },
    get roundTrips() {
      return inner.roundTrips;
    },
    async exec(script, o) {
      const command = masker.mask(script.masked);
      const t0 = Date.now();
      try {
        const res = await inner.exec(script, o);
        log.info({ cmd: command, code: res.code, durationMs: res.durationMs, stdinBytes: o?.stdin?.length ?? 0, stderr: masker.mask(res.stderr).slice(-2000) }, 'exec');
        opts.reporter.onEvent({ type: 'exec', host: inner.host, command, code: res.code, durationMs: res.durationMs });
        return res;
      } catch (err) {
        log.error({ cmd: command, err: masker.mask(errorMessage(err)), durationMs: Date.now() - t0 }, 'exec failed');
        opts.reporter.onEvent({ type: 'exec', host: inner.host, command, code: null, durationMs: Date.now() - t0 });
        throw err;
      }
    },
    close: () => inner.close(),
  };
}

function maskChanges(changes: Change[], m: Masker): Change[] {
  return changes.map((c) => ({
    summary: m.mask(c.summary),
    diff:
      c.diff.kind === 'file'
        ? { kind: 'file', path: m.mask(c.diff.path), before: m.mask(c.diff.before), after: m.mask(c.diff.after) }
        : { kind: 'value', key: m.mask(c.diff.key), before: m.mask(c.diff.before), after: m.mask(c.diff.after) },
  }));
}

export function errorReport(err: unknown, m: Masker, task?: Task): ErrorReport {
  if (err instanceof CommandFailedError) {
    return { code: err.code, message: m.mask(err.message), command: m.mask(err.command), exitCode: err.exitCode, stderr: m.mask(err.stderr), ...hintOf(err.ctx.hint ?? task?.hint) };
  }
  if (err instanceof ProvisionError) return { code: err.code, message: m.mask(err.message), ...hintOf(err.ctx.hint ?? task?.hint) };
  if (err instanceof HostLostError) return { code: 'E_UNREACHABLE', message: m.mask(err.message) };
  return { code: 'E_PLAN', message: m.mask(errorMessage(err)), ...hintOf(task?.hint) };
}

function hintOf(hint: string | undefined): { hint?: string } {
  return hint ? { hint } : {};
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function totalsOf(results: TaskResult[]): Totals {
  const totals = emptyTotals();
  for (const r of results) totals[r.status]++;
  return totals;
}
