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
import type { Reporter } from '../report/events';
import { JsonReporter } from '../report/json';
import { ListrReporter } from '../report/listr';
import { PlainReporter } from '../report/plain';
import { createSshTransport } from '../transport/ssh';
import type { Transport } from '../transport/transport';
import { EXIT, exitCodeFor } from './exit-codes';
import { DEFAULT_PLAYBOOK_DIR, loadPlaybook } from './playbooks';

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

export async function runProvision(targets: string[], flags: RunFlags, io: CliIO, commandNames: CommandNames): Promise<number> {
  let jobs: HostJob[];
  try {
    jobs = prepareJobs(targets, flags, io);
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

  const reporter = createReporter(flags, io);
  const log = createRunLog(flags.logFile ? path.resolve(io.cwd, flags.logFile) : undefined);
  const result = await runPlays(jobs, { check: flags.check, concurrency: flags.concurrency, reporter, log, breakLock: flags.breakLock, commandTimeoutMs: flags.commandTimeout * 1000 });
  await reporter.finish?.();
  log.flush?.();
  return exitCodeFor(result);
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
    const tasks = playbook.tasks(host);
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
