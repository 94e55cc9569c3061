// A minimal real HostContext for integration tests of rc scripts: a throwaway network namespace
// plus a private mount namespace held by an anchor process, with tmpfs over /run/frr and
// /usr/local/etc so FRR's pidfiles, sockets and config live only inside it. Files are reached
// through /proc/<anchor>/root; programs run with nsenter, as the lab's own host context does.
import { execFileSync, spawn, type ChildProcess } from 'child_process';
import { promises as fsp } from 'fs';
import { dirname } from 'path';
import type { CommandResult, HostContext, HostFs, KernelState, NsScope, RunResult } from '../../../src/lab/freebsd/types';
import { commands } from '../../../src/lab/freebsd/registry';

export class RealTestHost implements HostContext {
  readonly kernel: KernelState = { kld: { loaded: [] }, sysctl: {}, ifaces: {}, pf: { enabled: false, rules: null, rulesFile: null }, services: {}, counters: {} };
  readonly fs: HostFs;
  private constructor(
    readonly name: string,
    /** holds the namespaces: `ip netns exec` and unshare exec in place, so its pid is theirs */
    private readonly anchor: ChildProcess,
    private readonly nsPid = anchor.pid!,
  ) {
    // /var/run is an absolute symlink to /run; through /proc/PID/root it would resolve in OUR root.
    const at = (p: string) => `/proc/${nsPid}/root` + p.replace(/^\/var\/run\//, '/run/');
    this.fs = {
      read: (p) => fsp.readFile(at(p), 'utf8').catch(() => null),
      write: async (p, c) => {
        await fsp.mkdir(dirname(at(p)), { recursive: true });
        await fsp.writeFile(at(p), c);
      },
      exists: (p) => fsp.access(at(p)).then(() => true, () => false),
      remove: (p) => fsp.rm(at(p), { force: true }),
    };
  }

  /** Create netns `netns` (must start with pvt-h1-) and the anchor holding the private mounts. */
  static async create(netns: string): Promise<RealTestHost> {
    if (!netns.startsWith('pvt-h1-')) throw new Error('test namespaces must start with pvt-h1-');
    execFileSync('ip', ['netns', 'add', netns]);
    execFileSync('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
    const anchor = spawn('ip', ['netns', 'exec', netns, 'unshare', '-m', '--propagation', 'private', '/bin/sh', '-c',
      'mount -t tmpfs tmpfs /run/frr && mount -t tmpfs tmpfs /usr/local/etc && echo ready && exec sleep 100000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      anchor.stdout!.once('data', () => resolve());
      anchor.once('exit', (code) => reject(new Error(`anchor exited ${code}`)));
    });
    // `ip netns exec` forks: the pid that holds the namespaces is the sleep, our child's child.
    return new RealTestHost(netns, anchor);
  }

  run(argv: string[], opts: { ns?: NsScope; stdin?: string } = {}): Promise<RunResult> {
    const scope = opts.ns === 'all' ? ['-n', '-m'] : ['-n'];
    return new Promise((resolve) => {
      const child = spawn('nsenter', ['-t', String(this.nsPid), ...scope, '--', ...argv], { stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d) => (stdout += d));
      child.stderr!.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ stdout, stderr, code: code ?? 1 }));
      if (opts.stdin !== undefined) {
        child.stdin!.on('error', () => undefined); // the program may exit without reading it
        child.stdin!.end(opts.stdin);
      }
    });
  }

  powerCycle(): void {
    throw new Error('this test host cannot be power-cycled');
  }

  invoke(argv: string[]): Promise<CommandResult> {
    return commands[argv[0]]({ argv, cwd: '/', env: {} }, this);
  }

  async destroy(): Promise<void> {
    this.anchor.kill('SIGKILL');
    execFileSync('ip', ['netns', 'del', this.name]);
  }
}
