// Running the machine's own programs (ip, nsenter, socat…) for the lab: argv only, never a
// shell string, and a failure says which command failed and what it printed.
import { execFile, spawn } from 'child_process';
import { readFileSync } from 'fs';

export interface SysResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Run argv, return its output and exit code (never throws for a non-zero exit). */
export function runProgram(argv: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<SysResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(argv[0], argv.slice(1), { maxBuffer: 64 * 1024 * 1024, timeout: opts.timeoutMs ?? 60_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err && typeof (err as NodeJS.ErrnoException).code === 'string') return reject(new Error(`cannot run ${argv[0]}: ${err.message}`));
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ stdout, stderr, code });
    });
    child.stdin?.on('error', () => undefined); // the program may exit without reading its input
    child.stdin?.end(opts.input ?? '');
  });
}

/** Run argv and fail loudly unless it exits 0. */
export async function sys(argv: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await runProgram(argv, opts);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/**
 * Run a program that daemonizes (sshd, FRR with -d, setsid -f): wait for the program we started
 * to exit, but not for its daemon child, which keeps no pipe of ours open.
 */
export function startDaemon(argv: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => reject(new Error(`cannot run ${argv[0]}: ${e.message}`)));
    child.on('exit', (code) => {
      // A daemon that inherited stderr holds the pipe open: stop listening, or we never exit.
      setTimeout(() => child.stderr.destroy(), 50);
      if (code === 0) resolve();
      else setTimeout(() => reject(new Error(`${argv.join(' ')} failed (exit ${code}): ${err.trim()}`)), 50);
    });
  });
}

/** Several `ip` commands in one process (ip -batch), optionally inside a namespace. */
export async function ipBatch(lines: string[], netns?: string): Promise<void> {
  if (lines.length === 0) return;
  const argv = netns ? ['ip', '-n', netns, '-batch', '-'] : ['ip', '-batch', '-'];
  await sys(argv, { input: lines.join('\n') + '\n' });
}

/**
 * Start a long-running process detached from us, wait until it prints `readyWord` on stdout
 * (so its setup is done), then let it go. Returns its pid.
 */
export function spawnUntilReady(argv: string[], readyWord: string, timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => finish(new Error(`${argv[0]} did not get ready in ${timeoutMs} ms: ${err.trim()}`)), timeoutMs);
    const finish = (e: Error | null) => {
      clearTimeout(timer);
      child.stdout.removeAllListeners();
      child.removeAllListeners('exit');
      if (e) {
        if (child.pid && child.exitCode === null) child.kill('SIGKILL');
        reject(e);
        return;
      }
      child.stdout.destroy();
      child.stderr.destroy();
      child.unref();
      resolve(child.pid!);
    };
    child.on('error', (e) => finish(new Error(`cannot run ${argv[0]}: ${e.message}`)));
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes(readyWord)) finish(null);
    });
    child.on('exit', (code) => finish(new Error(`${argv.join(' ').slice(0, 200)} exited ${code} before it was ready: ${err.trim()}`)));
  });
}

/** Start time of a process (field 22 of /proc/PID/stat), to recognise it later despite pid reuse. */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}
