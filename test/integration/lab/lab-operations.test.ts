// What the lab offers once up (root needed): infrastructure routers with real BGP sessions, the
// HTTP echo that names the client's address, `lab exec`, `lab reboot` (runtime state lost, files
// kept, sshd back) and `lab move` (re-cabled to another provider segment).
// Run: npx jest test/integration/lab/lab-operations --runInBand
import { execFileSync, spawnSync } from 'child_process';
import { labUp, labIsUp } from '../../../src/lab/up';
import { labDown } from '../../../src/lab/down';
import { labReboot } from '../../../src/lab/reboot';
import { labMove } from '../../../src/lab/move';
import { labStatus } from '../../../src/lab/status';
import { execArgv } from '../../../src/lab/exec';
import { requireLabState } from '../../../src/lab/state';
import { labPaths, SWITCH_NS } from '../../../src/lab/paths';
import { bridgeName } from '../../../src/lab/network';
import { REPO, takeLabTurns } from '../helpers/lab';

jest.setTimeout(120_000);

/** A shell command on a lab node, the way `lab exec` runs it. */
function onNode(node: string, command: string): { stdout: string; stderr: string; code: number | null } {
  const argv = execArgv(requireLabState().anchors[node], command);
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 30_000 });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status };
}

async function until<T>(what: string, f: () => Promise<T | null> | T | null, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}


takeLabTurns();

describe('lab operations (default topology)', () => {
  beforeAll(async () => {
    if (await labIsUp()) throw new Error(`a lab is already up in ${labPaths().dir}; run \`provision lab down\` first`);
    await labUp({ say: () => undefined });
  });
  afterAll(async () => {
    await labDown(undefined, () => undefined);
  });

  test('transit has eBGP sessions with both upstreams, policy OK', async () => {
    const bgp = await until('transit sessions', async () => {
      const transit = (await labStatus()).data.nodes.find((n) => n.name === 'transit');
      const s = transit?.bgp ?? {};
      return s['2001:db8:100::44'] === 'Established' && s['2001:db8:100::45'] === 'Established' ? s : null;
    });
    expect(bgp).toEqual({ '2001:db8:100::44': 'Established', '2001:db8:100::45': 'Established' });
  });

  test('the echo host answers HTTP with the client address', () => {
    const r = onNode('transit', "curl -s -m 5 'http://[2001:db8:e::80]/'");
    expect(r).toMatchObject({ stdout: '2001:db8:e::1\n', code: 0 });
  });

  test('lab exec runs a shell on the host with the FreeBSD surface first on PATH', () => {
    const r = onNode('router01', 'hostname; uname -s; command -v kldstat');
    expect(r).toMatchObject({ stdout: 'router01\nFreeBSD\n/usr/local/sbin/kldstat\n', code: 0 });
  });

  // `provision lab exec` as a user types it: the CLI binary, run from the sources
  const provision = (...args: string[]) =>
    spawnSync(process.execPath, ['-r', `${REPO}/scripts/ts-require.js`, `${REPO}/src/cli/main.ts`, ...args], { encoding: 'utf8', timeout: 60_000 });

  test('provision lab exec exits with the remote command\'s status', () => {
    expect(provision('lab', 'exec', 'router01', '--', 'false').status).toBe(1);
    expect(provision('lab', 'exec', 'router01', '--', 'sysctl', 'no.such.oid').status).toBe(1);
    expect(provision('lab', 'exec', 'router01', '--', 'true').status).toBe(0);
  });

  test('provision lab exec keeps each argument whole; a single argument is a shell command line', () => {
    // `sh -c 'exit 7'` exits 7 only when 'exit 7' arrives as one argument
    expect(provision('lab', 'exec', 'router01', '--', 'sh', '-c', 'exit 7').status).toBe(7);
    const r = provision('lab', 'exec', 'router01', '--', 'printf', '%s|', 'two words', "it's");
    expect(r).toMatchObject({ stdout: "two words|it's|", status: 0 });
    expect(provision('lab', 'exec', 'router01', '--', 'echo a; exit 3')).toMatchObject({ stdout: 'a\n', status: 3 });
  });

  test('a failing lab command says why on one line, without a stack trace', () => {
    const r = provision('lab', 'exec', 'nosuchhost', '--', 'true');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^provision lab: no lab node named nosuchhost \(nodes: .*router01/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('lab reboot loses runtime state, keeps files, and sshd comes back', async () => {
    expect(onNode('vps01', 'kldload if_gre && echo "# survives" >> /etc/rc.conf && ip link add dummyx type veth peer name dummyy').code).toBe(0);
    expect(onNode('vps01', 'kldstat -q -n if_gre.ko').code).toBe(0);
    const sshdBefore = onNode('vps01', 'cat /var/run/sshd.pid').stdout;
    await labReboot('vps01', undefined, () => undefined);
    expect(onNode('vps01', 'kldstat -q -n if_gre.ko').code).toBe(1);
    expect(onNode('vps01', 'tail -n 1 /etc/rc.conf').stdout).toBe('# survives\n');
    expect(onNode('vps01', 'ip -br link show dummyx').code).not.toBe(0);
    const sshdAfter = onNode('vps01', 'cat /var/run/sshd.pid').stdout;
    expect(sshdAfter).not.toBe(sshdBefore);
    expect((await labStatus()).data.nodes.find((n) => n.name === 'vps01')?.sshd).toBe(true);
    // mgmt0 stays configured: it is the console, not the host's configuration
    expect(onNode('vps01', 'ip -br -4 addr show mgmt0').stdout).toMatch(/198\.18\.0\.2\/24/);
  });

  test('lab move re-cables the host and hands it the new provider addresses', async () => {
    await labMove('vps01', '203.0.113.130', undefined, () => undefined);
    const rc = onNode('vps01', 'cat /etc/rc.conf').stdout;
    expect(rc).toContain('ifconfig_vtnet0="inet 203.0.113.130 netmask 255.255.255.128"');
    expect(rc).toContain('defaultrouter="203.0.113.129"');
    // the switch port now hangs off provider-e's bridge, and the new gateway answers
    const ports = JSON.parse(execFileSync('ip', ['-n', SWITCH_NS, '-j', 'link', 'show'], { encoding: 'utf8' })) as Array<{ ifalias?: string; master?: string }>;
    expect(ports.find((p) => p.ifalias === 'vps01/vtnet0')?.master).toBe(bridgeName(requireLabState().topology, 'provider-e'));
    expect(onNode('vps01', '/usr/bin/ping -c 1 -W 2 203.0.113.129').code).toBe(0);
    expect(onNode('vps01', "curl -s -m 5 'http://[2001:db8:e::80]/'").stdout).toBe('2001:db8:204::10\n');
  });
});
