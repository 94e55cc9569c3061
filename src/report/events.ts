// What a run produces: per-task results, per-host results and the events reporters consume.
// Everything here is already masked by the engine; reporters never see a secret.
import type { Change, TaskStatus } from '../engine/task';
import type { ErrorCode } from '../errors';

export interface ErrorReport {
  code: ErrorCode;
  message: string;
  /** the failing command, masked */
  command?: string;
  exitCode?: number;
  stderr?: string;
  hint?: string;
}

export interface TaskResult {
  name: string;
  kind: 'task' | 'handler';
  status: TaskStatus;
  /** what differs (changed), or what still differs after apply (failed: did not converge) */
  changes: Change[];
  /** e.g. "would change after: sysrc gateway_enable", "would run", "when() is false" */
  note?: string;
  risk?: 'connectivity';
  durationMs: number;
  error?: ErrorReport;
}

export interface Totals {
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
}

export interface HostResult {
  host: string;
  playbook: string | null;
  tasks: TaskResult[];
  totals: Totals;
  roundTrips: number;
  /** set when the host could not be reached (or its host key was refused) */
  unreachable?: string;
  /** a failure of the play itself rather than of one task (lock held, facts not gathered) */
  error?: ErrorReport;
  warnings: string[];
  durationMs: number;
}

export interface RunResult {
  runId: string;
  check: boolean;
  hosts: HostResult[];
  totals: Totals;
  durationMs: number;
}

export type RunEvent =
  | { type: 'run:start'; runId: string; check: boolean; hosts: string[] }
  | { type: 'task:start'; host: string; task: string; kind: 'task' | 'handler' }
  | { type: 'task:result'; host: string; result: TaskResult }
  | { type: 'exec'; host: string; command: string; code: number | null; durationMs: number }
  | { type: 'host:done'; result: HostResult }
  | { type: 'run:done'; result: RunResult };

export interface Reporter {
  onEvent(event: RunEvent): void;
  /** resolves when everything has been written */
  finish?(): Promise<void>;
}

export function emptyTotals(): Totals {
  return { ok: 0, changed: 0, failed: 0, skipped: 0 };
}

export function addTotals(into: Totals, t: Totals): Totals {
  into.ok += t.ok;
  into.changed += t.changed;
  into.failed += t.failed;
  into.skipped += t.skipped;
  return into;
}

/** Sends each event to several reporters (e.g. the terminal and a test collector). */
export function combineReporters(...reporters: Reporter[]): Reporter {
  return {
    onEvent: (e) => reporters.forEach((r) => r.onEvent(e)),
    finish: async () => {
      for (const r of reporters) await r.finish?.();
    },
  };
}
