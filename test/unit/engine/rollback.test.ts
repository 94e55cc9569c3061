// Commit-confirmed: the arm/timer/disarm scripts run for real with the local /bin/sh (on files
// in a temp dir), and the engine's arm → fresh connection → disarm flow runs against a fake host.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { sh } from '../../../src/shell/quote';
import { defineFact } from '../../../src/engine/fact';
import { definePlaybook } from '../../../src/engine/playbook';
import { runPlays, type HostJob } from '../../../src/engine/run';
import { defineTask, type Task } from '../../../src/engine/task';
import { armScript, confirmConnectBudgetMs, disarmScript, parseDisarmOutput, rollbackFiles, ALWAYS_SAVED, type RollbackSettings } from '../../../src/engine/rollback';
import { createRunLog } from '../../../src/log';
import { exitCodeFor } from '../../../src/cli/exit-codes';
import { fileTask } from '../../../src/tasks/file';
import { TransportError } from '../../../src/transport/errors';
import { FakeRemote, type FakeTransport } from '../../helpers/fake-transport';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('rollback scripts, run by /bin/sh', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pv-rb-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const settings = (timeoutSeconds: number): RollbackSettings => ({
    timeoutSeconds,
    restoreCommand: `echo ran > ${path.join(dir, 'restore-command-ran')}`,
    root: path.join(dir, 'rollback'),
  });
  const run = (text: string) => execFileSync('/bin/sh', ['-c', text], { encoding: 'utf8' });

  test('the timer restores changed files, removes created ones, then runs the restore command', async () => {
    const conf = path.join(dir, 'etc', 'rc.conf');
    const created = path.join(dir, 'etc', 'new.conf');
    fs.mkdirSync(path.dirname(conf));
    fs.writeFileSync(conf, 'before\n');
    const out = run(armScript('run1', [conf, created], settings(1)).text);
    expect(out).toContain(`armed=${path.join(dir, 'rollback', 'run1')}`);
    fs.writeFileSync(conf, 'after: cut off\n');
    fs.writeFileSync(created, 'made by the play\n');
    await wait(2500);
    expect(fs.readFileSync(conf, 'utf8')).toBe('before\n');
    expect(fs.existsSync(created)).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'restore-command-ran'), 'utf8')).toBe('ran\n');
    // a disarm after the timer fired says so: the host is rolling back
    expect(parseDisarmOutput(run(disarmScript(path.join(dir, 'rollback', 'run1')).text))).toBe('fired');
  });

  test('a disarm in time stops the timer: nothing is restored and the sleep is gone', async () => {
    const conf = path.join(dir, 'pf.conf');
    fs.writeFileSync(conf, 'before\n');
    run(armScript('run2', [conf], settings(2)).text);
    fs.writeFileSync(conf, 'after\n');
    const rbDir = path.join(dir, 'rollback', 'run2');
    const sleepPid = Number(fs.readFileSync(path.join(rbDir, 'sleep.pid'), 'utf8'));
    expect(parseDisarmOutput(run(disarmScript(rbDir).text))).toBe('disarmed');
    expect(fs.existsSync(rbDir)).toBe(false);
    await wait(3000);
    expect(fs.readFileSync(conf, 'utf8')).toBe('after\n');
    expect(fs.existsSync(path.join(dir, 'restore-command-ran'))).toBe(false);
    expect(fs.existsSync(`/proc/${sleepPid}`)).toBe(false);
  });

  test('disarming twice, or something never armed, is "missing"', () => {
    expect(parseDisarmOutput(run(disarmScript(path.join(dir, 'nothing')).text))).toBe('missing');
  });

  test('paths with spaces and quotes survive the scripts', async () => {
    const odd = path.join(dir, "it's a file");
    fs.writeFileSync(odd, 'before\n');
    run(armScript('run3', [odd], settings(1)).text);
    fs.writeFileSync(odd, 'after\n');
    await wait(2500);
    expect(fs.readFileSync(odd, 'utf8')).toBe('before\n');
  });
});

test('rollbackFiles: the fixed list, every file a task writes, and Task.files', () => {
  const tasks = [fileTask({ path: '/etc/motd.template', content: 'x' }), { ...fileTask({ path: '/etc/a', content: '' }), files: ['/etc/hosts'] }];
  const files = rollbackFiles(tasks);
  expect(files).toEqual(expect.arrayContaining([...ALWAYS_SAVED, '/etc/motd.template', '/etc/a', '/etc/hosts']));
  expect(() => rollbackFiles([{ ...tasks[0], files: ['relative'] }])).toThrow(/absolute/);
});

