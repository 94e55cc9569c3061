// The one place where the inventory and the SSH transport meet the engine: resolve targets,
// pick each host's playbook, build its tasks (all before any host is contacted, so bad input
// exits 3 with nothing touched), then run and report.
import * as fs from 'fs';
import * as path from 'path';
import { InvalidInputError, ProvisionError } from '../errors';
import { collectSecrets } from '../engine/mask';
import { validatePlay } from '../engine/playbook';
import { runPlays, type HostJob } from '../engine/run';
import { loadInventory } from '../inventory/load';
import { closestNames, resolveHost, resolveTargets } from '../inventory/resolve';
import { UnknownTargetError } from '../inventory/errors';
import type { HostConfig } from '../inventory/schema';
import { createRunLog } from '../log';
import { DEFAULT_CONFIRM_TIMEOUT_SECONDS, DEFAULT_RESTORE_COMMAND, DEFAULT_ROLLBACK_ROOT } from '../engine/rollback';
import type { Reporter, RunResult } from '../report/events';
import { JsonReporter } from '../report/json';
import { ListrReporter } from '../report/listr';
import { PlainReporter } from '../report/plain';
import { createSshTransport } from '../transport/ssh';
import type { Transport } from '../transport/transport';
import { EXIT, exitCodeFor } from './exit-codes';
import { DEFAULT_PLAYBOOK_DIR, loadPlaybook } from './playbooks';
import { withRoaPreflight } from '../rpki/preflight';

export const DEFAULT_INVENTORY = 'inventory/lab.yaml';

export interface RunFlags {
  check: boolean;
  diff: boolean;
  inventory?: string;
  limit?: string;
  concurrency: number;
  json: boolean;
  logFile?: string;
  verbose: boolean;
  acceptNewHostKeys: boolean;
  breakLock: boolean;
  playbook?: string;
  /** seconds any one remote command may run before it is abandoned and its task fails */
  commandTimeout: number;
  /** --no-rollback: no commit-confirmed for plays that can cut a host off (rollback.ts) */
  noRollback?: boolean;
  /** seconds before an armed host restores its previous configuration (default 300) */
  confirmTimeout?: number;
  /** what the host runs after restoring its files (default: shutdown -r now) */
  rollbackCommand?: string;
  /** the ROA preflight (src/rpki/preflight.ts) warns instead of refusing: --allow-unsigned */
  allowUnsigned?: boolean;
}

/** What other commands (plan, apply, migrate) add to a run. */
export interface RunHooks {
  /** called for every job before any host is contacted */
  prepare?(job: HostJob): void;
  /** sees the result; returning a number overrides the exit code */
  finish?(result: RunResult, jobs: HostJob[]): number | void;
}

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
  cwd: string;
  /** tests replace the SSH transport */
  connect?: (host: HostConfig, flags: RunFlags) => Promise<Transport>;
  playbookDir?: string;
}

/** the subcommands, offered when a mistyped target is closer to one of them */
export type CommandNames = () => string[];

export async function runProvision(targets: string[], flags: RunFlags, io: CliIO, commandNames: CommandNames, hooks: RunHooks = {}): Promise<number> {
  let jobs: HostJob[];
  try {
    jobs = prepareJobs(targets, flags, io);
    for (const job of jobs) hooks.prepare?.(job);
  } catch (err) {
    if (err instanceof UnknownTargetError) {
      const cmds = closestNames(err.target, commandNames());
      io.stderr(`provision: ${err.message}${cmds.length ? `\n  (or the command: provision ${cmds[0]} …)` : ''}\n`);
      return EXIT.invalid;
    }
    if (err instanceof ProvisionError && err.code === 'E_INVALID_INPUT') {
      io.stderr(`provision: ${err.message}\n${err.ctx.hint ? `hint: ${err.ctx.hint}\n` : ''}`);
      return EXIT.invalid;
    }
    throw err;
  }

  if (flags.allowUnsigned) io.stderr('provision: --allow-unsigned: prefixes without a valid ROA will be announced; strict upstreams drop them\n');
  const reporter = createReporter(flags, io);
  const log = createRunLog(flags.logFile ? path.resolve(io.cwd, flags.logFile) : undefined);
  if (flags.noRollback && !flags.check) io.stderr('provision: warning: --no-rollback: a change that cuts a host off will NOT be undone\n');
  const rollback = flags.noRollback
    ? undefined
    : { timeoutSeconds: flags.confirmTimeout ?? DEFAULT_CONFIRM_TIMEOUT_SECONDS, restoreCommand: flags.rollbackCommand ?? DEFAULT_RESTORE_COMMAND, root: DEFAULT_ROLLBACK_ROOT };
  const result = await runPlays(jobs, { check: flags.check, concurrency: flags.concurrency, reporter, log, breakLock: flags.breakLock, commandTimeoutMs: flags.commandTimeout * 1000, rollback });
  await reporter.finish?.();
  log.flush?.();
  return hooks.finish?.(result, jobs) ?? exitCodeFor(result);
}

function prepareJobs(targets: string[], flags: RunFlags, io: CliIO): HostJob[] {
  const inventoryPath = flags.inventory ?? DEFAULT_INVENTORY;
  const file = path.resolve(io.cwd, inventoryPath);
  if (!flags.inventory && !fs.existsSync(file)) {
    throw new InvalidInputError(`no inventory: ${DEFAULT_INVENTORY} does not exist here; pass --inventory FILE`);
  }
  const inv = loadInventory(file);
  const names = resolveTargets(inv, targets, flags.limit);
  return names.map((name) => {
    const host = resolveHost(inv, name);
    const playbook = loadPlaybook<HostConfig>(flags.playbook ?? host.role, io.playbookDir ?? DEFAULT_PLAYBOOK_DIR);
    const tasks = withRoaPreflight(host, playbook.tasks(host, { targets: names }), { allowUnsigned: flags.allowUnsigned });
    validatePlay(playbook, tasks);
    return {
      host: name,
      playbook: playbook as HostJob['playbook'],
      tasks,
      secrets: collectSecrets(host),
      connect: io.connect
        ? () => io.connect!(host, flags)
        : () => connectHost(host, { acceptNewHostKeys: flags.acceptNewHostKeys, quiet: flags.json }, io),
    };
  });
}

/**
 * Open a host's SSH connection up front, so a refused host key or an unreachable host fails here,
 * not in the middle of a play. Every command that talks to hosts goes through this.
 */
export async function connectHost(host: HostConfig, o: { acceptNewHostKeys: boolean; quiet: boolean }, io: CliIO): Promise<Transport> {
  const s = host.ssh;
  const t = createSshTransport(
    {
      name: host.name,
      address: s.host,
      port: s.port,
      user: s.user,
      identityFile: s.identity_file,
      knownHostsFile: s.known_hosts,
      proxyJump: s.proxy_jump,
      become: s.become,
    },
    {
      acceptNewHostKeys: o.acceptNewHostKeys,
      passphraseEnv: s.passphrase_env,
      onNote: o.quiet ? undefined : (m) => io.stderr(`${host.name}: ${m}\n`),
    },
  );
  await t.connect();
  return t;
}

function createReporter(flags: RunFlags, io: CliIO): Reporter {
  if (flags.json) return new JsonReporter(io.stdout);
  const opts = { diff: flags.diff, verbose: flags.verbose };
  return io.isTTY && !flags.verbose ? new ListrReporter(io.stdout, opts) : new PlainReporter(io.stdout, opts);
}
