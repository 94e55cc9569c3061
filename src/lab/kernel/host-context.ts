// The HostContext an emulated FreeBSD command gets on a real lab host: files through the host's
// anchor process, real programs run inside the host's namespaces with nsenter, and the
// emulated kernel state kept in memory and written through to <host>/run/lab/kernel.json.
import { execFile, spawn } from 'child_process';
import { promises as fsp } from 'fs';
import type { CommandResult, HostContext, KernelState, NsScope, RunResult } from '../freebsd/types';
import { commands } from '../freebsd/registry';
import { AnchorFs } from './host-fs';

const NSENTER = '/usr/bin/nsenter';

export class LabHostContext implements HostContext {
  readonly fs: AnchorFs;

  constructor(
    readonly name: string,
    readonly anchorPid: number,
    readonly kernel: KernelState,
    private readonly kernelFile: string,
  ) {
    this.fs = new AnchorFs(anchorPid);
  }

  /** nsenter argv that runs a program inside the host's namespaces. */
  nsenter(argv: string[], ns: NsScope = 'net'): string[] {
    const scope = ns === 'all' ? ['-n', '-m', '-u'] : ['-n'];
    return [NSENTER, '-t', String(this.anchorPid), ...scope, '--', ...argv];
  }

  run(argv: string[], opts: { ns?: NsScope; stdin?: string; detached?: boolean } = {}): Promise<RunResult> {
    const full = this.nsenter(argv, opts.ns);
    if (opts.detached) {
      // A daemon that stays in the foreground: start it and let it go (it dies with the host).
      return new Promise((resolve) => {
        const child = spawn(full[0], full.slice(1), { detached: true, stdio: 'ignore', cwd: '/' });
        child.on('error', (e) => resolve({ stdout: '', stderr: `${argv[0]}: ${e.message}\n`, code: 127 }));
        child.on('spawn', () => {
          child.unref();
          resolve({ stdout: '', stderr: '', code: 0 });
        });
      });
    }
    return new Promise((resolve) => {
      const child = execFile(full[0], full.slice(1), { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, cwd: '/', timeout: 120_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 127) : 0;
        resolve({ stdout, stderr: err && typeof err.code !== 'number' && !stderr ? `${err.message}\n` : stderr, code });
      });
      // A program that exits without reading its input must not crash the server (EPIPE).
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(opts.stdin ?? '');
    });
  }

  /** Set by the kernel server: what a power cycle of this host does (the lab's own reboot). */
  onPowerCycle: () => Promise<void> = async () => undefined;

  powerCycle(): void {
    // after the command has answered, so the caller sees reboot(8) return as on FreeBSD
    setTimeout(() => void this.onPowerCycle().catch(() => undefined), 200);
  }

  async invoke(argv: string[]): Promise<CommandResult> {
    const cmd = commands[argv[0]];
    if (!cmd) return { stdout: '', stderr: `${argv[0]}: not found\n`, code: 127 };
    return cmd({ argv, cwd: '/', env: { PATH: '/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin' } }, this);
  }

  /** Write the kernel state through to disk (atomic), so a restarted server picks it up. */
  async persist(): Promise<void> {
    const tmp = this.kernelFile + '.tmp';
    await fsp.writeFile(tmp, JSON.stringify(this.kernel, null, 1));
    await fsp.rename(tmp, this.kernelFile);
  }
}
