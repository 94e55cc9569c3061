// pfctl(8) on a fake host: enable/disable messages and exit codes (pfctl.c), -nf checks,
// loading, -s rules, and the nft program it drives.
import { readFileSync } from 'fs';
import { join } from 'path';
import { FakeHost, exec } from '../../helpers/fake-host';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../fixtures/freebsd/pfctl', name), 'utf8');

function host(): FakeHost {
  const h = new FakeHost('fw', { '/etc/pf.conf': fixture('router.pf.conf'), '/root/bad.conf': fixture('out-of-order.pf.conf') });
  h.kernel.kld.loaded.push('pf.ko');
  return h;
}

const nftRuns = (h: FakeHost) => h.runs.filter((r) => r.argv[0] === '/usr/sbin/nft');

test('without pf.ko there is no /dev/pf', async () => {
  const h = new FakeHost('fw');
  expect(await exec(h, ['pfctl', '-s', 'info'])).toEqual({ stdout: '', stderr: 'pfctl: /dev/pf: No such file or directory\n', code: 1 });
});

test('-nf checks only: silent on success, FILE:LINE errors and exit 1 on failure', async () => {
  const h = host();
  expect(await exec(h, ['pfctl', '-nf', '/etc/pf.conf'])).toEqual({ stdout: '', stderr: '', code: 0 });
  expect(await exec(h, ['pfctl', '-n', '-f', 'bad.conf'])).toEqual({ stdout: '', stderr: fixture('out-of-order.nf.stderr').replace(/out-of-order.pf.conf/g, 'bad.conf'), code: 1 });
  expect(h.kernel.pf.rules).toBeNull();
  expect(nftRuns(h)).toEqual([]);
});

test('-f with errors loads nothing and says so', async () => {
  const r = await exec(host(), ['pfctl', '-f', '/root/bad.conf']);
  expect(r.code).toBe(1);
  expect(r.stderr.endsWith('pfctl: Syntax error in config file: pf rules not loaded\n')).toBe(true);
  expect(await exec(host(), ['pfctl', '-f', '/etc/nope.conf'])).toEqual({ stdout: '', stderr: 'pfctl: /etc/nope.conf: No such file or directory\npfctl: Syntax error in config file: pf rules not loaded\n', code: 1 });
});

test('-f loads, -e enables (installing the nft table), -e again fails, -d disables', async () => {
  const h = host();
  expect(await exec(h, ['pfctl', '-f', '/etc/pf.conf'])).toEqual({ stdout: '', stderr: '', code: 0 });
  expect(nftRuns(h)).toEqual([]); // loaded, not enabled: nothing filters yet
  expect((await exec(h, ['pfctl', '-s', 'rules'])).stdout).toBe(fixture('router.rules.txt'));
  expect(await exec(h, ['pfctl', '-e'])).toEqual({ stdout: '', stderr: 'pf enabled\n', code: 0 });
  const load = nftRuns(h)[0];
  expect(load.argv).toEqual(['/usr/sbin/nft', '-f', '-']);
  expect(load.stdin).toMatch(/^table inet pf\ndelete table inet pf\ntable inet pf \{/);
  expect(h.runs.map((r) => r.argv.join(' '))).toContain('/usr/sbin/ip -6 rule add priority 1100 fwmark 0x100/0xff00 lookup 2001');
  expect(await exec(h, ['pfctl', '-e'])).toEqual({ stdout: '', stderr: 'pfctl: pf already enabled\n', code: 1 });
  expect((await exec(h, ['pfctl', '-si'])).stdout).toMatch(/^Status: Enabled for 0 days 00:00:0\d {11}Debug: Urgent\n\nState Table/);
  expect(await exec(h, ['pfctl', '-d'])).toEqual({ stdout: '', stderr: 'pf disabled\n', code: 0 });
  expect(nftRuns(h).pop()!.argv).toEqual(['/usr/sbin/nft', 'delete', 'table', 'inet', 'pf']);
  expect(await exec(h, ['pfctl', '-d'])).toEqual({ stdout: '', stderr: 'pfctl: pf not enabled\n', code: 1 });
});

test('-q silences the enable message; -vnf echoes the parsed rules', async () => {
  const h = host();
  expect(await exec(h, ['pfctl', '-eq'])).toEqual({ stdout: '', stderr: '', code: 0 });
  expect((await exec(h, ['pfctl', '-vnf', '/etc/pf.conf'])).stdout).toBe(fixture('router.rules.txt'));
});

test('an unknown option prints usage', async () => {
  const r = await exec(host(), ['pfctl', '-Z']);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^usage: pfctl /);
});
