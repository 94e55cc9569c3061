// Talking to the lab kernel server from the lab CLI: start it, and send it control requests
// (boot a host, reset and boot it for `lab reboot`, run an emulated command, ping, shutdown).
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import type { CommandResult } from '../freebsd/types';
import { labPaths } from '../paths';

export type ControlRequest =
  | { op: 'ping' }
  | { op: 'shutdown' }
  | { op: 'boot'; host: string }
  | { op: 'reset'; host: string }
  | { op: 'invoke'; host: string; argv: string[] };

export type ControlReply = { ok: true; pid?: number; result?: CommandResult } | { ok: false; error: string };

export function control(req: ControlRequest, dir?: string, timeoutMs = 120_000): Promise<ControlReply> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(labPaths(dir).control);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`lab kernel server did not answer ${req.op} within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on('connect', () => sock.end(JSON.stringify(req)));
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`lab kernel server not reachable: ${e.message}`));
    });
    sock.on('end', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as ControlReply);
      } catch (e) {
        reject(new Error(`lab kernel server sent a bad reply: ${(e as Error).message}`));
      }
    });
  });
}

/** Run the server from the compiled JS, or from the TypeScript source through scripts/ts-require.js. */
function serverArgv(dir: string): string[] {
  const here = __filename;
  if (here.endsWith('.js')) return [process.execPath, path.join(__dirname, 'server.js'), dir];
  const repo = path.resolve(__dirname, '../../..');
  return [process.execPath, '-r', path.join(repo, 'scripts/ts-require.js'), path.join(__dirname, 'server.ts'), dir];
}

/** Start the kernel server detached (log in the state dir) and wait until it answers. Returns its pid. */
export async function startKernelServer(dir: string, timeoutMs = 20_000): Promise<number> {
  const paths = labPaths(dir);
  const logFd = fs.openSync(paths.serverLog, 'a');
  const argv = serverArgv(dir);
  const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', logFd, logFd], cwd: '/' });
  fs.closeSync(logFd);
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  child.unref();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== null) throw new Error(`lab kernel server exited (${exited}); see ${paths.serverLog}:\n${tail(paths.serverLog)}`);
    try {
      const r = await control({ op: 'ping' }, dir, 2000);
      if (r.ok && r.pid === child.pid) return child.pid!;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`lab kernel server did not start within ${timeoutMs} ms; see ${paths.serverLog}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}
