// Faults: the SSH connection is cut at seeded random points during an apply, many times over.
// After each cut every file the run touches is entirely old or entirely new (never empty or
// half-written), the host lock is released or recoverable with --break-lock, and the next run
// converges and then reports changed=0.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { useLab, onHost, provision, LAB_INVENTORY } from '../helpers/lab';
import { startCuttingProxy, seededRandom, type CuttingProxy } from '../../helpers/cutting-proxy';
import { JsonReportSchema } from '../../../src/report/json-schema';
import { FAULT_FILES } from './playbooks/faults';

useLab(600_000);

const SEED = 20240606;
const ITERATIONS = 20;
const HOST = 'router01';
const PLAYBOOKS = path.join(__dirname, 'playbooks');
/** every file the faults playbook changes, its own and the system's */
const TOUCHED = [...Object.keys(FAULT_FILES), '/etc/rc.conf', '/etc/sysctl.conf'];
const saved = (f: string) => `/var/tmp/pv-old${f.replace(/\//g, '_')}`;

let proxy: CuttingProxy;
let dir: string;
let inventory: string;
const before = new Map<string, string>();
const after = new Map<string, string>();

function sh(cmd: string): string {
  const r = onHost(HOST, cmd);
  if (r.code !== 0) throw new Error(`on ${HOST}: ${cmd} exited ${r.code}`);
  return r.stdout;
}

/** Put every touched file (and the live sysctl) back to the state before the playbook ran. */
function restoreOld(): void {
  sh(`${TOUCHED.map((f) => `cp -p ${saved(f)} ${f}`).join(' && ')} && sysctl net.inet.ip.gifttl=30 >/dev/null && rm -rf /var/run/provision.lock`);
}

const readTouched = () => new Map(TOUCHED.map((f) => [f, sh(`cat ${f}`)]));
const run = (...extra: string[]) => provision(['-i', inventory, '--playbook', 'faults', ...extra, HOST], { playbookDir: PLAYBOOKS });

beforeAll(async () => {
  proxy = await startCuttingProxy(2201);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pv-faults-'));
  // the proxy is a different port: known_hosts gets the same key under [127.0.0.1]:<proxy port>
  const kh = fs.readFileSync('/run/provision-lab/known_hosts', 'utf8');
  const line = kh.split('\n').find((l) => l.startsWith('[127.0.0.1]:2201 '));
  if (!line) throw new Error('no [127.0.0.1]:2201 line in the lab known_hosts');
  fs.writeFileSync(path.join(dir, 'known_hosts'), line.replace('[127.0.0.1]:2201', `[127.0.0.1]:${proxy.port}`) + '\n');
  inventory = path.join(dir, 'inv.yaml');
  fs.writeFileSync(
    inventory,
    fs.readFileSync(LAB_INVENTORY, 'utf8')
      .replace(/known_hosts: \S+/, `known_hosts: ${path.join(dir, 'known_hosts')}`)
      .replace('ssh: { port: 2201 }', `ssh: { port: ${proxy.port} }`),
  );
  for (const f of Object.keys(FAULT_FILES)) sh(`printf 'old content of %s\\n' ${f} > ${f}`);
  sh(TOUCHED.map((f) => `cp -p ${f} ${saved(f)}`).join(' && '));
  for (const [f, c] of readTouched()) before.set(f, c);
});

afterAll(async () => {
  await proxy?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test(`${ITERATIONS} connections cut at seeded random points: files old or new, lock recoverable, then changed=0`, async () => {
  // calibration: an uncut run from the old state, to learn the new contents and the chunk count
  restoreOld();
  proxy.cutAfter = Infinity;
  const clean = await run();
  expect(clean.code).toBe(0);
  const total = proxy.lastChunks;
  expect(total).toBeGreaterThan(10);
  for (const [f, c] of readTouched()) after.set(f, c);
  for (const f of Object.keys(FAULT_FILES)) expect(after.get(f)).toBe(FAULT_FILES[f as keyof typeof FAULT_FILES]);

  const random = seededRandom(SEED);
  const outcomes: string[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    restoreOld();
    const k = 1 + Math.floor(random() * (total - 1));
    proxy.cutAfter = k;
    const cut = await run();
    const wasCut = proxy.lastCut;
    await new Promise((r) => setTimeout(r, 300)); // a remote command orphaned by the cut finishes its step
    const where = `iteration ${i} (cut after ${k}/${total} chunks, exit ${cut.code})`;
    if (wasCut) expect([where, cut.code]).not.toEqual([where, 0]);
    for (const [f, content] of readTouched()) {
      const state = content === before.get(f) ? 'old' : content === after.get(f) ? 'new' : `NEITHER (${content.length} bytes)`;
      expect(`${where}: ${f} is ${state}`).toMatch(/ is (old|new)$/);
    }
    expect(sh('ls /etc')).not.toMatch(/\.provision\./); // no temp file left next to a target

    // recover: the lock is released, or stale and broken with --break-lock
    proxy.cutAfter = Infinity;
    let next = await run();
    let recovery = 'plain rerun';
    if (next.code !== 0 && /locked by/.test(next.stdout + next.stderr)) {
      const owner = onHost(HOST, 'cat /var/run/provision.lock/owner').stdout;
      expect(`${where}: ${next.stdout}${next.stderr}\nlock owner file:\n${owner}`).toMatch(/stale; rerun with --break-lock/);
      next = await run('--break-lock');
      recovery = '--break-lock';
    }
    expect([where, next.code, next.stdout + next.stderr]).toEqual([where, 0, expect.anything()]);
    const noop = await run('--json');
    const report = JsonReportSchema.parse(JSON.parse(noop.stdout));
    expect([where, report.hosts[HOST].totals.changed]).toEqual([where, 0]);
    outcomes.push(`${where}: recovered by ${recovery}`);
  }
  // the seed must actually exercise cuts, not only late no-ops
  expect(outcomes.length).toBe(ITERATIONS);
});
