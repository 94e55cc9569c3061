import { definePlaybook, type Handler } from '../../../src/engine/playbook';
import { runPlays } from '../../../src/engine/run';
import type { Task } from '../../../src/engine/task';
import { createRunLog } from '../../../src/log';
import { Secret } from '../../../src/shell/quote';
import {
  FRR_CONF,
  RELOAD_FRR,
  frrConfTask,
  frrInSyncTask,
  frrReloadTestFact,
  frrRunningTask,
  frrStatusFact,
  frrModulesTask,
  modulesOf,
  reloadFrrHandler,
  withoutNoise,
} from '../../../src/tasks/frr';
import { FakeRemote } from '../../helpers/fake-transport';

const handlers: Record<string, Handler> = { [RELOAD_FRR]: reloadFrrHandler };

async function play(remote: FakeRemote, tasks: Task[], check = false) {
  const pb = definePlaybook({ name: 't', tasks: () => tasks, handlers });
  const result = await runPlays([{ host: 'h', playbook: pb, tasks, secrets: [], connect: async () => remote.transport('h') }], {
    check,
    concurrency: 1,
    reporter: { onEvent: () => undefined },
    log: createRunLog(),
  });
  return result.hosts[0];
}

const configLines = (text: string) => text.split('\n').filter((l) => l.trim() !== '' && l !== '!');

/**
 * FRR as research §7-§8 describes it: `vtysh -C -f` exits 2 on an unknown command; `service frr
 * onestatus` prints one rc.subr status line per daemon; `start` refuses without frr_enable=YES
 * and loads frr.conf with vtysh -b; frr-reload.py --test prints log lines, then "Lines To
 * Delete"/"Lines To Add" (exit 0), always with the noise observed in §8.7 (hostname pair,
 * service integrated-vtysh-config), and exits 1 when it cannot read the running config or the
 * file is bad. The config comparison here is line by line, which is enough for a double.
 */
function frr(remote: FakeRemote, o: { enabled?: boolean; running?: string[] } = {}) {
  const daemons = ['zebra', 'staticd', 'bgpd'];
  const state = { enabled: o.enabled ?? true, running: new Set(o.running ?? []), config: [] as string[], cmds: [] as string[] };
  const log = '2026-11-22 01:31:57,322  INFO: Loading Config object from file /usr/local/etc/frr/frr.conf\n';
  remote.handler = (cmd, stdin) => {
    state.cmds.push(cmd);
    if (cmd === '/usr/local/bin/vtysh -C -f "$__t"') {
      return stdin?.includes('bogus') ? { stderr: 'line 5: % Unknown command[25]:  neighbor 2001:db8::1 bogus\n', code: 2 } : {};
    }
    if (cmd === 'service frr onestatus') {
      const stdout = daemons.map((d) => (state.running.has(d) ? `${d} is running as pid 4${d.length}.\n` : `${d} is not running.\n`)).join('');
      return { stdout, code: state.running.size === daemons.length ? 0 : 1 };
    }
    const start = /^service frr start( \S+)?$/.exec(cmd);
    if (start) {
      if (!state.enabled) return { stdout: "Cannot 'start' zebra. Set frr_enable to YES in /etc/rc.conf or use 'onestart' instead of 'start'.\n" };
      for (const d of start[1] ? [start[1].trim()] : daemons) state.running.add(d);
      state.config = configLines(remote.files.get(FRR_CONF)?.content ?? ''); // vtysh -b
      return { stdout: 'Checking intergrated config...\n' };
    }
    const reload = /^\/usr\/local\/sbin\/frr-reload\.py --stdout --(test|reload) \/usr\/local\/etc\/frr\/frr\.conf$/.exec(cmd);
    if (reload) {
      if (state.running.size === 0) return { stdout: log, stderr: 'vtysh (show running-config) exited with status 1:\nExiting: failed to connect to any daemons.\n', code: 1 };
      const file = configLines(remote.files.get(FRR_CONF)?.content ?? '');
      if (file.some((l) => l.includes('bogus'))) {
        return { stdout: `${log}2026-11-22 01:32:06,195 \x1b[91m  ERROR\x1b[0m: vtysh failed to process new configuration: vtysh (mark file) exited with status 2:\n\nLines To Delete\n===============\nno router bgp 65010\n`, code: 1 };
      }
      if (reload[1] === 'reload') {
        state.config = file;
        return { stdout: `${log}2026-11-22 01:32:04,007  INFO: Executed "no hostname vmhost"\n` };
      }
      const del = ['no hostname vmhost', ...state.config.filter((l) => !file.includes(l)).map((l) => `no ${l}`)];
      const add = [...file.filter((l) => !state.config.includes(l)), 'hostname router01', 'service integrated-vtysh-config'];
      return { stdout: `${log}% Can't open configuration file /usr/local/etc/frr/vtysh.conf\n\nLines To Delete\n===============\n${del.join('\n')}\n\nLines To Add\n============\n${add.join('\n')}\n` };
    }
    return undefined;
  };
  return state;
}

