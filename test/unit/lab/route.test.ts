// route(8) over a recorded Linux namespace: the ip(8) argv each form becomes, FreeBSD's
// messages (route.c newroute), -fib lists, and usage errors.
import { exec } from '../../helpers/fake-host';
import { changes, recordedHost } from './_linux-fixture';

test('-blackhole and -reject become Linux blackhole / unreachable routes (no gateway in Linux)', async () => {
  const h = recordedHost();
  expect(await exec(h, ['route', 'add', '-inet6', '2a06:9801:1c::', '-prefixlen', '48', '::1', '-blackhole'])).toEqual({ stdout: 'add net 2a06:9801:1c::: gateway ::1 fib 0\n', stderr: '', code: 0 });
  expect(await exec(h, ['route', '-6', 'add', '-net', '2001:db8:100::/48', '::1', '-reject', '-fib', '1'])).toEqual({ stdout: 'add net 2001:db8:100::/48: gateway ::1 fib 1\n', stderr: '', code: 0 });
  expect(changes(h).filter((c) => c.includes('route add'))).toEqual([
    '/usr/sbin/ip -6 route add blackhole 2a06:9801:1c::/48 table 254',
    '/usr/sbin/ip -6 route add unreachable 2001:db8:100::/48 table 1001',
  ]);
});

test('-fib takes lists and ranges; one message per FIB', async () => {
  const h = recordedHost();
  const r = await exec(h, ['route', 'add', 'default', '10.1.0.1', '-fib', '0-1']);
  expect(r.stdout).toBe('add net default: gateway 10.1.0.1 fib 0\nadd net default: gateway 10.1.0.1 fib 1\n');
  expect(changes(h).filter((c) => c.includes('route add'))).toEqual(['/usr/sbin/ip -4 route add default via 10.1.0.1 table 254', '/usr/sbin/ip -4 route add default via 10.1.0.1 table 1001']);
});

test('host routes, -interface and -q', async () => {
  const h = recordedHost();
  expect(await exec(h, ['route', '-q', 'add', '-host', '192.0.2.7', '-interface', 'gif0'])).toEqual({ stdout: '', stderr: '', code: 0 });
  expect(changes(h)).toContain('/usr/sbin/ip -4 route add 192.0.2.7/32 dev gif0 table 254');
  expect((await exec(h, ['route', 'add', '2001:db8:5::1', '2001:db8:1::1'])).stdout).toBe('add host 2001:db8:5::1: gateway 2001:db8:1::1 fib 0\n');
});

test('a FIB beyond net.fibs, unknown keywords and missing arguments are usage errors', async () => {
  const h = recordedHost();
  expect(await exec(h, ['route', 'add', 'default', '10.1.0.1', '-fib', '2'])).toEqual({ stdout: '', stderr: 'route: 2: invalid fib number\n', code: 64 });
  expect((await exec(h, ['route', 'add', 'default', '10.1.0.1', '-bogus'])).code).toBe(64);
  expect((await exec(h, ['route', 'add'])).code).toBe(64);
  expect((await exec(h, ['route'])).stderr).toBe('usage: route [-46dnqtv] command [[modifiers] args]\n');
  expect(changes(h)).toEqual([]);
});

test('a Linux refusal is reported the FreeBSD way', async () => {
  const h = recordedHost();
  const base = h.onRun;
  h.onRun = (argv, o) => (argv.includes('add') && argv.includes('route') ? { stdout: '', stderr: 'RTNETLINK answers: File exists\n', code: 2 } : base(argv, o));
  expect(await exec(h, ['route', 'add', '-6', 'default', '2001:db8:1::1'])).toEqual({
    stdout: 'add net default: gateway 2001:db8:1::1 fib 0: route already in table\n',
    stderr: 'route: writing to routing socket: File exists\n',
    code: 1,
  });
});

test('route -n get finds the longest match in the FIB', async () => {
  const h = recordedHost();
  const r = await exec(h, ['route', '-n', 'get', '-inet6', '2a06:9801:1c::5']);
  expect(r.stdout).toContain('destination: 2a06:9801:1c::\n       mask: ffff:ffff:ffff::\n        fib: 0\n    gateway: ::1\n  interface: lo0\n      flags: <UP,GATEWAY,DONE,STATIC,BLACKHOLE>\n');
  const d = await exec(h, ['route', '-n', 'get', '-inet6', 'default', '-fib', '1']);
  expect(d.stdout).toContain('    gateway: 2001:db8:ffff::2\n  interface: gif0\n');
});

test('route flush removes gateway routes only, printing "dest gateway -fib N done"', async () => {
  const h = recordedHost();
  const r = await exec(h, ['route', '-n', 'flush', '-inet']);
  expect(r.stdout).toBe('default              10.1.0.1             -fib 0   done\n198.51.100.0/24      127.0.0.1            -fib 0   done\n');
  expect(changes(h)).toEqual(['/usr/sbin/ip -4 route del default table 254', '/usr/sbin/ip -4 route del unreachable 198.51.100.0/24 table 254']);
});

test('a scoped link-local gateway names its interface', async () => {
  const h = recordedHost();
  expect((await exec(h, ['route', 'add', '-inet6', 'default', 'fe80::1%vtnet0'])).code).toBe(0);
  expect(changes(h)).toContain('/usr/sbin/ip -6 route add default via fe80::1 dev vtnet0 table 254');
});
