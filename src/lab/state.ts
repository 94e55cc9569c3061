// lab.json: what a running lab is made of (its topology and each node's anchor process), read
// by the kernel server and by `lab status|reboot|exec|move|down`.
import * as fs from 'fs';
import type { Topology } from './topology';
import { labPaths } from './paths';

export interface LabState {
  topologyFile: string;
  topology: Topology;
  /** anchor pid of every node (FreeBSD hosts and infrastructure routers) */
  anchors: Record<string, number>;
  createdAt: string;
}

export function readLabState(dir?: string): LabState | null {
  try {
    return JSON.parse(fs.readFileSync(labPaths(dir).state, 'utf8')) as LabState;
  } catch {
    return null;
  }
}

export function writeLabState(state: LabState, dir?: string): void {
  const file = labPaths(dir).state;
  fs.writeFileSync(file + '.tmp', JSON.stringify(state, null, 1));
  fs.renameSync(file + '.tmp', file);
}

/** The lab's state, or a clear error when no lab is up. */
export function requireLabState(dir?: string): LabState {
  const s = readLabState(dir);
  if (!s) throw new Error(`no lab is up (no ${labPaths(dir).state}); run: provision lab up`);
  return s;
}