const password = new Secret('s3cr3t-md5');
const conf = (extra = '') => ({
  text: `frr defaults traditional\nrouter bgp 65010\n neighbor 2001:db8::1 remote-as 64500\n neighbor 2001:db8::1 password ${password.value}\n${extra}exit\n`,
  masked: `frr defaults traditional\nrouter bgp 65010\n neighbor 2001:db8::1 remote-as 64500\n neighbor 2001:db8::1 password ********\n${extra}exit\n`,
});
const tasks = (c = conf()) => [
  frrConfTask(c, { secrets: [password] }),
  frrRunningTask({ dependsOn: ['frr: /usr/local/etc/frr/frr.conf'] }),
  frrInSyncTask({ secrets: [password], dependsOn: ['frr: running'] }),
];

test('fresh host: frr.conf written frr:frr 0640, FRR started, running config in sync; the next run is all ok', async () => {
  const remote = new FakeRemote();
  const state = frr(remote);

  const check = await play(remote, tasks(), true);
  expect(check.tasks.map((t) => [t.name, t.status, t.note])).toEqual([
    ['frr: /usr/local/etc/frr/frr.conf', 'changed', undefined],
    ['frr: running', 'changed', undefined],
    ['frr: running config matches frr.conf', 'changed', 'would change after: frr: /usr/local/etc/frr/frr.conf'],
    ['reload frr', 'changed', 'would run'],
  ]);

  const first = await play(remote, tasks());
  expect(first.tasks.map((t) => [t.name, t.status])).toEqual([
    ['frr: /usr/local/etc/frr/frr.conf', 'changed'],
    ['frr: running', 'changed'],
    ['frr: running config matches frr.conf', 'ok'],
    ['reload frr', 'changed'],
  ]);
  expect(remote.files.get(FRR_CONF)).toMatchObject({ content: conf().text, owner: 'frr', group: 'frr', mode: '0640' });
  expect(state.cmds).toContain('/usr/local/bin/vtysh -C -f "$__t"');
  expect(state.cmds).toContain('service frr start');

  state.cmds.length = 0;
  const second = await play(remote, tasks());
  expect(second.tasks.map((t) => t.status)).toEqual(['ok', 'ok', 'ok']);
  expect(state.cmds.some((c) => /restart|start|--reload/.test(c))).toBe(false);
});

test('drift in the running config is fixed by frr-reload.py --reload, never by a restart', async () => {
  const remote = new FakeRemote();
  const state = frr(remote, { running: ['zebra', 'staticd', 'bgpd'] });
  remote.setFile(FRR_CONF, conf().text, '0640', 'frr', 'frr');
  state.config = [...configLines(conf().text), 'neighbor 2001:db8::99 remote-as 65099'];

  const r = await play(remote, tasks());
  expect(r.tasks.map((t) => t.status)).toEqual(['ok', 'ok', 'changed']);
  expect(r.tasks[2].changes[0].diff).toEqual({ kind: 'value', key: 'frr running config', before: 'no neighbor 2001:db8::99 remote-as 65099', after: '' });
  expect(state.cmds).toContain('/usr/local/sbin/frr-reload.py --stdout --reload /usr/local/etc/frr/frr.conf');
  expect(state.cmds.some((c) => /service frr (re)?start|stop/.test(c))).toBe(false);
  expect((await play(remote, tasks())).tasks.map((t) => t.status)).toEqual(['ok', 'ok', 'ok']);
});

test('BGP passwords never appear in diffs or recorded output', async () => {
  const remote = new FakeRemote();
  const state = frr(remote, { running: ['zebra', 'staticd', 'bgpd'] });
  state.config = ['frr defaults traditional'];
  remote.setFile(FRR_CONF, 'frr defaults traditional\n', '0640', 'frr', 'frr');
  const r = await play(remote, [frrConfTask(conf(), { secrets: [password] }), frrInSyncTask({ secrets: [password] })], true);
  const shown = JSON.stringify(r.tasks);
  expect(shown).toContain('password ********');
  expect(shown).not.toContain(password.value);
});

test('only the stopped daemons are started', async () => {
  const remote = new FakeRemote();
  const state = frr(remote, { running: ['zebra', 'staticd'] });
  remote.setFile(FRR_CONF, conf().text, '0640', 'frr', 'frr');
  const r = await play(remote, [frrRunningTask()]);
  expect(r.tasks[0].changes[0].diff).toEqual({ kind: 'value', key: 'frr', before: 'running: zebra staticd; stopped: bgpd', after: 'running' });
  expect(state.cmds.filter((c) => c.startsWith('service frr start'))).toEqual(['service frr start bgpd']);
});

test('without frr_enable=YES the start does nothing and the task fails as not converged, with a hint', async () => {
  const remote = new FakeRemote();
  frr(remote, { enabled: false });
  const r = await play(remote, [frrRunningTask()]);
  expect(r.tasks[0].status).toBe('failed');
  expect(r.tasks[0].error?.code).toBe('E_NOT_CONVERGED');
  expect(r.tasks[0].error?.hint).toMatch(/frr_enable/);
});

