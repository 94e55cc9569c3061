import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Secret, sh } from '../../../src/shell/quote';
import { defineFact } from '../../../src/engine/fact';
import { defineTask, type Task } from '../../../src/engine/task';
import { definePlaybook, type Handler } from '../../../src/engine/playbook';
import { runPlays, type HostJob } from '../../../src/engine/run';
import { readOnlyTransport } from '../../../src/engine/read-only';
import { writeFileScript } from '../../../src/engine/remote-file';
import { createRunLog } from '../../../src/log';
import type { RunEvent } from '../../../src/report/events';
import { JsonReportSchema, toJsonReport } from '../../../src/report/json-schema';
import { PlainReporter } from '../../../src/report/plain';
import { exitCodeFor } from '../../../src/cli/exit-codes';
import { fileTask } from '../../../src/tasks/file';
import { FakeRemote, type FakeTransport } from '../../helpers/fake-transport';
import { TransportError } from '../../../src/transport/errors';

// A tiny key/value "remote" API: `getkv KEY` prints the value (exit 1 when unset), `setkv KEY VALUE`.
function kvHandler(store: Map<string, string>, failOn = new Set<string>()) {
  return (cmd: string) => {
    let m = /^getkv (\S+)$/.exec(cmd);
    if (m) return store.has(m[1]) ? { stdout: store.get(m[1]) } : { code: 1 };
    m = /^setkv (\S+) (\S+)$/.exec(cmd);
    if (m) {
      if (failOn.has(m[1])) return { code: 1, stderr: `setkv: ${m[1]}: permission denied (value ${m[2]})\n` };
      store.set(m[1], m[2]);
      return {};
    }
    return undefined;
  };
}

const kvFact = (key: string) =>
  defineFact({ id: `kv:${key}`, command: sh`getkv ${key}`, parse: ({ stdout, code }) => (code === 0 ? stdout : null) });

function kvTask(key: string, value: string | Secret, extra: Partial<Task> & { applyNothing?: boolean } = {}): Task {
  const plain = value instanceof Secret ? value.value : value;
  const task = defineTask({
    name: `kv ${key}`,
    facts: { cur: kvFact(key) },
    plan: ({ cur }) => (cur === plain ? [] : [{ summary: key, diff: { kind: 'value', key, before: cur, after: plain } }]),
    apply: async (_c, io) => {
      if (!extra.applyNothing) await io.exec(sh`setkv ${key} ${value}`);
    },
    secrets: value instanceof Secret ? [value] : undefined,
  });
  return { ...task, ...extra };
}

interface RunArgs {
  check?: boolean;
  handlers?: Record<string, Handler>;
  breakLock?: boolean;
  logFile?: string;
}

async function run(remote: FakeRemote, tasks: Task[], args: RunArgs = {}, transport = remote.transport('router01')) {
  const events: RunEvent[] = [];
  const job: HostJob = {
    host: 'router01',
    playbook: definePlaybook({ name: 'test', tasks: () => tasks, handlers: args.handlers }),
    tasks,
    secrets: [],
    connect: async () => transport,
  };
  const result = await runPlays([job], {
    check: args.check ?? false,
    concurrency: 1,
    reporter: { onEvent: (e) => events.push(e) },
    log: createRunLog(args.logFile),
    breakLock: args.breakLock,
    runId: 'run1',
    now: new Date('2026-01-02T03:04:05Z'),
  });
  return { result, host: result.hosts[0], transport, events, statuses: result.hosts[0].tasks.map((t) => `${t.name}=${t.status}`) };
}

function setup(initial: Record<string, string> = {}, failOn?: Set<string>) {
  const remote = new FakeRemote();
  const store = new Map(Object.entries(initial));
  remote.handler = kvHandler(store, failOn);
  return { remote, store };
}

