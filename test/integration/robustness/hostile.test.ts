// Hostile values: free text with $(…), backticks, both quotes, newlines and ";" lands literally
// where it belongs, or is refused before any host is contacted; nothing is ever executed (each
// payload would create a canary file on the host).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { useLab, onHost, provision, LAB_INVENTORY } from '../helpers/lab';

useLab(300_000);
const PLAYBOOKS = path.join(__dirname, 'playbooks');
const CANARY = '/var/tmp/pv-canary';
const HOSTILE = `a $(touch ${CANARY}-1) b \`touch ${CANARY}-2\` "double" 'single'; touch ${CANARY}-3\nsecond line $HOME \\ end\n`;

const canaries = () => onHost('router01', `ls ${CANARY}-* 2>/dev/null`).stdout;
let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pv-hostile-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  delete process.env.PV_HOSTILE;
  delete process.env.PV_HOSTILE_IN;
});

test('into a file: written byte for byte, nothing executed', async () => {
  process.env.PV_HOSTILE = HOSTILE;
  const r = await provision(['--diff', '--playbook', 'hostile', 'router01'], { playbookDir: PLAYBOOKS });
  expect(r.code).toBe(0);
  expect(onHost('router01', 'cat /etc/pv-hostile.txt').stdout).toBe(HOSTILE);
  expect(canaries()).toBe('');
});

test('into rc.conf through sysrc: refused, or stored literally; never executed (now or when rc.conf is read)', async () => {
  process.env.PV_HOSTILE = HOSTILE.replace(/\n$/, '');
  process.env.PV_HOSTILE_IN = 'rc.conf';
  onHost('router01', 'cp -p /etc/rc.conf /var/tmp/pv-rc.conf.saved');
  try {
    // a refusal is exit 3 before any host is contacted; an internal error (a throw) is neither
    const r = await provision(['--playbook', 'hostile', 'router01'], { playbookDir: PLAYBOOKS });
    const out = r.stdout + r.stderr;
    if (r.code !== 3) {
      if (r.code !== 0) throw new Error(`exit ${r.code}, neither a refusal (3) nor success:\n${out}`);
      expect(onHost('router01', 'sysrc -n pv_hostile').stdout).toBe(`${process.env.PV_HOSTILE}\n`);
    }
    // rc.conf is sourced by sh at every boot and by every sysrc: reading it must not run anything
    onHost('router01', '. /etc/rc.conf; sysrc -a >/dev/null 2>&1');
    expect(canaries()).toBe('');
  } finally {
    // a broken rc.conf must not spill into the next test
    onHost('router01', 'cp -p /var/tmp/pv-rc.conf.saved /etc/rc.conf');
  }
});

test('an inventory description with the metacharacters it allows (; ( ) # =) lands literally in rc.conf', async () => {
  const description = `x; touch ${CANARY}-4 #(y)=@`.replace(/\/var\/tmp\/pv-canary-4/, 'vt/pv');
  const inv = path.join(dir, 'inv.yaml');
  fs.writeFileSync(inv, fs.readFileSync(LAB_INVENTORY, 'utf8').replace('description: ifog AS34927', `description: "${description}"`));
  const r = await provision(['-i', inv, '--playbook', 'router-config', 'router01'], { playbookDir: PLAYBOOKS });
  if (r.code !== 0) throw new Error(`exit ${r.code}:\n${r.stdout}${r.stderr}`);
  expect(onHost('router01', 'sysrc -n ifconfig_gre0_descr').stdout).toBe(`${description}\n`);
  onHost('router01', '. /etc/rc.conf');
  expect(canaries()).toBe('');
});

test('an inventory description with $(…), backticks, quotes or a newline is refused: exit 3, nothing contacted', async () => {
  for (const bad of ['a $(id)', 'a `id`', 'a "q"', "a 'q'", 'a\nb']) {
    const inv = path.join(dir, 'bad.yaml');
    fs.writeFileSync(inv, fs.readFileSync(LAB_INVENTORY, 'utf8').replace('description: ifog AS34927', `description: ${JSON.stringify(bad)}`));
    let connects = 0;
    const r = await provision(['-i', inv, '--playbook', 'router-config', 'router01'], {
      playbookDir: PLAYBOOKS,
      connect: async () => {
        connects++;
        throw new Error('must not connect');
      },
    });
    expect([bad, r.code, connects]).toEqual([bad, 3, 0]);
    expect(r.stderr).toMatch(/hosts\.router01\.tunnels\[0\]\.description.*must be 1-80 characters/);
  }
});
