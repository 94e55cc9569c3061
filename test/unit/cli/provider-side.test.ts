// migrate reads the new provider's side from the moved host: the interface with the endpoint,
// its prefix lengths, FIB 0's gateways; anything unreadable or contradictory names the flag.
import * as fs from 'fs';
import * as path from 'path';
import { parseProviderSide } from '../../../src/cli/provider-side';

const MOVED = fs.readFileSync(path.resolve(__dirname, '../../../fixtures/provision/migrate/vps01-at-provider-e.txt'), 'utf8');
const OWN = ['2a06:9801:1c::/48'];

test('the interface carrying the endpoint, its lengths and the FIB 0 gateways', () => {
  expect(parseProviderSide(MOVED, '203.0.113.130', OWN)).toEqual({
    iface: 'vtnet0',
    inet: '203.0.113.130/25',
    inet6: '2001:db8:204::10/64',
    gateway: '203.0.113.129',
    gateway6: '2001:db8:204::1',
  });
});

test('addresses inside the operator\'s prefixes and link-local ones are not the provider\'s', () => {
  const noGlobal = MOVED.replace('inet6 2001:db8:204::10 prefixlen 64', 'inet6 2a06:9801:1c:1000::99 prefixlen 64');
  expect(() => parseProviderSide(noGlobal, '203.0.113.130', OWN)).toThrow(/vtnet0 has no global IPv6 address for the IPv6 gateway 2001:db8:204::1/);
});

test('flags win over what was read', () => {
  const r = parseProviderSide(MOVED, '203.0.113.130', OWN, { gateway: '203.0.113.200', inet6: '2001:db8:204::77/64', gateway6: '2001:db8:204::2' });
  expect(r).toMatchObject({ gateway: '203.0.113.200', inet6: '2001:db8:204::77/64', gateway6: '2001:db8:204::2' });
});

test('an endpoint no interface has is refused, naming --endpoint', () => {
  expect(() => parseProviderSide(MOVED, '192.0.2.77', OWN)).toThrow(/no interface has the address 192\.0\.2\.77/);
  try {
    parseProviderSide(MOVED, '192.0.2.77', OWN);
  } catch (e) {
    expect((e as { ctx: { hint?: string } }).ctx.hint).toMatch(/--endpoint/);
  }
});

test('no IPv4 default route, or one outside the subnet, is refused naming --gateway', () => {
  const noDefault = MOVED.replace(/^default\s+203\.0\.113\.129.*\n/m, '');
  expect(() => parseProviderSide(noDefault, '203.0.113.130', OWN)).toThrow(/FIB 0 has no IPv4 default route/);
  const elsewhere = MOVED.replace('default            203.0.113.129', 'default            203.0.113.1  ');
  expect(() => parseProviderSide(elsewhere, '203.0.113.130', OWN)).toThrow(/the IPv4 gateway 203\.0\.113\.1 is outside vtnet0's subnet 203\.0\.113\.128\/25/);
});

test('an IPv6 gateway outside the interface\'s subnet, or link-local, is refused naming --gateway6', () => {
  const far = MOVED.replace('default                           2001:db8:204::1 ', 'default                           2001:db8:999::1 ');
  expect(() => parseProviderSide(far, '203.0.113.130', OWN)).toThrow(/the IPv6 gateway 2001:db8:999::1 is outside vtnet0's subnet 2001:db8:204::\/64/);
  const ll = MOVED.replace('default                           2001:db8:204::1 ', 'default                           fe80::1%vtnet0  ');
  expect(() => parseProviderSide(ll, '203.0.113.130', OWN)).toThrow(/its IPv6 default route goes to fe80::1%vtnet0/);
});
