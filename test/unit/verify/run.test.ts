// The verification script, the verify steps and `provision verify`, over a transport double.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Command } from 'commander';
import { loadInventorySources } from '../../../src/inventory/load';
import { resolveHost } from '../../../src/inventory/resolve';
import type { HostConfig } from '../../../src/inventory/schema';
import { bgpWaitScript, echoCommand, probesFor, retryScript } from '../../../src/verify/probes';
import { hostExpectations } from '../../../src/verify/expectations';
import { verifyHost } from '../../../src/verify/run';
import { isVerifyStep, verifyRoutingTask, verifyTunnelsTask, VerificationFailedError } from '../../../src/verify/tasks';
import { registerVerifyCommand } from '../../../src/verify/cli';
import { VerifyReportSchema } from '../../../src/verify/report-schema';
import { FakeRemote } from '../../helpers/fake-transport';
import { ShellCommand } from '../../../src/shell/quote';

const ROOT = path.join(__dirname, '../../../fixtures');
const read = (p: string) => fs.readFileSync(path.join(ROOT, p), 'utf8');

// A small network of its own (not the lab's): r1 with an upstream and a tunnel to e1.
const INVENTORY = `operator:
  asn: 65010
  prefixes: ["2001:db8:100::/48"]
defaults:
  ssh: { host: 127.0.0.1, user: root }
hosts:
  r1:
    role: router
    outer_ipv4: 192.0.2.1
    tunnels:
      - { name: gif0, kind: gif, remote: e1, inner: { local: "2001:db8:100:ffff::1", peer: "2001:db8:100:ffff::2" }, mtu: 1280 }
    bgp:
      router_id: 192.0.2.1
      announce: ["2001:db8:100::/48"]
      neighbors:
        - { address: "2001:db8:ffff::2", remote_as: 65020, description: upstream }
  e1:
    role: vps
    outer_ipv4: 198.51.100.7
    fibs: 2
    interfaces:
      - { name: vtnet0, inet: 198.51.100.7/24, inet6: "2001:db8:7::7/64" }
    tunnels:
      - { name: gif0, kind: gif, remote: r1, inner: { local: "2001:db8:100:ffff::2", peer: "2001:db8:100:ffff::1" }, mtu: 1280, fib: 1, tunnelfib: 0 }
    service_addresses:
      - { address: "2001:db8:100:1000::10", fib: 1, interface: gif0 }
    verify: { echo_url: "http://[2001:db8:e::80]:8080/ip", expect_source: "2001:db8:100:1000::10" }
`;

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provision-verify-'));
  fs.writeFileSync(path.join(dir, 'inv.yaml'), INVENTORY);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function host(name: string): HostConfig {
  return resolveHost(loadInventorySources([{ file: 'inv.yaml', text: INVENTORY }]), name);
}

const ifconfigR1 = `gif0: flags=1008051<UP,POINTOPOINT,RUNNING,MULTICAST,LOWER_UP> metric 0 mtu 1280
\ttunnel inet 192.0.2.1 --> 198.51.100.7
\tinet6 2001:db8:100:ffff::1 --> 2001:db8:100:ffff::2 prefixlen 128
\tgroups: gif
`;
const ifconfigE1 = ifconfigR1.replace('192.0.2.1 --> 198.51.100.7', '198.51.100.7 --> 192.0.2.1').replace('ffff::1 --> 2001:db8:100:ffff::2', 'ffff::2 --> 2001:db8:100:ffff::1') + '\tfib: 1\n';

