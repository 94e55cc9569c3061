// migrate: the inventory edit (only the values that change, byte for byte elsewhere), which
// hosts are re-provisioned, the refusals that name a file and line, and the change summary.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { changedLines, hostsPointingAt, migrateInventoryText } from '../../../src/cli/migrate';
import { runCli } from '../../../src/cli/program';
import type { CliIO } from '../../../src/cli/run';
import type { RunResult } from '../../../src/report/events';
import type { Transport } from '../../../src/transport/transport';
import { PROVIDER_SIDE_COMMAND } from '../../../src/cli/provider-side';

const LAB = path.resolve(__dirname, '../../../inventory/lab.yaml');
const MOVED = fs.readFileSync(path.resolve(__dirname, '../../../fixtures/provision/migrate/vps01-at-provider-e.txt'), 'utf8');

/** vps01 after `lab move vps01 --to 203.0.113.130`, as migrate's one read sees it */
function movedHost(): Transport {
  return {
    roundTrips: 1,
    exec: async (cmd: { text: string }) => {
      expect(cmd.text).toBe(PROVIDER_SIDE_COMMAND.text);
      return { stdout: MOVED, stderr: '', code: 0, durationMs: 1 };
    },
    close: async () => undefined,
  } as unknown as Transport;
}
const text = fs.readFileSync(LAB, 'utf8');

test('only outer_ipv4 and the provider interface change; every other byte, comment included, stays', () => {
  const r = migrateInventoryText(text, 'lab.yaml', { host: 'vps01', endpoint: '203.0.113.130' });
  expect(r.edits.map((e) => `${e.where}: ${e.before} → ${e.after}`)).toEqual([
    'hosts.vps01.outer_ipv4: 203.0.113.10 → 203.0.113.130',
    'hosts.vps01.interfaces.0.inet: 203.0.113.10/25 → 203.0.113.130/25',
  ]);
  const lines = text.split('\n');
  expect(lines[r.edits[0].line - 1]).toMatch(/^\s+outer_ipv4: 203\.0\.113\.10$/);
  const changed = r.text.split('\n').map((l, i) => (l === lines[i] ? null : i + 1)).filter((n) => n !== null);
  expect(changed).toEqual([...new Set(r.edits.map((e) => e.line))]);
  expect(r.text).toContain('remote: vps01               # vps01\'s outer_ipv4: moving vps01 is one edit there');
  const doc = parse(r.text);
  expect(doc.hosts.vps01.outer_ipv4).toBe('203.0.113.130');
  expect(doc.hosts.router01.outer_ipv4).toBe('198.51.100.10');
});

test('a new provider: gateways and the IPv6 address of the provider interface, quoting kept', () => {
  const r = migrateInventoryText(text, 'lab.yaml', { host: 'vps01', endpoint: '203.0.113.130', gateway: '203.0.113.129', inet6: '2001:db8:204::10/64', gateway6: '2001:db8:204::1' });
  expect(r.edits.map((e) => e.where)).toEqual([
    'hosts.vps01.outer_ipv4',
    'hosts.vps01.interfaces.0.inet',
    'hosts.vps01.interfaces.0.inet6',
    'hosts.vps01.routes.0.via',
    'hosts.vps01.routes.1.via',
  ]);
  expect(r.text).toContain('inet6: "2001:db8:204::10/64"');
  expect(r.text).toContain('{ dest: "::/0", via: "2001:db8:204::1", fib: 0 }');
  // the FIB 1 default route (through the tunnel, inside the operator's space) is not touched
  expect(r.text).toContain('{ dest: "::/0", via: "2a06:9801:1c:ffff::1", fib: 1 }');
});

test('a tunnel that spells the old endpoint out is retargeted too', () => {
  const literal = text.replace('remote: vps01               #', 'remote: 203.0.113.10        #');
  const r = migrateInventoryText(literal, 'lab.yaml', { host: 'vps01', endpoint: '203.0.113.130' });
  expect(r.edits.map((e) => e.where)).toContain('hosts.router01.tunnels.1.remote');
});

test('an outer_ipv4 that comes from a group is refused with the file and line to change', () => {
  const grouped = text.replace(/\n    outer_ipv4: 203\.0\.113\.10\n/, '\n').replace('      fibs: 2\n', '      fibs: 2\n      outer_ipv4: 203.0.113.10\n');
  const line = grouped.split('\n').findIndex((l) => l.includes('outer_ipv4: 203.0.113.10')) + 1;
  expect(() => migrateInventoryText(grouped, 'lab.yaml', { host: 'vps01', endpoint: '203.0.113.130' })).toThrow(
    `vps01's outer_ipv4 is not in its own entry: it comes from lab.yaml:${line} (groups.edge.vars.outer_ipv4), which other hosts share`,
  );
  expect(() => migrateInventoryText(text, 'lab.yaml', { host: 'vps01', endpoint: '203.0.113.10' })).toThrow(/already 203\.0\.113\.10/);
});

test('the hosts re-provisioned: HOST and every host with a tunnel to it', () => {
  expect(hostsPointingAt(LAB, 'vps01')).toEqual(['router01']);
  expect(hostsPointingAt(LAB, 'router01').sort()).toEqual(['dcgw01', 'vps01']);
});

