// The task contract: read facts → plan (pure) → apply → re-plan to prove convergence.
// "changed" is decided by the engine from the plan, never claimed by the task.
import type { ShellCommand, Secret } from '../shell/quote';
import type { ExecResult } from '../transport/transport';
import type { FactMap, FactValues } from './fact';
import type { WriteFileRequest } from './remote-file';

export type FileDiff = { kind: 'file'; path: string; before: string | null; after: string };
export type ValueDiff = { kind: 'value'; key: string; before: string | null; after: string };

/** One difference between the host and the playbook, as before/after data the reporter renders. */
export interface Change {
  summary: string;
  diff: FileDiff | ValueDiff;
}

export type TaskStatus = 'ok' | 'changed' | 'failed' | 'skipped';

/** What apply() may do on the host. Only exists in apply mode. */
export interface TaskIO {
  readonly host: string;
  /** one round trip; throws CommandFailedError on a non-zero exit */
  exec(cmd: ShellCommand, opts?: { stdin?: string }): Promise<ExecResult>;
  /** atomic write with backup and optional validation, one round trip (see remote-file.ts) */
  writeFile(req: WriteFileRequest): Promise<void>;
}

export interface TaskDef<F extends FactMap> {
  name: string;
  /** what the task reads; gathered in the play's batch */
  facts: F;
  /** false → skipped. Evaluated on the same facts as plan. */
  when?(facts: FactValues<F>): boolean;
  /** PURE: [] means the host already matches */
  plan(facts: FactValues<F>): Change[];
  /**
   * PURE: findings to report although the task passes (a check an operator overrode with a
   * flag); they become the host's warnings, in every output.
   */
  warnings?(facts: FactValues<F>): string[];
  /** make the planned changes, in as few execs as possible; never called in check mode */
  apply(changes: Change[], io: TaskIO): Promise<void>;
  /** handler names to run once at the end of the play when this task changed something */
  notify?: string[];
  /** applying may cut the SSH session (pf, sshd, addresses): the play is run commit-confirmed (rollback.ts) */
  risk?: 'connectivity';
  /** files apply() changes other than through writeFile (which the engine knows); kept for a rollback */
  files?: string[];
  /**
   * ids of facts this task's apply changes. Defaults to the ids of the facts it reads; later
   * tasks reading one of them are "would change after" in check mode and re-read in apply mode.
   */
  touches?: string[];
  /** names of earlier tasks that must not have failed; otherwise this one is skipped */
  dependsOn?: string[];
  /**
   * A check the whole play rests on (e.g. the ROA preflight): when it fails, no later task of
   * the host runs, so a refused run changes nothing at all. Put it first.
   */
  precondition?: boolean;
  /** values to mask in diffs, errors and logs (e.g. a BGP password inside a rendered file) */
  secrets?: Secret[];
  /** printed with a failure of this task: what to check or do next */
  hint?: string;
  /**
   * A verification step instead of a change: after the earlier tasks applied, it reads the host
   * and throws when the host does not behave as expected; what is not this host's fault comes
   * back as warnings. Skipped in check mode (there is nothing applied to verify yet); plan() is
   * not called for it.
   */
  verify?(io: TaskIO): Promise<string[]>;
}

/** A task with its fact types erased, as playbooks and the engine hold it. */
export interface Task {
  readonly name: string;
  readonly facts: FactMap;
  when?(facts: Record<string, unknown>): boolean;
  plan(facts: Record<string, unknown>): Change[];
  warnings?(facts: Record<string, unknown>): string[];
  apply(changes: Change[], io: TaskIO): Promise<void>;
  readonly notify?: string[];
  readonly risk?: 'connectivity';
  readonly files?: string[];
  readonly touches?: string[];
  readonly dependsOn?: string[];
  readonly precondition?: boolean;
  readonly secrets?: Secret[];
  readonly hint?: string;
  verify?(io: TaskIO): Promise<string[]>;
}

export function defineTask<F extends FactMap>(def: TaskDef<F>): Task {
  // The engine passes exactly the values of def.facts, so the erased signature is sound.
  return def as unknown as Task;
}

/** The fact ids a task changes when it applies. */
export function touchedFactIds(task: Task): string[] {
  return task.touches ?? Object.values(task.facts).map((f) => f.id);
}
