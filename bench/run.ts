// The benchmarks (not tests): provision side by side with Ansible on the same lab host, the bare
// SSH limit, fleet scale, and lab up/down. Writes bench/RESULTS.md. Run as root after a build:
//   npm run build && npm run bench            (BENCH_ROUNDS=3 BENCH_FLEET=50 by default)
// It takes the one lab on this machine for its whole run (waiting its turn like the tests do).
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadInventory } from '../src/inventory/load';
import { resolveHost } from '../src/inventory/resolve';
import { labUp } from '../src/lab/up';
import { labDown } from '../src/lab/down';
import { requireLabState } from '../src/lab/state';
import { execArgv } from '../src/lab/exec';
import { takeTurn, releaseTurn, REPO, LAB_INVENTORY } from '../test/integration/helpers/lab';
import { writeAnsibleFiles, type AnsibleFiles } from './ansible-playbook';
import { writeFleet } from './fleet';
import { measureMigration } from './migration';

const INVENTORY = LAB_INVENTORY;
const CLI = path.join(__dirname, 'provision-cli.js');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const FLEET = Number(process.env.BENCH_FLEET ?? 50);
const HOST = 'router01';
const say = (m: string) => process.stderr.write(`bench: ${m}\n`);

interface Sample {
  ms: number;
  rssKb: number;
  /** user + system CPU of the command (the controller) */
  cpuMs: number;
  /** CPU used on the whole machine meanwhile: the controller, the lab's sshd, shells and kernel */
  machineCpuMs: number;
  code: number;
  stdout: string;
}

/** Busy CPU time of the whole machine so far, in ms (/proc/stat, USER_HZ = 100). */
function machineCpuMs(): number {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq] = f;
  return (user + nice + system + irq + softirq) * 10;
}

/** Runs a command under /usr/bin/time -v: wall time measured here, peak RSS and CPU of the command. */
function timed(argv: string[], env: NodeJS.ProcessEnv = {}): Sample {
  const c0 = machineCpuMs();
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-v', ...argv], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  const ms = performance.now() - t0;
  const machine = machineCpuMs() - c0;
  const field = (name: string) => Number(new RegExp(`${name}: ([\\d.]+)`).exec(r.stderr ?? '')?.[1] ?? NaN);
  const cpuMs = (field('User time \\(seconds\\)') + field('System time \\(seconds\\)')) * 1000;
  return { ms, rssKb: field('Maximum resident set size \\(kbytes\\)'), cpuMs, machineCpuMs: machine, code: r.status ?? -1, stdout: r.stdout ?? '' };
}