test('the fresh connection must be decided 5 s before the timer fires, and within 30 s', () => {
  const armed = (inMs: number) => ({ runId: 'r', dir: '/d', files: [], timeoutSeconds: 1, deadline: new Date(1_000_000 + inMs) });
  expect(confirmConnectBudgetMs(armed(100_000), 1_000_000)).toBe(30_000);
  expect(confirmConnectBudgetMs(armed(20_000), 1_000_000)).toBe(15_000);
  expect(confirmConnectBudgetMs(armed(2_000), 1_000_000)).toBe(1000);
});

describe('engine: commit-confirmed', () => {
  // a key/value host: `getkv K` / `setkv K V`; the rollback scripts are answered by `rollback`
  function setup(initial: Record<string, string> = {}) {
    const remote = new FakeRemote();
    const store = new Map(Object.entries(initial));
    const rollback = { arms: 0, disarms: 0, disarmReply: 'status=disarmed\n' };
    const order: string[] = [];
    remote.handler = (cmd) => {
      if (cmd.startsWith('# provision rollback-arm')) {
        rollback.arms++;
        order.push('arm');
        return { stdout: 'armed=/var/db/provision/rollback/run1\n' };
      }
      if (cmd.startsWith('# provision rollback-disarm')) {
        rollback.disarms++;
        order.push('disarm');
        return { stdout: rollback.disarmReply };
      }
      let m = /^getkv (\S+)$/.exec(cmd);
      if (m) return store.has(m[1]) ? { stdout: store.get(m[1]) } : { code: 1 };
      m = /^setkv (\S+) (\S+)$/.exec(cmd);
      if (m) {
        order.push(`set ${m[1]}`);
        store.set(m[1], m[2]);
        return {};
      }
      return undefined;
    };
    return { remote, store, rollback, order };
  }
  const kvTask = (key: string, value: string, risk?: 'connectivity'): Task =>
    defineTask({
      name: `kv ${key}`,
      facts: { cur: defineFact({ id: `kv:${key}`, command: sh`getkv ${key}`, parse: ({ stdout, code }) => (code === 0 ? stdout : null) }) },
      plan: ({ cur }) => (cur === value ? [] : [{ summary: key, diff: { kind: 'value', key, before: cur, after: value } }]),
      apply: async (_c, io) => void (await io.exec(sh`setkv ${key} ${value}`)),
      risk,
    });

  async function play(remote: FakeRemote, tasks: Task[], o: { check?: boolean; rollback?: boolean; connect?: (n: number) => FakeTransport } = {}) {
    const transports: FakeTransport[] = [];
    const job: HostJob = {
      host: 'router01',
      playbook: definePlaybook({ name: 'test', tasks: () => tasks }),
      tasks,
      secrets: [],
      connect: async () => {
        const t = o.connect ? o.connect(transports.length) : remote.transport('router01');
        transports.push(t);
        return t;
      },
    };
    const result = await runPlays([job], {
      check: o.check ?? false,
      concurrency: 1,
      reporter: { onEvent: () => undefined },
      log: createRunLog(undefined),
      runId: 'run1',
      rollback: o.rollback === false ? undefined : { timeoutSeconds: 60, restoreCommand: 'shutdown -r now', root: '/var/db/provision/rollback' },
    });
    return { result, host: result.hosts[0], transports };
  }

  test('armed before the first change (even a change before the risky task), disarmed on a fresh connection', async () => {
    const { remote, rollback, order } = setup();
    const { host, result, transports } = await play(remote, [kvTask('a', '1'), kvTask('mgmt', 'down', 'connectivity')]);
    expect(order).toEqual(['arm', 'set a', 'set mgmt', 'disarm']);
    expect(rollback).toMatchObject({ arms: 1, disarms: 1 });
    expect(transports).toHaveLength(2); // the play's connection, then a fresh one
    expect(transports[1].execs.map((e) => e.kind)).toEqual(['gather', 'rollback-disarm']);
    expect(host.error).toBeUndefined();
    expect(exitCodeFor(result)).toBe(0);
  });

  test('nothing to change, check mode, or no risky task: never armed', async () => {
    const a = setup({ a: '1', mgmt: 'down' });
    await play(a.remote, [kvTask('a', '1'), kvTask('mgmt', 'down', 'connectivity')]);
    const b = setup();
    await play(b.remote, [kvTask('mgmt', 'down', 'connectivity')], { check: true });
    const c = setup();
    await play(c.remote, [kvTask('a', '1')]);
    expect([a.rollback.arms, b.rollback.arms, c.rollback.arms]).toEqual([0, 0, 0]);
  });

  test('the fresh connection fails: not disarmed, exit 1, the error names the rollback and when it fires', async () => {
    const { remote, rollback } = setup();
    const { host, result } = await play(remote, [kvTask('mgmt', 'down', 'connectivity')], {
      connect: (n) => {
        if (n > 0) throw new Error('connect ECONNREFUSED');
        return remote.transport('router01');
      },
    });
    expect(rollback.disarms).toBe(0);
    expect(host.error?.code).toBe('E_UNREACHABLE');
    expect(host.error?.message).toMatch(/^connection lost after applying \(connect ECONNREFUSED\); the host will restore its previous configuration at \d\d:\d\d:\d\d \(in \d+ s\) \(rollback \/var\/db\/provision\/rollback\/run1\)$/);
    expect(exitCodeFor(result)).toBe(1);
  });

  test('connected but the host does not match the playbook: not disarmed, the difference is named', async () => {
    const { remote, store, rollback } = setup();
    const { host } = await play(remote, [kvTask('mgmt', 'down', 'connectivity')], {
      connect: (n) => {
        if (n > 0) store.set('mgmt', 'up'); // something undid the change after the play checked it
        return remote.transport('router01');
      },
    });
    expect(rollback.disarms).toBe(0);
    expect(host.error?.code).toBe('E_NOT_CONVERGED');
    expect(host.error?.message).toContain('verification failed after applying');
    expect(host.error?.message).toContain('kv mgmt: still differs (mgmt)');
  });

  test('the timer won the race: reported as a rollback in progress', async () => {
    const { remote, rollback } = setup();
    rollback.disarmReply = 'status=fired\n';
    const { host } = await play(remote, [kvTask('mgmt', 'down', 'connectivity')]);
    expect(host.error?.message).toMatch(/confirm timeout \(60 s\) passed before the host was verified: it is restoring/);
  });

  test('a failed arm applies nothing', async () => {
    const { remote, store, order } = setup();
    const inner = remote.handler;
    remote.handler = (cmd, stdin) => (cmd.startsWith('# provision rollback-arm') ? { code: 1, stderr: 'mkdir: /var/db/provision: Read-only file system\n' } : inner(cmd, stdin));
    const { host } = await play(remote, [kvTask('a', '1'), kvTask('mgmt', 'down', 'connectivity')]);
    expect(order).toEqual([]);
    expect(store.size).toBe(0);
    expect(host.tasks.map((t) => t.status)).toEqual(['failed', 'failed']);
    expect(host.tasks[0].error?.hint).toMatch(/--no-rollback/);
  });

  test('a risky command that times out: the session is presumed cut, the rest is skipped, the rollback decides', async () => {
    const { remote, rollback } = setup();
    const { host, transports } = await play(remote, [kvTask('mgmt', 'down', 'connectivity'), kvTask('b', '1')], {
      connect: (n) => {
        const t = remote.transport('router01');
        if (n === 0) {
          const exec = t.exec.bind(t);
          t.exec = async (script, o) => {
            if (script.text.startsWith('setkv mgmt')) throw new TransportError('timeout', 'router01', 'command on router01 did not finish within 3000 ms');
            return exec(script, o);
          };
        }
        return t;
      },
    });
    expect(host.tasks.map((t) => `${t.name}=${t.status}${t.note ? ` (${t.note})` : ''}`)).toEqual(['kv mgmt=failed', 'kv b=skipped (host unreachable)']);
    expect(transports[0].execs.map((e) => e.kind)).not.toContain('unlock');
    expect(host.error?.message).toMatch(/^verification failed after applying/); // the fresh connection saw mgmt still differ
    expect(rollback.disarms).toBe(0);
  });

  test('--no-rollback: applied without arming, with a warning', async () => {
    const { remote, rollback } = setup();
    const { host } = await play(remote, [kvTask('mgmt', 'down', 'connectivity')], { rollback: false });
    expect(rollback.arms).toBe(0);
    expect(host.tasks[0].status).toBe('changed');
    expect(host.warnings.join('\n')).toMatch(/rollback disabled \(--no-rollback\)/);
  });
});
