// Saved plans (terraform plan -out / apply PLAN): `provision plan` records, per host and task, the
// changes the operator reviews and a fingerprint of the facts they were computed from;
// `provision apply` re-gathers and refuses a host whose facts (or whose playbook's intent) are no
// longer those of the plan, so nothing is applied that the operator did not review. When nothing
// drifted, planning is pure, so the apply run's plan is the reviewed one by construction.
import { createHash } from 'crypto';
import * as fs from 'fs';
import { z } from 'zod';
import { InvalidInputError } from '../errors';
import { ChangeSchema } from '../report/json-schema';
import type { ErrorReport, HostResult } from '../report/events';
import type { FactEntry } from './host-play';
import type { Task } from './task';

export const PLAN_FORMAT = 'provision-plan';
export const PLAN_VERSION = 1;

const TaskPlanSchema = z
  .object({
    name: z.string(),
    status: z.enum(['ok', 'changed', 'failed', 'skipped']),
    note: z.string().optional(),
    /** masked, as the reporters show them */
    changes: z.array(ChangeSchema),
    /** ids of the facts the task's plan reads */
    facts: z.array(z.string()),
    /** sha256 of the canonical JSON of those facts' values */
    fingerprint: z.string(),
    /** sha256 of what the task would do on those facts: catches an edited playbook or inventory */
    intent: z.string(),
  })
  .strict();

const HostPlanSchema = z
  .object({
    playbook: z.string(),
    /** fact id → sha256 of its value, to name the facts that drifted */
    facts: z.record(z.string(), z.string()),
    tasks: z.array(TaskPlanSchema),
    /** set when the host could not be planned: it is not applied */
    problem: z.string().optional(),
  })
  .strict();

export const PlanFileSchema = z
  .object({
    format: z.literal(PLAN_FORMAT),
    version: z.literal(PLAN_VERSION),
    /** the provision version that made the plan */
    provision: z.string(),
    created: z.string(),
    /** absolute path of the inventory file */
    inventory: z.string(),
    targets: z.array(z.string()),
    limit: z.string().optional(),
    /** --playbook, when it overrode the hosts' roles */
    playbook: z.string().optional(),
    hosts: z.record(z.string(), HostPlanSchema),
  })
  .strict();

export type PlanFile = z.infer<typeof PlanFileSchema>;
export type HostPlan = z.infer<typeof HostPlanSchema>;

/** JSON with object keys sorted at every level, so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const entryOf = (facts: ReadonlyMap<string, FactEntry>, id: string): FactEntry | { ok: false; error: 'not gathered' } => facts.get(id) ?? { ok: false, error: 'not gathered' };

function factIdsOf(task: Task): string[] {
  return [...new Set(Object.values(task.facts).map((f) => f.id))];
}

/** What planning the task on these facts yields, the way the play does it (values → when → plan). */
function intentOf(task: Task, facts: ReadonlyMap<string, FactEntry>): unknown {
  if (task.verify) return { verify: true };
  const values: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(task.facts)) {
    const e = entryOf(facts, f.id);
    if (!e.ok) return { factError: f.id };
    values[name] = e.value;
  }
  try {
    if (task.when && !task.when(values)) return { skipped: true };
    return { changes: task.plan(values) };
  } catch (err) {
    return { planError: err instanceof Error ? err.message : String(err) };
  }
}

export function fingerprintTask(task: Task, facts: ReadonlyMap<string, FactEntry>): { facts: string[]; fingerprint: string; intent: string } {
  const ids = factIdsOf(task);
  return {
    facts: ids,
    fingerprint: sha256(canonicalJson(Object.fromEntries(ids.map((id) => [id, entryOf(facts, id)])))),
    intent: sha256(canonicalJson(intentOf(task, facts))),
  };
}

/** The plan of one host from its check-mode result and the facts of its first (only) gather. */
export function hostPlanFrom(result: HostResult, tasks: Task[], facts: ReadonlyMap<string, FactEntry> | undefined): HostPlan {
  const problem = result.unreachable ? `unreachable: ${result.unreachable}` : result.error ? result.error.message : !facts ? 'no facts were gathered' : undefined;
  if (problem || !facts) return { playbook: result.playbook ?? '', facts: {}, tasks: [], problem };
  const hashes: Record<string, string> = {};
  for (const id of new Set(tasks.flatMap(factIdsOf))) hashes[id] = sha256(canonicalJson(entryOf(facts, id)));
  return {
    playbook: result.playbook ?? '',
    facts: hashes,
    tasks: tasks.map((task, i) => {
      const r = result.tasks.filter((t) => t.kind === 'task')[i];
      return { name: task.name, status: r.status, ...(r.note ? { note: r.note } : {}), changes: r.changes, ...fingerprintTask(task, facts) };
    }),
  };
}

/**
 * Compare a host's fresh facts with its plan. Returns the refusal (nothing is applied on that
 * host) naming the drifted facts per task, or undefined when the plan still holds.
 */
export function checkAgainstPlan(planned: HostPlan, tasks: Task[], facts: ReadonlyMap<string, FactEntry>): ErrorReport | undefined {
  const hint = 'nothing was applied on this host; make a new plan (provision plan … -o FILE), review it and apply that';
  const names = tasks.map((t) => t.name);
  const plannedNames = planned.tasks.map((t) => t.name);
  if (canonicalJson(names) !== canonicalJson(plannedNames)) {
    const added = names.filter((n) => !plannedNames.includes(n));
    const gone = plannedNames.filter((n) => !names.includes(n));
    const what = [...added.map((n) => `+ ${n}`), ...gone.map((n) => `- ${n}`)];
    return { code: 'E_FACT', message: `the playbook's tasks are not those of the plan${what.length ? `:\n  ${what.join('\n  ')}` : ' (their order changed)'}`, hint };
  }
  const drift: string[] = [];
  const edited: string[] = [];
  tasks.forEach((task, i) => {
    const now = fingerprintTask(task, facts);
    const was = planned.tasks[i];
    if (now.fingerprint !== was.fingerprint) {
      const ids = now.facts.filter((id) => sha256(canonicalJson(entryOf(facts, id))) !== planned.facts[id]);
      drift.push(`${task.name}: ${(ids.length ? ids : now.facts).join(', ')}`);
    } else if (now.intent !== was.intent) {
      edited.push(task.name);
    }
  });
  if (drift.length) return { code: 'E_FACT', message: `facts drifted since the plan:\n  ${drift.join('\n  ')}`, hint };
  if (edited.length) {
    return { code: 'E_FACT', message: `the playbook or inventory changed since the plan; these tasks would now do something else:\n  ${edited.join('\n  ')}`, hint };
  }
  return undefined;
}

export function writePlanFile(file: string, plan: PlanFile): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(PlanFileSchema.parse(plan), null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export function readPlanFile(file: string): PlanFile {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InvalidInputError(`cannot read the plan ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = PlanFileSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new InvalidInputError(`${file} is not a provision plan: ${first.path.join('.') || '(top)'}: ${first.message}`, {
      hint: 'make one with: provision plan TARGET… -o FILE',
    });
  }
  return parsed.data;
}
