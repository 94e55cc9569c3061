// pf.conf parsing (macros, lists, order, errors) and its nftables translation.
import { readFileSync } from 'fs';
import { join } from 'path';
import { formatRules, parsePfConf } from '../../../src/lab/freebsd/pf-conf';
import { nftScript, replyTargets } from '../../../src/lab/freebsd/pf-nft';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../fixtures/freebsd/pfctl', name), 'utf8');

function parsed(text: string) {
  const r = parsePfConf(text, 'pf.conf');
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.conf;
}

test('a router ruleset expands lists and macros and prints like pfctl -s rules', () => {
  expect(formatRules(parsed(fixture('router.pf.conf')))).toBe(fixture('router.rules.txt'));
});

test('statements out of order, bad syntax and unknown macros are reported per line', () => {
  const r = parsePfConf(fixture('out-of-order.pf.conf'), 'out-of-order.pf.conf');
  expect(r.ok).toBe(false);
  expect(r.ok ? [] : r.errors.map((e) => e + '\n').join('')).toBe(fixture('out-of-order.nf.stderr'));
});

test('ports need tcp or udp; address families must agree', () => {
  expect(parsePfConf('pass in proto icmp from any port 22 to any\n', 'f')).toEqual({ ok: false, errors: ['f:1: port only applies to tcp/udp'] });
  expect(parsePfConf('pass in inet6 from 10.0.0.1 to any\n', 'f').ok).toBe(false);
  expect(parsePfConf('nat on vtnet0 from any to any -> 192.0.2.1\n', 'f')).toEqual({ ok: false, errors: ["f:1: 'nat' rules are not supported by the lab"] });
});

test('nft: quick rules first in order, then the others last-first (pf: last match wins)', () => {
  const script = nftScript(parsed('block in all\npass in proto tcp to port 22\npass in quick proto udp to port 53\n'));
  const input = script.slice(script.indexOf('chain filter_in {'), script.indexOf('chain filter_fwd_in {'));
  const lines = input.split('\n').map((l) => l.trim());
  const udp = lines.findIndex((l) => l.includes('th dport 53'));
  const tcp = lines.findIndex((l) => l.includes('th dport 22'));
  const block = lines.findIndex((l) => l === 'drop');
  expect(udp).toBeGreaterThan(0);
  expect(udp).toBeLessThan(tcp);
  expect(tcp).toBeLessThan(block);
  // pass with keep state records the state on the connection; its replies skip the rules.
  expect(input).toContain('ct direction reply ct mark and 0x2 == 0x2 accept');
  expect(lines[tcp]).toBe('meta l4proto tcp th dport 22 tcp flags & (syn | ack) == (syn) ct mark set ct mark or 0x1 accept');
});

test('nft: set skip, scrub max-mss and reply-to', () => {
  const conf = parsed(fixture('router.pf.conf'));
  const script = nftScript(conf);
  expect(script).toMatch(/chain filter_in \{\n.*\n    iifname "lo" accept\n/);
  expect(script).toContain('oifname "gif0" meta l4proto tcp tcp flags & (syn | rst) == syn tcp option maxseg size > 1400 tcp option maxseg size set 1400');
  expect(replyTargets(conf)).toEqual([{ index: 1, iface: 'gif0', addr: '2a06:9801:1c:ffff::2' }]);
  expect(script).toContain('ct mark set ct mark and 0xffff00ff or 0x101 accept');
  expect(script).toContain('ct direction reply ct mark and 0xff00 == 0x100 meta mark set 0x100');
  expect(script).toContain('fib daddr type local th dport 22');
});
