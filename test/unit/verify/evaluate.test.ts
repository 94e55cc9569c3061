// Verdicts from recorded output: FRR 8.4 JSON (fixtures/frr), FreeBSD-format ifconfig/ping
// and the lab's echo reply (fixtures/provision).
import * as fs from 'fs';
import * as path from 'path';
import type { FactOutput } from '../../../src/engine/fact';
import { echoedAddress, evaluate } from '../../../src/verify/evaluate';
import type { AdvertisedExpectation, ExitExpectation, SessionExpectation, TunnelExpectation } from '../../../src/verify/expectations';
import { probeId } from '../../../src/verify/probes';

const ROOT = path.join(__dirname, '../../../fixtures');
const read = (p: string) => fs.readFileSync(path.join(ROOT, p), 'utf8');
const out = (stdout: string, code = 0, stderr = ''): FactOutput => ({ stdout, stderr, code });

const session = (peer: string, remoteAs: number): SessionExpectation => ({ kind: 'bgp-session', host: 'r1', peer, remoteAs });

describe('BGP sessions', () => {
  const expectations = [session('2001:db8:ffff::2', 65020), session('2001:db8:ffff::98', 65098), session('2001:db8:ffff::99', 65099), session('2001:db8:ffff::7', 65007)];

  test('Established + OK passes; Idle (Admin), Connect and an unknown neighbour fail with their hints', () => {
    const outputs = new Map([[probeId.summary('ipv6'), out(read('frr/vtysh_show-bgp-ipv6-unicast-summary-json_with-down-peers.json'))]]);
    const checks = evaluate(expectations, outputs);
    expect(checks.map((c) => [c.pass, c.actual])).toEqual([
      [true, 'Established, peerState OK'],
      [false, 'Idle (Admin), peerState Admin'],
      [false, 'Connect, peerState Policy'],
      [false, 'no such neighbour in FRR'],
    ]);
    expect(checks[1].hint).toMatch(/administratively shut down/);
    expect(checks[2].hint).toMatch(/tunnel or link to it is up/);
    expect(checks[0].hint).toBeUndefined();
  });

  test('Established without policy (peerState Policy) is NOT up', () => {
    const outputs = new Map([[probeId.summary('ipv6'), out(read('frr/vtysh_show-bgp-summary-json_ebgp-requires-policy.json'))]]);
    const [c] = evaluate([session('2001:db8:ffff::2', 65020)], outputs);
    expect(c).toMatchObject({ pass: false, expected: 'Established, peerState OK', actual: 'Established, peerState Policy' });
    expect(c.hint).toMatch(/route-maps/);
  });

  test('a remote AS other than the inventory one fails even when the session is up', () => {
    const outputs = new Map([[probeId.summary('ipv6'), out(read('frr/vtysh_show-bgp-ipv6-unicast-summary-json.json'))]]);
    const [c] = evaluate([session('2001:db8:ffff::2', 65999)], outputs);
    expect(c.pass).toBe(false);
    expect(c.actual).toMatch(/remote AS 65020/);
  });

  test('bgpd not running: every session fails with a hint to start FRR', () => {
    const outputs = new Map([[probeId.summary('ipv6'), out('', 1, 'bgpd is not running\n')]]);
    const [c] = evaluate([session('2001:db8:ffff::2', 65020)], outputs);
    expect(c).toMatchObject({ pass: false, actual: 'exit 1: bgpd is not running' });
    expect(c.hint).toMatch(/service frr start/);
  });

  test('no BGP instance ({}): no sessions', () => {
    const [c] = evaluate([session('2001:db8:ffff::2', 65020)], new Map([[probeId.summary('ipv6'), out('{}\n')]]));
    expect(c).toMatchObject({ pass: false, actual: 'no sessions (no BGP instance?)' });
  });
});

describe('advertised prefixes', () => {
  const adv = (prefix: string): AdvertisedExpectation => ({ kind: 'bgp-advertised', host: 'r1', peer: '2001:db8:ffff::2', prefix });
  const id = probeId.advertised('ipv6', '2001:db8:ffff::2');

  test('a prefix in the advertised table passes; one that is not fails and lists what is advertised', () => {
    const outputs = new Map([[id, out(read('frr/vtysh_show-bgp-ipv6-unicast-neighbors-X-advertised-routes-json.json'))]]);
    const checks = evaluate([adv('2001:db8:100::/48'), adv('2001:db8:200::/48')], outputs);
    expect(checks.map((c) => c.pass)).toEqual([true, false]);
    expect(checks[1].actual).toBe('not advertised (advertised: 2001:db8:100::/48)');
  });

  test('an FRR warning (wrong address family) fails with the warning as the actual state', () => {
    const outputs = new Map([[id, out(read('frr/vtysh_show-bgp-ipv6-unicast-neighbors-X-advertised-routes-json_wrong-afi.json'))]]);
    const [c] = evaluate([adv('2001:db8:100::/48')], outputs);
    expect(c.pass).toBe(false);
    expect(c.actual).toMatch(/^FRR: No such neighbor/);
  });
});

