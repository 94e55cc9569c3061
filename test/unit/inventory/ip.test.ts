import {
  formatIPv6,
  normalizeAddress,
  normalizePrefix,
  parseAddressWithLength,
  parseIPv4,
  parseIPv6,
  parsePrefix,
  prefixContains,
} from '../../../src/inventory/ip';

describe('IPv4 addresses', () => {
  it.each(['0.0.0.0', '198.51.100.10', '255.255.255.255'])('accepts %s', (a) => {
    expect(parseIPv4(a)).toBeDefined();
  });
  it.each(['256.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.-4', ' 1.2.3.4', '1.2.3.4/32', 'a.b.c.d', ''])(
    'refuses %j',
    (a) => {
      expect(parseIPv4(a)).toBeUndefined();
    },
  );
  it('reads the value big-endian', () => {
    expect(parseIPv4('198.51.100.10')).toBe((198n << 24n) | (51n << 16n) | (100n << 8n) | 10n);
  });
});

describe('IPv6 addresses', () => {
  it.each([
    ['2a06:9801:1c::1', '2a06:9801:1c::1'],
    ['2A06:9801:001C:0000:0000:0000:0000:0001', '2a06:9801:1c::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal zero runs is compressed
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['64:ff9b::198.51.100.10', '64:ff9b::c633:640a'],
  ])('parses %s as %s', (input, canonical) => {
    expect(normalizeAddress(input)).toBe(canonical);
  });
  it.each([
    '2001:db8::1::2',
    '2001:db8:1:2:3:4:5:6:7',
    '2001:db8:1:2:3:4:5',
    '1:2:3:4:5:6:7::8',
    ':1::2',
    '1::2:',
    '12345::',
    'fe80::1%vtnet0',
    '::ffff:1.2.3.256',
    '2001:db8::g',
    ':::',
    '',
  ])('refuses %j', (a) => {
    expect(parseIPv6(a)).toBeUndefined();
  });
  it('round-trips through the integer form', () => {
    const v = parseIPv6('2001:db8:ffff:44::2')!;
    expect(formatIPv6(v)).toBe('2001:db8:ffff:44::2');
  });
});

describe('prefixes', () => {
  it('normalizes a prefix', () => {
    expect(normalizePrefix('2A06:9801:001C:0::/48')).toBe('2a06:9801:1c::/48');
    expect(normalizePrefix('192.0.2.0/24')).toBe('192.0.2.0/24');
  });
  it('refuses a length beyond the family', () => {
    const r = parsePrefix('2001:db8::/129');
    expect(r).toEqual({ ok: false, reason: 'prefix length 129 is out of range 0..128' });
    expect(parsePrefix('192.0.2.0/33').ok).toBe(false);
  });
  it('refuses host bits and names the network', () => {
    expect(parsePrefix('2a06:9801:1c::1/48')).toEqual({ ok: false, reason: 'has host bits set (the network is 2a06:9801:1c::/48)' });
    expect(parsePrefix('192.0.2.1/24')).toEqual({ ok: false, reason: 'has host bits set (the network is 192.0.2.0/24)' });
  });
  it('allows host bits in an interface address', () => {
    expect(parseAddressWithLength('2001:db8:100::96/64').ok).toBe(true);
    expect(parseAddressWithLength('198.51.100.10/24', 6)).toEqual({ ok: false, reason: 'is not an IPv6 address' });
  });
  it.each(['2001:db8::', '2001:db8::/', '2001:db8::/048', '/48', '2001:db8::/-1'])('refuses malformed %j', (p) => {
    expect(parsePrefix(p).ok).toBe(false);
  });
  it('knows what a prefix contains', () => {
    expect(prefixContains('2a06:9801:1c::/48', '2a06:9801:1c:1000::10')).toBe(true);
    expect(prefixContains('2a06:9801:1c::/48', '2a06:9801:1c:1000::/52')).toBe(true);
    expect(prefixContains('2a06:9801:1c::/48', '2a06:9801:1d::1')).toBe(false);
    expect(prefixContains('2a06:9801:1c::/48', '2a06:9800::/32')).toBe(false); // shorter than the outer prefix
    expect(prefixContains('192.0.2.0/26', '192.0.2.63')).toBe(true);
    expect(prefixContains('192.0.2.0/26', '192.0.2.64')).toBe(false);
    expect(prefixContains('::/0', '192.0.2.1')).toBe(false); // families never mix
    expect(prefixContains('0.0.0.0/0', '203.0.113.10')).toBe(true);
  });
});
