// FIBs on real namespaces: host a has net.fibs=2 and gif0 in FIB 1, with a FIB 1 default route
// through the tunnel and the FIB 0 default route via the provider link. Traffic sourced from
// the FIB 1 address (or started with setfib 1) leaves through the tunnel, the rest natively.
import { eventuallyPings, nsRun, sh, teardown, triangle, txPackets, type Triangle } from './_netns-host';

jest.setTimeout(60_000);

let t: Triangle | undefined;

beforeAll(async () => {
  t = await triangle('fib');
  t.a.kernel.sysctl['net.fibs'] = '2';
  await t.a.must('ifconfig', 'gif0', 'create');
  await t.a.must('ifconfig', 'gif0', 'tunnel', '10.1.0.2', '10.2.0.2');
  await t.a.must('ifconfig', 'gif0', 'inet6', '2001:db8:ffff::1', '2001:db8:ffff::2', 'prefixlen', '128', 'fib', '1', 'up');
  await t.b.must('ifconfig', 'gif0', 'create');
  await t.b.must('ifconfig', 'gif0', 'tunnel', '10.2.0.2', '10.1.0.2');
  await t.b.must('ifconfig', 'gif0', 'inet6', '2001:db8:ffff::2', '2001:db8:ffff::1', 'prefixlen', '128', 'up');
});

afterAll(() => teardown(t));

test('a FIB number >= net.fibs is refused like FreeBSD (EINVAL)', async () => {
  expect(await t!.a.invoke(['ifconfig', 'gif0', 'fib', '2'])).toEqual({ stdout: '', stderr: 'ifconfig: ioctl (SIOCSIFFIB): Invalid argument\n', code: 1 });
  expect(await t!.a.invoke(['route', 'add', '-6', 'default', '2001:db8:ffff::2', '-fib', '5'])).toMatchObject({ code: 64 });
  expect(await t!.a.invoke(['netstat', '-rn', '-F', '2'])).toEqual({ stdout: '', stderr: 'netstat: 2: invalid fib\n', code: 64 });
});

test('ifconfig shows fib: 1 and the connected route lives in FIB 1 only', async () => {
  expect((await t!.a.must('ifconfig', 'gif0')).stdout).toContain('\tfib: 1\n');
  const fib1 = (await t!.a.must('netstat', '-rn', '-F', '1', '-f', 'inet6')).stdout;
  expect(fib1).toMatch(/^Routing tables \(fib: 1\)\n\nInternet6:\n/);
  expect(fib1).toMatch(/\n2001:db8:ffff::2 +link#\d+ +UH +gif0\n/);
  const fib0 = (await t!.a.must('netstat', '-rn', '-f', 'inet6')).stdout;
  expect(fib0).not.toContain('2001:db8:ffff::2');
});

test('route add -fib 1 puts the default route into FIB 1', async () => {
  const r = await t!.a.must('route', 'add', '-6', 'default', '2001:db8:ffff::2', '-fib', '1');
  expect(r.stdout).toBe('add net default: gateway 2001:db8:ffff::2 fib 1\n');
  const fib1 = (await t!.a.must('netstat', '-rn', '-F', '1', '-f', 'inet6')).stdout;
  expect(fib1).toMatch(/\ndefault +2001:db8:ffff::2 +UGS +gif0\n/);
  const fib0 = (await t!.a.must('netstat', '-rn', '-F', '0', '-f', 'inet6')).stdout;
  expect(fib0).toMatch(/\ndefault +2001:db8:1::1 +UGS +vtnet0\n/);
});

test('traffic from the FIB 1 address leaves through the tunnel, FIB 0 traffic natively', async () => {
  const target = '2001:db8:2::2';
  expect(await eventuallyPings(t!.a.ns, target, ['-I', '2001:db8:ffff::1'])).toBe(true);

  let gif = await txPackets(t!.a.ns, 'gif0');
  let vtnet = await txPackets(t!.a.ns, 'vtnet0');
  await nsRun(t!.a.ns, ['/usr/bin/ping', '-6', '-c', '3', '-i', '0.2', '-I', '2001:db8:ffff::1', target]);
  expect((await txPackets(t!.a.ns, 'gif0')) - gif).toBeGreaterThanOrEqual(3);

  gif = await txPackets(t!.a.ns, 'gif0');
  vtnet = await txPackets(t!.a.ns, 'vtnet0');
  await nsRun(t!.a.ns, ['/usr/bin/ping', '-6', '-c', '3', '-i', '0.2', target]);
  expect((await txPackets(t!.a.ns, 'gif0')) - gif).toBeLessThan(3);
  expect((await txPackets(t!.a.ns, 'vtnet0')) - vtnet).toBeGreaterThanOrEqual(3);
});

test('a command setfib 1 starts (as uid 61001, see host-bin/setfib) is routed in FIB 1', async () => {
  const caps = '+net_raw,+net_admin';
  const gif = await txPackets(t!.a.ns, 'gif0');
  const r = await sh(['/usr/sbin/ip', 'netns', 'exec', t!.a.ns, '/usr/bin/setpriv', '--reuid=61001', '--regid=0', '--keep-groups', `--inh-caps=${caps}`, `--ambient-caps=${caps}`, '--', '/usr/bin/ping', '-6', '-c', '3', '-i', '0.2', '2001:db8:2::2']);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('from 2001:db8:2::2');
  expect((await txPackets(t!.a.ns, 'gif0')) - gif).toBeGreaterThanOrEqual(3);
});

test('a FIB without a route fails instead of falling back to FIB 0', async () => {
  await t!.a.must('route', 'delete', '-6', 'default', '-fib', '1');
  const r = await sh(['/usr/sbin/ip', 'netns', 'exec', t!.a.ns, '/usr/bin/ping', '-6', '-c', '1', '-W', '1', '-I', '2001:db8:ffff::1', '2001:db8:2::2']);
  expect(r.code).not.toBe(0);
});

test('tunnelfib 1 routes the outer packets in FIB 1 (empty here, so the tunnel goes dark); 0 heals it', async () => {
  const fromFib1 = ['-I', '2001:db8:ffff::1']; // the peer's route is in FIB 1 only
  expect(await eventuallyPings(t!.a.ns, '2001:db8:ffff::2', fromFib1)).toBe(true);
  await t!.a.must('ifconfig', 'gif0', 'tunnelfib', '1');
  expect((await t!.a.must('ifconfig', 'gif0')).stdout).toContain('\ttunnelfib: 1\n');
  expect(await eventuallyPings(t!.a.ns, '2001:db8:ffff::2', fromFib1, 1)).toBe(false);
  await t!.a.must('ifconfig', 'gif0', 'tunnelfib', '0');
  expect((await t!.a.must('ifconfig', 'gif0')).stdout).not.toContain('tunnelfib');
  expect(await eventuallyPings(t!.a.ns, '2001:db8:ffff::2', fromFib1)).toBe(true);
});
