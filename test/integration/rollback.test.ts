// Commit-confirmed over real SSH: a play that takes the management interface down cuts the tool
// off; the tool exits 1 naming the pending rollback; the host is unreachable; the timer restores
// the files and asks for a reboot; after it the host is reachable and as it was.
//
// The lab has no `reboot` on its hosts yet (a host's shutdown/reboot is Debian's systemctl), so
// the restore command here writes a request file and this test performs the lab's own reboot
// (labReboot) when it appears: exactly what a lab `reboot` command should do by itself.
import * as net from 'net';
import * as path from 'path';
import { labReboot } from '../../src/lab/reboot';
import { requireLabState } from '../../src/lab/state';
import { JsonReportSchema } from '../../src/report/json-schema';
import { useLab, onHost, provision, REPO } from './helpers/lab';
import { CUTOFF_FILE } from '../fixtures/playbooks/cutoff';

useLab(300_000);
const io = { playbookDir: path.join(REPO, 'test/fixtures/playbooks') };
const HOST = 'dcgw01';
const REBOOT_REQUEST = '/var/db/pv-lab-reboot-request';

/** true when the host's sshd greets us within `ms` (through the lab's management forwarder) */
function sshGreets(port: number, ms = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const done = (v: boolean) => {
      s.destroy();
      resolve(v);
    };
    s.setTimeout(ms, () => done(false));
    s.on('data', (d) => done(d.toString().startsWith('SSH-')));
    s.on('error', () => done(false));
  });
}

async function until(what: string, ms: number, ok: () => boolean | Promise<boolean>): Promise<number> {
  const t0 = Date.now();
  while (!(await ok())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return Date.now() - t0;
}

test('a change that cuts the host off is rolled back, and the tool says so', async () => {
  const port = requireLabState().topology.hosts[HOST].ssh_port;
  expect(await sshGreets(port)).toBe(true);
  expect(onHost(HOST, `test -e ${CUTOFF_FILE}`).code).toBe(1);

  const t0 = Date.now();
  const r = await provision(
    ['--json', '--playbook', 'cutoff', '--confirm-timeout', '60', '--command-timeout', '3', '--rollback-command', `touch ${REBOOT_REQUEST}`, HOST],
    io,
  );
  expect(r.code).toBe(1);
  const report = JsonReportSchema.parse(JSON.parse(r.stdout));
  const host = report.hosts[HOST];
  expect(host.error?.message).toMatch(/^connection lost after applying \(no new SSH connection within \d+ s\); the host will restore its previous configuration at \d\d:\d\d:\d\d \(in \d+ s\) \(rollback \/var\/db\/provision\/rollback\/\w+\)$/);
  expect(host.tasks.find((t) => t.name === `file: ${CUTOFF_FILE}`)?.status).toBe('changed');

  // cut off: no SSH greeting, while the change is in place on the host
  expect(await sshGreets(port)).toBe(false);
  expect(onHost(HOST, `cat ${CUTOFF_FILE}`).stdout).toBe('mgmt0 is going down\n');

  // the timer restores the files, then runs the restore command (here: the reboot request)
  const waited = await until('the rollback timer', 75_000, () => onHost(HOST, `test -e ${REBOOT_REQUEST}`).code === 0);
  expect(Date.now() - t0).toBeGreaterThanOrEqual(55_000); // not before the confirm timeout
  expect(onHost(HOST, `test -e ${CUTOFF_FILE}`).code).toBe(1); // it did not exist before the play
  onHost(HOST, `rm -f ${REBOOT_REQUEST}`);
  await labReboot(HOST, undefined, () => undefined);
  await until('sshd after the reboot', 20_000, () => sshGreets(port));
  expect(waited).toBeGreaterThan(0);

  // the next run sees the host as it was: both changes pending again
  const check = await provision(['--check', '--playbook', 'cutoff', HOST], io);
  expect(check.code).toBe(2);
  expect(check.stdout).toMatch(/changed\s+file: \/etc\/pv-cutoff.conf/);
  expect(check.stdout).toMatch(/changed\s+cutoff: mgmt0 down/);
});

test('--no-rollback is visible, and a play that converges is disarmed on a fresh connection', async () => {
  // counted.ts has no risky task: nothing armed; skeleton neither. The plain flow with a risky
  // task that does not cut: the cutoff playbook with mgmt0 already marked done only writes its file.
  onHost(HOST, 'touch /var/db/pv-cutoff.done');
  const r = await provision(['--json', '--playbook', 'cutoff', '--confirm-timeout', '60', '--rollback-command', `touch ${REBOOT_REQUEST}`, HOST], io);
  expect(r.code).toBe(0);
  const report = JsonReportSchema.parse(JSON.parse(r.stdout));
  expect(report.hosts[HOST].error).toBeUndefined();
  // disarmed: this run's rollback directory is gone (the fired one of the first test stays as a record)
  expect(onHost(HOST, `test -e /var/db/provision/rollback/${report.runId}`).code).toBe(1);
  expect(onHost(HOST, 'ls /var/db/provision/rollback/*/armed 2>/dev/null').stdout.trim()).toBe('');
  await new Promise((res) => setTimeout(res, 1000));
  expect(onHost(HOST, `test -e ${REBOOT_REQUEST}`).code).toBe(1);

  onHost(HOST, `rm -f ${CUTOFF_FILE}`);
  const off = await provision(['--no-rollback', '--playbook', 'cutoff', HOST], io);
  expect(off.code).toBe(0);
  expect(off.stderr).toContain('--no-rollback: a change that cuts a host off will NOT be undone');
  expect(off.stdout).toMatch(/warning\s+rollback disabled \(--no-rollback\)/);
});
