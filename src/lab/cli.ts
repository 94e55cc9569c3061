// `provision lab …`: bring the emulated FreeBSD lab up and down, look at it, and act on its hosts.
import type { Command } from 'commander';
import { labUp } from './up';
import { labDown } from './down';
import { labStatus } from './status';
import { labReboot } from './reboot';
import { labExec } from './exec';
import { labMove } from './move';

export function registerLabCommand(program: Command): void {
  const lab = program.command('lab').description('the emulated FreeBSD lab: FreeBSD hosts with real sshd and FRR in Linux namespaces');
  lab
    .command('up')
    .description('create the lab (default: the seed network of docs/lab-address-plan.md)')
    .option('--topology <file>', 'lab topology YAML file')
    .option('--vrps <file>', "VRP file (stayrtr JSON) for the lab's RPKI cache instead of the topology's")
    .action(async (o: { topology?: string; vrps?: string }) => {
      await labUp({ topologyFile: o.topology, vrpsFile: o.vrps });
    });
  lab
    .command('down')
    .description('remove everything the lab created')
    .action(async () => labDown());
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
    .action(async (host: string) => labReboot(host));
  lab
    .command('exec <host> <command...>')
    .description('run a shell command on a lab host, as root, e.g. lab exec router01 -- kldstat')
    .action(async (host: string, command: string[]) => {
      process.exitCode = await labExec(host, command);
    });
  lab
    .command('move <host>')
    .description("move a host's provider link to the segment of a new address (rehearse a migration)")
    .requiredOption('--to <ipv4>', 'the new IPv4 address')
    .action(async (host: string, o: { to: string }) => labMove(host, o.to));
}
