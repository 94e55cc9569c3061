// reboot(8) and shutdown(8) -r: the host power-cycles a moment after the command returns (the
// lab's own reboot: every process dies, runtime state is rebuilt from the files). Without this a
// lab host's `shutdown` would be the Linux machine's. Halting or powering off is not emulated: a
// lab host has no console to bring it back. Formats: shutdown.c usage and "Shutdown NOW!" [MEM].
import type { FreeBSDCommand } from './types';
import { fail, ok } from './types';

const SHUTDOWN_USAGE = 'usage: shutdown [-] [-c | -f | -h | -n | -o | -p | -r] time [warning-message ...]\n';

export const reboot: FreeBSDCommand = async (inv, host) => {
  const bad = inv.argv.slice(1).find((a) => !/^-[dlNnqr]+$/.test(a));
  if (bad) return fail('usage: reboot [-cdlNnpqr] [-k kernel] [-o options]\n', 1);
  host.powerCycle();
  return ok();
};

export const shutdown: FreeBSDCommand = async (inv, host) => {
  const args = inv.argv.slice(1);
  const flags = args.filter((a) => a.startsWith('-') && a !== '-');
  const rest = args.filter((a) => !a.startsWith('-'));
  if (rest.length === 0 || flags.some((f) => !/^-[chnopr]+$/.test(f))) return fail(SHUTDOWN_USAGE, 1);
  if (!flags.some((f) => f.includes('r')) || flags.some((f) => /[chop]/.test(f))) {
    return fail('shutdown: the lab emulates only a reboot (-r); a lab host cannot be halted or powered off\n', 1);
  }
  if (rest[0] !== 'now' && rest[0] !== '+0') return fail(`shutdown: the lab reboots only "now" (got ${rest[0]})\n`, 1);
  host.powerCycle();
  return ok('Shutdown NOW!\n');
};
