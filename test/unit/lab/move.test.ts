import { movedRcConf } from '../../../src/lab/move';

describe('lab move: the new provider rewrites rc.conf', () => {
  const rc = [
    'hostname="vps01"',
    'ifconfig_vtnet0="inet 203.0.113.10 netmask 255.255.255.128"',
    'ifconfig_vtnet0_ipv6="inet6 2001:db8:203::10 prefixlen 64"',
    'defaultrouter="203.0.113.1"',
    'ipv6_defaultrouter="2001:db8:203::1"',
    'ifconfig_gif0="tunnel 203.0.113.10 198.51.100.10 mtu 1440"',
    '',
  ].join('\n');
  const from = { iface: { segment: 'provider-b', ipv4: '203.0.113.10/25', ipv6: '2001:db8:203::10/64' }, seg: { ipv4: '203.0.113.0/25', gateway4: '203.0.113.1', gateway6: '2001:db8:203::1' } };
  const to = { iface: { segment: 'provider-e', ipv4: '203.0.113.130/25', ipv6: '2001:db8:204::10/64' }, seg: { ipv4: '203.0.113.128/25', gateway4: '203.0.113.129', gateway6: '2001:db8:204::1' } };

  test('only the provider lines change; the operator\'s own tunnel line is left for the playbooks', () => {
    expect(movedRcConf(rc, 'vtnet0', from, to)).toBe(
      [
        'hostname="vps01"',
        'ifconfig_vtnet0="inet 203.0.113.130 netmask 255.255.255.128"',
        'ifconfig_vtnet0_ipv6="inet6 2001:db8:204::10 prefixlen 64"',
        'defaultrouter="203.0.113.129"',
        'ipv6_defaultrouter="2001:db8:204::1"',
        'ifconfig_gif0="tunnel 203.0.113.10 198.51.100.10 mtu 1440"',
        '',
      ].join('\n'),
    );
  });
});
