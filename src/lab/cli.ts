// `provision lab …`: bring the emulated FreeBSD lab up and down, look at it, and act on its hosts.
import type { Command } from 'commander';
import { labUp } from './up';
import { labDown } from './down';
import { labStatus } from './status';
import { labReboot } from './reboot';
import { labExec } from './exec';
import { labMove } from './move';

/** How a lab command ends: the exit code, and a failure as one line (no stack trace). */
export interface LabCliIO {
  setExit(code: number): void;
  stderr(text: string): void;
}

const processIO: LabCliIO = {
  setExit: (code) => (process.exitCode = code),
  stderr: (text) => process.stderr.write(text),
};

export function registerLabCommand(program: Command, io: LabCliIO = processIO): void {
  // A failed lab command is the lab's own error message on one line and exit 1.
  const guarded =
    <A extends unknown[]>(action: (...args: A) => Promise<unknown>, onFailure?: () => Promise<void>) =>
    async (...args: A) => {
      try {
        await action(...args);
      } catch (e) {
        if (onFailure) await onFailure().catch(() => undefined);
        io.stderr(`provision lab: ${(e instanceof Error ? e.message : String(e)).trim().split('\n')[0]}\n`);
        io.setExit(1);
      }
    };
  const lab = program.command('lab').description('the emulated FreeBSD lab: FreeBSD hosts with real sshd and FRR in Linux namespaces');
  lab
    .command('up')
    .description('create the lab (default: the seed network of docs/lab-address-plan.md)')
    .option('--topology <file>', 'lab topology YAML file')
    .option('--vrps <file>', "VRP file (stayrtr JSON) for the lab's RPKI cache instead of the topology's")
    .action(
      // a lab that failed to come up is removed: nothing half-built is left behind
      guarded(async (o: { topology?: string; vrps?: string }) => labUp({ topologyFile: o.topology, vrpsFile: o.vrps }), () => labDown(undefined, () => undefined)),
    );
  lab
    .command('down')
    .description('remove everything the lab created')
    .action(guarded(async () => labDown()));
  lab
    .command('status')
    .description('hosts, ports, namespaces, processes and BGP sessions of the infrastructure routers')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      const s = await labStatus();
      console.log(o.json ? JSON.stringify(s.data, null, 2) : s.text);
      if (!s.data.up) process.exitCode = 1;
    });
  lab
    .command('reboot <host>')
    .description('reboot a lab FreeBSD host: runtime state is lost, its configuration files are applied again')
    .action(guarded(async (host: string) => labReboot(host)));
  lab
    .command('exec <host> <command...>')
    .description("run a command on a lab host as root and exit with its status, e.g. lab exec router01 -- vtysh -c 'show bgp summary'")
    .action(
      guarded(async (host: string, command: string[]) => {
        io.setExit(await labExec(host, command));
      }),
    );
  lab
    .command('move <host>')
    .description("move a host's provider link to the segment of a new address (rehearse a migration)")
    .requiredOption('--to <ipv4>', 'the new IPv4 address')
    .action(guarded(async (host: string, o: { to: string }) => labMove(host, o.to)));
}