/** Answers the probes like a healthy host (or a broken one). */
function healthy(remote: FakeRemote, o: { ifconfig: string; sessions?: string; pingCode?: number }) {
  const seen: string[] = [];
  remote.handler = (cmd) => {
    seen.push(cmd);
    if (cmd === 'ifconfig -a') return { stdout: o.ifconfig };
    if (/^setfib \d+ ping6 /.test(cmd)) return o.pingCode ? { stdout: read('provision/ping/no-reply.txt'), code: o.pingCode } : { stdout: read('provision/ping/reply.txt') };
    if (cmd.startsWith('__t0=')) return { stdout: 'waited 0\n' };
    if (cmd === "vtysh -c 'show bgp ipv6 unicast summary json'") return { stdout: read(o.sessions ?? 'frr/vtysh_show-bgp-ipv6-unicast-summary-json.json') };
    if (/advertised-routes json'$/.test(cmd)) return { stdout: read('frr/vtysh_show-bgp-ipv6-unicast-neighbors-X-advertised-routes-json.json') };
    if (/\| setfib 1 nc -s 2001:db8:100:1000::10 /.test(cmd)) return { stdout: 'HTTP/1.0 200 OK\r\n\r\n2001:db8:100:1000::10\n' };
    if (/\| setfib 0 nc -s 2001:db8:7::7 /.test(cmd)) return { stdout: 'HTTP/1.0 200 OK\r\n\r\n2001:db8:7::7\n' };
    return undefined;
  };
  return seen;
}

describe('the BGP wait loop (run by /bin/sh and awk against a vtysh that prints recorded FRR output)', () => {
  function runWait(summaryFixture: string, seconds: number): { out: string; ms: number } {
    const bin = fs.mkdtempSync(path.join(dir, 'bin-'));
    const summary = path.join(ROOT, 'frr', summaryFixture);
    const advertised = path.join(ROOT, 'frr/vtysh_show-bgp-ipv6-unicast-neighbors-X-advertised-routes-json.json');
    fs.writeFileSync(path.join(bin, 'vtysh'), `#!/bin/sh\ncase "$2" in *summary*) cat '${summary}' ;; *) cat '${advertised}' ;; esac\n`, { mode: 0o755 });
    // no real waiting in a unit test: sleep returns at once and the clock moves a second per read
    fs.writeFileSync(path.join(bin, 'sleep'), '#!/bin/sh\n:\n', { mode: 0o755 });
    const clock = path.join(bin, 'clock');
    fs.writeFileSync(clock, '1000');
    fs.writeFileSync(path.join(bin, 'date'), `#!/bin/sh\nt=$(cat '${clock}'); echo $((t + 1)) > '${clock}'; echo $t\n`, { mode: 0o755 });
    const script = bgpWaitScript([{ afi: 'ipv6', peers: ['2001:db8:ffff::2'] }], [{ afi: 'ipv6', peer: '2001:db8:ffff::2', prefixes: ['2001:db8:100::/48'] }], seconds);
    const t0 = Date.now();
    const out = execFileSync('/bin/sh', ['-c', script.text], { env: { PATH: `${bin}:/usr/bin:/bin` }, encoding: 'utf8' });
    return { out, ms: Date.now() - t0 };
  }

  test('stops at once when every expected session is Established/OK and the prefix is advertised', () => {
    expect(runWait('vtysh_show-bgp-ipv6-unicast-summary-json.json', 5).out).toBe('waited 0\n');
  });

  test('keeps polling up to its bound while a session is not up (Policy is not up)', () => {
    expect(runWait('vtysh_show-bgp-ipv6-unicast-summary-json_ebgp-requires-policy.json', 3).out).toBe('waited 3\n');
    expect(runWait('vtysh_show-bgp-ipv6-unicast-summary-json_peer-down.json', 2).out).toBe('waited 2\n');
  });
});

test('a retry loop is bounded by the clock, not by attempts: a check that takes 5 s is tried about seconds/6 times', () => {
  const bin = fs.mkdtempSync(path.join(dir, 'bin-'));
  const clock = path.join(bin, 'clock');
  const attempts = path.join(bin, 'attempts');
  fs.writeFileSync(clock, '1000');
  fs.writeFileSync(path.join(bin, 'sleep'), `#!/bin/sh\necho $(( $(cat '${clock}') + 1 )) > '${clock}'\n`, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'date'), `#!/bin/sh\ncat '${clock}'\n`, { mode: 0o755 });
  // the check fails after "5 seconds" (it moves the fake clock on), like nc -w 5 with no answer
  const check = new ShellCommand(`{ echo x >> '${attempts}'; echo $(( $(cat '${clock}') + 5 )) > '${clock}'; false; }`, 'check');
  const out = execFileSync('/bin/sh', ['-c', retryScript(check, 45).text], { env: { PATH: `${bin}:/usr/bin:/bin` }, encoding: 'utf8' });
  expect(out).toBe('waited 47\n'); // 8 attempts of 5 s, 7 sleeps of 1 s: the first look past 45 s stops
  expect(fs.readFileSync(attempts, 'utf8').split('\n').filter(Boolean)).toHaveLength(8);
});

test('the echo request: a hand-written HTTP/1.0 GET through nc from the source, in its FIB', () => {
  const [e] = hostExpectations(host('e1'), 'routing');
  expect(echoCommand(e as Parameters<typeof echoCommand>[0]).text).toBe(
    "printf 'GET %s HTTP/1.0\\r\\nHost: %s\\r\\nConnection: close\\r\\n\\r\\n' /ip '[2001:db8:e::80]:8080' | setfib 1 nc -s 2001:db8:100:1000::10 -w 5 2001:db8:e::80 8080",
  );
});

