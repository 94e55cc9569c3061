// A real HostContext for the network commands' integration tests: a throwaway network
// namespace (`ip netns add pvt-h2-*`), files in a temp directory, programs run with
// `ip netns exec`, emulated commands invoked through the registry. No sshd, no kernel server.
import { execFile } from 'child_process';
import { promises as fsp, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import type { CommandResult, HostContext, IfaceMeta, KernelState, NsScope, RunResult } from '../../../src/lab/freebsd/types';
import { commands } from '../../../src/lab/freebsd/registry';

export function sh(argv: string[], stdin?: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ stdout, stderr, code: err ? (typeof err.code === 'number' ? err.code : 127) : 0 });
    });
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(stdin ?? '');
  });
}

/** Run in a namespace; throws on failure (test set-up steps must work). */
export async function nsRun(ns: string, argv: string[]): Promise<string> {
  const r = await sh(['/usr/sbin/ip', 'netns', 'exec', ns, ...argv]);
  if (r.code !== 0) throw new Error(`${ns}: ${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function iface(linux: string, kind: IfaceMeta['kind']): IfaceMeta {
  return { linux, kind, fib: 0, tunnelfib: 0, tunnel: null, description: null, up: false, mtu: 1500, inet6: [], inet: [] };
}

export class NetnsHost implements HostContext {
  readonly kernel: KernelState;
  private readonly root: string;

  constructor(
    readonly name: string,
    readonly ns: string,
    physical: string[] = [],
  ) {
    this.root = mkdtempSync(join(tmpdir(), `${ns}-`));
    const ifaces: Record<string, IfaceMeta> = { lo0: iface('lo', 'loopback') };
    for (const p of physical) ifaces[p] = iface(p, 'physical');
    this.kernel = { kld: { loaded: [] }, sysctl: {}, ifaces, pf: { enabled: false, rules: null, rulesFile: null }, services: {}, counters: {} };
  }

  readonly fs = {
    read: async (p: string) => fsp.readFile(join(this.root, p), 'utf8').catch(() => null),
    write: async (p: string, c: string) => {
      await fsp.mkdir(dirname(join(this.root, p)), { recursive: true });
      await fsp.writeFile(join(this.root, p), c);
    },
    exists: async (p: string) => fsp.access(join(this.root, p)).then(() => true, () => false),
    remove: async (p: string) => fsp.rm(join(this.root, p), { force: true }),
  };

  run(argv: string[], opts: { ns?: NsScope; stdin?: string } = {}): Promise<RunResult> {
    return sh(['/usr/sbin/ip', 'netns', 'exec', this.ns, ...argv], opts.stdin);
  }

  powerCycle(): void {
    throw new Error('this test host cannot be power-cycled');
  }

  async invoke(argv: string[]): Promise<CommandResult> {
    const cmd = commands[argv[0]];
    if (!cmd) return { stdout: '', stderr: `${argv[0]}: not found\n`, code: 127 };
    return cmd({ argv, cwd: '/root', env: {} }, this);
  }

  /** Run an emulated command and insist that it succeeds. */
  async must(...argv: string[]): Promise<CommandResult> {
    const r = await this.invoke(argv);
    if (r.code !== 0) throw new Error(`${this.name}: ${argv.join(' ')} -> ${r.code}: ${r.stderr}${r.stdout}`);
    return r;
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export async function addNs(ns: string): Promise<void> {
  await sh(['/usr/sbin/ip', 'netns', 'del', ns]);
  const r = await sh(['/usr/sbin/ip', 'netns', 'add', ns]);
  if (r.code !== 0) throw new Error(r.stderr);
  await nsRun(ns, ['/usr/sbin/ip', 'link', 'set', 'lo', 'up']);
}

export async function delNs(ns: string): Promise<void> {
  await sh(['/usr/sbin/ip', 'netns', 'del', ns]);
}

/** A veth pair between two namespaces, created there directly (never in the root namespace). */
export async function veth(nsA: string, nameA: string, nsB: string, nameB: string): Promise<void> {
  const r = await sh(['/usr/sbin/ip', 'link', 'add', nameA, 'netns', nsA, 'type', 'veth', 'peer', 'name', nameB, 'netns', nsB]);
  if (r.code !== 0) throw new Error(r.stderr);
}

export interface Triangle {
  a: NetnsHost;
  b: NetnsHost;
  router: string;
  namespaces: string[];
}

/**
 * Two FreeBSD-like hosts joined by a plain Linux router namespace: a's vtnet0 is 10.1.0.2 /
 * 2001:db8:1::2 behind 10.1.0.1 / 2001:db8:1::1; b's vtnet0 is 10.2.0.2 / 2001:db8:2::2. The
 * hosts' addresses and default routes are set with the emulated ifconfig and route.
 */
export async function triangle(tag: string): Promise<Triangle> {
  const [na, nb, nr] = ['a', 'b', 'r'].map((x) => `pvt-h2-${tag}-${x}`);
  for (const ns of [na, nb, nr]) {
    await addNs(ns);
    // No duplicate address detection: addresses are usable at once (tests need no sleeps).
    for (const k of ['all', 'default']) await nsRun(ns, ['/usr/sbin/sysctl', '-qw', `net.ipv6.conf.${k}.accept_dad=0`]);
  }
  await veth(na, 'vtnet0', nr, 'ra');
  await veth(nb, 'vtnet0', nr, 'rb');
  for (const [dev, v4, v6] of [['ra', '10.1.0.1/24', '2001:db8:1::1/64'], ['rb', '10.2.0.1/24', '2001:db8:2::1/64']]) {
    await nsRun(nr, ['/usr/sbin/ip', 'addr', 'add', v4, 'dev', dev]);
    await nsRun(nr, ['/usr/sbin/ip', '-6', 'addr', 'add', v6, 'nodad', 'dev', dev]);
    await nsRun(nr, ['/usr/sbin/ip', 'link', 'set', dev, 'up']);
  }
  await nsRun(nr, ['/usr/sbin/sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  await nsRun(nr, ['/usr/sbin/sysctl', '-qw', 'net.ipv6.conf.all.forwarding=1']);
  const a = new NetnsHost('hosta', na, ['vtnet0']);
  const b = new NetnsHost('hostb', nb, ['vtnet0']);
  for (const [h, n] of [[a, 1], [b, 2]] as const) {
    await h.must('ifconfig', 'vtnet0', 'inet', `10.${n}.0.2/24`, 'up');
    await h.must('ifconfig', 'vtnet0', 'inet6', `2001:db8:${n}::2`, 'prefixlen', '64');
    await h.must('route', 'add', 'default', `10.${n}.0.1`);
    await h.must('route', 'add', '-inet6', 'default', `2001:db8:${n}::1`);
  }
  return { a, b, router: nr, namespaces: [na, nb, nr] };
}

export async function teardown(t: Triangle | undefined): Promise<void> {
  if (!t) return;
  for (const ns of t.namespaces) await delNs(ns);
  t.a.cleanup();
  t.b.cleanup();
}

/** One ping from inside a namespace; true when a reply came back. */
export async function pings(ns: string, target: string, extra: string[] = []): Promise<boolean> {
  const fam = target.includes(':') ? '-6' : '-4';
  const r = await sh(['/usr/sbin/ip', 'netns', 'exec', ns, '/usr/bin/ping', fam, '-c', '1', '-W', '1', ...extra, target]);
  return r.code === 0;
}

/** Retry a ping a few times (neighbour discovery, DAD), for paths that should work. */
export async function eventuallyPings(ns: string, target: string, extra: string[] = [], tries = 4): Promise<boolean> {
  for (let i = 0; i < tries; i++) if (await pings(ns, target, extra)) return true;
  return false;
}

export async function txPackets(ns: string, dev: string): Promise<number> {
  const out = JSON.parse(await nsRun(ns, ['/usr/sbin/ip', '-j', '-s', 'link', 'show', 'dev', dev])) as Array<{ stats64: { tx: { packets: number } } }>;
  return out[0].stats64.tx.packets;
}