test('a file vtysh -C refuses is not written; a bad file already there is an error, not a bogus delta', async () => {
  const remote = new FakeRemote();
  const state = frr(remote, { running: ['zebra', 'staticd', 'bgpd'] });
  remote.setFile(FRR_CONF, conf().text, '0640', 'frr', 'frr');
  const bad = conf(' neighbor 2001:db8::1 bogus\n');
  const r = await play(remote, [frrConfTask(bad)]);
  expect(r.tasks[0].status).toBe('failed');
  expect(r.tasks[0].error?.stderr).toContain('Unknown command');
  expect(remote.files.get(FRR_CONF)?.content).toBe(conf().text);

  remote.setFile(FRR_CONF, bad.text, '0640', 'frr', 'frr');
  const s = await play(remote, [frrInSyncTask()]);
  expect(s.tasks[0].status).toBe('failed');
  expect(s.tasks[0].error?.message).toMatch(/frr-reload.py --test failed \(exit 1\).*vtysh failed to process new configuration/);
  expect(s.tasks[0].error?.message).not.toContain('\x1b[');
  expect(state.cmds.some((c) => c.includes('--reload'))).toBe(false);
});

test('the reload delta: noise removed, real lines kept', () => {
  expect(
    withoutNoise({
      toDelete: ['no hostname vmhost', 'no domainname example.net', 'router bgp 65010', ' no neighbor 2001:db8::9 remote-as 65099'],
      toAdd: ['hostname router01', 'service integrated-vtysh-config', 'ipv6 forwarding'],
    }),
  ).toEqual({ toDelete: ['router bgp 65010', ' no neighbor 2001:db8::9 remote-as 65099'], toAdd: ['ipv6 forwarding'] });
  const f = frrReloadTestFact();
  expect(f.command.text).toBe('/usr/local/sbin/frr-reload.py --stdout --test /usr/local/etc/frr/frr.conf');
  expect(() => f.parse({ stdout: '', stderr: 'Exiting: failed to connect to any daemons.\n', code: 1 })).toThrow(/failed to connect/);
  const status = frrStatusFact();
  expect(() => status.parse({ stdout: '', stderr: 'frr does not exist in /etc/rc.d or the local startup\n', code: 1 })).toThrow(/reported no daemon/);
});

describe('daemon modules (bgpd -M rpki)', () => {
  // `ps -o args=` of the daemons the port's rc script starts: $command $bgpd_flags $frr_flags -d
  const BGPD = '/usr/local/sbin/bgpd -A 127.0.0.1 --limit-fds 100000 -F traditional -d';
  const BGPD_RPKI = '/usr/local/sbin/bgpd -A 127.0.0.1 -M rpki --limit-fds 100000 -F traditional -d';

  test('the modules of a command line, in each spelling the daemons accept', () => {
    expect(modulesOf(BGPD)).toEqual([]);
    expect(modulesOf(BGPD_RPKI)).toEqual(['rpki']);
    expect(modulesOf('bgpd -Mrpki:opts --module snmp --module=bmp -M rpki')).toEqual(['bmp', 'rpki', 'snmp']);
  });

  function host(initial: string | null) {
    const remote = new FakeRemote();
    const state = { args: initial, cmds: [] as string[] };
    remote.handler = (cmd) => {
      state.cmds.push(cmd);
      if (cmd.startsWith('p=$(cat /var/run/frr/bgpd.pid')) return { stdout: state.args === null ? 'bgpd\n' : `bgpd ${state.args}\n` };
      if (cmd === 'service frr restart bgpd') {
        state.args = BGPD_RPKI;
        return { stdout: 'Stopping bgpd.\nWaiting for PIDS: 4242.\nStarting bgpd.\n' };
      }
      return undefined;
    };
    return { remote, state };
  }

  test('a bgpd started without the module is restarted on its own; the next run is ok', async () => {
    const { remote, state } = host(BGPD);
    const check = await play(remote, [frrModulesTask({ bgpd: ['rpki'] })], true);
    expect(check.tasks[0].changes[0]).toMatchObject({ summary: expect.stringMatching(/^restart bgpd to load modules: rpki/), diff: { key: 'bgpd modules', before: null, after: 'rpki' } });
    expect(state.cmds.some((c) => c.includes('restart'))).toBe(false);
    const run = await play(remote, [frrModulesTask({ bgpd: ['rpki'] })]);
    expect(run.tasks[0].status).toBe('changed');
    expect(state.cmds.filter((c) => c.startsWith('service'))).toEqual(['service frr restart bgpd']);
    expect((await play(remote, [frrModulesTask({ bgpd: ['rpki'] })])).tasks[0].status).toBe('ok');
  });

  test('a stopped bgpd is left to its start; a module no longer wanted is unloaded by a restart too', async () => {
    expect((await play(host(null).remote, [frrModulesTask({ bgpd: ['rpki'] })])).tasks[0].status).toBe('ok');
    const { remote } = host(BGPD_RPKI);
    const r = await play(remote, [frrModulesTask({ bgpd: [] })], true);
    expect(r.tasks[0].changes[0].diff).toEqual({ kind: 'value', key: 'bgpd modules', before: 'rpki', after: '' });
  });
});