test('expectations come from the inventory: tunnels, sessions, advertised prefixes, exits', () => {
  const r1 = hostExpectations(host('r1'));
  expect(r1.map((e) => e.kind)).toEqual(['tunnel', 'bgp-session', 'bgp-advertised']);
  const e1 = hostExpectations(host('e1'));
  expect(e1.map((e) => (e.kind === 'exit' ? `${e.role} ${e.source} fib ${e.fib} expects ${e.expect}` : e.kind))).toEqual([
    'tunnel',
    'service 2001:db8:100:1000::10 fib 1 expects 2001:db8:100:1000::10',
    'provider 2001:db8:7::7 fib 0 expects 2001:db8:7::7',
  ]);
  // no wait loop when asked to look once
  expect(probesFor(r1, { waitSeconds: 0 }).map((p) => p.id)).toEqual(['ifconfig', 'ping gif0', 'bgp summary ipv6', 'bgp advertised ipv6 2001:db8:ffff::2']);
});

test('all of a host\'s checks run in ONE exec', async () => {
  const remote = new FakeRemote();
  const seen = healthy(remote, { ifconfig: ifconfigR1 });
  const t = remote.transport('r1');
  const checks = await verifyHost((c) => t.exec(c), hostExpectations(host('r1')));
  expect(t.execs).toHaveLength(1);
  expect(t.execs[0].kind).toBe('gather');
  expect(seen.some((c) => c.startsWith('__t0='))).toBe(true);
  expect(checks.map((c) => [c.name, c.pass])).toEqual([
    ['tunnel gif0 to e1: up', true],
    ['tunnel gif0 to e1: traffic', true],
    ['bgp 2001:db8:ffff::2 (upstream, AS65020): session', true],
    ['bgp 2001:db8:ffff::2 (upstream): advertises 2001:db8:100::/48', true],
  ]);
});

describe('verify steps for playbooks', () => {
  const io = (remote: FakeRemote, h: string) => {
    const t = remote.transport(h);
    return { host: h, exec: (c: Parameters<typeof t.exec>[0]) => t.exec(c), writeFile: async () => undefined };
  };

  test('pass quietly when every check passes', async () => {
    const remote = new FakeRemote();
    healthy(remote, { ifconfig: ifconfigE1 });
    const step = verifyRoutingTask(host('e1'));
    expect(isVerifyStep(step)).toBe(true);
    await expect(step.verify(io(remote, 'e1'))).resolves.toEqual([]);
  });

  test('a tunnel whose far end is not in the run is pending: a warning naming the host to provision, not a failure', async () => {
    const remote = new FakeRemote();
    healthy(remote, { ifconfig: ifconfigR1, pingCode: 2 });
    const warnings = await verifyTunnelsTask(host('r1'), { notInRun: ['e1'] }).verify(io(remote, 'r1'));
    expect(warnings).toEqual(['gif0 to e1 is pending: e1 is not part of this run (no reply (0/3 replies)); provision e1 to bring it up']);
    // once the far end answers, nothing is pending
    healthy(remote, { ifconfig: ifconfigR1 });
    await expect(verifyTunnelsTask(host('r1'), { notInRun: ['e1'] }).verify(io(remote, 'r1'))).resolves.toEqual([]);
  });

  test('this end of a pending tunnel must still be right: wrong endpoints fail, whatever the far end', async () => {
    const remote = new FakeRemote();
    healthy(remote, { ifconfig: ifconfigR1.replace('--> 198.51.100.7', '--> 198.51.100.99'), pingCode: 2 });
    const err = await verifyTunnelsTask(host('r1'), { notInRun: ['e1'] }).verify(io(remote, 'r1')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VerificationFailedError);
    expect((err as Error).message).toMatch(/^1 of 1 checks failed:\n  tunnel gif0 to e1: up: expected UP, tunnel 192\.0\.2\.1 --> 198\.51\.100\.7/);
  });

  test('fail with expected vs actual and the hints', async () => {
    const remote = new FakeRemote();
    healthy(remote, { ifconfig: ifconfigR1, sessions: 'frr/vtysh_show-bgp-ipv6-unicast-summary-json_peer-down.json', pingCode: 2 });
    const err = await verifyTunnelsTask(host('r1')).verify(io(remote, 'r1')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VerificationFailedError);
    const v = err as VerificationFailedError;
    expect(v.message).toBe('1 of 2 checks failed:\n  tunnel gif0 to e1: traffic: expected ping6 2001:db8:100:ffff::2 answers (FIB 0); actual no reply (0/3 replies)');
    expect(v.ctx.hint).toMatch(/^tunnel down: check both ends/);
    expect(v.ctx).toMatchObject({ host: 'r1', task: 'verify: tunnels' });
  });

  test('an engine that would plan them fails loudly instead of passing', () => {
    expect(() => verifyTunnelsTask(host('r1')).plan({})).toThrow(/verification step/);
  });
});

