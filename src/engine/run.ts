// A run: every targeted host's play, up to `concurrency` hosts at a time. One host failing or
// being unreachable never stops the others.
import { randomBytes } from 'crypto';
import * as os from 'os';
import type { Secret } from '../shell/quote';
import type { Transport } from '../transport/transport';
import type { RunLog } from '../log';
import { addTotals, emptyTotals, type HostResult, type Reporter, type RunResult } from '../report/events';
import { DEFAULT_LOCK_DIR, DEFAULT_LOCK_TTL_SECONDS } from './lock';
import { Masker } from './mask';
import { playHost, type HostPlay, type PlayOptions } from './host-play';
import type { Playbook } from './playbook';
import { DEFAULT_BACKUP_KEEP, DEFAULT_BACKUP_ROOT } from './remote-file';
import { armRollback, confirmOnFreshConnection, describePendingRollback, needsRollback, type ArmedRollback, type RollbackSettings } from './rollback';
import type { Task } from './task';

export interface HostJob {
  host: string;
  playbook: Playbook<never>;
  tasks: Task[];
  secrets: Secret[];
  /** opens a NEW connection each call; throwing means unreachable (or host key refused) */
  connect(): Promise<Transport>;
  /** see HostPlay.inspectFacts (saved plans) */
  inspectFacts?: HostPlay['inspectFacts'];
}

export interface RunOptions {
  check: boolean;
  concurrency: number;
  reporter: Reporter;
  log: RunLog;
  breakLock?: boolean;
  lockDir?: string;
  lockTtlSeconds?: number;
  backupRoot?: string;
  backupKeep?: number;
  /** see PlayOptions.commandTimeoutMs */
  commandTimeoutMs?: number;
  /** commit-confirmed for plays with connectivity-risk tasks (rollback.ts); off when unset */
  rollback?: RollbackSettings;
  /** for tests: fixed ids and clock */
  runId?: string;
  now?: Date;
}

export async function runPlays(jobs: HostJob[], opts: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const now = opts.now ?? new Date();
  const runId = opts.runId ?? randomBytes(4).toString('hex');
  const play: PlayOptions = {
    check: opts.check,
    runId,
    sentinel: `__provision_${randomBytes(12).toString('hex')}__`,
    lock: {
      dir: opts.lockDir ?? DEFAULT_LOCK_DIR,
      ttlSeconds: opts.lockTtlSeconds ?? DEFAULT_LOCK_TTL_SECONDS,
      breakStale: opts.breakLock ?? false,
      owner: { runId, user: os.userInfo().username, controller: os.hostname(), pid: process.pid },
    },
    backup: {
      root: opts.backupRoot ?? DEFAULT_BACKUP_ROOT,
      keep: opts.backupKeep ?? DEFAULT_BACKUP_KEEP,
      stamp: `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${runId}`,
    },
    reporter: opts.reporter,
    log: opts.log,
    commandTimeoutMs: opts.commandTimeoutMs,
  };
  opts.reporter.onEvent({ type: 'run:start', runId, check: opts.check, hosts: jobs.map((j) => j.host) });
  opts.log.info({ run: runId, check: opts.check, hosts: jobs.map((j) => j.host) }, 'run start');

  const results = new Array<HostResult>(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await runJob(jobs[i], play, opts.rollback);
      opts.reporter.onEvent({ type: 'host:done', result: results[i] });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, jobs.length)) }, worker));

  const totals = emptyTotals();
  for (const r of results) addTotals(totals, r.totals);
  const result: RunResult = { runId, check: opts.check, hosts: results, totals, durationMs: Date.now() - started };
  opts.log.info({ run: runId, totals }, 'run done');
  opts.reporter.onEvent({ type: 'run:done', result });
  return result;
}

async function runJob(job: HostJob, opts: PlayOptions, rollback: RollbackSettings | undefined): Promise<HostResult> {
  const t0 = Date.now();
  let transport: Transport;
  try {
    transport = await job.connect();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    opts.log.error({ host: job.host, err: message }, 'unreachable');
    return { host: job.host, playbook: job.playbook.name, tasks: [], totals: emptyTotals(), roundTrips: 0, unreachable: message, warnings: [], durationMs: Date.now() - t0 };
  }
  const guarded = !opts.check && needsRollback(job.tasks);
  let armed: ArmedRollback | undefined;
  const play: HostPlay = { host: job.host, playbook: job.playbook, tasks: job.tasks, secrets: job.secrets, inspectFacts: job.inspectFacts };
  if (guarded && rollback) play.beforeFirstChange = async (exec) => void (armed = await armRollback(exec, opts.runId, job.tasks, rollback));
  let result: HostResult;
  try {
    result = await playHost(transport, play, opts);
  } finally {
    await transport.close().catch(() => undefined);
  }
  if (guarded && !rollback) result.warnings.push('rollback disabled (--no-rollback): a change that cuts this host off stays in place');
  return armed ? confirmChanges(job, result, armed, opts) : result;
}

/** Commit-confirmed: verify over a fresh connection and disarm, or report the pending rollback. */
async function confirmChanges(job: HostJob, result: HostResult, armed: ArmedRollback, opts: PlayOptions): Promise<HostResult> {
  const outcome = await confirmOnFreshConnection(job.connect, job.tasks, armed, opts.sentinel);
  const log = opts.log.child({ host: job.host, run: opts.runId });
  const masker = new Masker([...job.secrets, ...job.tasks.flatMap((t) => t.secrets ?? [])]);
  const out = { ...result, roundTrips: result.roundTrips + outcome.roundTrips, warnings: [...result.warnings] };
  if (outcome.status === 'confirmed') {
    log.info({ dir: armed.dir }, 'rollback disarmed after verification on a fresh connection');
    return out;
  }
  const hint = `reconnect after the rollback and run again; the saved files are in ${armed.dir} on the host`;
  const report =
    outcome.status === 'lost'
      ? { code: 'E_UNREACHABLE' as const, message: describePendingRollback(`connection lost after applying (${masker.mask(outcome.reason)})`, armed), hint }
      : outcome.status === 'unverified'
        ? { code: 'E_NOT_CONVERGED' as const, message: `${describePendingRollback('verification failed after applying', armed)}:\n  ${masker.mask(outcome.problems.join('\n  '))}`, hint }
        : { code: 'E_UNREACHABLE' as const, message: `the confirm timeout (${armed.timeoutSeconds} s) passed before the host was verified: it is restoring its previous configuration (rollback ${armed.dir})`, hint };
  log.error({ dir: armed.dir, outcome: outcome.status }, 'rollback not disarmed');
  // the rollback is what the operator must know first; an earlier play error stays as a warning
  if (out.error) out.warnings.push(out.error.message);
  out.error = report;
  return out;
}
