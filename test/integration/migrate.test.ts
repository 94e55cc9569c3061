// The worked migration over real SSH: the seed network provisioned, vps01 moves provider (lab
// move), its tunnel breaks; `provision migrate vps01 --endpoint …` on a copy of the inventory
// brings traffic to its service address back, with only tunnel lines changed and its exit
// address unchanged.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { labMove } from '../../src/lab/move';
import { JsonReportSchema } from '../../src/report/json-schema';
import { useLab, onHost, provision, LAB_INVENTORY } from './helpers/lab';

useLab(600_000);
const SERVICE = '2a06:9801:1c:1000::10';
const VPS_INNER = '2a06:9801:1c:ffff::2';
const NEW_ENDPOINT = '203.0.113.130';
// the new provider's side of the move (docs/lab-address-plan.md: provider-e), as overrides
const NEW_PROVIDER = ['--gateway', '203.0.113.129', '--inet6', '2001:db8:204::10/64', '--gateway6', '2001:db8:204::1'];

let dir: string;
let inv: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pv-migrate-'));
  inv = path.join(dir, 'lab.yaml');
  fs.copyFileSync(LAB_INVENTORY, inv);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const ping6 = (from: string, to: string) => onHost(from, `ping6 -c 2 -W 2 ${to}`).code === 0;

test('router01 alone on a fresh lab: exit 0, the far ends it did not provision named as pending', async () => {
  const r = await provision(['--json', '-i', inv, 'router01']);
  const report = JsonReportSchema.parse(JSON.parse(r.stdout));
  expect(report.hosts.router01.tasks.filter((t) => t.status === 'failed')).toEqual([]);
  expect(r.code).toBe(0);
  expect(report.hosts.router01.warnings).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^verify: tunnels: gif0 to vps01 is pending: vps01 is not part of this run .*provision vps01/),
      expect.stringMatching(/^verify: tunnels: gif1 to dcgw01 is pending: dcgw01 is not part of this run .*provision dcgw01/),
    ]),
  );
});

test('the seed network converges and carries traffic to the service address', async () => {
  const r = await provision(['-i', inv, 'router01', 'vps01', 'dcgw01']);
  expect(r.stderr + r.stdout).not.toMatch(/failed\s{2,}/);
  expect(r.code).toBe(0);
  expect(ping6('router01', SERVICE)).toBe(true);
});

test('after the move the tunnel is broken; migrate --check plans only tunnel changes and touches nothing', async () => {
  await provision(['-i', inv, '--confirm-timeout', '600', 'router01', 'vps01', 'dcgw01']); // as far as the playbooks get
  await labMove('vps01', NEW_ENDPOINT, undefined, () => undefined);
  expect(ping6('router01', VPS_INNER)).toBe(false);
  const before = fs.readFileSync(inv, 'utf8');
  const r = await provision(['migrate', 'vps01', '--endpoint', NEW_ENDPOINT, ...NEW_PROVIDER, '--check', '-i', inv]);
  expect(r.code).toBe(2);
  expect(r.stdout).toContain('hosts.vps01.outer_ipv4: 203.0.113.10 → 203.0.113.130');
  expect(r.stdout).toMatch(/would change on the hosts:\n(.*\n)*\s+router01 .*gif0/);
  expect(fs.readFileSync(inv, 'utf8')).toBe(before);
  expect(ping6('router01', VPS_INNER)).toBe(false);
});

test('an endpoint the moved host does not have: exit 3 naming --endpoint, nothing changed', async () => {
  const before = fs.readFileSync(inv, 'utf8');
  const rcBefore = onHost('router01', 'cat /etc/rc.conf').stdout;
  const r = await provision(['migrate', 'vps01', '--endpoint', '203.0.113.200', '-i', inv]);
  expect(r.code).toBe(3);
  expect(r.stderr).toMatch(/the host at 203\.0\.113\.200: no interface has the address 203\.0\.113\.200[^]*hint: give --endpoint/);
  expect(fs.readFileSync(inv, 'utf8')).toBe(before);
  expect(onHost('router01', 'cat /etc/rc.conf').stdout).toBe(rcBefore);
});

test('migrate --endpoint alone: the provider side is read from vps01, traffic flows again, the exit address is unchanged', async () => {
  const r = await provision(['migrate', 'vps01', '--endpoint', NEW_ENDPOINT, '--json', '-i', inv]);
  expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
  expect(r.stderr).toContain('changed on the hosts:');
  expect(r.stderr).toContain('read from vps01 at 203.0.113.130: vtnet0 inet 203.0.113.130/25 inet6 2001:db8:204::10/64, default via 203.0.113.129, ::/0 via 2001:db8:204::1');
  const report = JsonReportSchema.parse(JSON.parse(r.stdout));
  expect(Object.keys(report.hosts).sort()).toEqual(['router01', 'vps01']);
  const changed = Object.entries(report.hosts).flatMap(([h, x]) => x.tasks.filter((t) => t.status === 'changed' && t.kind === 'task').map((t) => `${h}: ${t.name}`));
  expect(changed.length).toBeGreaterThan(0);
  for (const c of changed) expect(c).toMatch(/gif0|tunnel/);
  expect(fs.readFileSync(inv, 'utf8')).toContain(`outer_ipv4: ${NEW_ENDPOINT}`);

  expect(ping6('router01', SERVICE)).toBe(true);
  const verified = await provision(['verify', 'vps01', '-i', inv]); // tunnel, BGP, exit address (the echo check)
  expect(verified.stdout).toMatch(/exit/i);
  expect(verified.code).toBe(0);

  // converged: a second run changes nothing
  const again = await provision(['-i', inv, 'router01', 'vps01']);
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/router01\s+ok=\d+ changed=0/);
});
