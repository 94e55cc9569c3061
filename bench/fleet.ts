// A fleet for the scale benchmark: N small emulated FreeBSD hosts on one segment (sshd on
// 127.0.0.1:2301+), as a lab topology and the matching provision inventory.
import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';

export const FLEET_PORT_BASE = 2301;

export const fleetHost = (i: number) => `f${String(i + 1).padStart(2, '0')}`;

/** Writes topology.yaml and inventory.yaml for `n` hosts into `dir`; returns their paths. */
export function writeFleet(n: number, dir: string): { topology: string; inventory: string; hosts: string[] } {
  if (n < 1 || n > 250) throw new Error('a fleet has 1..250 hosts (one /24 of management addresses)');
  fs.mkdirSync(dir, { recursive: true });
  const hosts = Array.from({ length: n }, (_, i) => fleetHost(i));
  const topology = {
    name: 'fleet',
    oob: { subnet: '198.18.1.0/24', address: '198.18.1.254' },
    segments: { fleet: { ipv4: '192.0.2.0/24', gateway4: '192.0.2.254' } },
    hosts: Object.fromEntries(
      hosts.map((h, i) => [h, { ssh_port: FLEET_PORT_BASE + i, mgmt: `198.18.1.${i + 1}`, interfaces: { vtnet0: { segment: 'fleet', ipv4: `192.0.2.${i + 1}/24` } } }]),
    ),
  };
  const inventory = {
    operator: { asn: 64496, prefixes: ['2001:db8::/32'] },
    defaults: { ssh: { host: '127.0.0.1', user: 'root', identity_file: '/run/provision-lab/id_ed25519', known_hosts: '/run/provision-lab/known_hosts' } },
    hosts: Object.fromEntries(hosts.map((h, i) => [h, { ssh: { port: FLEET_PORT_BASE + i }, role: 'vps' }])),
  };
  const files = { topology: path.join(dir, 'topology.yaml'), inventory: path.join(dir, 'inventory.yaml'), hosts };
  fs.writeFileSync(files.topology, YAML.stringify(topology));
  fs.writeFileSync(files.inventory, YAML.stringify(inventory));
  return files;
}
