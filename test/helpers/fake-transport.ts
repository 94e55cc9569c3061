// A transport double emulating a tiny remote for engine tests: files live in a Map, the host
// lock is a record, and other commands are answered by a handler the test supplies. It
// understands the engine's own scripts by their "# provision <kind>" first line (gather, unlock,
// write-file) and the gather script's segments; every exec is recorded.
import type { ShellCommand } from '../../src/shell/quote';
import type { ExecOptions, ExecResult, Transport } from '../../src/transport/transport';
import { VALIDATION_FAILED } from '../../src/engine/remote-file';

export interface FakeFile {
  content: string;
  mode: string;
  owner: string;
  group: string;
}

export interface FakeLock {
  runId: string;
  user: string;
  controller: string;
  pid: string;
  started: number;
  /** whether the holder's SSH session still exists */
  alive: boolean;
}

export type CommandReply = { stdout?: string; stderr?: string; code?: number };
export type CommandHandler = (command: string, stdin?: string) => CommandReply | undefined;

export interface RecordedExec {
  kind: string; // "gather", "unlock", "write-file" or "command"
  text: string;
  masked: string;
  stdin?: string;
}

export class FakeRemote {
  readonly files = new Map<string, FakeFile>();
  readonly backups: Array<{ path: string; content: string }> = [];
  lock: FakeLock | null = null;
  now = 1_700_000_000;
  /** answers fact commands and task commands; undefined → exit 127 */
  handler: CommandHandler = () => undefined;

  setFile(path: string, content: string, mode = '0644', owner = 'root', group = 'wheel'): void {
    this.files.set(path, { content, mode, owner, group });
  }

  transport(host = 'router01'): FakeTransport {
    return new FakeTransport(this, host);
  }
}

export class FakeTransport implements Transport {
  readonly execs: RecordedExec[] = [];
  /** makes every exec throw, like a dropped connection */
  unreachable: string | null = null;
  closed = false;

  constructor(
    readonly remote: FakeRemote,
    readonly host: string,
  ) {}

  get roundTrips(): number {
    return this.execs.length;
  }

