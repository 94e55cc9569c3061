// `provision lab up`: build the lab of a topology: namespaces, wiring, each FreeBSD host (anchor
// with its filesystem view, real sshd on mgmt0, management forwarder), the infrastructure routers
// (addresses, tunnels, FRR, HTTP echo), the lab kernel server, then boot every FreeBSD host.
// Every object is recorded in the ledger as it is created; on any failure all of it is removed.
import * as fs from 'fs';
import * as path from 'path';
import { hostMounts, routerMounts, startAnchor } from './anchor';
import { control, startKernelServer } from './kernel/control';
import { checkPrerequisites } from './preflight';
import { labDown, runNetnsIsMount, teardown } from './down';
import { seedHostFiles } from './host-files';
import { applyTunnelFilter, startHttpEcho, startRpkiCache } from './infra-extras';
import { startInfraFrr, writeInfraFrrFiles } from './infra-frr';
import { knownHostsLine, newKeyPair, writeClientKey } from './keys';
import { isAlive, Ledger } from './ledger';
import { planNetwork } from './network';
import { labPaths, nodePaths, nsName, OOB_NS, SWITCH_NS } from './paths';
import { writeSshdFiles, startSshd } from './sshd';
import { readLabState, writeLabState, type LabState } from './state';
import { ipBatch, startDaemon, sys } from './sys';
import { loadTopology, defaultTopologyFile, type LabHostSpec, type Topology } from './topology';
import { baseFiles } from './base-files';

export interface UpOptions {
  topologyFile?: string;
  /** serve this VRP file from the lab's RPKI cache instead of the one the topology names */
  vrpsFile?: string;
  dir?: string;
  say?: (msg: string) => void;
}

export interface UpResult {
  alreadyUp: boolean;
  /** milliseconds per phase, for bench/lab-up-down.ts */
  phases: Array<{ phase: string; ms: number }>;
}

/** Whether the lab in `dir` is running: state written and kernel server answering. */
export async function labIsUp(dir?: string): Promise<boolean> {
  const ledger = Ledger.load(labPaths(dir).ledger);
  const server = ledger?.data.processes.find((p) => p.what === 'kernel-server');
  if (!readLabState(dir) || !server || !isAlive(server)) return false;
  try {
    return (await control({ op: 'ping' }, dir, 3000)).ok;
  } catch {
    return false;
  }
}

export async function labUp(opts: UpOptions = {}): Promise<UpResult> {
  const say = opts.say ?? console.log;
  const topologyFile = path.resolve(opts.topologyFile ?? defaultTopologyFile());
  const topo = loadTopology(topologyFile); // validate before touching anything
  await checkPrerequisites();
  const paths = labPaths(opts.dir);
  if (await labIsUp(opts.dir)) {
    say(`lab: already up (${paths.dir}); \`provision lab down\` first to rebuild it`);
    return { alreadyUp: true, phases: [] };
  }
  if (fs.existsSync(paths.ledger)) {
    say('lab: removing the remains of an earlier lab that is not running');
    await labDown(opts.dir, () => undefined);
  }
  for (const ns of [SWITCH_NS, OOB_NS, ...Object.keys(topo.hosts).map(nsName), ...Object.keys(topo.routers).map(nsName)]) {
    if (fs.existsSync(`/run/netns/${ns}`)) throw new Error(`namespace ${ns} exists but no lab records it; remove it first: ip netns del ${ns}`);
  }
  fs.mkdirSync(paths.hosts, { recursive: true, mode: 0o755 });
  const ledger = new Ledger(paths.ledger);
  const phases: UpResult['phases'] = [];
  let t = Date.now();
  const phase = (name: string) => {
    const now = Date.now();
    phases.push({ phase: name, ms: now - t });
    t = now;
  };
  try {
    await build(topo, topologyFile, ledger, opts.dir, phase, opts.vrpsFile);
  } catch (e) {
    say(`lab: up failed, removing what was created: ${(e as Error).message}`);
    const serverLog = fs.existsSync(paths.serverLog) ? fs.readFileSync(paths.serverLog, 'utf8').trim() : '';
    if (serverLog) say(`lab: the kernel server's log said:\n${serverLog.split('\n').slice(-20).join('\n')}`);
    await teardown(ledger);
    fs.rmSync(paths.dir, { recursive: true, force: true });
    throw e;
  }
  for (const [name, h] of Object.entries(topo.hosts)) say(`lab: ${name} up: ssh -i ${paths.clientKey} -o UserKnownHostsFile=${paths.knownHosts} -p ${h.ssh_port} root@127.0.0.1`);
  return { alreadyUp: false, phases };
}

