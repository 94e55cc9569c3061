import { rpkiChecks } from '../../../src/verify/rpki-checks';
import { CheckSchema } from '../../../src/verify/report-schema';

test('announced prefixes must be valid; invalid routes in the table fail, dropped ones are counted', () => {
  const checks = rpkiChecks('edge1', {
    cache: '192.0.2.1:3323',
    announced: [
      { prefix: '2001:db8:10::/48', asn: 65501, state: 'valid', reasons: [] },
      { prefix: '2001:db8:20::/48', asn: 65501, state: 'notfound', reasons: [] },
    ],
    neighbors: [
      { neighbor: '2001:db8:1::1', description: 'transit', invalidReceived: 2, invalidDropped: 2, invalidAccepted: [] },
      { neighbor: '2001:db8:2::1', invalidReceived: 1, invalidDropped: 0, invalidAccepted: ['2001:db8:99::/48'] },
    ],
  });
  for (const c of checks) CheckSchema.parse(c);
  expect(checks.map((c) => [c.name, c.pass])).toEqual([
    ['RPKI state of 2001:db8:10::/48 from AS65501', true],
    ['RPKI state of 2001:db8:20::/48 from AS65501', false],
    ['RPKI-invalid routes from 2001:db8:1::1 (transit)', true],
    ['RPKI-invalid routes from 2001:db8:2::1', false],
  ]);
  expect(checks[1].hint).toMatch(/publish a ROA for 2001:db8:20::\/48 with AS65501/);
  expect(checks[2].actual).toBe('2 received, 2 dropped');
});

test('a cache that does not answer is one failed check', () => {
  const checks = rpkiChecks('edge1', { cache: '192.0.2.1:3323', cacheError: 'no answer', announced: [], neighbors: [] });
  expect(checks).toHaveLength(1);
  expect(checks[0]).toMatchObject({ kind: 'rpki', pass: false, actual: 'no answer' });
});