function onHost(host: string, command: string): string {
  const argv = execArgv(requireLabState().anchors[host], command);
  return execFileSync(argv[0], argv.slice(1), { encoding: 'utf8' });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

function provisionRun(args: string[], env: NodeJS.ProcessEnv = {}) {
  const s = timed([process.execPath, CLI, '--json', ...args], env);
  if (s.code !== 0 && s.code !== 2) throw new Error(`provision ${args.join(' ')} exited ${s.code}: ${s.stdout.slice(0, 2000)}`);
  const report = JSON.parse(s.stdout) as { hosts: Record<string, { roundTrips: number; totals: { changed: number; ok: number } }> };
  return { ...s, report };
}

// ---- router01: provision and Ansible from the same fresh state ---------------------------------

const TOUCHED = ['/etc/rc.conf', '/etc/sysctl.conf', '/usr/local/etc/frr/frr.conf'];

function saveFresh(): void {
  onHost(HOST, TOUCHED.map((f) => `{ [ -e ${f} ] && cp -p ${f} /var/tmp/pv-bench${f.replace(/\//g, '_')} || touch /var/tmp/pv-bench${f.replace(/\//g, '_')}.absent; }`).join('; '));
}

/** Back to the state after `lab up`: files restored, module unloaded, forwarding off, no lock. */
function resetHost(): void {
  const restore = TOUCHED.map((f) => {
    const saved = `/var/tmp/pv-bench${f.replace(/\//g, '_')}`;
    return `if [ -e ${saved}.absent ]; then rm -f ${f}; else cp -p ${saved} ${f}; fi`;
  });
  onHost(HOST, [...restore, 'kldunload if_gre 2>/dev/null; sysctl net.inet.ip.forwarding=0 net.inet6.ip6.forwarding=0 >/dev/null', 'rm -rf /var/run/provision.lock /var/db/provision'].join('; '));
}

function ensureAnsible(): string {
  const r = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) {
    say('installing Debian ansible (apt-get install -y ansible)');
    execFileSync('apt-get', ['install', '-y', 'ansible'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  return spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
}

function stopAnsibleMasters(a: AnsibleFiles): void {
  const cp = path.join(a.dir, 'cp');
  if (!fs.existsSync(cp)) return;
  for (const sock of fs.readdirSync(cp)) spawnSync('/usr/bin/ssh', ['-S', path.join(cp, sock), '-O', 'exit', 'x'], { stdio: 'ignore' });
}

function ansibleRun(a: AnsibleFiles, extra: string[] = []) {
  fs.rmSync(a.sshLog, { force: true });
  const s = timed(['ansible-playbook', '-i', a.inventory, a.playbook, ...extra], { ANSIBLE_CONFIG: a.config, ANSIBLE_NOCOLOR: '1' });
  if (s.code !== 0) throw new Error(`ansible-playbook exited ${s.code}: ${s.stdout.slice(-3000)}`);
  const sessions = fs.existsSync(a.sshLog) ? fs.readFileSync(a.sshLog, 'utf8').split('\n').filter(Boolean).length : 0;
  const changed = Number(/changed=(\d+)/.exec(s.stdout)?.[1] ?? NaN);
  return { ...s, sessions, changed };
}

interface Row {
  what: string;
  provision: Sample[];
  ansible: Sample[];
  provisionTrips: number;
  ansibleSessions: number;
  provisionChanged: number;
  ansibleChanged: number;
}

async function compare(): Promise<{ rows: Row[]; bare: number[]; ansibleVersion: string; crossCheck: number; tasks: number; ansibleTasks: number }> {
  const ansibleVersion = ensureAnsible();
  const host = resolveHost(loadInventory(INVENTORY), HOST);
  const a = writeAnsibleFiles(host, path.join(REPO, 'bench/ansible'));
  const ansibleTasks = (fs.readFileSync(a.playbook, 'utf8').match(/^ {4}- name:/gm) ?? []).length;
  const rows: Row[] = ['first run', 'no-op re-run', 'check mode (--check)'].map((what) => ({ what, provision: [], ansible: [], provisionTrips: 0, ansibleSessions: 0, provisionChanged: 0, ansibleChanged: 0 }));
  const bare: number[] = [];
  const pargs = ['-i', INVENTORY, '--playbook', 'router-config', HOST];
  let crossCheck = NaN;
  let tasks = 0;
  saveFresh();
  for (let r = 0; r < ROUNDS; r++) {
    say(`round ${r + 1}/${ROUNDS}: provision`);
    resetHost();
    const runs = [provisionRun(pargs), provisionRun(pargs), provisionRun(['--check', ...pargs])];
    runs.forEach((s, i) => {
      rows[i].provision.push(s);
      rows[i].provisionTrips = s.report.hosts[HOST].roundTrips;
      rows[i].provisionChanged = s.report.hosts[HOST].totals.changed;
    });
    tasks = runs[1].report.hosts[HOST].totals.ok;
    say(`round ${r + 1}/${ROUNDS}: ansible`);
    resetHost();
    stopAnsibleMasters(a);
    const aruns = [ansibleRun(a), ansibleRun(a), ansibleRun(a, ['--check'])];
    aruns.forEach((s, i) => {
      rows[i].ansible.push(s);
      rows[i].ansibleSessions = s.sessions;
      rows[i].ansibleChanged = s.changed;
    });
    // the same work: after Ansible's run, provision finds nothing to change
    crossCheck = provisionRun(['--check', ...pargs]).report.hosts[HOST].totals.changed;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      execFileSync('/usr/bin/ssh', ['-i', host.ssh.identity_file!, '-p', String(host.ssh.port), '-o', `UserKnownHostsFile=${host.ssh.known_hosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'ControlMaster=no', '-o', 'ControlPath=none', `${host.ssh.user}@${host.ssh.host}`, 'true']);
      bare.push(performance.now() - t0);
    }
  }
  stopAnsibleMasters(a);
  resetHost();
  return { rows, bare, ansibleVersion, crossCheck, tasks, ansibleTasks };
}

// ---- fleet scale -----------------------------------------------------------------------------

interface ScaleRow {
  hosts: number;
  first: Sample;
  noop: Sample;
}

async function scale(dir: string): Promise<{ rows: ScaleRow[]; trips: Array<{ tasks: number; perHost: number[] }>; fleet: number; upMs: number }> {
  let fleet = FLEET;
  let files = writeFleet(fleet, dir);
  let upMs = 0;
  for (;;) {
    const t0 = Date.now();
    try {
      await labUp({ topologyFile: files.topology, say: () => undefined });
      upMs = Date.now() - t0;
      break;
    } catch (err) {
      await labDown(undefined, () => undefined);
      if (fleet <= 10) throw err;
      say(`a fleet of ${fleet} did not come up (${(err as Error).message}); trying ${Math.floor(fleet / 2)}`);
      fleet = Math.floor(fleet / 2);
      files = writeFleet(fleet, dir);
    }
  }
  const rows: ScaleRow[] = [];
  const sizes = [1, 10, fleet].filter((n, i, a) => n <= fleet && a.indexOf(n) === i);
  for (const n of sizes) {
    const args = ['-i', files.inventory, '--concurrency', '50', '--playbook', 'counted', ...files.hosts.slice(0, n)];
    const env = { PV_TASKS: '5', PV_VALUE: `n${n}` };
    const first = provisionRun(args, env);
    const noops = [1, 2, 3].map(() => provisionRun(args, env));
    const noop = noops.sort((x, y) => x.ms - y.ms)[1];
    rows.push({ hosts: n, first, noop });
  }
  const trips: Array<{ tasks: number; perHost: number[] }> = [];
  const ten = files.hosts.slice(0, Math.min(10, fleet));
  for (const tasks of [5, 20]) {
    const args = ['-i', files.inventory, '--concurrency', '50', '--playbook', 'counted', ...ten];
    const env = { PV_TASKS: String(tasks), PV_VALUE: 'trips' };
    provisionRun(args, env);
    const r = provisionRun(args, env);
    trips.push({ tasks, perHost: Object.values(r.report.hosts).map((h) => h.roundTrips) });
  }
  return { rows, trips, fleet, upMs };
}

// ---- the report ------------------------------------------------------------------------------

function machine(): string {
  const model = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '?';
  return `${os.cpus().length} CPUs (nproc ${execFileSync('nproc', { encoding: 'utf8' }).trim()}), ${model}, Linux ${os.release()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}; ${new Date().toISOString()}`;
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pv-bench-'));
  const out: string[] = [];
  await takeTurn(4 * 3600_000); // other lab users (tests) go first; wait for them
  try {
    say('lab up/down of the default topology');
    await labDown(undefined, () => undefined);
    const lud = spawnSync(process.execPath, [path.join(__dirname, 'lab-up-down.js'), '1'], { encoding: 'utf8' });
    if (lud.status !== 0) throw new Error(`lab-up-down failed: ${lud.stderr}`);

    await labUp({ say: () => undefined });
    const cmp = await compare();
    await labDown(undefined, () => undefined);

    say(`fleet of ${FLEET}`);
    const sc = await scale(tmp);
    await labDown(undefined, () => undefined);

    say('migration of vps01 (outage window)');
    const migration = await measureMigration();

    const bareMed = median(cmp.bare);
    out.push(
      '# Benchmarks',
      '',
      'Generated by `npm run build && npm run bench` (bench/run.ts; `BENCH_ROUNDS`, `BENCH_FLEET`). Not a test: figures depend on the machine.',
      '',
      `Machine: ${machine()}.`,
      '',
      `## router01, configuration part: provision vs Ansible (median of ${ROUNDS} rounds)`,
      '',
      `Same lab host, same sshd. provision: \`bench/playbooks/router-config.ts\` (the kld, sysctl, rc.conf and frr.conf tasks of playbooks/router.ts: ${cmp.tasks} tasks). Ansible (${cmp.ansibleVersion}): \`bench/ansible/router01.yml\` (${cmp.ansibleTasks} tasks: one community.general.sysrc per rc.conf variable, copy for frr.conf, shell for kldload and live sysctls), generated from the same inventory and renderers, with pipelining=True and ControlMaster/ControlPersist. Each first run starts from the state after \`lab up\` (files restored, module unloaded, forwarding off) and, for Ansible, without a master connection. After Ansible's first run, \`provision --check\` reported changed=${cmp.crossCheck} (0 = both tools produce the same state).`,
      '',
      'Sessions: provision, `roundTrips` of `--json` (exec channels on its one connection); Ansible, invocations of ssh counted by a wrapper set as `ansible_ssh_executable` (each is one exec session over the master connection). Memory: peak RSS of the controller process tree as `/usr/bin/time -v` reports it (for Ansible, the largest process).',
      '',
      '| run | provision | Ansible | Ansible / provision | provision round trips | Ansible ssh sessions | changed (provision / Ansible) | peak RSS provision | peak RSS Ansible |',
      '|---|---|---|---|---|---|---|---|---|',
      ...cmp.rows.map((r) => {
        const p = median(r.provision.map((s) => s.ms));
        const a = median(r.ansible.map((s) => s.ms));
        return `| ${r.what} | ${fmt(p)} | ${fmt(a)} | ${(a / p).toFixed(1)}x | ${r.provisionTrips} | ${r.ansibleSessions} | ${r.provisionChanged} / ${r.ansibleChanged} | ${mb(median(r.provision.map((s) => s.rssKb)))} | ${mb(median(r.ansible.map((s) => s.rssKb)))} |`;
      }),
      '',
      `Target: provision's no-op at least 10x faster than Ansible's: **${(median(cmp.rows[1].ansible.map((s) => s.ms)) / median(cmp.rows[1].provision.map((s) => s.ms))).toFixed(1)}x**.`,
      '',
      '## The limit: a bare SSH connection plus one command',
      '',
      `\`ssh -i <lab key> -p 2201 root@127.0.0.1 true\` (OpenSSH client, no master): median ${fmt(bareMed)} over ${cmp.bare.length} runs. provision's no-op run (node start-up included) is **${(median(cmp.rows[1].provision.map((s) => s.ms)) / bareMed).toFixed(1)}x** that (target: under 3x).`,
      '',
      `## Fleet scale (counted playbook, 5 rc.conf tasks, --concurrency 50; no-op: median of 3)`,
      '',
      `A fleet topology of ${sc.fleet} small hosts on one segment (bench/fleet.ts), \`lab up\` in ${fmt(sc.upMs)}.${sc.fleet < FLEET ? ` ${FLEET} hosts did not come up on this machine; ${sc.fleet} did.` : ''}`,
      '',
      '| hosts | first run | no-op | no-op / 1 host | peak RSS (first) | peak RSS (no-op) | controller CPU (no-op) | CPU of the whole machine (no-op) |',
      '|---|---|---|---|---|---|---|---|',
      ...sc.rows.map((r) => `| ${r.hosts} | ${fmt(r.first.ms)} | ${fmt(r.noop.ms)} | ${(r.noop.ms / sc.rows[0].noop.ms).toFixed(2)}x | ${mb(r.first.rssKb)} | ${mb(r.noop.rssKb)} | ${fmt(r.noop.cpuMs)} | ${fmt(r.noop.machineCpuMs)} |`),
      '',
      `Where the time goes: the machine has ${os.cpus().length} CPUs and the lab's hosts run on them too. The controller's own CPU is the provision process (user + system, \`/usr/bin/time\`); the machine's is all busy CPU meanwhile (/proc/stat): the controller plus, per lab host, sshd (key exchange, two exec sessions), the login shells and the lab kernel's emulated commands. Once the machine's CPU approaches wall time x CPUs, the fleet run is waiting for the emulated hosts, not for provision.`,
      '',
      'SSH round trips per host of a no-op run against playbook size (10 hosts):',
      '',
      '| tasks | round trips per host (min–max) |',
      '|---|---|',
      ...sc.trips.map((t) => `| ${t.tasks} | ${Math.min(...t.perHost)}–${Math.max(...t.perHost)} |`),
      '',
      '## Migration: vps01 changes provider (bench/migration.ts)',
      '',
      'The seed network converged, then `lab move vps01 --to 203.0.113.130` (its provider link moves to another segment) and `provision migrate vps01 --endpoint 203.0.113.130 …` (the inventory edited, the tunnel retargeted on both ends, no renumbering). The echo host pings vps01\'s service address 2a06:9801:1c:1000::10 every 100 ms throughout.',
      '',
      '| what | value |',
      '|---|---|',
      ...migration.map(([k, v]) => `| ${k} | ${v} |`),
      '',
      '## lab up / lab down (default topology, bench/lab-up-down.ts)',
      '',
      '```',
      lud.stdout.trimEnd(),
      '```',
      '',
    );
    fs.writeFileSync(path.join(REPO, 'bench/RESULTS.md'), out.join('\n'));
    process.stdout.write(out.join('\n'));
  } finally {
    await labDown(undefined, () => undefined).catch(() => undefined);
    releaseTurn();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
