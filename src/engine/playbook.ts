// A playbook: the tasks for one host (computed from its inventory entry) and named handlers.
import type { ShellCommand } from '../shell/quote';
import { InvalidInputError } from '../errors';
import type { Task } from './task';

/** Runs once at the end of a host's play when a task that notifies it changed something. */
export interface Handler {
  command: ShellCommand;
  hint?: string;
}

/** What a play knows of the run it is part of. */
export interface RunContext {
  /** every host this run provisions */
  targets: readonly string[];
}

export interface Playbook<H = unknown> {
  name: string;
  /** `run` is absent when the play stands alone (a saved plan, a compliance report) */
  tasks(host: H, run?: RunContext): Task[];
  handlers?: Record<string, Handler>;
}

export function definePlaybook<H>(playbook: Playbook<H>): Playbook<H> {
  return playbook;
}

/** Refuse a play whose task names repeat or whose notify/dependsOn point nowhere. */
export function validatePlay<H>(playbook: Playbook<H>, tasks: Task[]): void {
  const seen = new Set<string>();
  for (const task of tasks) {
    if (seen.has(task.name)) throw new InvalidInputError(`playbook ${playbook.name}: two tasks are named "${task.name}"`);
    for (const dep of task.dependsOn ?? []) {
      if (!seen.has(dep)) {
        throw new InvalidInputError(`playbook ${playbook.name}: task "${task.name}" depends on "${dep}", which is not an earlier task`);
      }
    }
    seen.add(task.name);
    for (const h of task.notify ?? []) {
      if (!playbook.handlers?.[h]) {
        const known = Object.keys(playbook.handlers ?? {});
        throw new InvalidInputError(
          `playbook ${playbook.name}: task "${task.name}" notifies unknown handler "${h}"` +
            (known.length ? ` (handlers: ${known.join(', ')})` : ' (the playbook defines no handlers)'),
        );
      }
    }
  }
}
