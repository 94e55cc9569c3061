// A run: every targeted host's play, up to `concurrency` hosts at a time. One host failing or
// being unreachable never stops the others.
import { randomBytes } from 'crypto';
import * as os from 'os';
import type { Secret } from '../shell/quote';
import type { Transport } from '../transport/transport';
import type { RunLog } from '../log';
import { addTotals, emptyTotals, type HostResult, type Reporter, type RunResult } from '../report/events';
import { DEFAULT_LOCK_DIR, DEFAULT_LOCK_TTL_SECONDS } from './lock';
import { playHost, type PlayOptions } from './host-play';
import type { Playbook } from './playbook';
import { DEFAULT_BACKUP_KEEP, DEFAULT_BACKUP_ROOT } from './remote-file';
import type { Task } from './task';

export interface HostJob {
  host: string;
  playbook: Playbook<never>;
  tasks: Task[];
  secrets: Secret[];
  /** opens the connection; throwing means unreachable (or host key refused) */
  connect(): Promise<Transport>;
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
  };
  opts.reporter.onEvent({ type: 'run:start', runId, check: opts.check, hosts: jobs.map((j) => j.host) });
  opts.log.info({ run: runId, check: opts.check, hosts: jobs.map((j) => j.host) }, 'run start');

  const results = new Array<HostResult>(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await runJob(jobs[i], play);
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

async function runJob(job: HostJob, opts: PlayOptions): Promise<HostResult> {
  const t0 = Date.now();
  let transport: Transport;
  try {
    transport = await job.connect();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    opts.log.error({ host: job.host, err: message }, 'unreachable');
    return { host: job.host, playbook: job.playbook.name, tasks: [], totals: emptyTotals(), roundTrips: 0, unreachable: message, warnings: [], durationMs: Date.now() - t0 };
  }
  try {
    return await playHost(transport, { host: job.host, playbook: job.playbook, tasks: job.tasks, secrets: job.secrets }, opts);
  } finally {
    await transport.close().catch(() => undefined);
  }
}
