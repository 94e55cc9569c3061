// The flags of the commands that run playbooks (provision, plan, apply, migrate), in groups so
// that each command adds the ones it takes and every flag has one help text and one default.
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_CONFIRM_TIMEOUT_SECONDS, DEFAULT_RESTORE_COMMAND } from '../engine/rollback';
import { DEFAULT_INVENTORY, type RunFlags } from './run';

const DEFAULT_CONCURRENCY = 5;
const DEFAULT_COMMAND_TIMEOUT_SECONDS = 300;

/** What the groups below parse into; a command has only the fields of the groups it adds. */
export interface RunOptions {
  inventory?: string;
  limit?: string;
  playbook?: string;
  diff?: boolean;
  json?: boolean;
  verbose?: boolean;
  acceptNewHostKeys?: boolean;
  commandTimeout: number;
  concurrency?: number;
  logFile?: string;
  breakLock?: boolean;
  /** false with --no-rollback; undefined where the command has no rollback options */
  rollback?: boolean;
  confirmTimeout?: number;
  rollbackCommand?: string;
}

export function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return Number(value);
}

export function addInventoryOption(cmd: Command): Command {
  // run.ts refuses a missing default inventory rather than running on nothing
  return cmd.option('-i, --inventory <file>', `inventory file (default: ${DEFAULT_INVENTORY} when it exists)`);
}

/** which hosts, and which playbook, when the targets come from the command line */
export function addSelectionOptions(cmd: Command): Command {
  return addInventoryOption(cmd)
    .option('-l, --limit <names>', 'comma-separated hosts or groups to narrow the targets to')
    .option('--playbook <name>', "use playbooks/<name>.ts instead of each host's role");
}

/** what every run prints and how it talks to hosts */
export function addOutputOptions(cmd: Command): Command {
  return cmd
    .option('--diff', 'show file diffs and value changes')
    .option('--json', 'print one JSON document (schema: src/report/json-schema.ts) instead of progress')
    .option('-v, --verbose', 'print ok tasks and every command sent')
    .option('--accept-new-host-keys', 'add unknown host keys to known_hosts (a changed key is still refused)')
    .option('--command-timeout <seconds>', 'fail a task whose remote command runs longer than this', positiveInt, DEFAULT_COMMAND_TIMEOUT_SECONDS);
}

/** runs over a fleet the operator sizes (migrate runs all its hosts at once and logs nothing) */
export function addFleetOptions(cmd: Command): Command {
  return cmd
    .option('-c, --concurrency <n>', 'hosts handled at once', positiveInt, DEFAULT_CONCURRENCY)
    .option('--log-file <file>', 'append a structured log (JSON lines) of every command sent');
}

export function addLockOption(cmd: Command): Command {
  return cmd.option('--break-lock', 'take over a host lock that is stale (holder gone or older than the TTL)');
}

/** runs that change hosts arm commit-confirmed for plays that can cut a host off (engine/rollback.ts) */
export function addRollbackOptions(cmd: Command): Command {
  return cmd
    .option('--no-rollback', 'do not arm the automatic rollback of plays that can cut a host off (see docs/safety.md)')
    .option('--confirm-timeout <seconds>', `an armed host restores its previous configuration unless verified within this (default ${DEFAULT_CONFIRM_TIMEOUT_SECONDS})`, positiveInt)
    .option('--rollback-command <command>', `what an armed host runs after restoring its files (default: ${DEFAULT_RESTORE_COMMAND})`);
}

/** The run the parsed options ask for; `extra` is what the command decides itself (check mode, a plan's inventory…). */
export function runFlagsOf(o: RunOptions, extra: Partial<RunFlags> = {}): RunFlags {
  return {
    check: false,
    diff: Boolean(o.diff),
    inventory: o.inventory,
    limit: o.limit,
    concurrency: o.concurrency ?? DEFAULT_CONCURRENCY,
    json: Boolean(o.json),
    logFile: o.logFile,
    verbose: Boolean(o.verbose),
    acceptNewHostKeys: Boolean(o.acceptNewHostKeys),
    breakLock: Boolean(o.breakLock),
    playbook: o.playbook,
    commandTimeout: o.commandTimeout,
    noRollback: o.rollback === false,
    confirmTimeout: o.confirmTimeout,
    rollbackCommand: o.rollbackCommand,
    ...extra,
  };
}
