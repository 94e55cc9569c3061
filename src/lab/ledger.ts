// The record of everything `lab up` created on the machine: network namespaces, processes
// started in the root namespace, and the /run/netns mount when the lab was the first to need it.
// It is written as each thing is created, so a failed `lab up` and `lab down` remove exactly
// what exists and nothing else.
import * as fs from 'fs';
import { processStart } from './sys';

export interface LedgerProcess {
  pid: number;
  /** /proc start time when started: a recycled pid is never killed by mistake */
  start: string | null;
  what: string;
}

export interface LedgerData {
  netns: string[];
  processes: LedgerProcess[];
  /** true when /run/netns was not a mount point before the lab created its first namespace */
  runNetnsMount: boolean;
}

export class Ledger {
  data: LedgerData;

  constructor(
    readonly file: string,
    data?: LedgerData,
  ) {
    this.data = data ?? { netns: [], processes: [], runNetnsMount: false };
  }

  static load(file: string): Ledger | null {
    try {
      return new Ledger(file, JSON.parse(fs.readFileSync(file, 'utf8')) as LedgerData);
    } catch {
      return null;
    }
  }

  private save(): void {
    fs.writeFileSync(this.file + '.tmp', JSON.stringify(this.data, null, 1));
    fs.renameSync(this.file + '.tmp', this.file);
  }

  addNetns(name: string): void {
    this.data.netns.push(name);
    this.save();
  }

  addProcess(pid: number, what: string): void {
    this.data.processes.push({ pid, start: processStart(pid), what });
    this.save();
  }

  setRunNetnsMount(): void {
    this.data.runNetnsMount = true;
    this.save();
  }
}

/** Whether the recorded process is still the one we started. */
export function isAlive(p: LedgerProcess): boolean {
  const start = processStart(p.pid);
  return start !== null && (p.start === null || start === p.start);
}