test('the summary names each changed line per host', () => {
  const result = {
    hosts: [
      {
        host: 'router01',
        tasks: [
          { name: 'rc.conf: tunnels', kind: 'task', status: 'changed', changes: [{ summary: 'x', diff: { kind: 'value', key: 'ifconfig_gif0', before: 'tunnel a b', after: 'tunnel a c' } }] },
          { name: 'kld: if_gre', kind: 'task', status: 'ok', changes: [] },
          { name: 'file', kind: 'task', status: 'changed', changes: [{ summary: 'y', diff: { kind: 'file', path: '/etc/x', before: 'keep\nold\n', after: 'keep\nnew\n' } }] },
        ],
      },
    ],
  } as unknown as RunResult;
  expect(changedLines(result)).toEqual(['router01  rc.conf: tunnels  ifconfig_gif0: tunnel a b → tunnel a c', 'router01  /etc/x  - old', 'router01  /etc/x  + new']);
});

describe('the command', () => {
  let dir: string;
  let out: { stdout: string; stderr: string; connected: number };
  let io: CliIO;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pv-migrate-'));
    out = { stdout: '', stderr: '', connected: 0 };
    io = {
      stdout: (t) => (out.stdout += t),
      stderr: (t) => (out.stderr += t),
      isTTY: false,
      cwd: dir,
      connect: async (host) => {
        out.connected++;
        // the first connection is migrate reading vps01 at its new address; the plays' are refused
        if (out.connected === 1 && host.name === 'vps01' && host.ssh.port === 2202) return movedHost();
        throw new Error('no host should be contacted');
      },
    };
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('bad input is refused before anything is contacted', async () => {
    const inv = path.join(dir, 'lab.yaml');
    fs.writeFileSync(inv, text);
    expect(await runCli(['migrate', 'vps01', '--endpoint', '203.0.113.300', '-i', inv], io)).toBe(3);
    expect(out.stderr).toMatch(/--endpoint must be an IPv4 address/);
    expect(await runCli(['migrate', 'nosuch', '--endpoint', '203.0.113.130', '-i', inv], io)).toBe(3);
    expect(await runCli(['migrate', 'vps01', '--endpoint', '203.0.113.130', '--inet6', '2001:db8::10', '-i', inv], io)).toBe(3);
    expect(out.connected).toBe(0);
    expect(fs.readFileSync(inv, 'utf8')).toBe(text);
  });

  test('--check: the edits are shown, the inventory is left alone, the plays run in check mode', async () => {
    const inv = path.join(dir, 'lab.yaml');
    fs.writeFileSync(inv, text);
    const code = await runCli(['migrate', 'vps01', '--endpoint', '203.0.113.130', '--check', '-i', inv], io);
    expect(out.stdout).toContain('inventory edits (not made, --check):\n  lab.yaml:');
    expect(out.stdout).toContain('hosts.vps01.outer_ipv4: 203.0.113.10 → 203.0.113.130');
    expect(fs.readFileSync(inv, 'utf8')).toBe(text);
    expect(out.stdout).toContain('read from vps01 at 203.0.113.130: vtnet0 inet 203.0.113.130/25 inet6 2001:db8:204::10/64, default via 203.0.113.129, ::/0 via 2001:db8:204::1');
    for (const e of ['interfaces.0.inet: 203.0.113.10/25 → 203.0.113.130/25', 'interfaces.0.inet6: 2001:db8:203::10/64 → 2001:db8:204::10/64', 'routes.0.via: 203.0.113.1 → 203.0.113.129', 'routes.1.via: 2001:db8:203::1 → 2001:db8:204::1']) {
      expect(out.stdout).toContain(`hosts.vps01.${e}`);
    }
    expect(fs.readFileSync(inv, 'utf8')).toBe(text);
    expect(out.connected).toBe(3); // the read, then vps01 and router01 (refused by this test's transport)
    expect(code).toBe(4);
  });

  test('a provider side that cannot be read exits 3 naming the flags, and changes nothing', async () => {
    const inv = path.join(dir, 'lab.yaml');
    fs.writeFileSync(inv, text);
    io.connect = async () => {
      out.connected++;
      throw new Error('connect ECONNREFUSED');
    };
    expect(await runCli(['migrate', 'vps01', '--endpoint', '203.0.113.130', '-i', inv], io)).toBe(3);
    expect(out.stderr).toMatch(/cannot read vps01's provider side at 127\.0\.0\.1: connect ECONNREFUSED/);
    expect(out.stderr).toMatch(/hint: give --endpoint ADDR\/LEN, --gateway/);
    expect(out.connected).toBe(1);
    expect(fs.readFileSync(inv, 'utf8')).toBe(text);
  });

  test('an endpoint the moved host does not have exits 3, naming --endpoint', async () => {
    const inv = path.join(dir, 'lab.yaml');
    fs.writeFileSync(inv, text);
    expect(await runCli(['migrate', 'vps01', '--endpoint', '192.0.2.77', '-i', inv], io)).toBe(3);
    expect(out.stderr).toMatch(/the host at 192\.0\.2\.77: no interface has the address 192\.0\.2\.77/);
    expect(fs.readFileSync(inv, 'utf8')).toBe(text);
  });
});
