// Failures one host at a time: unreachable, refused host key, refused credentials, a command that
// hangs, a full disk. Each gets a clear message and the right exit code (4 for the first three, 1
// for the others), and the other hosts of the same run converge as if nothing happened.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { useLab, onHost, provision, LAB_INVENTORY } from '../helpers/lab';
import { JsonReportSchema } from '../../../src/report/json-schema';

useLab(300_000);
const PLAYBOOKS = path.join(__dirname, 'playbooks');
let dir: string;

beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pv-failures-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** the lab inventory with `edit` applied to its text */
function inventoryWith(name: string, edit: (text: string) => string): string {
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(file, edit(fs.readFileSync(LAB_INVENTORY, 'utf8')));
  return file;
}

/** the skeleton's tasks converged on a healthy host: its changes were really made */
function expectConverged(host: string): void {
  expect(onHost(host, 'sysrc -n gateway_enable').stdout.trim()).toBe('YES');
  expect(onHost(host, 'sysctl -n net.inet.ip.gifttl').stdout.trim()).toBe('64');
  // and back, so the next test sees the change again
  onHost(host, 'sysrc gateway_enable=NO >/dev/null; sysctl net.inet.ip.gifttl=30 >/dev/null; rm -f /etc/motd.template');
}

async function runJson(inv: string, playbook: string, hosts: string[], extra: string[] = []) {
  const r = await provision(['-i', inv, '--json', '--playbook', playbook, ...extra, ...hosts], { playbookDir: PLAYBOOKS });
  const report = JsonReportSchema.parse(JSON.parse(r.stdout));
  // a healthy host must have run its tasks: show its error, if any, in the failure
  for (const [name, h] of Object.entries(report.hosts)) if (h.tasks.length === 0) console.error(`${name}: no tasks ran: ${h.unreachable ?? JSON.stringify(h.error)}`);
  return { code: r.code, report, stderr: r.stderr };
}

test('an unreachable host (nothing listening): exit 4, the other host converges', async () => {
  const inv = inventoryWith('unreachable', (t) => t.replace('ssh: { port: 2202 }', 'ssh: { port: 2299 }'));
  const t0 = Date.now();
  const { code, report } = await runJson(inv, 'one-bad-host', ['router01', 'vps01']);
  expect(code).toBe(4);
  expect(report.hosts.vps01.unreachable).toMatch(/127\.0\.0\.1:2299|ECONNREFUSED|connect/i);
  expect(report.hosts.vps01.unreachable).toMatch(/gave up after \d+ attempts?/);
  expect(report.hosts.router01.totals).toMatchObject({ changed: 3, failed: 0 });
  expect(Date.now() - t0).toBeLessThan(20_000);
  expectConverged('router01');
});

test('a refused host key (known_hosts holds another key): exit 4 naming the key, the other host converges', async () => {
  const kh = fs.readFileSync('/run/provision-lab/known_hosts', 'utf8');
  // dcgw01's entry replaced by router01's key: a "changed" key, as after a reinstall or an attack
  const r01 = kh.split('\n').find((l) => l.startsWith('[127.0.0.1]:2201 '))!;
  const forged = kh.split('\n').filter((l) => !l.startsWith('[127.0.0.1]:2203 ')).join('\n') + `\n${r01.replace('[127.0.0.1]:2201', '[127.0.0.1]:2203')}\n`;
  fs.writeFileSync(path.join(dir, 'forged_known_hosts'), forged);
  const inv = inventoryWith('hostkey', (t) => t.replace(/known_hosts: \S+/, `known_hosts: ${path.join(dir, 'forged_known_hosts')}`));
  const { code, report } = await runJson(inv, 'one-bad-host', ['router01', 'dcgw01']);
  expect(code).toBe(4);
  expect(report.hosts.dcgw01.unreachable).toMatch(/host key/i);
  expect(report.hosts.dcgw01.tasks).toEqual([]);
  expect(report.hosts.router01.totals).toMatchObject({ changed: 3, failed: 0 });
  expectConverged('router01');
});

test('refused credentials (a key the host does not know): exit 4 with an authentication message', async () => {
  const key = path.join(dir, 'stranger_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  const inv = inventoryWith('auth', (t) => t.replace('ssh: { port: 2202 }', `ssh: { port: 2202, identity_file: ${key} }`));
  const { code, report } = await runJson(inv, 'one-bad-host', ['router01', 'vps01']);
  expect(code).toBe(4);
  expect(report.hosts.vps01.unreachable).toMatch(/auth/i);
  expect(report.hosts.router01.totals).toMatchObject({ changed: 3, failed: 0 });
  expectConverged('router01');
});

test('a command that hangs fails its task after --command-timeout (exit 1), the other host converges', async () => {
  process.env.PV_BAD_HOST = 'dcgw01';
  process.env.PV_FAULT = 'hang';
  try {
    const t0 = Date.now();
    const { code, report } = await runJson(LAB_INVENTORY, 'one-bad-host', ['router01', 'dcgw01'], ['--command-timeout', '10']);
    expect(Date.now() - t0).toBeLessThan(40_000);
    expect(code).toBe(1);
    const hang = report.hosts.dcgw01.tasks.find((t) => t.name.startsWith('hang:'))!;
    expect(hang.status).toBe('failed');
    expect(hang.error?.message).toMatch(/exit code 124: sleep 600/);
    expect(hang.error?.stderr).toMatch(/did not finish within 10000 ms/);
    expect(report.hosts.router01.totals).toMatchObject({ changed: 3, failed: 0 });
    expectConverged('router01');
    // the lock was still released: the connection outlived the abandoned command
    expect(onHost('dcgw01', 'test -d /var/run/provision.lock').code).not.toBe(0);
  } finally {
    delete process.env.PV_BAD_HOST;
    delete process.env.PV_FAULT;
    onHost('dcgw01', 'pkill -f "sleep 600"');
  }
});

test('a full disk fails the file task (exit 1) and leaves the old file whole, the other host converges', async () => {
  process.env.PV_BAD_HOST = 'router01';
  process.env.PV_FAULT = 'disk';
  expect(onHost('router01', 'mkdir -p /etc/pvtest && mount -t tmpfs -o size=16k tmpfs /etc/pvtest && echo old > /etc/pvtest/big.conf').code).toBe(0);
  try {
    const { code, report } = await runJson(LAB_INVENTORY, 'one-bad-host', ['router01', 'vps01']);
    expect(code).toBe(1);
    const write = report.hosts.router01.tasks.find((t) => t.name.includes('/etc/pvtest/big.conf'))!;
    expect(write.status).toBe('failed');
    expect(`${write.error?.message}\n${write.error?.stderr}`).toMatch(/No space left on device/);
    expect(onHost('router01', 'cat /etc/pvtest/big.conf').stdout).toBe('old\n');
    expect(onHost('router01', 'ls -a /etc/pvtest').stdout).not.toMatch(/\.provision\./);
    expect(report.hosts.vps01.totals).toMatchObject({ changed: 3, failed: 0 });
    expectConverged('vps01');
  } finally {
    delete process.env.PV_BAD_HOST;
    delete process.env.PV_FAULT;
    onHost('router01', 'umount /etc/pvtest; rmdir /etc/pvtest');
  }
});
