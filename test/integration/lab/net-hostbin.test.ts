// The shell wrappers that run on a lab host (src/lab/host-bin): FreeBSD's ping (flags, output,
// exit codes) over iputils, and setfib (validation against net.fibs, steering into the FIB).
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { sh, teardown, triangle, txPackets, type Triangle } from './_netns-host';

jest.setTimeout(60_000);

const HOST_BIN = resolve(__dirname, '../../../src/lab/host-bin');
let t: Triangle | undefined;
let shims: string;

/** Run a host-bin script inside host a's namespace, with emulated sysctl/route stand-ins on PATH. */
function onA(argv: string[]) {
  return sh(['/usr/sbin/ip', 'netns', 'exec', t!.a.ns, '/usr/bin/env', `PATH=${HOST_BIN}:${shims}:/usr/sbin:/usr/bin:/sbin:/bin`, ...argv]);
}

beforeAll(async () => {
  t = await triangle('bin');
  t.a.kernel.sysctl['net.fibs'] = '2';
  await t.a.must('ifconfig', 'gif0', 'create');
  await t.a.must('ifconfig', 'gif0', 'tunnel', '10.1.0.2', '10.2.0.2');
  await t.a.must('ifconfig', 'gif0', 'inet6', '2001:db8:ffff::1', '2001:db8:ffff::2', 'prefixlen', '128', 'fib', '1', 'up');
  await t.a.must('route', 'add', '-6', 'default', '2001:db8:ffff::2', '-fib', '1');
  await t.b.must('ifconfig', 'gif0', 'create');
  await t.b.must('ifconfig', 'gif0', 'tunnel', '10.2.0.2', '10.1.0.2');
  await t.b.must('ifconfig', 'gif0', 'inet6', '2001:db8:ffff::2', '2001:db8:ffff::1', 'prefixlen', '128', 'up');
  // What the lab kernel client would answer for `sysctl -n net.fibs` and `route …` on host a.
  shims = mkdtempSync(join(tmpdir(), 'pvt-h2-shims-'));
  writeFileSync(join(shims, 'sysctl'), '#!/bin/sh\necho 2\n', { mode: 0o755 });
  writeFileSync(join(shims, 'route'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
});

afterAll(async () => {
  await teardown(t);
  rmSync(shims, { recursive: true, force: true });
});

test('ping: a reply is exit 0 with FreeBSD output; counting starts at icmp_seq=0', async () => {
  const r = await onA(['ping', '-c', '2', '-i', '0.2', '10.2.0.2']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^PING 10\.2\.0\.2 \(10\.2\.0\.2\): 56 data bytes\n/);
  expect(r.stdout).toMatch(/\n64 bytes from 10\.2\.0\.2: icmp_seq=0 ttl=63 time=[\d.]+ ms\n/);
  expect(r.stdout).toContain('\n2 packets transmitted, 2 packets received, 0.0% packet loss\n');
  expect(r.stdout).toMatch(/\nround-trip min\/avg\/max\/stddev = /);
});

test('ping: no reply is exit 2; -t bounds the wait; unknown host is 68; bad usage 64', async () => {
  const silent = await onA(['ping', '-c', '1', '-t', '1', '10.2.0.99']);
  expect(silent.code).toBe(2);
  expect(silent.stdout).toContain('1 packets transmitted, 0 packets received, 100.0% packet loss');
  expect(await onA(['ping', '-c', '1', 'no-such-host.invalid'])).toMatchObject({ code: 68, stderr: 'ping: cannot resolve no-such-host.invalid: Unknown host\n' });
  expect((await onA(['ping', '-Y', '10.2.0.2'])).code).toBe(64);
});

test('ping6 and ping -6 use IPv6 with the ping6 output', async () => {
  const r = await onA(['ping6', '-c', '1', '2001:db8:2::2']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/\n16 bytes from 2001:db8:2::2, icmp_seq=0 hlim=63 time=[\d.]+ ms\n|\n64 bytes from 2001:db8:2::2, icmp_seq=0 hlim=63 time=[\d.]+ ms\n/);
});

test('setfib checks the FIB number like FreeBSD', async () => {
  expect(await onA(['setfib', '2', 'true'])).toMatchObject({ code: 1, stderr: 'setfib: 2: invalid FIB (max 1)\n' });
  expect(await onA(['setfib', '1', 'no-such-command'])).toMatchObject({ code: 127, stderr: 'setfib: no-such-command: No such file or directory\n' });
  expect((await onA(['setfib'])).code).toBe(64);
  expect(await onA(['setfib', '-F0', 'echo', 'hi'])).toMatchObject({ code: 0, stdout: 'hi\n' });
});

test('setfib 1 sends the command\'s traffic through FIB 1 (the tunnel), setfib 0 natively', async () => {
  let gif = await txPackets(t!.a.ns, 'gif0');
  expect((await onA(['setfib', '1', 'ping6', '-c', '3', '-i', '0.2', '2001:db8:2::2'])).code).toBe(0);
  expect((await txPackets(t!.a.ns, 'gif0')) - gif).toBeGreaterThanOrEqual(3);
  gif = await txPackets(t!.a.ns, 'gif0');
  expect((await onA(['setfib', '0', 'ping6', '-c', '3', '-i', '0.2', '2001:db8:2::2'])).code).toBe(0);
  expect((await txPackets(t!.a.ns, 'gif0')) - gif).toBeLessThan(3);
});