describe('engine: statuses', () => {
  test('ok when the plan is empty, changed after apply + convergence, and a second run is all ok', async () => {
    const { remote, store } = setup({ a: '1' });
    const tasks = [kvTask('a', '1'), kvTask('b', '2')];
    const first = await run(remote, tasks);
    expect(first.statuses).toEqual(['kv a=ok', 'kv b=changed']);
    expect(first.host.tasks[1].changes[0].diff).toEqual({ kind: 'value', key: 'b', before: null, after: '2' });
    expect(store.get('b')).toBe('2');
    expect(exitCodeFor(first.result)).toBe(0);
    const second = await run(remote, tasks);
    expect(second.statuses).toEqual(['kv a=ok', 'kv b=ok']);
  });

  test('failed: the failing command, its exit code, stderr and the task hint are reported', async () => {
    const { remote } = setup({}, new Set(['bad']));
    const { host, result } = await run(remote, [kvTask('bad', 'x', { hint: 'check the permissions of bad' }), kvTask('good', 'y')]);
    const t = host.tasks[0];
    expect(t.status).toBe('failed');
    expect(t.error).toMatchObject({ code: 'E_CMD_FAILED', command: 'setkv bad x', exitCode: 1, hint: 'check the permissions of bad' });
    expect(t.error?.stderr).toContain('permission denied');
    expect(host.tasks[1].status).toBe('changed'); // an independent task still runs
    expect(exitCodeFor(result)).toBe(1);
  });

  test('did not converge: apply "succeeds" but the re-plan still differs → failed with the remaining diff', async () => {
    const { remote } = setup();
    const { host } = await run(remote, [kvTask('a', '1', { applyNothing: true } as Partial<Task>)]);
    expect(host.tasks[0].status).toBe('failed');
    expect(host.tasks[0].error?.code).toBe('E_NOT_CONVERGED');
    expect(host.tasks[0].changes).toEqual([{ summary: 'a', diff: { kind: 'value', key: 'a', before: null, after: '1' } }]);
  });

  test('skipped: when() false, and a task reading a fact touched by a failed task', async () => {
    const { remote, store } = setup({}, new Set(['a']));
    const reader = defineTask({
      name: 'reads a',
      facts: { a: kvFact('a') },
      plan: () => [{ summary: 'x', diff: { kind: 'value', key: 'x', before: null, after: '1' } }],
      apply: async (_c, io) => void (await io.exec(sh`setkv x 1`)),
    });
    const never = kvTask('c', '1', { name: 'never', when: () => false } as Partial<Task>);
    const { statuses, host } = await run(remote, [kvTask('a', '1'), reader, never]);
    expect(statuses).toEqual(['kv a=failed', 'reads a=skipped', 'never=skipped']);
    expect(host.tasks[1].note).toBe('dependency failed: kv a');
    expect(store.has('x')).toBe(false);
  });
});

describe('engine: preconditions', () => {
  const refuse = (precondition: boolean): Task => ({
    name: 'preflight',
    facts: { a: kvFact('a') },
    plan: () => {
      throw new Error('not allowed');
    },
    apply: async () => undefined,
    precondition,
  });

  test('a failed precondition stops the play before any change, in apply and in check mode', async () => {
    for (const check of [false, true]) {
      const { remote, store } = setup();
      const { statuses, host, result, transport } = await run(remote, [refuse(true), kvTask('b', '2')], { check });
      expect(statuses).toEqual(['preflight=failed', 'kv b=skipped']);
      expect(host.tasks[1].note).toBe('not run: precondition failed: preflight');
      expect(store.has('b')).toBe(false);
      expect(exitCodeFor(result)).toBe(1);
      expect(transport.execs.filter((e) => e.kind !== 'gather').map((e) => e.kind)).toEqual(check ? [] : ['unlock']);
    }
  });

  test("a passing task's findings become the host's warnings, masked like everything else", async () => {
    const { remote } = setup({ a: 'hunter2' });
    const finder: Task = { ...kvTask('a', 'hunter2'), warnings: (f) => [`a is ${String(f.cur)}`], secrets: [new Secret('hunter2')] };
    const { host, statuses } = await run(remote, [finder]);
    expect(statuses).toEqual(['kv a=ok']);
    expect(host.warnings).toEqual(['kv a: a is ********']);
  });

  test('an ordinary failing task does not stop the tasks that do not depend on it', async () => {
    const { remote, store } = setup();
    const { statuses } = await run(remote, [refuse(false), kvTask('b', '2')]);
    expect(statuses).toEqual(['preflight=failed', 'kv b=changed']);
    expect(store.get('b')).toBe('2');
  });
});

