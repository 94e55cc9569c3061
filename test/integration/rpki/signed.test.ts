// RPKI with the ROA in place (issue 8), over real SSH, real FRR and a real RTR cache (stayrtr on
// transit, the lab's default VRPs): router01 is provisioned with origin validation, its /48 is
// valid and the strict upstream ifog accepts it; an invalid route an upstream announces is
// dropped by router01 and counted by `provision verify`.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { useLab, onHost, provision, REPO } from '../helpers/lab';
import { requireLabState } from '../../../src/lab/state';
import { infraVtysh } from '../../../src/lab/infra-frr';
import { sys } from '../../../src/lab/sys';
import { loadInventory } from '../../../src/inventory/load';
import { resolveHost } from '../../../src/inventory/resolve';
import { rpkiCompliance } from '../../../src/rpki/compliance';
import { VerifyReportSchema } from '../../../src/verify/report-schema';
import { OWN, pathsAt, until, outcome } from './_rpki';

useLab(600_000);

test('the lab cache serves the default VRPs over RTR and ifog loads them', async () => {
  await until('ifog has the VRPs', async () => {
    const out = await infraVtysh(requireLabState().anchors.ifog, 'show rpki prefix-table');
    return out.includes('2a06:9801:1c::') && out.includes('201379');
  });
});

test('router01 converges with the ROA preflight passing; the /48 is valid and ifog accepts it', async () => {
  const run = await provision(['-v', 'all']);
  expect(outcome(run)).toEqual({ code: 0, failed: [] });
  expect(run.stdout).toMatch(/router01\s+ok\s+rpki: ROA preflight\n/);
  await until('ifog accepts the /48', async () => (await pathsAt('ifog')) > 0);
  // the state ifog computed (a bare /valid/ would also match the path flags "valid, external")
  const state = await infraVtysh(requireLabState().anchors.ifog, `show bgp ipv6 unicast ${OWN}`);
  expect(state).toMatch(/rpki validation-state: valid\b/);
});

test('an invalid route announced by lagrange is dropped by router01 and counted', async () => {
  const INVALID = '2001:db8:e:ff::/64'; // inside transit's ROA 2001:db8:e::/48 (AS64500), originated by AS209735
  const lagrange = requireLabState().anchors.lagrange;
  await sys(['/usr/bin/nsenter', '-t', String(lagrange), '-n', '-m', '-u', '--', '/usr/bin/vtysh',
    '-c', 'configure terminal', '-c', 'ipv6 prefix-list N0-OUT seq 10 permit ' + INVALID,
    '-c', 'router bgp 209735', '-c', 'address-family ipv6 unicast', '-c', 'network ' + INVALID]);
  await until('router01 received it', async () => onHost('router01', `vtysh -c 'show bgp ipv6 unicast neighbors 2001:db8:100::45 received-routes json'`).stdout.includes(INVALID));
  const table = JSON.parse(onHost('router01', `vtysh -c 'show bgp ipv6 unicast ${INVALID} json'`).stdout || '{}') as { paths?: unknown[] };
  expect(table.paths ?? []).toHaveLength(0);
  const inv = loadInventory(path.join(REPO, 'inventory/lab.yaml'));
  const report = await rpkiCompliance(resolveHost(inv, 'router01'), async (cmd) => ({ ...onHost('router01', cmd.text), stderr: '', durationMs: 0 }));
  expect(report!.announced).toEqual([expect.objectContaining({ prefix: OWN, state: 'valid' })]);
  expect(report!.neighbors.find((n) => n.neighbor === '2001:db8:100::45')).toMatchObject({ invalidDropped: 1, invalidAccepted: [] });
  // and `provision verify` reports both: the /48 valid, the invalid route dropped and counted
  const v = await provision(['verify', '--json', 'router01']);
  const checks = VerifyReportSchema.parse(JSON.parse(v.stdout)).hosts.flatMap((h) => h.checks).filter((c) => c.kind === 'rpki');
  expect(checks.find((c) => c.name.startsWith(`RPKI state of ${OWN}`))).toMatchObject({ pass: true, actual: 'valid' });
  expect(checks.find((c) => c.name.startsWith('RPKI-invalid routes from 2001:db8:100::45'))).toMatchObject({ pass: true, actual: '1 received, 1 dropped' });
});

test('turning validation off and on restarts bgpd alone, with or without the rpki module', async () => {
  const bgpdArgs = () => onHost('router01', 'ps -o args= -p "$(cat /var/run/frr/bgpd.pid)"').stdout;
  const zebraPid = onHost('router01', 'cat /var/run/frr/zebra.pid').stdout.trim();
  expect(bgpdArgs()).toMatch(/ -M rpki /);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pv-rpki-'));
  const off = path.join(dir, 'lab.yaml');
  const lab = fs.readFileSync(path.join(REPO, 'inventory/lab.yaml'), 'utf8');
  fs.writeFileSync(off, lab.replace(/^ +rpki: \{ cache: .*\n/m, ''));
  expect(fs.readFileSync(off, 'utf8')).not.toMatch(/rpki:/);

  const withoutRpki = await provision(['-i', off, '--playbook', 'router', 'router01']);
  expect(outcome(withoutRpki)).toEqual({ code: 0, failed: [] });
  expect(withoutRpki.stdout).toMatch(/router01\s+changed\s+frr: daemon modules/);
  expect(bgpdArgs()).not.toMatch(/-M rpki/);
  expect(onHost('router01', "vtysh -c 'show running-config'").stdout).not.toMatch(/^rpki/m);

  const withRpki = await provision(['router01']);
  expect(outcome(withRpki)).toEqual({ code: 0, failed: [] });
  expect(withRpki.stdout).toMatch(/router01\s+changed\s+frr: daemon modules/);
  expect(bgpdArgs()).toMatch(/ -M rpki /);
  expect(onHost('router01', 'cat /var/run/frr/zebra.pid').stdout.trim()).toBe(zebraPid); // the other daemons stayed up
  await until('bgpd talks to the cache again', async () => /connected/i.test(onHost('router01', "vtysh -c 'show rpki cache-connection'").stdout));
  expect((await provision(['router01'])).stdout).toMatch(/router01\s+ok=\d+ changed=0 failed=0/);
  fs.rmSync(dir, { recursive: true, force: true });
});
