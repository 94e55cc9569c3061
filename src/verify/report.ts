// Building and printing the `provision verify` report (schema: report-schema.ts).
import { VERIFY_REPORT_VERSION, type HostVerify, type VerifyReport } from './report-schema';

export function buildReport(hosts: HostVerify[]): VerifyReport {
  const checks = hosts.flatMap((h) => h.checks);
  const totals = {
    pass: checks.filter((c) => c.pass).length,
    fail: checks.filter((c) => !c.pass).length,
    unreachable: hosts.filter((h) => h.unreachable !== undefined).length,
  };
  const ok = totals.fail === 0 && totals.unreachable === 0 && hosts.every((h) => h.error === undefined);
  return { version: VERIFY_REPORT_VERSION, ok, hosts, totals };
}

/** The text report: one line per check, PASS/FAIL, actual beside expected, hints under failures. */
export function formatReport(r: VerifyReport): string {
  const out: string[] = [];
  for (const h of r.hosts) {
    out.push(`${h.host}:`);
    if (h.unreachable !== undefined) out.push(`  UNREACHABLE  ${h.unreachable}`);
    if (h.error !== undefined) out.push(`  ERROR  ${h.error}`);
    for (const c of h.checks) {
      out.push(`  ${c.pass ? 'PASS' : 'FAIL'}  ${c.name}`);
      out.push(`        expected: ${c.expected}`);
      out.push(`        actual:   ${c.actual}`);
      if (!c.pass && c.hint) out.push(...c.hint.split('\n').map((l) => `        hint: ${l}`));
    }
    if (h.checks.length === 0 && h.unreachable === undefined && h.error === undefined) out.push('  (nothing to verify for this host)');
  }
  const t = r.totals;
  out.push(`\n${r.ok ? 'compliant' : 'NOT compliant'}: ${t.pass} passed, ${t.fail} failed${t.unreachable ? `, ${t.unreachable} host(s) unreachable` : ''}`);
  return out.join('\n') + '\n';
}
