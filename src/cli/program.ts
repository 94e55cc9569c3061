// The command line: `provision [options] TARGET…` plus subcommands registered by their modules.
import { Command, CommanderError } from 'commander';
import { registerLabCommand } from '../lab/cli';
import { registerVerifyCommand } from '../verify/cli';
import { EXIT } from './exit-codes';
import { registerMigrateCommand } from './migrate';
import { registerPlanCommands } from './plan-commands';
import { connectHost, runProvision, type CliIO, type RunFlags } from './run';
import { addFleetOptions, addLockOption, addOutputOptions, addRollbackOptions, addSelectionOptions, runFlagsOf, type RunOptions } from './run-options';

/** the root's own flags; the rest come from run-options.ts */
interface ParsedOptions extends RunOptions {
  check?: boolean;
  dryRun?: boolean;
  allowUnsigned?: boolean;
}

export function buildProgram(io: CliIO, setExit: (code: number) => void): Command {
  const program = new Command('provision')
    .description('Converge FreeBSD hosts to their playbooks over SSH')
    .argument('[targets...]', 'hosts, groups, or "all"')
    .option('--check', 'dry run: read facts and report what would change; nothing is changed')
    .option('--dry-run', 'same as --check')
    .option('--allow-unsigned', 'announce prefixes the RPKI cache does not show as valid (the ROA preflight only warns)')
    // the root's options before a subcommand only: plan/apply/migrate/verify have their own -i, --json…
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  for (const add of [addSelectionOptions, addOutputOptions, addFleetOptions, addLockOption, addRollbackOptions]) add(program);
  program.action(async (targets: string[], o: ParsedOptions) => {
    const flags = runFlagsOf(o, { check: Boolean(o.check || o.dryRun), allowUnsigned: Boolean(o.allowUnsigned) });
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
  registerLabCommand(program, { setExit, stderr: io.stderr });
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