describe('engine: check mode', () => {
  test('sends only the gather exec, never applies, and reports the diffs; exit code 2', async () => {
    const { remote, store } = setup({ a: '1' });
    const applied: string[] = [];
    const spy = (key: string, value: string) =>
      kvTask(key, value, { apply: async () => void applied.push(key) } as Partial<Task>);
    const { host, transport, result } = await run(remote, [spy('a', '1'), spy('b', '2')], { check: true });
    expect(host.tasks.map((t) => t.status)).toEqual(['ok', 'changed']);
    expect(host.tasks[1].changes[0].diff).toMatchObject({ before: null, after: '2' });
    expect(applied).toEqual([]);
    expect(transport.execs.map((e) => e.kind)).toEqual(['gather']);
    expect(transport.execs[0].text).not.toContain('mkdir'); // the lock is only looked at
    expect(store.has('b')).toBe(false);
    expect(exitCodeFor(result)).toBe(2);
  });

  test('the check-mode transport refuses anything but read-only scripts', async () => {
    const remote = new FakeRemote();
    const guarded = readOnlyTransport(remote.transport());
    await expect(guarded.exec(sh`setkv a 1`)).rejects.toMatchObject({ code: 'E_READ_ONLY' });
    const write = writeFileScript({ path: '/etc/x', content: 'x' }, null, { root: '/b', keep: 1, stamp: 's' });
    await expect(guarded.exec(write)).rejects.toMatchObject({ code: 'E_READ_ONLY' });
  });

  test('would change after: a task reading what an earlier pending task changes is changed, never ok or failed', async () => {
    const { remote } = setup();
    const needsA = defineTask({
      name: 'needs a',
      facts: { a: kvFact('a') },
      plan: ({ a }) => {
        if (a === null) throw new Error('a is not there yet');
        return [];
      },
      apply: async () => undefined,
    });
    const okNow = defineTask({ name: 'ok now', facts: { a: kvFact('a') }, plan: () => [], apply: async () => undefined });
    const { host } = await run(remote, [kvTask('a', '1'), needsA, okNow], { check: true });
    expect(host.tasks.map((t) => [t.status, t.note])).toEqual([
      ['changed', undefined],
      ['changed', 'would change after: kv a'],
      ['changed', 'would change after: kv a'],
    ]);
  });
});

describe('engine: handlers', () => {
  const handlers = { 'reload svc': { command: sh`service svc reload` } };

  test('run once at the end when several changed tasks notify, not at all when nothing changed', async () => {
    const { remote, store } = setup({ c: '3' });
    const reloads: string[] = [];
    const base = kvHandler(store);
    remote.handler = (cmd) => (cmd === 'service svc reload' ? (reloads.push(cmd), {}) : base(cmd));
    const tasks = [kvTask('a', '1', { notify: ['reload svc'] }), kvTask('b', '2', { notify: ['reload svc'] }), kvTask('c', '3', { notify: ['reload svc'] })];
    const first = await run(remote, tasks, { handlers });
    expect(reloads).toEqual(['service svc reload']);
    expect(first.host.tasks.at(-1)).toMatchObject({ name: 'reload svc', kind: 'handler', status: 'changed' });
    const second = await run(remote, tasks, { handlers });
    expect(reloads).toHaveLength(1);
    expect(second.host.tasks.some((t) => t.kind === 'handler')).toBe(false);
  });

  test('check mode reports "would run" and runs nothing', async () => {
    const { remote } = setup();
    const { host, transport } = await run(remote, [kvTask('a', '1', { notify: ['reload svc'] })], { check: true, handlers });
    expect(host.tasks.at(-1)).toMatchObject({ kind: 'handler', status: 'changed', note: 'would run' });
    expect(transport.execs).toHaveLength(1);
  });
});

