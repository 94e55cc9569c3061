// ifconfig(8) against a recorded Linux namespace: FreeBSD's listing formats (research §5.1),
// error messages, and the ip(8) argv each change turns into.
import { exec } from '../../helpers/fake-host';
import { changes, recordedHost } from './_linux-fixture';

import { tunnelLink, tunnelMac } from '../../../src/lab/tunnel';

test('ifconfig gif0 prints the FreeBSD status block', async () => {
  const r = await exec(recordedHost(), ['ifconfig', 'gif0']);
  expect(r.code).toBe(0);
  const lines = r.stdout.split('\n');
  expect(lines[4]).toMatch(/^\tinet6 fe80::[0-9a-f:]+%gif0 prefixlen 64 scopeid 0x4$/);
  lines[4] = '<link-local>';
  expect(lines).toEqual([
    'gif0: flags=1008051<UP,POINTOPOINT,RUNNING,MULTICAST,LOWER_UP> metric 0 mtu 1280',
    '\tdescription: to hostb',
    '\toptions=80000<LINKSTATE>',
    '\ttunnel inet 10.1.0.2 --> 10.2.0.2',
    '<link-local>',
    '\tinet6 2001:db8:ffff::1 --> 2001:db8:ffff::2 prefixlen 128',
    '\tgroups: gif',
    '\tfib: 1',
    '\tnd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>',
    '',
  ]);
});

test('vtnet0 shows inet with netmask and broadcast, and no fib line in FIB 0', async () => {
  const r = await exec(recordedHost(), ['ifconfig', 'vtnet0']);
  expect(r.stdout).toMatch(/^vtnet0: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500\n/);
  expect(r.stdout).toContain('\tinet 10.1.0.2 netmask 0xffffff00 broadcast 10.1.0.255\n');
  expect(r.stdout).toContain('\tinet6 2001:db8:1::2 prefixlen 64\n');
  expect(r.stdout).not.toContain('fib:');
});

test('-l lists names on one line; -l inet and -g gif filter', async () => {
  const h = recordedHost();
  expect((await exec(h, ['ifconfig', '-l'])).stdout).toBe('lo0 vtnet0 gif0\n');
  expect((await exec(h, ['ifconfig', '-g', 'gif'])).stdout).toBe('gif0\n');
  expect((await exec(h, ['ifconfig', '-l', 'inet'])).stdout).toBe('lo0 vtnet0\n');
});

test('an unknown interface is an error with exit 1', async () => {
  expect(await exec(recordedHost(), ['ifconfig', 'gif7'])).toEqual({ stdout: '', stderr: 'ifconfig: interface gif7 does not exist\n', code: 1 });
  expect(await exec(recordedHost(), ['ifconfig', 'gif7', 'up'])).toEqual({ stdout: '', stderr: 'ifconfig: interface gif7 does not exist\n', code: 1 });
});

test('fib N >= net.fibs is EINVAL and changes nothing', async () => {
  const h = recordedHost();
  expect(await exec(h, ['ifconfig', 'gif0', 'fib', '2'])).toEqual({ stdout: '', stderr: 'ifconfig: ioctl (SIOCSIFFIB): Invalid argument\n', code: 1 });
  expect(await exec(h, ['ifconfig', 'gif0', 'tunnelfib', '3'])).toEqual({ stdout: '', stderr: 'ifconfig: ioctl (SIOCSTUNFIB): Invalid argument\n', code: 1 });
  expect(changes(h)).toEqual([]);
  expect(h.kernel.ifaces.gif0.fib).toBe(1);
});

test('gif1 create makes a vxlan device with the tunnel MAC and no learning', async () => {
  const h = recordedHost();
  const r = await exec(h, ['ifconfig', 'gif1', 'create']);
  expect(r.code).toBe(0);
  const { vni, port } = tunnelLink('gif', 'unconfigured', 'hosta/gif1');
  expect(changes(h)[0]).toBe(`/usr/sbin/ip link add gif1 address ${tunnelMac('hosta', 'gif1')} type vxlan id ${vni} dstport ${port} nolearning`);
  expect(changes(h)).toContain('/usr/sbin/ip link set dev gif1 mtu 1280');
  expect(h.kernel.ifaces.gif1).toMatchObject({ kind: 'gif', fib: 0, tunnelfib: 0, tunnel: null });
});

test('gre0 create loads if_gre.ko and uses the gre MTU', async () => {
  const h = recordedHost();
  await exec(h, ['ifconfig', 'gre0', 'create']);
  expect(h.kernel.kld.loaded).toContain('if_gre.ko');
  expect(changes(h)).toContain('/usr/sbin/ip link set dev gre0 mtu 1476');
});

test('creating an existing interface fails', async () => {
  expect(await exec(recordedHost(), ['ifconfig', 'gif0', 'create'])).toEqual({ stdout: '', stderr: 'ifconfig: SIOCIFCREATE2 (gif0): File exists\n', code: 1 });
});

test('an inet6 point-to-point alias becomes ip addr add … peer …/128', async () => {
  const h = recordedHost();
  const r = await exec(h, ['ifconfig', 'gif0', 'inet6', '2001:db8:fffe::1', '2001:db8:fffe::2', 'prefixlen', '128', 'alias']);
  expect(r.code).toBe(0);
  expect(changes(h)).toContain('/usr/sbin/ip -6 addr add 2001:db8:fffe::1 peer 2001:db8:fffe::2/128 noprefixroute nodad dev gif0');
});

test('bad values and missing arguments', async () => {
  const h = recordedHost();
  expect(await exec(h, ['ifconfig', 'gif0', 'inet6', '2001:zz::1'])).toEqual({ stdout: '', stderr: 'ifconfig: 2001:zz::1: bad value\n', code: 1 });
  expect(await exec(h, ['ifconfig', 'gif0', 'mtu'])).toEqual({ stdout: '', stderr: "ifconfig: 'mtu' requires argument\n", code: 1 });
  expect(await exec(h, ['ifconfig', 'gif0', 'tunnel', '10.1.0.2', '2001:db8::1'])).toEqual({ stdout: '', stderr: 'ifconfig: source and destination address families do not match\n', code: 1 });
  expect(await exec(h, ['ifconfig', 'gif0', 'inet6', '2001:db8::9', '-alias'])).toEqual({ stdout: '', stderr: "ifconfig: ioctl (SIOCDIFADDR_IN6): Can't assign requested address\n", code: 1 });
});

test('a physical interface cannot be destroyed', async () => {
  expect(await exec(recordedHost(), ['ifconfig', 'vtnet0', 'destroy'])).toEqual({ stdout: '', stderr: 'ifconfig: SIOCIFDESTROY: Invalid argument\n', code: 1 });
});
