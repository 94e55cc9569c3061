// Bad inventory end to end: for a sample of malformed inventories (the full table of 75 is in
// test/unit/inventory/schema.test.ts), the CLI itself exits 3, names the path and the rule, and
// opens no SSH connection to any host.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import { runCli } from '../../../src/cli/program';
import type { CliIO } from '../../../src/cli/run';
import { EXIT } from '../../../src/cli/exit-codes';
import { FakeRemote } from '../../helpers/fake-transport';

const BASE = fs.readFileSync(path.join(__dirname, '../../../inventory/lab.yaml'), 'utf8');
type Doc = any;
/** 1-based line of the line after the first occurrence of `text` starting with a newline */
const lineOf = (text: string) => BASE.slice(0, BASE.indexOf(text)).split('\n').length;
const r01 = (d: Doc) => d.hosts.router01;
const v01 = (d: Doc) => d.hosts.vps01;

interface Case {
  name: string;
  mutate?: (d: Doc) => void;
  text?: string;
  /** fragments the message must contain: the path and the rule */
  expect: string[];
}

const CASES: Case[] = [
  { name: 'ASN 2^32', mutate: (d) => (d.operator.asn = 4294967296), expect: ['operator.asn', 'an integer 1..4294967295'] },
  { name: 'prefix /129', mutate: (d) => (d.operator.prefixes = ['2001:db8::/129']), expect: ['operator.prefixes[0]', 'prefix length 129 is out of range'] },
  { name: 'IPv4 octet 256', mutate: (d) => (r01(d).outer_ipv4 = '198.51.100.256'), expect: ['hosts.router01.outer_ipv4', 'must be an IPv4 address'] },
  { name: 'MTU 9001', mutate: (d) => (r01(d).tunnels[1].mtu = 9001), expect: ['hosts.router01.tunnels[1].mtu', 'MTU'] },
  { name: 'FIB beyond net.fibs', mutate: (d) => (v01(d).tunnels[0].fib = 2), expect: ['hosts.vps01.tunnels[0].fib', 'FIB 2 does not exist'] },
  { name: 'tunnel remote IPv6', mutate: (d) => (r01(d).tunnels[0].remote = '2001:db8:100::44'), expect: ['hosts.router01.tunnels[0].remote', 'must be an IPv4 address or the name of an inventory host'] },
  { name: 'service address outside the AS', mutate: (d) => (v01(d).service_addresses[0].address = '2001:db8:203::10'), expect: ['hosts.vps01.service_addresses[0].address', "not inside the operator's prefixes"] },
  { name: 'unknown key', mutate: (d) => (r01(d).tunels = []), expect: ['hosts.router01.tunels', 'unknown key "tunels"'] },
  { name: 'missing role', mutate: (d) => delete r01(d).role, expect: ['hosts.router01.role', 'is required'] },
  { name: 'interface name with shell metacharacters', mutate: (d) => (r01(d).interfaces[0].name = 'vtnet0;reboot'), expect: ['hosts.router01.interfaces[0].name', 'must be a FreeBSD interface name'] },
  { name: 'host name with shell metacharacters', mutate: (d) => ((d.hosts['r$(id)'] = r01(d)), delete d.hosts.router01, (d.groups.routers.hosts = ['r$(id)'])), expect: ['r$(id)'] },
  { name: 'description with $( )', mutate: (d) => (r01(d).tunnels[0].description = 'x $(touch /tmp/pv-canary)'), expect: ['hosts.router01.tunnels[0].description', 'must be 1-80 characters'] },
  { name: 'description with a newline', mutate: (d) => (r01(d).interfaces[0].description = 'a\nb'), expect: ['hosts.router01.interfaces[0].description', 'must be 1-80 characters'] },
  { name: 'description with backticks and quotes', mutate: (d) => (r01(d).bgp.neighbors[0].description = 'a`id`"\''), expect: ['hosts.router01.bgp.neighbors[0].description', 'must be 1-80 characters'] },
  { name: 'YAML syntax error', text: BASE.replace('operator:\n  asn: 201379', 'operator:\n  asn: [201379'), expect: ['lab.yaml'] },
  { name: 'duplicate host', text: BASE.replace('\n  vps01:\n', '\n  router01:\n    ssh: { port: 2209 }\n    role: router\n  vps01:\n'), expect: [`lab.yaml:${lineOf('\n  vps01:\n') + 1}:3`, 'duplicate key'] },
];

let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pv-badinv-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the sample is broad enough', () => expect(CASES.length).toBeGreaterThanOrEqual(15));

test.each(CASES.map((c) => [c.name, c] as const))('%s: exit 3, path and rule named, no host contacted', async (_n, c) => {
  let text = c.text;
  if (c.mutate) {
    const doc = YAML.parse(BASE);
    c.mutate(doc);
    text = YAML.stringify(doc);
  }
  const file = path.join(dir, 'lab.yaml');
  fs.writeFileSync(file, text!);
  let connects = 0;
  let stderr = '';
  const io: CliIO = {
    stdout: () => undefined,
    stderr: (t) => void (stderr += t),
    isTTY: false,
    cwd: dir,
    connect: async (host) => {
      connects++;
      return new FakeRemote().transport(host.name);
    },
  };
  const code = await runCli(['--inventory', file, 'all'], io);
  expect([code, connects]).toEqual([EXIT.invalid, 0]);
  for (const fragment of c.expect) expect(stderr).toContain(fragment);
});
