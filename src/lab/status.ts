// `provision lab status`: is the lab up, and is each part of it alive: namespaces, anchors,
// sshd, the management forwarders, the kernel server, FRR sessions of the infrastructure routers.
import * as fs from 'fs';
import { isAlive, Ledger } from './ledger';
import { labPaths, nodePaths, nsName } from './paths';
import { readLabState } from './state';
import { infraVtysh } from './infra-frr';

export interface NodeStatus {
  name: string;
  kind: 'freebsd' | 'router';
  netns: boolean;
  anchor: boolean;
  sshPort?: number;
  sshd?: boolean;
  /** infrastructure routers: BGP neighbor → state ("Established", "Active"…) */
  bgp?: Record<string, string>;
}

export interface StatusData {
  up: boolean;
  dir: string;
  topologyFile?: string;
  kernelServer?: { pid: number; alive: boolean };
  nodes: NodeStatus[];
}

function pidAlive(pid: number): boolean {
  return fs.existsSync(`/proc/${pid}`);
}

function sshdAlive(name: string, dir?: string): boolean {
  try {
    return pidAlive(Number(fs.readFileSync(`${nodePaths(name, dir).run}/sshd.pid`, 'utf8').trim()));
  } catch {
    return false;
  }
}

async function bgpSessions(anchor: number): Promise<Record<string, string>> {
  try {
    const j = JSON.parse(await infraVtysh(anchor, 'show bgp summary json')) as Record<string, { peers?: Record<string, { state: string; peerState?: string }> }>;
    const out: Record<string, string> = {};
    for (const afi of Object.values(j)) for (const [peer, p] of Object.entries(afi.peers ?? {})) out[peer] = p.peerState && p.peerState !== 'OK' ? `${p.state} (${p.peerState})` : p.state;
    return out;
  } catch (e) {
    return { error: (e as Error).message.split('\n')[0] };
  }
}

export async function labStatus(dir?: string): Promise<{ data: StatusData; text: string }> {
  const paths = labPaths(dir);
  const state = readLabState(dir);
  const ledger = Ledger.load(paths.ledger);
  if (!state || !ledger) return { data: { up: false, dir: paths.dir, nodes: [] }, text: `lab: not up (${paths.dir})` };
  const server = ledger.data.processes.find((p) => p.what === 'kernel-server');
  const nodes: NodeStatus[] = [];
  for (const [name, h] of Object.entries(state.topology.hosts)) {
    nodes.push({ name, kind: 'freebsd', netns: fs.existsSync(`/run/netns/${nsName(name)}`), anchor: pidAlive(state.anchors[name]), sshPort: h.ssh_port, sshd: sshdAlive(name, dir) });
  }
  await Promise.all(
    Object.entries(state.topology.routers).map(async ([name, r]) => {
      const n: NodeStatus = { name, kind: 'router', netns: fs.existsSync(`/run/netns/${nsName(name)}`), anchor: pidAlive(state.anchors[name]) };
      if (r.bgp && n.anchor) n.bgp = await bgpSessions(state.anchors[name]);
      nodes.push(n);
    }),
  );
  const kernelServer = server ? { pid: server.pid, alive: isAlive(server) } : undefined;
  const up = !!kernelServer?.alive && nodes.every((n) => n.netns && n.anchor && (n.kind === 'router' || n.sshd));
  const data: StatusData = { up, dir: paths.dir, topologyFile: state.topologyFile, kernelServer, nodes };
  const yes = (b: boolean | undefined) => (b ? 'yes' : 'NO');
  const lines = [
    `lab: ${up ? 'up' : 'DEGRADED'} (${paths.dir}, topology ${state.topologyFile})`,
    `kernel server: pid ${kernelServer?.pid ?? '-'} ${kernelServer?.alive ? 'alive' : 'DEAD'}`,
    '',
    'FreeBSD hosts    ssh               netns  anchor  sshd',
  ];
  for (const n of nodes.filter((x) => x.kind === 'freebsd')) {
    lines.push(`${n.name.padEnd(16)} 127.0.0.1:${String(n.sshPort).padEnd(7)} ${yes(n.netns).padEnd(6)} ${yes(n.anchor).padEnd(7)} ${yes(n.sshd)}`);
  }
  lines.push('', 'routers          netns  anchor  BGP sessions');
  for (const n of nodes.filter((x) => x.kind === 'router')) {
    const bgp = n.bgp ? Object.entries(n.bgp).map(([p, s]) => `${p} ${s}`).join(', ') : '-';
    lines.push(`${n.name.padEnd(16)} ${yes(n.netns).padEnd(6)} ${yes(n.anchor).padEnd(7)} ${bgp}`);
  }
  return { data, text: lines.join('\n') };
}