describe('tunnels', () => {
  const gif0: TunnelExpectation = {
    kind: 'tunnel',
    host: 'vps01',
    iface: 'gif0',
    src: '203.0.113.10',
    dst: '198.51.100.10',
    inner: { local: '2a06:9801:1c:ffff::2', peer: '2a06:9801:1c:ffff::1' },
    fib: 1,
    tunnelKind: 'gif',
    peerHost: 'router01',
  };
  const ifconfig = (f: string) => [probeId.ifconfig, out(read(`provision/ifconfig/${f}`))] as const;

  test('up with the inventory endpoints and replies across it: both checks pass', () => {
    const outputs = new Map([ifconfig('vps01-converged.txt'), [probeId.ping(gif0), out(read('provision/ping/reply.txt'))]]);
    const checks = evaluate([gif0], outputs);
    expect(checks.map((c) => [c.name, c.pass, c.actual])).toEqual([
      ['tunnel gif0 to router01: up', true, 'UP, tunnel 203.0.113.10 --> 198.51.100.10, inet6 2a06:9801:1c:ffff::2 --> 2a06:9801:1c:ffff::1'],
      ['tunnel gif0 to router01: traffic', true, '3/3 replies'],
    ]);
  });

  test('wrong far end, down, no reply (ping6 exit 2): both fail, with the hints', () => {
    const outputs = new Map([ifconfig('vps01-stale.txt'), [probeId.ping(gif0), out(read('provision/ping/no-reply.txt'), 2)]]);
    const [state, traffic] = evaluate([gif0], outputs);
    expect(state.pass).toBe(false);
    expect(state.actual).toBe('DOWN, tunnel 203.0.113.10 --> 198.51.100.99, inet6 2a06:9801:1c:ffff::2 --> 2a06:9801:1c:ffff::9');
    expect(state.hint).toMatch(/endpoints differ/);
    expect(traffic).toMatchObject({ pass: false, actual: 'no reply (0/3 replies)' });
    expect(traffic.hint).toMatch(/^tunnel down: check both ends name each other's outer address.*router01 must have 198\.51\.100\.10 --> 203\.0\.113\.10/);
    expect(traffic.hint).toMatch(/protocol 41/);
  });

  test('the interface does not exist; setfib refuses the FIB', () => {
    const outputs = new Map([ifconfig('vps01-fresh.txt'), [probeId.ping(gif0), out('', 1, 'setfib: 1: invalid FIB (max 0)\n')]]);
    const [state, traffic] = evaluate([gif0], outputs);
    expect(state).toMatchObject({ pass: false, actual: 'interface does not exist' });
    expect(traffic).toMatchObject({ pass: false, actual: 'exit 1: setfib: 1: invalid FIB (max 0)' });
  });
});

describe('exit addresses', () => {
  const service: ExitExpectation = { kind: 'exit', host: 'vps01', role: 'service', source: '2a06:9801:1c:1000::10', fib: 1, url: 'http://[2001:db8:e::80]/', expect: '2a06:9801:1c:1000::10' };
  const provider: ExitExpectation = { ...service, role: 'provider', source: '2001:db8:203::10', fib: 0, expect: '2001:db8:203::10' };

  test('the echoed address is the HTTP body', () => {
    expect(echoedAddress(read('provision/echo/service.txt'))).toBe('2a06:9801:1c:1000::10');
    expect(echoedAddress('HTTP/1.0 500 oops\r\n\r\n')).toBeUndefined();
    expect(echoedAddress('')).toBeUndefined();
  });

  test('seen as expected passes; seen as another address or no answer fails', () => {
    const ok = evaluate([service, provider], new Map([
      [probeId.exit(service), out(read('provision/echo/service.txt'))],
      [probeId.exit(provider), out(read('provision/echo/provider.txt'))],
    ]));
    expect(ok.map((c) => [c.pass, c.actual])).toEqual([[true, 'sees 2a06:9801:1c:1000::10'], [true, 'sees 2001:db8:203::10']]);

    const bad = evaluate([service, provider], new Map([
      [probeId.exit(service), out(read('provision/echo/provider.txt'))],
      [probeId.exit(provider), out('', 1, 'nc: connect to 2001:db8:e::80 port 80 (tcp) failed: Operation timed out\n')],
    ]));
    expect(bad.map((c) => [c.pass, c.actual])).toEqual([
      [false, 'sees 2001:db8:203::10'],
      [false, 'no answer (exit 1: nc: connect to 2001:db8:e::80 port 80 (tcp) failed: Operation timed out)'],
    ]);
    expect(bad[0].hint).toMatch(/FIB 1 default route via the tunnel peer/);
    expect(bad[1].hint).toMatch(/FIB 0 default route/);
  });
});

test('a probe that produced nothing is a failure, never a pass', () => {
  const checks = evaluate([session('2001:db8:ffff::2', 65020)], new Map());
  expect(checks[0].pass).toBe(false);
  expect(checks[0].actual).toMatch(/no output from the probe/);
});
