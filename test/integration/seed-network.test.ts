// The job the tool exists for, on the lab over real SSH: from a fresh lab, build the seed
// network from inventory/lab.yaml and prove that it routes; then idempotence, an honest plan,
// persistence across reboots, and drift detection.
import { labReboot } from '../../src/lab/reboot';
import { JsonReportSchema, type JsonReport } from '../../src/report/json-schema';
import { VerifyReportSchema } from '../../src/verify/report-schema';
import { useLab, onHost, provision } from './helpers/lab';

useLab(600_000);
const HOSTS = ['router01', 'vps01', 'dcgw01'];

/** Everything provisioning could touch on a host: its files and its runtime state. */
function hostState(host: string): string {
  const files = '/etc/rc.conf /boot/loader.conf /etc/sysctl.conf /etc/pf.conf /usr/local/etc/frr/frr.conf';
  return onHost(host, `for f in ${files}; do echo "== $f"; cat $f 2>&1; done; kldstat; sysctl net.fibs net.inet.ip.forwarding net.inet6.ip6.forwarding; ifconfig -a; netstat -rn -f inet6; pfctl -s info 2>&1 | head -1; service frr onestatus 2>&1`).stdout;
}

const changedTasks = (r: JsonReport, host: string) => r.hosts[host].tasks.filter((t) => t.kind === 'task' && t.status === 'changed' && !t.note?.startsWith('would change after')).map((t) => t.name);
const failures = (r: JsonReport) =>
  Object.entries(r.hosts).flatMap(([h, v]) => [...(v.unreachable ? [`${h}: ${v.unreachable}`] : []), ...v.tasks.filter((t) => t.status === 'failed').map((t) => `${h}: ${t.name}: ${JSON.stringify(t.error)}`)]);

async function run(args: string[]): Promise<{ code: number; report: JsonReport }> {
  const r = await provision(['--json', ...args]);
  return { code: r.code, report: JsonReportSchema.parse(JSON.parse(r.stdout)) };
}

async function verifyAll() {
  const r = await provision(['verify', '--json', ...HOSTS]);
  return { code: r.code, report: VerifyReportSchema.parse(JSON.parse(r.stdout)) };
}

test('--check --diff on a fresh lab lists every pending change, exits 2 and changes nothing', async () => {
  const before = HOSTS.map(hostState);
  const r = await provision(['--check', '--diff', ...HOSTS]);
  expect(r.code).toBe(2);
  expect(r.stdout).toMatch(/router01\s+changed\s+rc\.conf/);
  expect(r.stdout).toContain('+router bgp 201379');
  expect(r.stdout).toMatch(/gateway_enable: NO -> YES/);
  expect(r.stdout).toMatch(/vps01\s+changed\s+loader: net\.fibs/);
  expect(HOSTS.map(hostState)).toEqual(before);
});

test('one run builds the network; BGP, prefixes, tunnels and exit addresses verify', async () => {
  const { code, report } = await run(HOSTS);
  expect(failures(report)).toEqual([]);
  expect(code).toBe(0);
  for (const h of HOSTS) expect(report.hosts[h].totals.changed).toBeGreaterThan(0);
  // the verification steps ran and passed inside the run
  expect(report.hosts.router01.tasks.filter((t) => t.name.startsWith('verify:')).map((t) => `${t.name}: ${t.status}`)).toEqual([
    'verify: tunnels to BGP neighbours: ok',
    'verify: tunnels: ok',
    'verify: routing: ok',
  ]);

  const v = await verifyAll();
  const failed = v.report.hosts.flatMap((h) => h.checks.filter((c) => !c.pass).map((c) => `${h.host} ${c.name}: expected ${c.expected}, got ${c.actual}`));
  expect(failed).toEqual([]);
  const kinds = new Set(v.report.hosts.flatMap((h) => h.checks.map((c) => `${h.host}:${c.kind}`)));
  for (const k of ['router01:bgp-session', 'router01:bgp-advertised', 'router01:tunnel-traffic', 'vps01:exit', 'dcgw01:exit']) expect(kinds).toContain(k);
  expect(v.code).toBe(0);
});

test('the second run changes nothing on any host', async () => {
  const { code, report } = await run(HOSTS);
  expect(failures(report)).toEqual([]);
  for (const h of HOSTS) expect({ host: h, changed: changedTasks(report, h) }).toEqual({ host: h, changed: [] });
  expect(code).toBe(0);
});

test('after a reboot of router01 and vps01 the network verifies again without provisioning', async () => {
  await labReboot('router01', undefined, () => undefined);
  await labReboot('vps01', undefined, () => undefined);
  const v = await verifyAll();
  const failed = v.report.hosts.flatMap((h) => h.checks.filter((c) => !c.pass).map((c) => `${h.host} ${c.name}: expected ${c.expected}, got ${c.actual}`));
  expect(failed).toEqual([]);
  expect(v.code).toBe(0);
});

test('drift: a sysctl changed and a line appended to frr.conf by hand are found and repaired', async () => {
  onHost('router01', 'sysctl net.inet.ip.forwarding=0 >/dev/null; echo "! added by hand" >> /usr/local/etc/frr/frr.conf');
  const check = await run(['--check', '--diff', ...HOSTS]);
  expect(check.code).toBe(2);
  expect(changedTasks(check.report, 'router01').sort()).toEqual(['frr: /usr/local/etc/frr/frr.conf', 'sysctl: net.inet.ip.forwarding']);
  expect(changedTasks(check.report, 'vps01')).toEqual([]);
  expect(changedTasks(check.report, 'dcgw01')).toEqual([]);
  const frr = check.report.hosts.router01.tasks.find((t) => t.name === 'frr: /usr/local/etc/frr/frr.conf')!;
  expect(JSON.stringify(frr.changes)).toContain('! added by hand');

  const fix = await run(HOSTS);
  expect(failures(fix.report)).toEqual([]);
  expect(fix.code).toBe(0);
  expect(onHost('router01', 'sysctl -n net.inet.ip.forwarding').stdout.trim()).toBe('1');
  expect(onHost('router01', 'cat /usr/local/etc/frr/frr.conf').stdout).not.toContain('added by hand');
  const again = await run(HOSTS);
  for (const h of HOSTS) expect(changedTasks(again.report, h)).toEqual([]);
});
