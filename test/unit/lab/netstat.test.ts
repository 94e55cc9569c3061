// netstat -rn over a recorded Linux namespace: FreeBSD's column layout (usr.bin/netstat/route.c,
// research §6.2), flag letters from Linux route types, FIB selection and its errors.
import { readFileSync } from 'fs';
import { join } from 'path';
import { exec } from '../../helpers/fake-host';
import { recordedHost } from './_linux-fixture';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../fixtures/freebsd/netstat', name), 'utf8');

test('netstat -rn prints both families of FIB 0 in FreeBSD columns', async () => {
  expect(await exec(recordedHost(), ['netstat', '-rn'])).toEqual({ stdout: fixture('rn.txt'), stderr: '', code: 0 });
});

test('netstat -rn -F 1 -f inet6 shows FIB 1 with the (fib: 1) title', async () => {
  expect((await exec(recordedHost(), ['netstat', '-rn', '-F', '1', '-f', 'inet6'])).stdout).toBe(fixture('rn-F1-f-inet6.txt'));
  expect((await exec(recordedHost(), ['netstat', '-rnF1', '-finet6'])).stdout).toBe(fixture('rn-F1-f-inet6.txt'));
});

test('header widths: 18/18 for inet, 33/29 for inet6, flags 6, netif 8 right-aligned', async () => {
  const out = (await exec(recordedHost(), ['netstat', '-rn'])).stdout.split('\n');
  const v4 = out.find((l) => l.startsWith('Destination'))!;
  expect(v4.indexOf('Gateway')).toBe(19);
  expect(v4.indexOf('Flags')).toBe(38);
  expect(v4.indexOf('Netif') + 5).toBe(38 + 7 + 8);
  const v6 = out.filter((l) => l.startsWith('Destination'))[1];
  expect(v6.indexOf('Gateway')).toBe(34);
  expect(v6.indexOf('Flags')).toBe(64);
});

test('a FIB that does not exist: netstat: N: invalid fib, exit 64', async () => {
  expect(await exec(recordedHost(), ['netstat', '-rn', '-F', '2'])).toEqual({ stdout: '', stderr: 'netstat: 2: invalid fib\n', code: 64 });
});

test('-W adds the Nhop# and Mtu columns', async () => {
  const out = (await exec(recordedHost(), ['netstat', '-rnW', '-f', 'inet'])).stdout;
  expect(out).toMatch(/\nDestination +Gateway +Flags +Nhop# +Mtu +Netif Expire\n/);
  expect(out).toMatch(/\ndefault +10\.1\.0\.1 +UGS +\d+ +1500 +vtnet0\n/);
});

test('--libxo json gives the route-information structure', async () => {
  const r = await exec(recordedHost(), ['netstat', '-rn', '-f', 'inet6', '--libxo', 'json']);
  const doc = JSON.parse(r.stdout);
  const fam = doc.statistics['route-information']['route-table']['rt-family'][0];
  expect(fam['address-family']).toBe('Internet6');
  expect(fam['rt-entry']).toContainEqual(expect.objectContaining({ destination: '2a06:9801:1c::/48', gateway: '::1', flags: 'UGSB', 'interface-name': 'lo0' }));
});
