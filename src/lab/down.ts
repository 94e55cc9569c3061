// `provision lab down`: remove exactly what the ledger says `lab up` created: the kernel server,
// every process in the lab's namespaces, the namespaces, the /run/netns mount if the lab made
// it, and the state directory.
import * as fs from 'fs';
import { isAlive, Ledger } from './ledger';
import { labPaths, NS_PREFIX } from './paths';
import { runProgram } from './sys';

async function netnsPids(ns: string): Promise<number[]> {
  const r = await runProgram(['/usr/sbin/ip', 'netns', 'pids', ns]);
  return r.code === 0 ? r.stdout.split(/\s+/).filter(Boolean).map(Number) : [];
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function waitGone(pids: number[], timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const alive = (p: number) => fs.existsSync(`/proc/${p}`) && !fs.readFileSync(`/proc/${p}/stat`, 'utf8').includes(') Z ');
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

function isMountPoint(p: string): boolean {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === p);
}

export function runNetnsIsMount(): boolean {
  return isMountPoint('/run/netns');
}

/** Tear down what a ledger records. Used by `lab down` and by a failed `lab up`. */
export async function teardown(ledger: Ledger): Promise<void> {
  for (const p of ledger.data.processes) if (isAlive(p)) kill(p.pid);
  await waitGone(ledger.data.processes.map((p) => p.pid));
  // Everything running inside a lab namespace was started by the lab (anchors, sshd, FRR, socat…).
  // Sweep until none is left: a forking server (socat, sshd) can start a child between the
  // listing and the kill, and that child would outlive its namespace.
  for (let round = 0; round < 5; round++) {
    const nsPids = (await Promise.all(ledger.data.netns.filter((n) => n.startsWith(NS_PREFIX)).map(netnsPids))).flat();
    if (nsPids.length === 0) break;
    nsPids.forEach(kill);
    await waitGone(nsPids);
  }
  for (const ns of [...ledger.data.netns].reverse()) {
    const r = await runProgram(['/usr/sbin/ip', 'netns', 'del', ns]);
    if (r.code !== 0 && !/No such file/.test(r.stderr)) throw new Error(`ip netns del ${ns}: ${r.stderr.trim()}`);
  }
  if (ledger.data.runNetnsMount && isMountPoint('/run/netns') && fs.readdirSync('/run/netns').length === 0) {
    await runProgram(['/usr/bin/umount', '/run/netns']);
  }
}

export async function labDown(dir?: string, say: (m: string) => void = console.log): Promise<void> {
  const paths = labPaths(dir);
  const ledger = Ledger.load(paths.ledger);
  if (!ledger) {
    say('lab: not up');
    return;
  }
  await teardown(ledger);
  fs.rmSync(paths.dir, { recursive: true, force: true });
  say(`lab: down (${ledger.data.netns.length} namespaces, ${ledger.data.processes.length} lab processes removed)`);
}
