// Saved plans against a fake host: plan (check mode) → fingerprints; apply re-gathers and refuses
// a host whose facts or playbook intent drifted, naming the fact ids; otherwise applies.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { sh } from '../../../src/shell/quote';
import { defineFact } from '../../../src/engine/fact';
import type { FactEntry } from '../../../src/engine/host-play';
import { definePlaybook } from '../../../src/engine/playbook';
import { canonicalJson, checkAgainstPlan, hostPlanFrom, readPlanFile, writePlanFile, PLAN_FORMAT, type HostPlan, type PlanFile } from '../../../src/engine/plan-file';
import { runPlays, type HostJob } from '../../../src/engine/run';
import { defineTask, type Task } from '../../../src/engine/task';
import { createRunLog } from '../../../src/log';
import { FakeRemote } from '../../helpers/fake-transport';

function kvRemote(initial: Record<string, string>) {
  const remote = new FakeRemote();
  const store = new Map(Object.entries(initial));
  remote.handler = (cmd) => {
    let m = /^getkv (\S+)$/.exec(cmd);
    if (m) return store.has(m[1]) ? { stdout: store.get(m[1]) } : { code: 1 };
    m = /^setkv (\S+) (\S+)$/.exec(cmd);
    if (m) {
      store.set(m[1], m[2]);
      return {};
    }
    return undefined;
  };
  return { remote, store };
}

const kvTask = (key: string, value: string): Task =>
  defineTask({
    name: `kv ${key}`,
    facts: { cur: defineFact({ id: `kv:${key}`, command: sh`getkv ${key}`, parse: ({ stdout, code }) => (code === 0 ? stdout : null) }) },
    plan: ({ cur }) => (cur === value ? [] : [{ summary: key, diff: { kind: 'value', key, before: cur, after: value } }]),
    apply: async (_c, io) => void (await io.exec(sh`setkv ${key} ${value}`)),
  });

async function play(remote: FakeRemote, tasks: Task[], check: boolean, inspect: HostJob['inspectFacts']) {
  const job: HostJob = { host: 'vps01', playbook: definePlaybook({ name: 'kv', tasks: () => tasks }), tasks, secrets: [], connect: async () => remote.transport('vps01'), inspectFacts: inspect };
  const result = await runPlays([job], { check, concurrency: 1, reporter: { onEvent: () => undefined }, log: createRunLog(undefined) });
  return result.hosts[0];
}

async function makePlan(remote: FakeRemote, tasks: Task[]): Promise<HostPlan> {
  let facts: ReadonlyMap<string, FactEntry> | undefined;
  const host = await play(remote, tasks, true, (f) => void (facts = new Map(f)));
  return hostPlanFrom(host, tasks, facts);
}

test('canonical JSON does not depend on key order', () => {
  expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 0 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [2, { x: 0, y: 1 }] }, b: 1 }));
});

test('the plan records the reviewed changes and one fingerprint per task', async () => {
  const { remote } = kvRemote({ a: '1' });
  const plan = await makePlan(remote, [kvTask('a', '1'), kvTask('b', '2')]);
  expect(plan.tasks.map((t) => [t.name, t.status, t.facts])).toEqual([
    ['kv a', 'ok', ['kv:a']],
    ['kv b', 'changed', ['kv:b']],
  ]);
  expect(plan.tasks[1].changes[0].diff).toEqual({ kind: 'value', key: 'b', before: null, after: '2' });
  expect(plan.tasks[0].fingerprint).toMatch(/^[0-9a-f]{64}$/);
  expect(Object.keys(plan.facts)).toEqual(['kv:a', 'kv:b']);
});

test('apply: unchanged facts → the planned change is applied', async () => {
  const { remote, store } = kvRemote({ a: '1' });
  const tasks = [kvTask('a', '1'), kvTask('b', '2')];
  const plan = await makePlan(remote, tasks);
  const host = await play(remote, tasks, false, (f) => checkAgainstPlan(plan, tasks, f));
  expect(host.error).toBeUndefined();
  expect(host.tasks.map((t) => t.status)).toEqual(['ok', 'changed']);
  expect(store.get('b')).toBe('2');
});

test('apply: a fact changed by hand → the host is refused, the drifted fact named, nothing applied, the lock released', async () => {
  const { remote, store } = kvRemote({ a: '1' });
  const tasks = [kvTask('a', '1'), kvTask('b', '2')];
  const plan = await makePlan(remote, tasks);
  store.set('a', 'edited by hand');
  const host = await play(remote, tasks, false, (f) => checkAgainstPlan(plan, tasks, f));
  expect(host.error?.code).toBe('E_FACT');
  expect(host.error?.message).toBe('facts drifted since the plan:\n  kv a: kv:a');
  expect(host.tasks).toEqual([]);
  expect(store.has('b')).toBe(false);
  expect(remote.lock).toBeNull();
});

test('apply: same facts, but the playbook now wants something else → refused', async () => {
  const { remote } = kvRemote({});
  const plan = await makePlan(remote, [kvTask('b', '2')]);
  const edited = [kvTask('b', '3')];
  expect(checkAgainstPlan(plan, edited, new Map([['kv:b', { ok: true, value: null }]]))?.message).toMatch(/would now do something else:\n  kv b/);
  expect(checkAgainstPlan(plan, [kvTask('c', '1')], new Map())?.message).toMatch(/not those of the plan:\n  \+ kv c\n  - kv b/);
});

test('plan files: written atomically, read back through the schema, junk refused', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pv-plan-'));
  try {
    const file = path.join(dir, 'plan.json');
    const plan: PlanFile = { format: PLAN_FORMAT, version: 1, provision: '0.1.0', created: 'now', inventory: '/inv.yaml', targets: ['all'], hosts: {} };
    writePlanFile(file, plan);
    expect(readPlanFile(file)).toEqual(plan);
    fs.writeFileSync(file, JSON.stringify({ ...plan, version: 2 }));
    expect(() => readPlanFile(file)).toThrow(/is not a provision plan: version/);
    expect(() => readPlanFile(path.join(dir, 'missing.json'))).toThrow(/cannot read the plan/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
