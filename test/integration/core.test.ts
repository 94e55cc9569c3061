// The core over real SSH against the lab (issue: the core): a playbook converges, check mode
// changes nothing, host keys are checked, the host lock holds, and round trips do not grow
// with the number of tasks.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { useLab, onHost, provision, LAB_INVENTORY, REPO } from './helpers/lab';
import { JsonReportSchema } from '../../src/report/json-schema';

useLab();
const FIXTURE_PLAYBOOKS = path.join(REPO, 'test/fixtures/playbooks');

/** Files and runtime values the skeleton playbook touches, read on the host itself. */
function snapshot(host: string): string {
  return onHost(host, 'cat /etc/rc.conf /etc/sysctl.conf; ls -l /etc/motd.template 2>&1; sysctl -n net.inet.ip.gifttl').stdout;
}

test('--check changes nothing on the host, and exits 2 with the pending diffs', async () => {
  const before = snapshot('router01');
  const r = await provision(['--check', '--diff', '--playbook', 'skeleton', 'router01']);
  expect(r.code).toBe(2);
  expect(r.stdout).toMatch(/changed\s+sysrc: gateway_enable\n\s+gateway_enable: NO -> YES/);
  expect(r.stdout).toContain('+net.inet.ip.gifttl=64');
  expect(snapshot('router01')).toBe(before);
});

test('a playbook run twice reports changes, then changed=0', async () => {
  const first = await provision(['--playbook', 'skeleton', 'router01']);
  expect(first.code).toBe(0);
  expect(first.stdout).toMatch(/router01\s+ok=0 changed=3 failed=0 skipped=0/); // no ROA preflight: skeleton does not touch FRR
  expect(onHost('router01', 'sysrc -n gateway_enable').stdout.trim()).toBe('YES');
  expect(onHost('router01', 'sysctl -n net.inet.ip.gifttl').stdout.trim()).toBe('64');

  const second = await provision(['--playbook', 'skeleton', 'router01']);
  expect(second.code).toBe(0);
  expect(second.stdout).toMatch(/router01\s+ok=\d+ changed=0 failed=0 skipped=0/);
});

test('a no-op run costs the same SSH round trips for 5 and for 20 tasks', async () => {
  const roundTrips = async (n: number) => {
    process.env.PV_TASKS = String(n);
    await provision(['--playbook', 'counted', 'vps01'], { playbookDir: FIXTURE_PLAYBOOKS }); // converge
    const r = await provision(['--json', '--playbook', 'counted', 'vps01'], { playbookDir: FIXTURE_PLAYBOOKS });
    const report = JsonReportSchema.parse(JSON.parse(r.stdout));
    expect(report.hosts.vps01.totals).toMatchObject({ changed: 0, ok: n });
    return report.hosts.vps01.roundTrips;
  };
  try {
    const five = await roundTrips(5);
    const twenty = await roundTrips(20);
    expect(twenty).toBe(five);
    expect(five).toBeLessThanOrEqual(2);
  } finally {
    delete process.env.PV_TASKS;
  }
});

test('an unknown host key is refused (exit 4) unless --accept-new-host-keys', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pv-kh-'));
  try {
    const empty = path.join(dir, 'known_hosts');
    fs.writeFileSync(empty, '');
    const inv = path.join(dir, 'inv.yaml');
    fs.writeFileSync(inv, fs.readFileSync(LAB_INVENTORY, 'utf8').replace(/known_hosts: \S+/, `known_hosts: ${empty}`));
    const refused = await provision(['--inventory', inv, '--check', '--playbook', 'skeleton', 'dcgw01']);
    expect(refused.code).toBe(4);
    expect(refused.stdout + refused.stderr).toMatch(/host key/i);
    const accepted = await provision(['--inventory', inv, '--check', '--accept-new-host-keys', '--playbook', 'skeleton', 'dcgw01']);
    expect(accepted.code).toBe(2);
    expect(fs.readFileSync(empty, 'utf8')).toMatch(/ssh-ed25519/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a second run against a locked host is refused at once, naming the holder', async () => {
  const io = { playbookDir: FIXTURE_PLAYBOOKS };
  const first = provision(['--playbook', 'slow', 'dcgw01'], io);
  await new Promise((r) => setTimeout(r, 1500)); // the first run holds the lock by now
  const t0 = Date.now();
  const second = await provision(['--playbook', 'slow', 'dcgw01'], io);
  expect(Date.now() - t0).toBeLessThan(2500);
  expect(second.code).toBe(1);
  expect(second.stdout + second.stderr).toMatch(/lock/i);
  expect((await first).code).toBe(0);
});
