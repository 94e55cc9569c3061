// The RPKI part of the compliance report: every prefix the host announces must be RPKI-valid for
// its AS (strict upstreams drop the rest), and no RPKI-invalid route a neighbour sent may be in
// the table. The counts of invalid routes each neighbour sent and the policy dropped are shown.
import type { RpkiCompliance } from '../rpki/compliance';
import type { Check } from './report-schema';

export function rpkiChecks(host: string, c: RpkiCompliance): Check[] {
  if (c.cacheError) {
    return [{ host, kind: 'rpki', name: `RPKI cache ${c.cache}`, expected: 'answers', actual: c.cacheError, pass: false, hint: 'check the cache address and port in bgp.rpki.cache, and that the cache runs' }];
  }
  const announced = c.announced.map((a): Check => ({
    host,
    kind: 'rpki',
    name: `RPKI state of ${a.prefix} from AS${a.asn}`,
    expected: 'valid',
    actual: a.state + (a.reasons.length ? ` (${a.reasons.join('; ')})` : ''),
    pass: a.state === 'valid',
    ...(a.state === 'valid' ? {} : { hint: `strict upstreams drop it: publish a ROA for ${a.prefix} with AS${a.asn}` }),
  }));
  const neighbors = c.neighbors.map((n): Check => ({
    host,
    kind: 'rpki',
    name: `RPKI-invalid routes from ${n.neighbor}${n.description ? ` (${n.description})` : ''}`,
    expected: 'none in the table',
    actual: `${n.invalidReceived} received, ${n.invalidDropped} dropped` + (n.invalidAccepted.length ? `, accepted: ${n.invalidAccepted.join(', ')}` : ''),
    pass: n.invalidAccepted.length === 0,
    ...(n.invalidAccepted.length ? { hint: 'the inbound route-map must deny `match rpki invalid` (bgp.rpki.drop_invalid)' } : {}),
  }));
  return [...announced, ...neighbors];
}
