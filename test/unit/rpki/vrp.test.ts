import { parseVrpJson, formatVrpJson, vrp, VrpSet } from '../../../src/rpki/vrp';

// RFC 6811 §2 origin validation against a small VRP set, IPv6 and IPv4.
const set = new VrpSet([
  vrp('2001:db8:100::/48', 48, 65010),
  vrp('2001:db8:200::/40', 48, 65020),
  vrp('2001:db8:300::/48', 48, 0), // AS0: must not be routed (RFC 6483 §4)
  vrp('192.0.2.0/24', 24, 64500),
  vrp('198.51.100.0/22', 24, 64501),
  vrp('198.51.100.0/24', 24, 64502),
]);

describe('VrpSet.validate (RFC 6811)', () => {
  test.each([
    // IPv6: exact, more-specific within maxLength, beyond maxLength, wrong AS, uncovered, less-specific
    ['2001:db8:100::/48', 65010, 'valid'],
    ['2001:db8:100::/48', 65011, 'invalid'],
    ['2001:db8:100:1::/64', 65010, 'invalid'],
    ['2001:db8:200::/40', 65020, 'valid'],
    ['2001:db8:2ff::/48', 65020, 'valid'],
    ['2001:db8:2ff:1::/64', 65020, 'invalid'],
    ['2001:db8:400::/48', 65010, 'notfound'],
    ['2001:db8::/32', 65010, 'notfound'], // a covering (shorter) route is not covered by the longer VRPs
    ['2001:db8:300::/48', 0, 'invalid'],
    ['2001:db8:300::/48', 65030, 'invalid'],
    // IPv4
    ['192.0.2.0/24', 64500, 'valid'],
    ['192.0.2.128/25', 64500, 'invalid'],
    ['192.0.2.0/24', 64501, 'invalid'],
    ['203.0.113.0/24', 64500, 'notfound'],
    // two covering VRPs: one matching is enough
    ['198.51.100.0/24', 64501, 'valid'],
    ['198.51.100.0/24', 64502, 'valid'],
    ['198.51.101.0/24', 64502, 'invalid'],
  ])('%s from AS%d is %s', (prefix, asn, state) => {
    expect(set.validate(prefix as string, asn as number).state).toBe(state);
  });

  test('an IPv4 VRP never covers an IPv6 route and vice versa', () => {
    const v4only = new VrpSet([vrp('0.0.0.0/0', 32, 1)]);
    expect(v4only.validate('2001:db8::/32', 1).state).toBe('notfound');
    expect(v4only.validate('10.0.0.0/8', 1).state).toBe('valid');
  });

  test('invalid results say what is wrong with each covering VRP', () => {
    expect(set.validate('2001:db8:100::/48', 65011).reasons).toEqual(['ROA 2001:db8:100::/48 maxLength 48 AS65010 authorizes AS65010, not AS65011']);
    expect(set.validate('2001:db8:100:1::/64', 65010).reasons[0]).toMatch(/allows at most \/48, the route is \/64/);
    expect(set.validate('2001:db8:300::/48', 65030).reasons[0]).toMatch(/AS0/);
  });

  test('covering() lists exactly the VRPs whose prefix contains the route', () => {
    expect(set.covering('198.51.100.0/24').map((v) => v.asn).sort()).toEqual([64501, 64502]);
    expect(set.covering('198.51.0.0/16')).toEqual([]);
  });

  test('duplicates collapse; prefixes are canonical', () => {
    const s = new VrpSet([vrp('2001:DB8:0100:0::/48', 48, 1), vrp('2001:db8:100::/48', 48, 1)]);
    expect(s.size).toBe(1);
    expect(s.all()[0].prefix).toBe('2001:db8:100::/48');
  });

  test('maxLength outside length..bits and host bits are refused', () => {
    expect(() => vrp('2001:db8::/48', 47, 1)).toThrow(/maxLength 47/);
    expect(() => vrp('192.0.2.0/24', 33, 1)).toThrow(/maxLength 33/);
    expect(() => vrp('192.0.2.1/24', 24, 1)).toThrow(/host bits/);
  });
});

describe('VRP JSON (stayrtr/rpki-client format)', () => {
  test('reads "AS…" strings and numbers, and writes what it reads', () => {
    const text = '{"metadata":{},"roas":[{"prefix":"2a06:9801:1c::/48","maxLength":48,"asn":"AS201379"},{"prefix":"192.0.2.0/24","maxLength":24,"asn":64500}]}';
    const vrps = parseVrpJson(text);
    expect(vrps).toEqual([
      { prefix: '2a06:9801:1c::/48', maxLength: 48, asn: 201379 },
      { prefix: '192.0.2.0/24', maxLength: 24, asn: 64500 },
    ]);
    expect(parseVrpJson(formatVrpJson(vrps))).toEqual(vrps);
  });

  test('names the broken entry', () => {
    expect(() => parseVrpJson('{"roas":[{"prefix":"2001:db8::/32","asn":"AS1"}]}')).toThrow(/roas\[0\]/);
    expect(() => parseVrpJson('{}')).toThrow(/no "roas"/);
  });
});