describe('engine: host lock', () => {
  test('taken only when something is to change, with every fact read again under it; released at the end', async () => {
    const { remote, store } = setup();
    const { transport } = await run(remote, [kvTask('a', '1')]);
    expect(transport.execs.map((e) => e.kind)).toEqual(['gather', 'gather', 'command', 'gather', 'unlock']);
    expect(transport.execs[0].text).not.toContain('mkdir "$__L"'); // the first look only reads the lock's status
    expect(transport.execs[1].text).toContain('mkdir "$__L"');
    expect(transport.execs[1].text).toContain('getkv a');
    expect(remote.lock).toBeNull();
    // a no-op never takes it
    expect(store.get('a')).toBe('1');
    const again = await run(remote, [kvTask('a', '1')]);
    expect(again.transport.execs.map((e) => e.kind)).toEqual(['gather']);
  });

  test('under the lock, only facts a task changes are read again (not, e.g., an external answer)', async () => {
    const { remote } = setup();
    const external = defineFact({ id: 'external', command: sh`getkv ext`, parse: ({ stdout }) => stdout });
    const reader: Task = { name: 'reads external', facts: { e: external }, plan: () => [], apply: async () => undefined, touches: [] };
    const { transport } = await run(remote, [reader, kvTask('a', '1')]);
    expect(transport.execs[0].text).toContain('getkv ext');
    expect(transport.execs[1].text).toContain('mkdir "$__L"');
    expect(transport.execs[1].text).toContain('getkv a');
    expect(transport.execs[1].text).not.toContain('getkv ext');
  });

  test('a gather that times out after taking the lock releases it (the connection is still good)', async () => {
    const { remote, store } = setup();
    const transport = remote.transport('router01');
    const exec = transport.exec.bind(transport);
    let gathers = 0;
    transport.exec = async (script, o) => {
      const r = await exec(script, o);
      if (/^# provision gather/.test(script.text) && ++gathers === 2) throw new TransportError('timeout', 'router01', 'no answer within 300 s');
      return r;
    };
    const { host } = await run(remote, [kvTask('a', '1')], {}, transport);
    expect(host.error).toMatchObject({ exitCode: 124, stderr: expect.stringContaining('no answer within 300 s') });
    expect(transport.execs.map((e) => e.kind)).toEqual(['gather', 'gather', 'unlock']);
    expect(remote.lock).toBeNull();
    expect(store.has('a')).toBe(false);
  });

  test('a value that changes between the first look and the lock is planned from the second read', async () => {
    const { remote, store } = setup({ a: 'old' });
    let reads = 0;
    const inner = remote.handler!;
    remote.handler = (cmd) => {
      // another actor sets a=1 right after the first read: then there is nothing to do
      if (cmd === 'getkv a' && ++reads === 2) store.set('a', '1');
      return inner(cmd);
    };
    const { statuses, transport } = await run(remote, [kvTask('a', '1')]);
    expect(statuses).toEqual(['kv a=ok']);
    expect(transport.execs.map((e) => e.kind)).toEqual(['gather', 'gather', 'unlock']);
  });

  test('held by a live run: refused at once, naming the holder, nothing read or changed', async () => {
    const { remote, store } = setup();
    remote.lock = { runId: 'other', user: 'alice', controller: 'laptop', pid: '42', started: remote.now - 60, alive: true };
    const { host, transport, result } = await run(remote, [kvTask('a', '1')], { breakLock: true });
    expect(host.error?.code).toBe('E_LOCK_HELD');
    expect(host.error?.message).toContain('run other by alice@laptop');
    expect(host.tasks).toEqual([]);
    expect(transport.execs).toHaveLength(1);
    expect(store.has('a')).toBe(false);
    expect(remote.lock?.runId).toBe('other');
    expect(exitCodeFor(result)).toBe(1);
  });

  test('stale (holder session gone): refused with a hint, broken with --break-lock', async () => {
    const { remote, store } = setup();
    remote.lock = { runId: 'dead', user: 'bob', controller: 'ci', pid: '7', started: remote.now - 30, alive: false };
    const refused = await run(remote, [kvTask('a', '1')]);
    expect(refused.host.error?.hint).toContain('--break-lock');
    expect(refused.host.error?.message).toContain('stale');
    const broken = await run(remote, [kvTask('a', '1')], { breakLock: true });
    expect(broken.host.warnings.join()).toContain('broke the stale lock of run dead');
    expect(store.get('a')).toBe('1');
    expect(remote.lock).toBeNull();
  });
});

describe('engine: round trips', () => {
  test('a no-op run costs the same number of execs for 5 and for 20 tasks', async () => {
    const counts: number[] = [];
    for (const n of [5, 20]) {
      const keys = Array.from({ length: n }, (_, i) => `k${i}`);
      const { remote } = setup(Object.fromEntries(keys.map((k) => [k, 'v'])));
      const { host } = await run(remote, keys.map((k) => kvTask(k, 'v')));
      expect(host.totals.ok).toBe(n);
      counts.push(host.roundTrips);
    }
    expect(counts).toEqual([1, 1]); // facts and the lock's status; a no-op never takes the lock
  });

  test('check mode costs one exec for 5 and for 20 tasks', async () => {
    for (const n of [5, 20]) {
      const { remote } = setup();
      const { host } = await run(remote, Array.from({ length: n }, (_, i) => kvTask(`k${i}`, 'v')), { check: true });
      expect(host.totals.changed).toBe(n);
      expect(host.roundTrips).toBe(1);
    }
  });
});

describe('engine: secrets and reports', () => {
  const password = new Secret('hunter2-s3cret');

  test('a secret is masked in diffs, errors, the JSON document, the plain output and the log', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provision-log-'));
    const logFile = path.join(dir, 'run.log');
    const { remote } = setup({}, new Set(['pw']));
    const rendered = fileTask({ path: '/etc/svc.conf', content: `password ${password.value}\n`, secrets: [password] });
    const { result, events } = await run(remote, [rendered, kvTask('pw', password)], { logFile });
    expect(remote.files.get('/etc/svc.conf')?.content).toBe(`password ${password.value}\n`); // the host gets the real value
    const json = JSON.stringify(toJsonReport(result));
    expect(json).not.toContain('hunter2');
    expect(json).toContain('password ********');
    let plain = '';
    const reporter = new PlainReporter((t) => (plain += t), { diff: true, verbose: true });
    events.forEach((e) => reporter.onEvent(e));
    expect(plain).toContain('+password ********');
    expect(plain).toContain("setkv pw '********'");
    expect(plain).not.toContain('hunter2');
    const log = fs.readFileSync(logFile, 'utf8');
    expect(log).toContain(`"cmd":"setkv pw '********'"`);
    expect(log).not.toContain('hunter2');
    fs.rmSync(dir, { recursive: true });
  });

  test('the JSON document of a real run validates against the exported schema', async () => {
    const { remote } = setup({}, new Set(['bad']));
    remote.setFile('/etc/motd', 'old\n');
    const { result } = await run(remote, [fileTask({ path: '/etc/motd', content: 'new\n' }), kvTask('bad', '1'), kvTask('c', '2', { when: () => false } as Partial<Task>)], {
      handlers: { h: { command: sh`true` } },
    });
    const doc = toJsonReport(result);
    expect(() => JsonReportSchema.parse(doc)).not.toThrow();
    expect(doc.hosts.router01.tasks.map((t) => t.status)).toEqual(['changed', 'failed', 'skipped']);
    expect(JsonReportSchema.safeParse({ ...doc, version: 2 }).success).toBe(false);
  });
});

