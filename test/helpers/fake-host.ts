// An in-memory lab host for unit tests of emulated FreeBSD commands: files live in a Map,
// real programs are answered by a handler the test supplies, and every run() is recorded.
import type { CommandResult, HostContext, Invocation, KernelState, RunResult, NsScope } from '../../src/lab/freebsd/types';
import { commands } from '../../src/lab/freebsd/registry';

export type RunHandler = (argv: string[], opts: { ns?: NsScope; stdin?: string }) => RunResult | undefined;

export function emptyKernel(): KernelState {
  return { kld: { loaded: [] }, sysctl: {}, ifaces: {}, pf: { enabled: false, rules: null, rulesFile: null }, services: {}, counters: {} };
}

export class FakeHost implements HostContext {
  readonly files = new Map<string, string>();
  readonly runs: Array<{ argv: string[]; ns?: NsScope; stdin?: string }> = [];
  kernel: KernelState = emptyKernel();
  onRun: RunHandler = () => undefined;

  constructor(readonly name = 'testhost', files: Record<string, string> = {}) {
    for (const [p, c] of Object.entries(files)) this.files.set(p, c);
  }

  readonly fs = {
    read: async (p: string) => this.files.get(p) ?? null,
    write: async (p: string, c: string) => void this.files.set(p, c),
    exists: async (p: string) => this.files.has(p),
    remove: async (p: string) => void this.files.delete(p),
  };

  async run(argv: string[], opts: { ns?: NsScope; stdin?: string } = {}): Promise<RunResult> {
    this.runs.push({ argv, ...opts });
    return this.onRun(argv, opts) ?? { stdout: '', stderr: '', code: 0 };
  }

  powerCycles = 0;
  powerCycle(): void {
    this.powerCycles++;
  }

  async invoke(argv: string[]): Promise<CommandResult> {
    return exec(this, argv);
  }
}

/** Run an emulated command on a fake host, as the lab's client would. */
export function exec(host: HostContext, argv: string[], cwd = '/root'): Promise<CommandResult> {
  const name = argv[0];
  const cmd = commands[name];
  if (!cmd) throw new Error(`no emulated command ${name}`);
  const inv: Invocation = { argv, cwd, env: { PATH: '/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin' } };
  return cmd(inv, host);
}