describe('provision verify', () => {
  async function run(argv: string[], remote: FakeRemote) {
    const out = { stdout: '', stderr: '', code: -1, connected: [] as string[] };
    const program = new Command('provision').exitOverride().configureOutput({ writeOut: () => undefined, writeErr: (t) => void (out.stderr += t) });
    registerVerifyCommand(program, {
      stdout: (t) => void (out.stdout += t),
      stderr: (t) => void (out.stderr += t),
      cwd: dir,
      setExit: (c) => void (out.code = c),
      connect: async (h) => {
        out.connected.push(h.name);
        return remote.transport(h.name);
      },
    });
    await program.parseAsync(['verify', '-i', 'inv.yaml', '--wait', '0', ...argv], { from: 'user' });
    return out;
  }

  test('the far end of a tunnel is checked on that host too; a failing check means exit 1', async () => {
    const remote = new FakeRemote();
    healthy(remote, { ifconfig: ifconfigR1 });
    const r1Only = await run(['r1', '--json'], remote);
    // one double answers for both hosts with r1's interfaces, so e1's side of the tunnel fails:
    // proof that the far end is checked on its own host
    expect(r1Only.connected.sort()).toEqual(['e1', 'r1']);
    const report = VerifyReportSchema.parse(JSON.parse(r1Only.stdout));
    expect(report.hosts.map((h) => [h.host, h.checks.map((c) => c.kind)])).toEqual([
      ['r1', ['tunnel', 'tunnel-traffic', 'bgp-session', 'bgp-advertised']],
      ['e1', ['tunnel', 'tunnel-traffic']],
    ]);
    expect(report.hosts[1].checks[0].pass).toBe(false);
    expect(report.ok).toBe(false);
    expect(r1Only.code).toBe(1);

    const remote2 = new FakeRemote();
    healthy(remote2, { ifconfig: ifconfigR1 });
    const text = await run(['r1', '-l', 'r1'], remote2);
    expect(text.stdout).toMatch(/^r1:\n  PASS  tunnel gif0 to e1: up\n        expected: UP, tunnel 192\.0\.2\.1 --> 198\.51\.100\.7/);
    expect(text.stdout).toMatch(/FAIL  tunnel gif0 to r1: up[\s\S]*hint: the endpoints differ/);
    expect(text.stdout).toMatch(/NOT compliant: 5 passed, 1 failed\n$/);
  });

  test('every check passing on both ends gives exit 0 and "compliant"', async () => {
    const ok = await runPerHost(['all'], new Map([['r1', ifconfigR1], ['e1', ifconfigE1]]));
    expect(ok.stdout).toMatch(/\ncompliant: 8 passed, 0 failed\n$/);
    expect(ok.code).toBe(0);
  });

  async function runPerHost(argv: string[], ifconfigs: Map<string, string>) {
    const remotes = new Map([...ifconfigs].map(([h, ifc]) => {
      const r = new FakeRemote();
      healthy(r, { ifconfig: ifc });
      return [h, r] as const;
    }));
    const out = { stdout: '', code: -1 };
    const program = new Command('provision').exitOverride();
    registerVerifyCommand(program, {
      stdout: (t) => void (out.stdout += t),
      stderr: () => undefined,
      cwd: dir,
      setExit: (c) => void (out.code = c),
      connect: async (h) => remotes.get(h.name)!.transport(h.name),
    });
    await program.parseAsync(['verify', '-i', 'inv.yaml', '--wait', '0', ...argv], { from: 'user' });
    return out;
  }

  test('an unreachable host fails the report; an unknown target exits 3 with nothing contacted', async () => {
    const remote = new FakeRemote();
    healthy(remote, { ifconfig: ifconfigR1 });
    const program = new Command('provision').exitOverride();
    const out = { stdout: '', stderr: '', code: -1 };
    registerVerifyCommand(program, {
      stdout: (t) => void (out.stdout += t),
      stderr: (t) => void (out.stderr += t),
      cwd: dir,
      setExit: (c) => void (out.code = c),
      connect: async (h) => {
        if (h.name === 'e1') throw new Error('connect ECONNREFUSED 127.0.0.1:22');
        return remote.transport(h.name);
      },
    });
    await program.parseAsync(['verify', '-i', 'inv.yaml', '--wait', '0', 'r1'], { from: 'user' });
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/e1:\n  UNREACHABLE  connect ECONNREFUSED/);

    const bad = await run(['r9'], remote);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/unknown target "r9"/);
    expect(bad.connected).toEqual([]);
  });
});