async function build(topo: Topology, topologyFile: string, ledger: Ledger, dir: string | undefined, phase: (n: string) => void, vrpsFile?: string): Promise<void> {
  const paths = labPaths(dir);
  const hosts = Object.entries(topo.hosts);
  const routers = Object.entries(topo.routers);

  // Keys: the tool's client key and one host key per FreeBSD host.
  const client = newKeyPair('provision-lab');
  writeClientKey(paths.clientKey, client);
  fs.writeFileSync(paths.authorizedKeys, client.public + '\n');
  const hostKeys = Object.fromEntries(hosts.map(([name]) => [name, newKeyPair(`root@${name}`)]));

  // Files of every node, before its anchor mounts them.
  for (const [name, h] of hosts) {
    const np = nodePaths(name, dir);
    seedHostFiles(np, baseFiles(name, h, topo));
    writeSshdFiles(np, h.mgmt, hostKeys[name].private, client.public + '\n');
  }
  for (const [name, r] of routers) writeInfraFrrFiles(nodePaths(name, dir), name, r, topo.rpki);
  phase('files and keys');

  // Namespaces (recorded one by one: a failure halfway removes exactly those).
  const hadRunNetns = runNetnsIsMount();
  const allNs = [SWITCH_NS, OOB_NS, ...hosts.map(([n]) => nsName(n)), ...routers.map(([n]) => nsName(n))];
  for (const ns of allNs) {
    await sys(['/usr/sbin/ip', 'netns', 'add', ns]);
    ledger.addNetns(ns);
    if (!hadRunNetns && !ledger.data.runNetnsMount && runNetnsIsMount()) ledger.setRunNetnsMount();
  }
  phase('namespaces');

  // Anchors first (they set the namespace's sysctls that new interfaces inherit).
  const anchors: Record<string, number> = {};
  await Promise.all([
    ...hosts.map(async ([name]) => {
      anchors[name] = await startAnchor(name, nsName(name), hostMounts(nodePaths(name, dir)), false);
    }),
    ...routers.map(async ([name, r]) => {
      anchors[name] = await startAnchor(name, nsName(name), routerMounts(nodePaths(name, dir)), r.forwarding ?? false);
    }),
  ]);
  const state: LabState = { topologyFile, topology: topo, anchors, createdAt: new Date().toISOString() };
  writeLabState(state, dir);
  phase('anchors (filesystem views)');

  const plan = planNetwork(topo);
  await ipBatch(plan.create);
  await Promise.all(Object.entries(plan.perNs).map(([ns, lines]) => ipBatch(lines, ns)));
  phase('links and addresses');

  // Management path, sshd, infrastructure services: all independent of each other.
  await Promise.all([
    ...hosts.map(async ([name, h]) => {
      const np = nodePaths(name, dir);
      await startSshd(anchors[name], np);
      await startMgmtForwarder(np.mgmtSock, h);
    }),
    ...routers.map(async ([name, r]) => {
      const np = nodePaths(name, dir);
      await applyTunnelFilter(anchors[name], r);
      // the cache first, so validating routers find it when they start
      const cache = topo.rpki;
      if (cache?.host === name) await startRpkiCache(anchors[name], np, cache, vrpsFile ? path.resolve(vrpsFile) : path.resolve(path.dirname(topologyFile), cache.vrps));
      if (r.bgp) await startInfraFrr(anchors[name], np, r);
      if (r.http_echo) await startHttpEcho(anchors[name], r.http_echo, path.join(np.run, 'http-echo.sh'));
    }),
  ]);
  phase('sshd, FRR, echo');

  const serverPid = await startKernelServer(paths.dir);
  ledger.addProcess(serverPid, 'kernel-server');
  phase('kernel server');

  const boots = await Promise.all(hosts.map(async ([name]) => ({ name, r: await control({ op: 'boot', host: name }, dir) })));
  for (const { name, r } of boots) {
    if (!r.ok) throw new Error(`boot of ${name} failed: ${r.error}`);
    if (r.result && r.result.code !== 0) throw new Error(`boot of ${name} failed (exit ${r.result.code}): ${r.result.stderr.trim()}`);
  }
  phase('boot');

  fs.writeFileSync(paths.knownHosts, hosts.map(([name, h]) => knownHostsLine(h.ssh_port, hostKeys[name].public)).join('\n') + '\n');
}

/** socat in the oob namespace: <host>/mgmt.sock → the host's sshd on mgmt0. */
async function startMgmtForwarder(sock: string, h: LabHostSpec): Promise<void> {
  await startDaemon(['/usr/sbin/ip', 'netns', 'exec', OOB_NS, '/usr/bin/setsid', '-f', '/usr/bin/socat', `UNIX-LISTEN:${sock},fork,unlink-early,mode=600`, `TCP4:${h.mgmt}:22`]);
  const deadline = Date.now() + 5000;
  while (!fs.existsSync(sock)) {
    if (Date.now() > deadline) throw new Error(`management forwarder ${sock} did not start`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
