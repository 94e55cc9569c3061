// RPKI, the missing ROA (issue 8): the lab's cache serves no ROA for the operator's /48. The ROA
// preflight refuses to announce it (in --check too) and names the ROA to create; --allow-unsigned
// reproduces the silent failure the seeds warn about (the strict upstream ifog drops the /48,
// lagrange takes it) and `provision verify` catches it. Real SSH, real FRR, real RTR.
import * as fs from 'fs';
import * as path from 'path';
import { useLab, onHost, provision, REPO } from '../helpers/lab';
import { nodePaths } from '../../../src/lab/paths';
import { loadTopology } from '../../../src/lab/topology';
import { setLabVrps } from '../../../src/lab/infra-extras';
import { parseVrpJson } from '../../../src/rpki/vrp';
import { requireLabState } from '../../../src/lab/state';
import { infraVtysh } from '../../../src/lab/infra-frr';
import { VerifyReportSchema } from '../../../src/verify/report-schema';
import { OWN, NO_ROA_VRPS, pathsAt, until, outcome } from './_rpki';

useLab(600_000, { vrpsFile: NO_ROA_VRPS });

test('the preflight refuses before announcing, in --check too, naming the ROA to create', async () => {
  await until('ifog has loaded the VRPs', async () => (await infraVtysh(requireLabState().anchors.ifog, 'show rpki prefix-table')).includes('2001:db8:e::'));
  const check = await provision(['--check', 'router01']);
  expect(check.code).toBe(1);
  expect(check.stdout + check.stderr).toContain(`${OWN} from AS201379: notfound (no ROA covers it)`);
  expect(check.stdout + check.stderr).toContain(`needs: ROA ${OWN} maxLength 48 AS201379`);

  const run = await provision(['router01']);
  expect(run.code).toBe(1);
  expect(run.stdout).toMatch(/router01\s+failed\s+rpki: ROA preflight/);
  expect(run.stdout + run.stderr).toContain(`needs: ROA ${OWN} maxLength 48 AS201379`);
  // the preflight is a precondition: nothing of the play ran (no module, no frr.conf, no bgpd)
  expect(run.stdout).toMatch(/router01\s+skipped\s+kld: if_gre\s+\(not run: precondition failed: rpki: ROA preflight\)/);
  expect(onHost('router01', 'kldstat -q -m if_gre').code).not.toBe(0);
  expect(onHost('router01', 'test -e /usr/local/etc/frr/frr.conf && grep -c network /usr/local/etc/frr/frr.conf').stdout.trim()).not.toMatch(/^[1-9]/);
  expect(onHost('router01', 'service frr onestatus').stdout).not.toMatch(/bgpd is running/);
  expect(await pathsAt('lagrange')).toBe(0);
});

test('--allow-unsigned: announced; the strict upstream drops it, the other accepts it; verify catches it', async () => {
  // all: router01's tunnels need their far ends (vps01, dcgw01) before BGP runs over them
  const run = await provision(['--allow-unsigned', '-v', 'all']);
  expect(run.stderr).toContain('--allow-unsigned');
  expect(run.stdout).toMatch(/router01\s+ok\s+rpki: ROA preflight \(not enforced: --allow-unsigned\)/);
  expect(outcome(run)).toEqual({ code: 0, failed: [] });
  // overridden, not silent: the findings are the host's warnings in the recap
  expect(run.stdout).toMatch(/router01\s+warning\s+rpki: ROA preflight \(not enforced: --allow-unsigned\): 1 of 1 prefix/);
  expect(run.stdout).toContain(`needs: ROA ${OWN} maxLength 48 AS201379`);
  await until('lagrange has the /48', async () => (await pathsAt('lagrange')) > 0);
  // ifog received it (soft-reconfiguration keeps it) but its policy refused it: RPKI not found
  const received = await infraVtysh(requireLabState().anchors.ifog, 'show bgp ipv6 unicast neighbors 2001:db8:ffff:44::2 received-routes json');
  expect(received).toContain(OWN);
  expect(await pathsAt('ifog')).toBe(0);
  // the silent failure, caught by the compliance report: the /48 is not RPKI-valid
  const v = await provision(['verify', '--json', 'router01']);
  const checks = VerifyReportSchema.parse(JSON.parse(v.stdout)).hosts.flatMap((h) => h.checks);
  expect(checks.find((c) => c.kind === 'rpki' && c.name.startsWith(`RPKI state of ${OWN}`))).toMatchObject({ pass: false, actual: expect.stringMatching(/^notfound/) });
  expect(v.code).toBe(1);
});

test('once the ROA exists, provision verify reports the /48 valid', async () => {
  setLabVrps(nodePaths(loadTopology().rpki!.host), parseVrpJson(fs.readFileSync(path.join(REPO, 'src/lab/default-vrps.json'), 'utf8')));
  await until('the cache serves the ROA', async () => {
    const v = await provision(['verify', '--json', 'router01']);
    const checks = VerifyReportSchema.parse(JSON.parse(v.stdout)).hosts.flatMap((h) => h.checks);
    return checks.find((c) => c.kind === 'rpki' && c.name.startsWith(`RPKI state of ${OWN}`))?.actual === 'valid';
  });
});
