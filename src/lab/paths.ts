// Where the lab keeps its state on the machine, and how its Linux objects are named. Every name
// the lab creates starts with NS_PREFIX, so `lab down` and the tests can tell lab objects apart
// from anything else on the machine.
import * as path from 'path';

export const NS_PREFIX = 'pvlab-';

/** The lab's state directory: PROVISION_LAB_DIR, or /run/provision-lab. */
export function labDir(): string {
  return process.env.PROVISION_LAB_DIR || '/run/provision-lab';
}

/** Network namespace of a lab node ("router01" → "pvlab-router01"). */
export function nsName(node: string): string {
  return NS_PREFIX + node;
}

/** The namespace that holds one bridge per segment. */
export const SWITCH_NS = NS_PREFIX + 'sw';
/** The out-of-band management network's namespace (the lab's "management switch"). */
export const OOB_NS = NS_PREFIX + 'oob';

export interface LabPaths {
  dir: string;
  /** JSON description of the running lab (topology + anchors), written by `lab up`. */
  state: string;
  /** Everything `lab up` created, so `lab down` removes exactly that. */
  ledger: string;
  clientKey: string;
  authorizedKeys: string;
  knownHosts: string;
  /** The kernel server's control socket (boot, reboot, invoke) and its pid and log. */
  control: string;
  serverPid: string;
  serverLog: string;
  hosts: string;
}

export function labPaths(dir = labDir()): LabPaths {
  return {
    dir,
    state: path.join(dir, 'lab.json'),
    ledger: path.join(dir, 'ledger.json'),
    clientKey: path.join(dir, 'id_ed25519'),
    authorizedKeys: path.join(dir, 'authorized_keys'),
    knownHosts: path.join(dir, 'known_hosts'),
    control: path.join(dir, 'control.sock'),
    serverPid: path.join(dir, 'kernel-server.pid'),
    serverLog: path.join(dir, 'kernel-server.log'),
    hosts: path.join(dir, 'hosts'),
  };
}

/** Files of one lab node, below <state>/hosts/<name>/. */
export interface NodePaths {
  dir: string;
  /** Bound on the node's /run (so /var/run is per node). `lab reboot` wipes it except lab/. */
  run: string;
  /** <run>/lab: survives reboot; the host sees it as /var/run/lab. */
  runLab: string;
  /** The emulated kernel's socket, /var/run/lab/kernel.sock on the host. */
  kernelSock: string;
  kernelState: string;
  boot: string;
  tmp: string;
  root: string;
  /** Unix socket in front of the host's sshd, served from the oob namespace. */
  mgmtSock: string;
  /** overlayfs upper and work dirs for one overlaid directory ("etc", "usr-local", "var"). */
  upper(name: string): string;
  work(name: string): string;
}

export function nodePaths(name: string, dir = labDir()): NodePaths {
  const d = path.join(dir, 'hosts', name);
  const run = path.join(d, 'run');
  return {
    dir: d,
    run,
    runLab: path.join(run, 'lab'),
    kernelSock: path.join(run, 'lab', 'kernel.sock'),
    kernelState: path.join(run, 'lab', 'kernel.json'),
    boot: path.join(d, 'boot'),
    tmp: path.join(d, 'tmp'),
    root: path.join(d, 'root'),
    mgmtSock: path.join(d, 'mgmt.sock'),
    upper: (n) => path.join(d, 'overlay', n, 'upper'),
    work: (n) => path.join(d, 'overlay', n, 'work'),
  };
}

/** Paths on the lab host itself (inside its mount namespace). */
export const HOST_KERNEL_SOCK = '/var/run/lab/kernel.sock';
export const HOST_SSHD_DIR = '/var/run/lab/sshd';
