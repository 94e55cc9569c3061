// The command line: `provision [options] TARGET…` plus subcommands registered by their modules.
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { registerLabCommand } from '../lab/cli';
import { registerVerifyCommand } from '../verify/cli';
import { EXIT } from './exit-codes';
import { registerMigrateCommand } from './migrate';
import { registerPlanCommands } from './plan-commands';
import { connectHost, runProvision, DEFAULT_INVENTORY, type CliIO, type RunFlags } from './run';

interface ParsedOptions {
  check?: boolean;
  dryRun?: boolean;
  diff?: boolean;
  inventory?: string;
  limit?: string;
  concurrency: number;
  json?: boolean;
  logFile?: string;
  verbose?: boolean;
  acceptNewHostKeys?: boolean;
  breakLock?: boolean;
  playbook?: string;
  commandTimeout: number;
  rollback: boolean;
  confirmTimeout?: number;
  rollbackCommand?: string;
  allowUnsigned?: boolean;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
}

export function buildProgram(io: CliIO, setExit: (code: number) => void): Command {
  const program = new Command('provision');
  program
    .description('Converge FreeBSD hosts to their playbooks over SSH')
    .argument('[targets...]', 'hosts, groups, or "all"')
    .option('--check', 'dry run: read facts and report what would change; nothing is changed')
    .option('--dry-run', 'same as --check')
    .option('--diff', 'show file diffs and value changes')
    .option('-i, --inventory <file>', `inventory file (default: ${DEFAULT_INVENTORY} when it exists)`)
    .option('-l, --limit <names>', 'comma-separated hosts or groups to narrow the targets to')
    .option('-c, --concurrency <n>', 'hosts handled at once', positiveInt, 5)
    .option('--json', 'print one JSON document (schema: src/report/json-schema.ts) instead of progress')
    .option('--log-file <file>', 'append a structured log (JSON lines) of every command sent')
    .option('-v, --verbose', 'print ok tasks and every command sent')
    .option('--accept-new-host-keys', 'add unknown host keys to known_hosts (a changed key is still refused)')
    .option('--break-lock', 'take over a host lock that is stale (holder gone or older than the TTL)')
    .option('--playbook <name>', 'use playbooks/<name>.ts instead of each host\'s role')
    .option('--allow-unsigned', 'announce prefixes the RPKI cache does not show as valid (the ROA preflight only warns)')
    .option('--command-timeout <seconds>', 'fail a task whose remote command runs longer than this', positiveInt, 300)
    .option('--no-rollback', 'do not arm the automatic rollback of plays that can cut a host off (see docs/safety.md)')
    .option('--confirm-timeout <seconds>', 'an armed host restores its previous configuration unless verified within this (default 300)', positiveInt)
    .option('--rollback-command <command>', 'what an armed host runs after restoring its files (default: shutdown -r now)')
    // the root's options before a subcommand only: plan/apply/migrate/verify have their own -i, --json…
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .action(async (targets: string[], o: ParsedOptions) => {
      const flags: RunFlags = {
        check: Boolean(o.check || o.dryRun),
        diff: Boolean(o.diff),
        inventory: o.inventory,
        limit: o.limit,
        concurrency: o.concurrency,
        json: Boolean(o.json),
        logFile: o.logFile,
        verbose: Boolean(o.verbose),
        acceptNewHostKeys: Boolean(o.acceptNewHostKeys),
        breakLock: Boolean(o.breakLock),
        playbook: o.playbook,
        commandTimeout: o.commandTimeout,
        noRollback: !o.rollback,
        confirmTimeout: o.confirmTimeout,
        rollbackCommand: o.rollbackCommand,
        allowUnsigned: Boolean(o.allowUnsigned),
      };
      setExit(await runProvision(targets, flags, io, () => program.commands.map((c) => c.name())));
    });
  registerVerifyCommand(program, {
    stdout: io.stdout,
    stderr: io.stderr,
    cwd: io.cwd,
    setExit,
    connect: (host, o) => (io.connect ? io.connect(host, { acceptNewHostKeys: o.acceptNewHostKeys } as RunFlags) : connectHost(host, o, io)),
  });
  registerPlanCommands(program, io, setExit);
  registerMigrateCommand(program, io, setExit);
  registerLabCommand(program);
  return program;
}

/** Parse argv (without node and script) and run; resolves to the process exit code. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
      return err.exitCode === 0 ? EXIT.ok : EXIT.invalid;
    }
    throw err;
  }
  return code;
}
