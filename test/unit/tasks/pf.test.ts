import { definePlaybook, type Handler } from '../../../src/engine/playbook';
import { runPlays } from '../../../src/engine/run';
import type { Task } from '../../../src/engine/task';
import { createRunLog } from '../../../src/log';
import { renderPf } from '../../../src/render/pf';
import { PF_CONF, RELOAD_PF, pfConfTask, pfEnabledTask, pfStatusFact, reloadPfHandler } from '../../../src/tasks/pf';
import { FakeRemote } from '../../helpers/fake-transport';

async function play(remote: FakeRemote, tasks: Task[], handlers: Record<string, Handler> = {}, check = false) {
  const pb = definePlaybook({ name: 't', tasks: () => tasks, handlers });
  const result = await runPlays([{ host: 'h', playbook: pb, tasks, secrets: [], connect: async () => remote.transport('h') }], {
    check,
    concurrency: 1,
    reporter: { onEvent: () => undefined },
    log: createRunLog(),
  });
  return result.hosts[0];
}

/**
 * pfctl per research §9 and pfctl.c: `-nf FILE` parses only (exit 1 and "FILE:LINE: syntax
 * error" on a bad file); `-s info` starts with "Status: Enabled for …"/"Status: Disabled …";
 * `-e` prints "pf enabled"; without the pf module /dev/pf is missing.
 */
function freebsd(remote: FakeRemote, opts: { moduleLoaded?: boolean; enabled?: boolean } = {}) {
  const state = { module: opts.moduleLoaded ?? true, enabled: opts.enabled ?? false, loaded: null as string | null, cmds: [] as string[] };
  remote.handler = (cmd, stdin) => {
    state.cmds.push(cmd);
    if (!state.module && cmd.startsWith('pfctl')) return { stderr: 'pfctl: /dev/pf: No such file or directory\n', code: 1 };
    if (cmd === 'pfctl -nf "$__t"') return stdin?.includes('bogus') ? { stderr: '/etc/pf.conf.tmp:2: syntax error\n', code: 1 } : {};
    if (cmd === 'pfctl -s info') return { stdout: `Status: ${state.enabled ? 'Enabled for 0 days 00:00:01' : 'Disabled'}           Debug: Urgent\n\nState Table\n` };
    if (cmd === 'pfctl -f /etc/pf.conf && pfctl -e' || cmd === 'pfctl -f /etc/pf.conf') {
      state.loaded = remote.files.get(PF_CONF)?.content ?? null;
      if (cmd.endsWith('-e')) state.enabled = true;
      return { stderr: cmd.endsWith('-e') ? 'pf enabled\n' : '' };
    }
    return undefined;
  };
  return state;
}

const conf = renderPf({ hostname: 'edge', skip: ['lo0'], mss: [{ iface: 'gif0', maxMss: 1380 }], replyTo: [] });

test('pf.conf is validated with pfctl -nf, flagged as a connectivity risk, and reloaded once by the handler', async () => {
  const remote = new FakeRemote();
  const state = freebsd(remote, { enabled: true });
  const handlers = { [RELOAD_PF]: reloadPfHandler };
  const r = await play(remote, [pfConfTask(conf)], handlers);
  expect(r.tasks.map((t) => [t.name, t.kind, t.status])).toEqual([
    ['pf: /etc/pf.conf', 'task', 'changed'],
    ['reload pf', 'handler', 'changed'],
  ]);
  expect(r.tasks[0].risk).toBe('connectivity');
  expect(remote.files.get(PF_CONF)).toMatchObject({ content: conf.text, mode: '0644' });
  expect(state.cmds).toContain('pfctl -nf "$__t"');
  expect(state.loaded).toBe(conf.text);

  const again = await play(remote, [pfConfTask(conf)], handlers);
  expect(again.tasks.map((t) => t.status)).toEqual(['ok']);
});

test('a pf.conf that pfctl refuses leaves the old file in place', async () => {
  const remote = new FakeRemote();
  freebsd(remote);
  remote.setFile(PF_CONF, 'pass all\n');
  const r = await play(remote, [pfConfTask({ text: 'pass all\nbogus rule\n', masked: 'pass all\nbogus rule\n' })], { [RELOAD_PF]: reloadPfHandler });
  expect(r.tasks.map((t) => t.status)).toEqual(['failed']);
  expect(r.tasks[0].error?.command).toContain('pfctl -nf');
  expect(r.tasks[0].error?.stderr).toContain('syntax error');
  expect(remote.files.get(PF_CONF)?.content).toBe('pass all\n');
});

test('pf enabled: rules loaded, then pf enabled; the next run is ok', async () => {
  const remote = new FakeRemote();
  const state = freebsd(remote);
  remote.setFile(PF_CONF, conf.text);
  const r = await play(remote, [pfEnabledTask()]);
  expect(r.tasks[0].status).toBe('changed');
  expect(r.tasks[0].changes[0].diff).toEqual({ kind: 'value', key: 'pf', before: 'Disabled', after: 'Enabled' });
  expect(state.enabled).toBe(true);
  expect(state.loaded).toBe(conf.text);
  expect((await play(remote, [pfEnabledTask()])).tasks[0].status).toBe('ok');
});

test('pf status: a missing pf module means disabled; other failures are errors', () => {
  const f = pfStatusFact();
  expect(f.parse({ stdout: '', stderr: 'pfctl: /dev/pf: No such file or directory\n', code: 1 })).toBe('Disabled');
  expect(f.parse({ stdout: 'Status: Enabled for 2 days 01:02:03           Debug: Urgent\n', stderr: '', code: 0 })).toBe('Enabled');
  expect(() => f.parse({ stdout: '', stderr: 'pfctl: Permission denied\n', code: 1 })).toThrow(/Permission denied/);
});
