import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAdvertisedRoutes, parseBgpSummary, parseReloadTest, sessionHint, sessionUp } from '../../../src/facts/frr-parse';

const fx = (name: string) => readFileSync(join(__dirname, '../../../fixtures/frr', name), 'utf8');
/** The .txt captures carry the capture's own notes: a `### command` header and an `rc=N` trailer. */
const captured = (name: string) => fx(name).split('\n').filter((l) => !/^(### |rc=\d+$)/.test(l)).join('\n');

describe('parseBgpSummary', () => {
  test('reads the IPv6 peers of the wrapped `show bgp summary json`', () => {
    const s = parseBgpSummary(fx('vtysh_show-bgp-summary-json.json'));
    expect(s.map((x) => x.peer)).toEqual(['2001:db8:ffff::2']);
    expect(s[0]).toMatchObject({ remoteAs: 65020, state: 'Established', peerState: 'OK', pfxRcd: 1, pfxSnt: 1 });
    expect(sessionUp(s[0])).toBe(true);
  });

  test('reads the unwrapped AFI form with down and admin-shut peers', () => {
    const s = parseBgpSummary(fx('vtysh_show-bgp-ipv6-unicast-summary-json_with-down-peers.json'));
    const by = Object.fromEntries(s.map((x) => [x.peer, x]));
    expect(by['2001:db8:ffff::98'].state).toBe('Idle (Admin)');
    expect(sessionHint(by['2001:db8:ffff::98'])).toMatch(/administratively/);
    expect(sessionUp(by['2001:db8:ffff::99'])).toBe(false);
    expect(sessionHint(by['2001:db8:ffff::99'])).toMatch(/remote-as/);
  });

  test('Established without policy is not up', () => {
    const s = parseBgpSummary(fx('vtysh_show-bgp-summary-json_ebgp-requires-policy.json'));
    const v6 = s.find((x) => x.peer.includes(':'))!;
    expect(v6.state).toBe('Established');
    expect(v6.peerState).toBe('Policy');
    expect(sessionUp(v6)).toBe(false);
    expect(sessionHint(v6)).toMatch(/route-maps/);
  });

  test('no BGP instance gives no sessions', () => {
    expect(parseBgpSummary('{}')).toEqual([]);
  });
});

describe('parseAdvertisedRoutes', () => {
  test('lists the advertised prefixes', () => {
    expect(parseAdvertisedRoutes(fx('vtysh_show-bgp-ipv6-unicast-neighbors-X-advertised-routes-json.json')).prefixes).toEqual([
      '2001:db8:100::/48',
    ]);
  });
  test('a warning is a warning, not an empty table', () => {
    const r = parseAdvertisedRoutes(fx('vtysh_show-bgp-ipv6-unicast-neighbors-X-advertised-routes-json_wrong-afi.json'));
    expect(r.prefixes).toEqual([]);
    expect(r.warning).toMatch(/No such neighbor/);
  });
});

describe('parseReloadTest', () => {
  test('splits the delta and ignores log lines and vtysh warnings', () => {
    const d = parseReloadTest(captured('frr-reload.py_--test_after-reload.txt'));
    expect(d.toDelete).toEqual(['no hostname vm']);
    expect(d.toAdd).toEqual(['hostname r1', 'service integrated-vtysh-config']);
  });
});
