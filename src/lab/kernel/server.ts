// The lab kernel server: ONE Node process for the whole lab, started detached by `lab up`.
//  - per FreeBSD host, a unix socket (<host>/run/lab/kernel.sock = /var/run/lab/kernel.sock on
//    the host) that runs the emulated FreeBSD commands against that host's kernel state;
//  - per FreeBSD host, the management path: 127.0.0.1:<ssh_port> piped to <host>/mgmt.sock,
//    which socat in the oob namespace connects to the host's sshd over mgmt0;
//  - a control socket for the lab CLI: boot, reset (reboot), invoke, ping.
import * as fs from 'fs';
import * as net from 'net';
import type { CommandResult, KernelState } from '../freebsd/types';
import { commands } from '../freebsd/registry';
import { labPaths, nodePaths } from '../paths';
import { readLabState } from '../state';
import { LabHostContext } from './host-context';
import { initialKernel } from './initial-state';
import { parseRequest, renderReply } from './protocol';
import { bootHost } from './boot';
import type { ControlRequest, ControlReply } from './control';
import { labReboot } from '../reboot';

const log = (msg: string) => process.stdout.write(`${new Date().toISOString()} ${msg}\n`);

interface HostRuntime {
  ctx: LabHostContext;
  /** Commands on one host run one at a time, so kernel state is never updated concurrently. */
  queue: Promise<unknown>;
}

function serial<T>(rt: HostRuntime, job: () => Promise<T>): Promise<T> {
  const next = rt.queue.then(job, job);
  rt.queue = next.catch(() => undefined);
  return next;
}

async function runCommand(rt: HostRuntime, argv: string[], cwd: string, env: Record<string, string>): Promise<CommandResult> {
  const cmd = commands[argv[0]];
  if (!cmd) return { stdout: '', stderr: `${argv[0]}: not found\n`, code: 127 };
  try {
    return await cmd({ argv, cwd, env }, rt.ctx);
  } catch (e) {
    log(`${rt.ctx.name}: ${argv.join(' ')}: internal error: ${(e as Error).stack}`);
    return { stdout: '', stderr: `${argv[0]}: lab kernel internal error: ${(e as Error).message}\n`, code: 70 };
  } finally {
    await rt.ctx.persist();
  }
}

function listenUnix(sockPath: string, onConn: (s: net.Socket) => void): Promise<net.Server> {
  fs.rmSync(sockPath, { force: true });
  const server = net.createServer({ allowHalfOpen: true }, onConn);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(sockPath, () => resolve(server));
  });
}

/** Collect a request until the peer half-closes, then answer and close. */
function requestReply(sock: net.Socket, answer: (req: Buffer) => Promise<string>): void {
  const chunks: Buffer[] = [];
  sock.on('data', (c) => chunks.push(c));
  sock.on('error', () => sock.destroy());
  sock.on('end', () => {
    answer(Buffer.concat(chunks)).then(
      (text) => sock.end(text),
      (e) => sock.end(`echo ${JSON.stringify(String(e))} >&2\nexit 70\n`),
    );
  });
}

function forwardMgmt(port: number, unixPath: string): Promise<net.Server> {
  const server = net.createServer((client) => {
    const upstream = net.connect(unixPath);
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function loadKernel(file: string): KernelState | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as KernelState;
  } catch {
    return null;
  }
}

export async function main(dir = process.argv[2] ?? labPaths().dir): Promise<void> {
  const paths = labPaths(dir);
  const state = readLabState(dir);
  if (!state) throw new Error(`no lab state in ${dir}`);
  const hosts = new Map<string, HostRuntime>();

  // reboot(8) on a host is the lab's own reboot, run from here (it talks back to this server)
  const powered = (ctx: LabHostContext): LabHostContext => {
    ctx.onPowerCycle = () => labReboot(ctx.name, dir, () => undefined);
    return ctx;
  };
  const fresh = (name: string): LabHostContext => {
    const spec = state.topology.hosts[name];
    return powered(new LabHostContext(name, state.anchors[name], initialKernel(spec, state.topology), nodePaths(name, dir).kernelState));
  };

  for (const name of Object.keys(state.topology.hosts)) {
    const np = nodePaths(name, dir);
    const kernel = loadKernel(np.kernelState);
    const ctx = kernel ? powered(new LabHostContext(name, state.anchors[name], kernel, np.kernelState)) : fresh(name);
    await ctx.persist();
    const rt: HostRuntime = { ctx, queue: Promise.resolve() };
    hosts.set(name, rt);
    await listenUnix(np.kernelSock, (sock) =>
      requestReply(sock, async (buf) => {
        const inv = parseRequest(buf);
        return renderReply(await serial(rt, () => runCommand(rt, inv.argv, inv.cwd, inv.env)));
      }),
    );
    fs.chmodSync(np.kernelSock, 0o600);
    await forwardMgmt(state.topology.hosts[name].ssh_port, np.mgmtSock);
  }

  const control = async (req: ControlRequest): Promise<ControlReply> => {
    if (req.op === 'ping') return { ok: true, pid: process.pid };
    if (req.op === 'shutdown') {
      setImmediate(() => process.exit(0));
      return { ok: true };
    }
    const rt = hosts.get(req.host);
    if (!rt) return { ok: false, error: `no FreeBSD lab host named ${req.host}` };
    if (req.op === 'invoke') return { ok: true, result: await serial(rt, () => runCommand(rt, req.argv, '/root', { PATH: '/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin' })) };
    if (req.op === 'reset') rt.ctx = fresh(req.host);
    const result = await serial(rt, async () => {
      try {
        return await bootHost(rt.ctx);
      } finally {
        await rt.ctx.persist();
      }
    });
    return { ok: true, result };
  };
  await listenUnix(paths.control, (sock) =>
    requestReply(sock, async (buf) => {
      let reply: ControlReply;
      try {
        reply = await control(JSON.parse(buf.toString('utf8')) as ControlRequest);
      } catch (e) {
        reply = { ok: false, error: (e as Error).message };
      }
      return JSON.stringify(reply);
    }),
  );
  fs.chmodSync(paths.control, 0o600);
  fs.writeFileSync(paths.serverPid, `${process.pid}\n`);
  log(`lab kernel server ${process.pid} serving ${[...hosts.keys()].join(', ')}`);
}

if (require.main === module) {
  main().catch((e) => {
    log(`lab kernel server failed: ${(e as Error).stack}`);
    process.exit(1);
  });
}
