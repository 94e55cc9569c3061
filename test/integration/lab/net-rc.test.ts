// rc.d/netif from rc.conf on real namespaces: cloned gif interfaces with create_args, the
// _ipv6 and _aliasN variables and descriptions; stop tears it down without touching mgmt0.
import { eventuallyPings, nsRun, teardown, triangle, type Triangle } from './_netns-host';
import { netif } from '../../../src/lab/freebsd/rc.d/netif';

jest.setTimeout(60_000);

let t: Triangle | undefined;

const rcConf = (local: string, remote: string, inner: string, peer: string) =>
  [
    'cloned_interfaces="gif0"',
    `create_args_gif0="tunnel ${local} ${remote}"`,
    'ifconfig_gif0="mtu 1440 up"',
    `ifconfig_gif0_ipv6="${inner} ${peer} prefixlen 128"`, // no leading inet6: rc warns and adds it
    'ifconfig_gif0_descr="tunnel to the other side"',
    `ifconfig_lo0_alias0="inet6 2a06:9801:1c::${local.endsWith('1.0.2') ? '1' : '2'} prefixlen 128"`,
    '',
  ].join('\n');

beforeAll(async () => {
  t = await triangle('rc');
  await t.a.fs.write('/etc/rc.conf', rcConf('10.1.0.2', '10.2.0.2', '2a06:9801:1c:ffff::1', '2a06:9801:1c:ffff::2'));
  await t.b.fs.write('/etc/rc.conf', rcConf('10.2.0.2', '10.1.0.2', '2a06:9801:1c:ffff::2', '2a06:9801:1c:ffff::1'));
  // a's management interface: netif must leave it alone.
  await nsRun(t.a.ns, ['/usr/sbin/ip', 'link', 'add', 'mgmt0', 'type', 'veth', 'peer', 'name', 'mgmtpeer', 'netns', t.router]);
  await nsRun(t.a.ns, ['/usr/sbin/ip', 'addr', 'add', '198.18.0.1/24', 'dev', 'mgmt0']);
  await nsRun(t.a.ns, ['/usr/sbin/ip', 'link', 'set', 'mgmt0', 'up']);
  t.a.kernel.ifaces.mgmt0 = { linux: 'mgmt0', kind: 'mgmt', fib: 0, tunnelfib: 0, tunnel: null, description: null, up: true, mtu: 1500, inet6: [], inet: [] };
});

afterAll(() => teardown(t));

test('netif start creates and configures gif0 from rc.conf on both ends', async () => {
  const a = await netif.commands.start(t!.a, []);
  await netif.commands.start(t!.b, []);
  expect(a.stdout).toMatch(/^Created clone interfaces: gif0\.\n/);
  expect(a.stdout).toMatch(/\nStarting Network: lo0 gif0\.\n/); // vtnet0 has no ifconfig_vtnet0 here
  expect(a.stdout).not.toMatch(/Starting Network:.*mgmt0/);
  expect(a.stderr).toContain('$ifconfig_gif0_ipv6 needs leading "inet6" keyword');
  const gif = (await t!.a.must('ifconfig', 'gif0')).stdout;
  expect(gif).toMatch(/ mtu 1440\n\tdescription: tunnel to the other side\n/);
  expect(gif).toContain('\tinet6 2a06:9801:1c:ffff::1 --> 2a06:9801:1c:ffff::2 prefixlen 128\n');
  expect((await t!.a.must('ifconfig', 'lo0')).stdout).toContain('\tinet6 2a06:9801:1c::1 prefixlen 128\n');
  expect(await eventuallyPings(t!.a.ns, '2a06:9801:1c:ffff::2')).toBe(true);
});

test('netif stop removes addresses, downs interfaces, destroys clones; mgmt0 stays', async () => {
  const r = await netif.commands.stop(t!.a, []);
  expect(r.stdout).toBe('Stopping Network: lo0 vtnet0 gif0.\nDestroyed clone interfaces: gif0.\n');
  expect((await t!.a.invoke(['ifconfig', 'gif0'])).code).toBe(1);
  const vtnet = (await t!.a.must('ifconfig', 'vtnet0')).stdout;
  expect(vtnet).not.toMatch(/\tinet /);
  expect(vtnet).toMatch(/^vtnet0: flags=[0-9a-f]+<BROADCAST,SIMPLEX,MULTICAST>/);
  expect((await t!.a.must('ifconfig', 'lo0')).stdout).toContain('inet 127.0.0.1 netmask 0xff000000');
  expect((await t!.a.must('ifconfig', 'mgmt0')).stdout).toContain('\tinet 198.18.0.1 netmask 0xffffff00 broadcast 198.18.0.255\n');
});
