// The lab's lifecycle, for real (root needed): `lab up` of the default topology, real SSH to a
// lab FreeBSD host with the host key pinned by the lab's known_hosts, separate filesystems per
// host, then `lab down` leaves nothing behind. Run: npx jest test/integration/lab/lab-lifecycle --runInBand
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { Client } from 'ssh2';
import { labUp, labIsUp } from '../../../src/lab/up';
import { labDown } from '../../../src/lab/down';
import { labPaths, NS_PREFIX } from '../../../src/lab/paths';
import { loadTopology } from '../../../src/lab/topology';
import { takeLabTurns } from '../helpers/lab';

jest.setTimeout(120_000);

const paths = labPaths();
const topo = loadTopology();

function labNetns(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter((n) => n.startsWith(NS_PREFIX));
}
const rootLinks = () => new Set(JSON.parse(execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' })).map((l: { ifname: string }) => l.ifname));
const mounts = () => fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter(Boolean);
const labMounts = () => mounts().filter((m) => m === '/run/netns' || m.startsWith('/run/netns/' + NS_PREFIX) || m.startsWith(paths.dir));
const alive = (pid: number) => fs.existsSync(`/proc/${pid}`) && !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
const cmdlineMentions = (text: string) =>
  fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(text);
    } catch {
      return false;
    }
  });

/** Run one command over SSH; the host key must be the one the lab's known_hosts pins. */
function sshRun(port: number, command: string): Promise<{ stdout: string; stderr: string; code: number }> {
  const line = fs.readFileSync(paths.knownHosts, 'utf8').split('\n').find((l) => l.startsWith(`[127.0.0.1]:${port} `));
  if (!line) throw new Error(`no known_hosts entry for port ${port}`);
  const pinned = Buffer.from(line.split(' ')[2], 'base64');
  return new Promise((resolve, reject) => {
    const c = new Client();
    c.on('error', reject);
    c.on('ready', () =>
      c.exec(command, (err, stream) => {
        if (err) return reject(err);
        let stdout = '';
        let stderr = '';
        stream.on('data', (d: Buffer) => (stdout += d));
        stream.stderr.on('data', (d: Buffer) => (stderr += d));
        stream.on('close', (code: number) => {
          c.end();
          resolve({ stdout, stderr, code });
        });
      }),
    );
    c.connect({
      host: '127.0.0.1',
      port,
      username: 'root',
      privateKey: fs.readFileSync(paths.clientKey),
      hostVerifier: (key: Buffer) => key.equals(pinned),
      readyTimeout: 10_000,
    });
  });
}


takeLabTurns();

describe('a lab up that fails halfway', () => {
  test('removes everything it created and says why', async () => {
    if (await labIsUp()) throw new Error(`a lab is already up in ${paths.dir}; run \`provision lab down\` first`);
    // Someone else holds dcgw01's management port: the kernel server cannot listen, late in `up`.
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(topo.hosts.dcgw01.ssh_port, '127.0.0.1', r));
    try {
      await expect(labUp({ say: () => undefined })).rejects.toThrow(/lab kernel server exited/);
    } finally {
      blocker.close();
    }
    expect(labNetns()).toEqual([]);
    expect(fs.existsSync(paths.dir)).toBe(false);
    expect(cmdlineMentions(paths.dir)).toEqual([]);
  });
});

