// Saved plans over real SSH: plan → apply applies what was reviewed; a host changed by hand
// between plan and apply is refused (exit 3) naming the drifted fact, while the others proceed.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PlanFileSchema } from '../../src/engine/plan-file';
import { useLab, onHost, provision } from './helpers/lab';

useLab();
let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pv-plans-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('plan, then apply: exactly the planned changes are applied', async () => {
  const file = path.join(dir, 'router01.json');
  const planned = await provision(['plan', '--playbook', 'skeleton', 'router01', '-o', file]);
  expect(planned.code).toBe(2);
  const plan = PlanFileSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  expect(plan.playbook).toBe('skeleton');
  const changing = plan.hosts.router01.tasks.filter((t) => t.status === 'changed');
  expect(planned.stdout).toContain(`plan written to ${file}: ${changing.length} task(s) to change on 1 host(s)`);
  const gw = plan.hosts.router01.tasks.find((t) => t.name === 'sysrc: gateway_enable');
  expect(gw?.status).toBe('changed');
  expect(gw?.changes[0].diff).toEqual({ kind: 'value', key: 'gateway_enable', before: 'NO', after: 'YES' });
  expect(onHost('router01', 'sysrc -n gateway_enable').stdout.trim()).toBe('NO'); // planning changed nothing

  const applied = await provision(['apply', file]);
  expect(applied.code).toBe(0);
  expect(applied.stdout).toMatch(new RegExp(`router01\\s+ok=\\d+ changed=${changing.length} failed=0 skipped=0`));
  expect(onHost('router01', 'sysrc -n gateway_enable').stdout.trim()).toBe('YES');
});

test('a host changed by hand after the plan is refused with exit 3 naming the fact; the other host is applied', async () => {
  const file = path.join(dir, 'edge.json');
  expect((await provision(['plan', '--playbook', 'skeleton', 'vps01', 'dcgw01', '-o', file])).code).toBe(2);
  onHost('vps01', 'sysrc gateway_enable=YES'); // someone was quicker than the review

  const applied = await provision(['apply', file]);
  expect(applied.code).toBe(3);
  expect(applied.stdout).toContain('facts drifted since the plan:');
  expect(applied.stdout).toContain('sysrc: gateway_enable: sysrc:rc_conf_files:gateway_enable');
  expect(applied.stderr).toContain('vps01: refused');
  // nothing of the plan was applied on vps01; dcgw01 got all of it
  expect(onHost('vps01', 'test -e /etc/motd.template').code).toBe(1);
  expect(onHost('vps01', 'sysctl -n net.inet.ip.gifttl').stdout.trim()).not.toBe('64');
  expect(applied.stdout).toMatch(/dcgw01\s+ok=\d+ changed=[1-9]\d* failed=0 skipped=0/);
  expect(onHost('dcgw01', 'test -e /etc/motd.template').code).toBe(0);
});
