import { parseIfconfig, parseNetstatRoutes, parseSysctl, parseSysrcE } from '../../../src/facts/freebsd-parse';

// Listings rebuilt from FreeBSD's printf formats (research §5.1 and §6.2; not observed on a real host).
const IFCONFIG = [
  'vtnet0: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500',
  '\toptions=4c07bb<RXCSUM,TXCSUM,VLAN_MTU>',
  '\tether 58:9c:fc:10:ff:aa',
  '\tinet 198.51.100.10 netmask 0xffffff00 broadcast 198.51.100.255',
  '\tinet6 fe80::5a9c:fcff:fe10:ffaa%vtnet0 prefixlen 64 scopeid 0x1',
  '\tinet6 2001:db8:100::96 prefixlen 64',
  '\tnd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>',
  'gif0: flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST> metric 0 mtu 1440',
  '\tdescription: to vps01',
  '\toptions=80000<LINKSTATE>',
  '\ttunnel inet 198.51.100.10 --> 203.0.113.10',
  '\tinet6 fe80::5a9c:fcff:fe10:1%gif0 prefixlen 64 scopeid 0x3',
  '\tinet6 2a06:9801:1c:ffff::1 --> 2a06:9801:1c:ffff::2 prefixlen 128',
  '\tgroups: gif',
  '\tfib: 1',
  '\ttunnelfib: 2',
  '\tnd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>',
  '',
].join('\n');

describe('parseIfconfig', () => {
  const ifs = parseIfconfig(IFCONFIG);
  test('reads each interface with flags and mtu', () => {
    expect(Object.keys(ifs)).toEqual(['vtnet0', 'gif0']);
    expect(ifs.gif0.flags).toContain('UP');
    expect(ifs.gif0.mtu).toBe(1440);
  });
  test('reads tunnel endpoints, p2p inet6 pairs, fib and tunnelfib', () => {
    expect(ifs.gif0.tunnel).toEqual({ src: '198.51.100.10', dst: '203.0.113.10' });
    expect(ifs.gif0.inet6).toContainEqual({ addr: '2a06:9801:1c:ffff::1', dest: '2a06:9801:1c:ffff::2', prefixlen: 128 });
    expect(ifs.gif0.fib).toBe(1);
    expect(ifs.gif0.tunnelfib).toBe(2);
    expect(ifs.gif0.description).toBe('to vps01');
    expect(ifs.gif0.groups).toEqual(['gif']);
  });
  test('link-local scope suffixes are dropped, fib defaults to 0 when not printed', () => {
    expect(ifs.vtnet0.inet6.map((a) => a.addr)).toEqual(['fe80::5a9c:fcff:fe10:ffaa', '2001:db8:100::96']);
    expect(ifs.vtnet0.fib).toBe(0);
    expect(ifs.vtnet0.inet[0]).toEqual({ addr: '198.51.100.10', netmask: '0xffffff00' });
  });
});

test('parseNetstatRoutes reads the rows of the Internet6 table', () => {
  const text = [
    'Routing tables (fib: 1)',
    '',
    'Internet6:',
    'Destination                       Gateway                       Flags     Netif Expire',
    'default                           2a06:9801:1c:ffff::1          UGS        gif0',
    '2a06:9801:1c::/48                 ::1                           UGSB        lo0',
    '',
  ].join('\n');
  expect(parseNetstatRoutes(text)).toEqual([
    { destination: 'default', gateway: '2a06:9801:1c:ffff::1', flags: 'UGS', netif: 'gif0' },
    { destination: '2a06:9801:1c::/48', gateway: '::1', flags: 'UGSB', netif: 'lo0' },
  ]);
});

test('parseSysrcE keeps values with spaces and ignores anything else', () => {
  expect(parseSysrcE('kld_list="if_gre pf"\ngateway_enable="YES"\nsysrc: unknown variable \'x\'\n')).toEqual({
    kld_list: 'if_gre pf',
    gateway_enable: 'YES',
  });
});

test('parseSysctl reads name: value lines only', () => {
  expect(parseSysctl('net.fibs: 2\nnet.inet6.ip6.forwarding: 1\nsysctl: unknown oid \'x\'\n')).toEqual({
    'net.fibs': '2',
    'net.inet6.ip6.forwarding': '1',
  });
});
