// Secrets: a BGP session password from the environment (inventory `password: { env: NAME }`)
// reaches frr.conf on the host, and never the --log-file, the --json output or a printed --diff.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { useLab, onHost, provision, LAB_INVENTORY } from '../helpers/lab';

useLab(300_000);
const PLAYBOOKS = path.join(__dirname, 'playbooks');
const PASSWORD = 'Pw-s3cr3t.4217';
const FRR_CONF = '/usr/local/etc/frr/frr.conf';
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pv-secrets-'));
  process.env.PV_TEST_BGP_PASSWORD = PASSWORD;
});
afterAll(() => {
  delete process.env.PV_TEST_BGP_PASSWORD;
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the password is on the host only', async () => {
  const inv = path.join(dir, 'inv.yaml');
  const text = fs.readFileSync(LAB_INVENTORY, 'utf8');
  const withPassword = text.replace('description: lagrange }', 'description: lagrange, password: { env: PV_TEST_BGP_PASSWORD } }');
  expect(withPassword).not.toBe(text);
  fs.writeFileSync(inv, withPassword);
  const log = path.join(dir, 'run.log');
  const args = ['-i', inv, '--playbook', 'router-config', '--log-file', log, 'router01'];
  const before = onHost('router01', `cat ${FRR_CONF} 2>/dev/null`).stdout;

  const check = await provision(['--check', '--diff', ...args], { playbookDir: PLAYBOOKS });
  expect(check.code).toBe(2);
  expect(check.stdout).toMatch(/neighbor 2001:db8:100::45 password \*{8}/); // the diff shows the line, masked
  const apply = await provision(['--diff', '-v', ...args], { playbookDir: PLAYBOOKS });
  expect(apply.code).toBe(0);
  expect(onHost('router01', `cat ${FRR_CONF}`).stdout).toContain(`neighbor 2001:db8:100::45 password ${PASSWORD}`);

  // once more as JSON, from the old frr.conf, so the JSON carries the diff too
  onHost('router01', before ? `printf '%s' ${JSON.stringify(before).replace(/\$/g, '\\$')} > ${FRR_CONF}` : `rm -f ${FRR_CONF}`);
  const json = await provision(['--json', ...args], { playbookDir: PLAYBOOKS });
  expect(json.code).toBe(0);
  expect(json.stdout).toContain('frr.conf');

  const logText = fs.readFileSync(log, 'utf8');
  expect(logText.length).toBeGreaterThan(0);
  for (const [where, out] of Object.entries({ check: check.stdout + check.stderr, apply: apply.stdout + apply.stderr, json: json.stdout + json.stderr, log: logText })) {
    expect([where, out.includes(PASSWORD)]).toEqual([where, false]);
  }
});
