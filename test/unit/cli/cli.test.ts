import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../../../src/cli/program';
import type { CliIO } from '../../../src/cli/run';
import { EXIT } from '../../../src/cli/exit-codes';
import { JsonReportSchema } from '../../../src/report/json-schema';
import { FakeRemote } from '../../helpers/fake-transport';

const INVENTORY = `operator:
  asn: 64500
  prefixes: ["2001:db8::/32"]
defaults:
  ssh: { host: 127.0.0.1, user: root }
hosts:
  router01:
    ssh: { port: 2201 }
    role: router
`;

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provision-cli-'));
  fs.mkdirSync(path.join(dir, 'inventory'));
  fs.writeFileSync(path.join(dir, 'inventory', 'lab.yaml'), INVENTORY);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function cli(remote = new FakeRemote(), isTTY = false) {
  const out = { stdout: '', stderr: '', connected: [] as string[] };
  const io: CliIO = {
    stdout: (t) => void (out.stdout += t),
    stderr: (t) => void (out.stderr += t),
    isTTY,
    cwd: dir,
    connect: async (host) => {
      out.connected.push(host.name);
      return remote.transport(host.name);
    },
  };
  return { io, out, remote };
}

function sysrcAndSysctl(remote: FakeRemote) {
  remote.handler = (cmd) => {
    if (/^sysrc -n /.test(cmd)) return { stdout: 'NO\n' };
    if (/^sysctl -n /.test(cmd)) return { stdout: '30\n' };
    return undefined;
  };
}

test('an unknown option exits 3 with the closest valid one', async () => {
  const { io, out } = cli();
  expect(await runCli(['--dif', 'router01'], io)).toBe(EXIT.invalid);
  expect(out.stderr).toMatch(/unknown option '--dif'[\s\S]*--diff/);
  expect(out.connected).toEqual([]);
});

test('an unknown target exits 3 with the closest host, nothing contacted', async () => {
  const { io, out } = cli();
  expect(await runCli(['--check', 'router1'], io)).toBe(EXIT.invalid);
  expect(out.stderr).toContain('router01');
  expect(out.connected).toEqual([]);
});

test('a bad --concurrency and an unknown playbook exit 3', async () => {
  const a = cli();
  expect(await runCli(['-c', '0', 'router01'], a.io)).toBe(EXIT.invalid);
  const b = cli();
  expect(await runCli(['--playbook', 'skeletn', 'router01'], b.io)).toBe(EXIT.invalid);
  expect(b.out.stderr).toContain('did you mean skeleton');
  expect(b.out.connected).toEqual([]);
});

test('--dry-run --json: one JSON document matching the schema, exit 2 when changes are pending, only reads sent', async () => {
  const { io, out, remote } = cli();
  sysrcAndSysctl(remote);
  expect(await runCli(['--dry-run', '--json', '--playbook', 'skeleton', 'router01'], io)).toBe(EXIT.pending);
  const doc = JsonReportSchema.parse(JSON.parse(out.stdout));
  expect(doc.check).toBe(true);
  expect(doc.hosts.router01.tasks.map((t) => t.status)).toEqual(['changed', 'changed', 'changed']);
  expect(doc.hosts.router01.roundTrips).toBe(1);
});

test('plain output off a TTY: task lines, indented diffs with --diff, and the recap', async () => {
  const { io, out, remote } = cli();
  sysrcAndSysctl(remote);
  expect(await runCli(['--check', '--diff', '--playbook', 'skeleton', 'router01'], io)).toBe(EXIT.pending);
  expect(out.stdout).toContain('router01  changed  sysrc: gateway_enable\n    gateway_enable: NO -> YES\n');
  expect(out.stdout).toContain('    +router01 (router): managed by provision');
  expect(out.stdout).toMatch(/router01  ok=0 changed=3 failed=0 skipped=0\n$/);
});

test('no inventory given and none at the default path: exit 3 with what to do', async () => {
  fs.rmSync(path.join(dir, 'inventory'), { recursive: true });
  const { io, out } = cli();
  expect(await runCli(['router01'], io)).toBe(EXIT.invalid);
  expect(out.stderr).toContain('--inventory');
});