describe('engine: hosts', () => {
  test('hosts run in parallel up to the concurrency; one unreachable host does not stop the others', async () => {
    const remotes = [0, 1, 2].map(() => setup().remote);
    let active = 0;
    let peak = 0;
    const jobs: HostJob[] = remotes.map((remote, i) => {
      const tasks = [kvTask('a', '1')];
      return {
        host: `h${i}`,
        playbook: definePlaybook({ name: 't', tasks: () => tasks }),
        tasks,
        secrets: [],
        connect: async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 20));
          active--;
          if (i === 1) throw new Error('connect ECONNREFUSED 127.0.0.1:2202');
          return remote.transport(`h${i}`) as FakeTransport;
        },
      };
    });
    const result = await runPlays(jobs, { check: false, concurrency: 2, reporter: { onEvent: () => undefined }, log: createRunLog() });
    expect(peak).toBe(2);
    expect(result.hosts.map((h) => [h.host, h.unreachable ?? h.totals.changed])).toEqual([
      ['h0', 1],
      ['h1', 'connect ECONNREFUSED 127.0.0.1:2202'],
      ['h2', 1],
    ]);
    expect(exitCodeFor(result)).toBe(4);
  });

  test('a connection lost at the first exec makes the host unreachable', async () => {
    const { remote } = setup();
    const transport = remote.transport('router01');
    transport.unreachable = 'host key for router01 refused';
    const tasks = [kvTask('a', '1')];
    const result = await runPlays(
      [{ host: 'router01', playbook: definePlaybook({ name: 't', tasks: () => tasks }), tasks, secrets: [], connect: async () => transport }],
      { check: false, concurrency: 1, reporter: { onEvent: () => undefined }, log: createRunLog() },
    );
    expect(result.hosts[0].unreachable).toBe('host key for router01 refused');
    expect(exitCodeFor(result)).toBe(4);
  });
});
