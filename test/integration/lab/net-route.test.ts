// route(8) and netstat -rn on a real namespace: blackhole and reject routes, get, delete,
// and the flush that `service routing restart` runs.
import { NetnsHost, addNs, delNs, nsRun } from './_netns-host';
import { routing } from '../../../src/lab/freebsd/rc.d/routing';

jest.setTimeout(60_000);

const NS = 'pvt-h2-rt-a';
let h: NetnsHost;

beforeAll(async () => {
  await addNs(NS);
  await nsRun(NS, ['/usr/sbin/sysctl', '-qw', 'net.ipv6.conf.all.accept_dad=0']);
  await nsRun(NS, ['/usr/sbin/sysctl', '-qw', 'net.ipv6.conf.default.accept_dad=0']);
  await nsRun(NS, ['/usr/sbin/ip', 'link', 'add', 'vtnet0', 'type', 'veth', 'peer', 'name', 'mgmt0']);
  h = new NetnsHost('rt', NS, ['vtnet0']);
  h.kernel.ifaces.mgmt0 = { linux: 'mgmt0', kind: 'mgmt', fib: 0, tunnelfib: 0, tunnel: null, description: null, up: true, mtu: 1500, inet6: [], inet: [] };
  await h.must('ifconfig', 'vtnet0', 'inet', '192.0.2.10/24', 'up');
  await h.must('ifconfig', 'vtnet0', 'inet6', '2001:db8:100::96', 'prefixlen', '64');
  await h.must('ifconfig', 'mgmt0', 'inet', '198.18.0.1/24', 'up');
});

afterAll(async () => {
  await delNs(NS);
  h.cleanup();
});

test('add a blackhole and a reject route; netstat -rn shows them; delete removes them', async () => {
  expect(await h.invoke(['route', 'add', '-inet6', '2a06:9801:1c::', '-prefixlen', '48', '::1', '-blackhole'])).toEqual({ stdout: 'add net 2a06:9801:1c::: gateway ::1\n', stderr: '', code: 0 });
  expect(await h.invoke(['route', 'add', '-net', '203.0.113.0/24', '127.0.0.1', '-reject'])).toEqual({ stdout: 'add net 203.0.113.0/24: gateway 127.0.0.1\n', stderr: '', code: 0 });
  const v6 = (await h.must('netstat', '-rn', '-f', 'inet6')).stdout;
  expect(v6).toMatch(/^Routing tables\n\nInternet6:\nDestination {23}Gateway {23}Flags {5}Netif Expire\n/);
  expect(v6).toMatch(/\n2a06:9801:1c::\/48 +::1 +UGSB +lo0\n/);
  const v4 = (await h.must('netstat', '-rn', '-f', 'inet')).stdout;
  expect(v4).toMatch(/\nDestination {8}Gateway {12}Flags {5}Netif Expire\n/);
  expect(v4).toMatch(/\n203\.0\.113\.0\/24 +127\.0\.0\.1 +UGRS +lo0\n/);
  expect(v4).toMatch(/\n192\.0\.2\.0\/24 +link#\d+ +U +vtnet0\n/);

  // The kernel really discards: a packet to the blackhole finds no way out.
  const get = await h.must('route', '-n', 'get', '-inet6', '2a06:9801:1c::1');
  expect(get.stdout).toContain('destination: 2a06:9801:1c::\n');
  expect(get.stdout).toContain('      flags: <UP,GATEWAY,DONE,STATIC,BLACKHOLE>\n');

  const dup = await h.invoke(['route', 'add', '-inet6', '2a06:9801:1c::/48', '::1', '-blackhole']);
  expect(dup).toEqual({ stdout: 'add net 2a06:9801:1c::/48: gateway ::1: route already in table\n', stderr: 'route: writing to routing socket: File exists\n', code: 1 });

  expect(await h.invoke(['route', '-q', 'delete', '-inet6', '2a06:9801:1c::/48'])).toEqual({ stdout: '', stderr: '', code: 0 });
  expect(await h.invoke(['route', 'delete', '203.0.113.0/24'])).toEqual({ stdout: 'delete net 203.0.113.0/24\n', stderr: '', code: 0 });
  expect((await h.must('netstat', '-rn')).stdout).not.toMatch(/2a06:9801:1c::\/48|203\.0\.113\.0/);
  const gone = await h.invoke(['route', 'delete', '203.0.113.0/24']);
  expect(gone.code).toBe(1);
  expect(gone.stdout).toBe('delete net 203.0.113.0/24: not in table\n');
});

test('service routing start adds rc.conf statics; restart flushes them (the trap), never mgmt0', async () => {
  await h.fs.write('/etc/rc.conf', 'defaultrouter="192.0.2.1"\nipv6_defaultrouter="2001:db8:100::1"\nipv6_static_routes="bh"\nipv6_route_bh="2a06:9801:1c:: -prefixlen 48 ::1 -blackhole"\ngateway_enable="NO"\n');
  await nsRun(NS, ['/usr/sbin/ip', 'route', 'add', '10.99.0.0/16', 'via', '198.18.0.254', 'dev', 'mgmt0']);
  const start = await routing.commands.start(h, []);
  expect(start.stdout).toContain('add net default: gateway 192.0.2.1\n');
  expect(start.stdout).toContain('add net 2a06:9801:1c::: gateway ::1\n');
  let table = (await h.must('netstat', '-rn')).stdout;
  expect(table).toMatch(/\ndefault +192\.0\.2\.1 +UGS +vtnet0\n/);
  expect(table).toMatch(/\ndefault +2001:db8:100::1 +UGS +vtnet0\n/);
  expect(table).toMatch(/\nfe80::\/10 +::1 +UGRS +lo0\n/);

  const stop = await routing.commands.stop(h, []);
  expect(stop.stdout).toMatch(/^default +192\.0\.2\.1 +done$/m);
  table = (await h.must('netstat', '-rn')).stdout;
  expect(table).not.toMatch(/\ndefault /);
  expect(table).not.toContain('2a06:9801:1c::/48');
  expect(table).toMatch(/\n10\.99\.0\.0\/16 +198\.18\.0\.254 +UGS +mgmt0\n/);
  expect(table).toMatch(/\n192\.0\.2\.0\/24 +link#\d+ +U +vtnet0\n/); // interface routes have no G: kept
});
