import type { HostResult } from './events';

/** `router01  ok=18 changed=3 failed=0 skipped=0` (+ unreachable / error markers) */
export function recapLine(h: HostResult, width: number): string {
  const t = h.totals;
  const failed = t.failed + (h.error ? 1 : 0);
  let line = `${h.host.padEnd(width)}  ok=${t.ok} changed=${t.changed} failed=${failed} skipped=${t.skipped}`;
  if (h.unreachable) line += ' unreachable=1';
  return line;
}
