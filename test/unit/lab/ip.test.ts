// The lab's address forms, as FreeBSD's ifconfig, route and netstat print them.
import { dottedNetmask, hexNetmask, ipv6Mask, isIPv4, isIPv6, netmaskToLen, networkOf, normalizeIPv6, parseIPv6, formatIPv6 } from '../../../src/lab/ip';

test('netmasks in the hex, dotted and IPv6 forms, and back to a length', () => {
  expect(hexNetmask(24)).toBe('0xffffff00');
  expect(hexNetmask(0)).toBe('0x00000000');
  expect(dottedNetmask(26)).toBe('255.255.255.192');
  expect(ipv6Mask(48)).toBe('ffff:ffff:ffff::');
  expect(ipv6Mask(128)).toBe('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
  expect(netmaskToLen('0xffffff00')).toBe(24);
  expect(netmaskToLen('255.255.255.252')).toBe(30);
  expect(netmaskToLen('0.0.0.0')).toBe(0);
  expect(netmaskToLen('255.0.255.0')).toBeNull();
  expect(netmaskToLen('bogus')).toBeNull();
});

test('network parts, and RFC 5952 text through the group form', () => {
  expect(networkOf('192.0.2.77', 24)).toBe('192.0.2.0');
  expect(networkOf('2a06:9801:1c:ffff::2', 64)).toBe('2a06:9801:1c:ffff::');
  expect(networkOf('not-an-address', 8)).toBe('not-an-address');
  expect(normalizeIPv6('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
  expect(formatIPv6(parseIPv6('::ffff:192.0.2.1')!)).toBe('::ffff:c000:201');
  expect([isIPv4('192.0.2.1'), isIPv4('192.0.2'), isIPv6('fe80::1'), isIPv6('192.0.2.1')]).toEqual([true, false, true, false]);
});