  async exec(script: ShellCommand, opts: ExecOptions = {}): Promise<ExecResult> {
    const stdin = opts.stdin === undefined ? undefined : String(opts.stdin);
    const kind = /^# provision (\S+)/.exec(script.text)?.[1] ?? 'command';
    this.execs.push({ kind, text: script.text, masked: script.masked, stdin });
    if (this.unreachable) throw new Error(this.unreachable);
    const reply = this.dispatch(kind, script.text, stdin);
    return { stdout: reply.stdout ?? '', stderr: reply.stderr ?? '', code: reply.code ?? 0, durationMs: 1 };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private dispatch(kind: string, text: string, stdin?: string): CommandReply {
    switch (kind) {
      case 'gather':
        return this.gather(text);
      case 'unlock': {
        const runId = unquote(/= ('[^']*'|\S+) \]; then rm/.exec(text)![1]);
        if (this.remote.lock?.runId === runId) this.remote.lock = null;
        return {};
      }
      case 'write-file':
        return this.writeFile(text, stdin ?? '');
      default:
        return this.remote.handler(text, stdin) ?? { stderr: `sh: ${text.split(' ')[0]}: not found\n`, code: 127 };
    }
  }

  private gather(text: string): CommandReply {
    const sentinel = /^__P=(\S+)$/m.exec(text)![1];
    const segRe = /printf '\\n%s begin %s\\n' "\$__P" (\w+);[^\n]*\n[({]\n([\s\S]*?)\n[)}] <\/dev\/null\n/g;
    let stdout = '';
    let stderr = '';
    for (let m = segRe.exec(text); m; m = segRe.exec(text)) {
      const [, key, body] = m;
      const r: CommandReply & { stop?: boolean } = key === 'prelude' ? this.lockPrelude(body) : this.fact(body);
      stdout += `\n${sentinel} begin ${key}\n${r.stdout ?? ''}\n${sentinel} end ${key} ${r.code ?? 0}\n`;
      stderr += `\n${sentinel} begin ${key}\n${r.stderr ?? ''}\n${sentinel} end ${key}\n`;
      if (key === 'prelude' && r.stop) break;
    }
    return { stdout, stderr };
  }

  private fact(body: string): CommandReply {
    const file = /^if \[ -L (.+?) \]; then echo notfile symlink;/.exec(body);
    if (file) {
      const f = this.remote.files.get(unquote(file[1]));
      if (!f) return { stdout: 'absent\n' };
      return { stdout: `${lsPerms(f.mode)} 1 ${f.owner} ${f.group} ${f.content.length} Jan 1 00:00 ${unquote(file[1])}\n${f.content}` };
    }
    return this.remote.handler(body) ?? { stderr: `sh: ${body.split(' ')[0]}: not found\n`, code: 127 };
  }

  private lockPrelude(body: string): CommandReply & { stop?: boolean } {
    const r = this.remote;
    const ttl = Number(/-gt (\d+) \]/.exec(body)![1]);
    const holder = (l: FakeLock) => {
      const age = r.now - l.started;
      const stale = age > ttl || !l.alive;
      return [
        `holder.run=${l.runId}`,
        `holder.user=${l.user}`,
        `holder.controller=${l.controller}`,
        `holder.pid=${l.pid}`,
        `holder.started=${l.started}`,
        `age=${age}`,
        `alive=${l.alive ? 'yes' : 'no'}`,
        `stale=${stale ? 'yes' : 'no'}`,
      ].join('\n') + '\n';
    };
    if (!body.includes('mkdir "$__L"')) {
      return { stdout: r.lock ? holder(r.lock) + 'status=busy\n' : 'status=free\n' };
    }
    const owner = (): FakeLock => ({
      runId: unquote(/ ('run=[^']*'|run=\S+)/.exec(body)![1]).slice(4),
      user: unquote(/ ('user=[^']*'|user=\S+)/.exec(body)![1]).slice(5),
      controller: 'controller',
      pid: '1',
      started: r.now,
      alive: true,
    });
    if (!r.lock) {
      r.lock = owner();
      return { stdout: 'status=acquired\n' };
    }
    const out = holder(r.lock);
    const stale = r.now - r.lock.started > ttl || !r.lock.alive;
    if (body.includes('[ yes = yes ]') && stale) {
      r.lock = owner();
      return { stdout: out + 'status=broken\n' };
    }
    return { stdout: out + 'status=held\n', stop: true };
  }

  private writeFile(text: string, content: string): CommandReply {
    const path = unquote(/^__f=(.+)$/m.exec(text)![1]);
    const validate = /^(.*) >&2 <\/dev\/null$/m.exec(text);
    if (validate) {
      const r = this.remote.handler(validate[1], content) ?? { code: 0 };
      if ((r.code ?? 0) !== 0) return { stderr: `${r.stderr ?? ''}${VALIDATION_FAILED} ${validate[1]}\n`, code: r.code };
    }
    const old = this.remote.files.get(path);
    const mode = /^chmod (\d+) /m.exec(text)![1];
    const chown = /^chown (\S+) /m.exec(text);
    const [owner, group] = chown ? unquote(chown[1]).split(':') : [old?.owner ?? 'root', old?.group ?? 'wheel'];
    if (old) this.remote.backups.push({ path, content: old.content });
    this.remote.files.set(path, { content, mode, owner: owner || old?.owner || 'root', group: group ?? old?.group ?? 'wheel' });
    return {};
  }
}

/** Undo quote() for one word. */
export function unquote(word: string): string {
  if (!word.startsWith("'")) return word;
  return word.slice(1, -1).replace(/'\\''/g, "'");
}

function lsPerms(mode: string): string {
  const n = parseInt(mode, 8);
  const rwx = (bits: number) => (bits & 4 ? 'r' : '-') + (bits & 2 ? 'w' : '-') + (bits & 1 ? 'x' : '-');
  return '-' + rwx((n >> 6) & 7) + rwx((n >> 3) & 7) + rwx(n & 7);
}