describe('lab lifecycle (default topology)', () => {
  const before = { links: new Set<unknown>(), labMounts: [] as string[] };
  const labPids: number[] = [];
  let upMs = 0;

  beforeAll(async () => {
    if (await labIsUp()) throw new Error(`a lab is already up in ${paths.dir}: this test brings up its own; run \`provision lab down\` first`);
    expect(labNetns()).toEqual([]);
    before.links = rootLinks();
    before.labMounts = labMounts();
    const t0 = Date.now();
    try {
      await labUp({ say: () => undefined });
    } finally {
      upMs = Date.now() - t0;
    }
  });

  afterAll(async () => {
    if (fs.existsSync(paths.ledger)) await labDown(undefined, () => undefined); // never leave a lab behind
  });

  test('refuses a malformed topology, naming the field path, and creates nothing', async () => {
    const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lab-topo-')), 'bad.yaml');
    const text = fs.readFileSync(path.join(__dirname, '../../../src/lab/default-topology.yaml'), 'utf8').replace('ssh_port: 2202', 'ssh_port: "twenty"');
    fs.writeFileSync(bad, text);
    const nsBefore = labNetns();
    await expect(labUp({ topologyFile: bad, say: () => undefined })).rejects.toThrow(/hosts\.vps01\.ssh_port: Invalid input: expected number/);
    expect(labNetns()).toEqual(nsBefore);
  });

  test('lab up twice is harmless', async () => {
    const said: string[] = [];
    const r = await labUp({ say: (m) => said.push(m) });
    expect(r.alreadyUp).toBe(true);
    expect(said.join('\n')).toMatch(/already up/);
  });

  test('router01 answers over real SSH as FreeBSD, with the pinned host key', async () => {
    const port = topo.hosts.router01.ssh_port;
    const uname = await sshRun(port, 'uname -s');
    expect(uname).toMatchObject({ stdout: 'FreeBSD\n', code: 0 });
    const kld = await sshRun(port, 'kldstat');
    expect(kld.code).toBe(0);
    expect(kld.stdout.split('\n')[0]).toMatch(/^Id Refs Address\s+Size Name$/);
    // /usr/local/sbin comes first on root's PATH, so the FreeBSD tools shadow Linux's.
    const which = await sshRun(port, 'echo "$PATH"; command -v sysctl; echo "$0"');
    expect(which.stdout.split('\n').slice(0, 2)).toEqual(['/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', '/usr/local/sbin/sysctl']);
  });

  test('a wrong host key is refused', async () => {
    const port = topo.hosts.router01.ssh_port;
    const other = fs.readFileSync(paths.knownHosts, 'utf8').split('\n').find((l) => l.startsWith(`[127.0.0.1]:${topo.hosts.vps01.ssh_port} `))!;
    const wrong = Buffer.from(other.split(' ')[2], 'base64');
    await expect(
      new Promise((resolve, reject) => {
        const c = new Client();
        c.on('error', reject);
        c.on('ready', () => resolve(c.end()));
        c.connect({ host: '127.0.0.1', port, username: 'root', privateKey: fs.readFileSync(paths.clientKey), hostVerifier: (key: Buffer) => key.equals(wrong) });
      }),
    ).rejects.toThrow();
  });

  test('each host has its own filesystem', async () => {
    const marker = `# lab-lifecycle-${process.pid}`;
    const w = await sshRun(topo.hosts.router01.ssh_port, `echo '${marker}' >> /etc/rc.conf && grep -c -- '${marker}' /etc/rc.conf`);
    expect(w).toMatchObject({ stdout: '1\n', code: 0 });
    const r = await sshRun(topo.hosts.vps01.ssh_port, `grep -c -- '${marker}' /etc/rc.conf`);
    expect(r).toMatchObject({ stdout: '0\n', code: 1 });
    // …and the machine's own /etc/rc.conf (if any) is untouched.
    expect(fs.existsSync('/etc/rc.conf') ? fs.readFileSync('/etc/rc.conf', 'utf8') : '').not.toContain(marker);
  });

  test('lab down removes every namespace, link, mount and process it created', async () => {
    for (const ns of labNetns()) labPids.push(...execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split(/\s+/).filter(Boolean).map(Number));
    labPids.push(Number(fs.readFileSync(paths.serverPid, 'utf8')));
    expect(labPids.length).toBeGreaterThan(10);
    const t0 = Date.now();
    await labDown(undefined, () => undefined);
    const downMs = Date.now() - t0;
    expect(labNetns()).toEqual([]);
    expect([...rootLinks()].filter((l) => !before.links.has(l))).toEqual([]);
    expect(labMounts()).toEqual(before.labMounts);
    expect(labPids.filter(alive)).toEqual([]);
    expect(cmdlineMentions(paths.dir)).toEqual([]);
    expect(fs.existsSync(paths.dir)).toBe(false);
    console.log(`lab up ${upMs} ms, lab down ${downMs} ms`);
  });
});
