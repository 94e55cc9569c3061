import { renderChange } from '../../../src/report/diff';
import { recapLine } from '../../../src/report/recap';
import { emptyTotals, type HostResult } from '../../../src/report/events';

test('value changes render as key: old -> new, unset shown as such', () => {
  expect(renderChange({ summary: 's', diff: { kind: 'value', key: 'gateway_enable', before: 'NO', after: 'YES' } })).toBe('gateway_enable: NO -> YES');
  expect(renderChange({ summary: 's', diff: { kind: 'value', key: 'k', before: null, after: 'v' } })).toBe('k: (unset) -> v');
});

test('file changes render as a unified diff', () => {
  const text = renderChange({ summary: 's', diff: { kind: 'file', path: '/etc/pf.conf', before: 'a\nb\n', after: 'a\nc\n' } });
  expect(text.split('\n')).toEqual(['--- /etc/pf.conf\ton host', '+++ /etc/pf.conf\tplanned', '@@ -1,2 +1,2 @@', ' a', '-b', '+c']);
  expect(renderChange({ summary: 's', diff: { kind: 'file', path: '/x', before: null, after: 'new\n' } })).toContain('--- /x\t(absent)');
});

test('recap line per host', () => {
  const h: HostResult = { host: 'router01', playbook: 'p', tasks: [], totals: { ...emptyTotals(), ok: 18, changed: 3 }, roundTrips: 2, warnings: [], durationMs: 1 };
  expect(recapLine(h, 10)).toBe('router01    ok=18 changed=3 failed=0 skipped=0');
  expect(recapLine({ ...h, unreachable: 'refused' }, 8)).toBe('router01  ok=18 changed=3 failed=0 skipped=0 unreachable=1');
});
