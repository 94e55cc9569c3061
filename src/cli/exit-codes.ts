// Exit codes, terraform -detailed-exitcode style plus two of our own. When several apply, the
// most serious wins: a failed task (1) over an unreachable host (4) over pending changes (2).
import type { RunResult } from '../report/events';

export const EXIT = {
  /** everything converged (or, with --check, nothing would change) */
  ok: 0,
  /** a task, a handler or a host's play failed */
  failed: 1,
  /** --check found changes pending */
  pending: 2,
  /** invalid arguments, inventory or playbook: no host was contacted */
  invalid: 3,
  /** a host was unreachable or its host key was refused */
  unreachable: 4,
} as const;

export function exitCodeFor(result: RunResult): number {
  if (result.hosts.some((h) => h.error || h.totals.failed > 0)) return EXIT.failed;
  if (result.hosts.some((h) => h.unreachable)) return EXIT.unreachable;
  if (result.check && result.totals.changed > 0) return EXIT.pending;
  return EXIT.ok;
}
