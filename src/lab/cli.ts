import type { Command } from 'commander';

/** Adds `provision lab …` (up, down, status, reboot, exec) to the CLI. */
export function registerLabCommand(program: Command): void {
  program.command('lab').description('the emulated FreeBSD lab (not implemented yet)');
}
