// gif tunnels on real namespaces: two lab hosts joined through a router, gif0 on each side
// made with the emulated ifconfig. Inner IPv6 works only while both ends name each other.
import { eventuallyPings, pings, teardown, triangle, type Triangle } from './_netns-host';

jest.setTimeout(60_000);

let t: Triangle | undefined;

beforeAll(async () => {
  t = await triangle('tun');
  await t.a.must('ifconfig', 'gif0', 'create');
  await t.a.must('ifconfig', 'gif0', 'tunnel', '10.1.0.2', '10.2.0.2');
  await t.a.must('ifconfig', 'gif0', 'inet6', '2001:db8:ffff::1', '2001:db8:ffff::2', 'prefixlen', '128', 'up');
  await t.b.must('ifconfig', 'gif0', 'create');
  await t.b.must('ifconfig', 'gif0', 'tunnel', '10.2.0.2', '10.1.0.2');
  await t.b.must('ifconfig', 'gif0', 'inet6', '2001:db8:ffff::2', '2001:db8:ffff::1', 'prefixlen', '128', 'up');
});

afterAll(() => teardown(t));

test('the outer path works natively', async () => {
  expect(await eventuallyPings(t!.a.ns, '10.2.0.2')).toBe(true);
});

test('ifconfig shows the tunnel as FreeBSD does', async () => {
  const r = await t!.a.must('ifconfig', 'gif0');
  expect(r.stdout).toMatch(/^gif0: flags=[0-9a-f]+<UP,POINTOPOINT,RUNNING,MULTICAST.*> metric 0 mtu 1280\n/);
  expect(r.stdout).toContain('\ttunnel inet 10.1.0.2 --> 10.2.0.2\n');
  expect(r.stdout).toContain('\tinet6 2001:db8:ffff::1 --> 2001:db8:ffff::2 prefixlen 128\n');
  expect(r.stdout).toContain('\tgroups: gif\n');
  expect(r.stdout).not.toContain('fib:');
  expect((await t!.a.must('ifconfig', '-l')).stdout.trim().split(' ')).toEqual(expect.arrayContaining(['lo0', 'vtnet0', 'gif0']));
});

test('inner IPv6 crosses the tunnel, breaks with a wrong far end, heals when fixed', async () => {
  expect(await eventuallyPings(t!.a.ns, '2001:db8:ffff::2')).toBe(true);

  await t!.a.must('ifconfig', 'gif0', 'tunnel', '10.1.0.2', '10.2.0.99');
  expect((await t!.a.must('ifconfig', 'gif0')).stdout).toContain('tunnel inet 10.1.0.2 --> 10.2.0.99');
  expect(await pings(t!.a.ns, '2001:db8:ffff::2')).toBe(false);
  expect(await pings(t!.b.ns, '2001:db8:ffff::1')).toBe(false);

  await t!.a.must('ifconfig', 'gif0', 'tunnel', '10.1.0.2', '10.2.0.2');
  // The retarget kept the inner address and the up state.
  expect((await t!.a.must('ifconfig', 'gif0')).stdout).toContain('inet6 2001:db8:ffff::1 --> 2001:db8:ffff::2 prefixlen 128');
  expect(await eventuallyPings(t!.a.ns, '2001:db8:ffff::2')).toBe(true);
  expect(await eventuallyPings(t!.b.ns, '2001:db8:ffff::1')).toBe(true);
});

test('destroy removes the interface', async () => {
  await t!.b.must('ifconfig', 'gif0', 'destroy');
  const r = await t!.b.invoke(['ifconfig', 'gif0']);
  expect(r).toEqual({ stdout: '', stderr: 'ifconfig: interface gif0 does not exist\n', code: 1 });
});
