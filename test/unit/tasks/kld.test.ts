import { definePlaybook } from '../../../src/engine/playbook';
import { runPlays } from '../../../src/engine/run';
import type { Task } from '../../../src/engine/task';
import { createRunLog } from '../../../src/log';
import { kernelModuleTask, moduleFact } from '../../../src/tasks/kld';
import { FakeRemote, unquote } from '../../helpers/fake-transport';

async function play(remote: FakeRemote, tasks: Task[], check = false) {
  const result = await runPlays(
    [{ host: 'h', playbook: definePlaybook({ name: 't', tasks: () => tasks }), tasks, secrets: [], connect: async () => remote.transport('h') }],
    { check, concurrency: 1, reporter: { onEvent: () => undefined }, log: createRunLog() },
  );
  return result.hosts[0];
}

/**
 * A GENERIC amd64 kernel as research §1 describes it: if_gif compiled in, if_gre and pf loadable
 * files. kldstat -q -m finds a module anywhere, kldstat -n only a loaded file; kldload -n is
 * silent for a module already there; sysrc kld_list+=X appends X when missing (§3).
 */
function freebsd(remote: FakeRemote, kldList: string | null) {
  const builtin = new Set(['if_gif']);
  const files = new Set<string>();
  const state = { kldList, cmds: [] as string[] };
  remote.handler = (cmd) => {
    state.cmds.push(cmd);
    let m = /^if kldstat -q -m (\S+); then if kldstat -n \1 >\/dev\/null 2>&1; then echo file; else echo kernel; fi; else echo absent; fi$/.exec(cmd);
    if (m) return { stdout: files.has(m[1]) ? 'file\n' : builtin.has(m[1]) ? 'kernel\n' : 'absent\n' };
    if (cmd === 'sysrc -n kld_list') return state.kldList === null ? { stderr: "sysrc: unknown variable 'kld_list'\n", code: 1 } : { stdout: `${state.kldList}\n` };
    m = /^kldload -n (\S+)$/.exec(cmd);
    if (m) {
      if (!builtin.has(m[1])) files.add(m[1]);
      return {};
    }
    m = /^sysrc (\S+)$/.exec(cmd);
    if (m) {
      const [, word] = unquote(m[1]).split('+=');
      const words = (state.kldList ?? '').split(' ').filter(Boolean);
      if (!words.includes(word)) words.push(word);
      state.kldList = words.join(' ');
      return { stdout: `kld_list: -> ${state.kldList}\n` };
    }
    return undefined;
  };
  return { files, state };
}

test('a loadable module is loaded now and appended to kld_list, keeping the other words; then it converges', async () => {
  const remote = new FakeRemote();
  const { files, state } = freebsd(remote, 'vmm nullfs');
  const check = await play(remote, [kernelModuleTask('if_gre')], true);
  expect(check.tasks[0].status).toBe('changed');
  expect(files.size).toBe(0);

  const first = await play(remote, [kernelModuleTask('if_gre')]);
  expect(first.tasks[0].status).toBe('changed');
  expect(first.tasks[0].changes.map((c) => c.diff)).toEqual([
    { kind: 'value', key: 'module if_gre', before: 'not loaded', after: 'loaded' },
    { kind: 'value', key: 'kld_list', before: 'vmm nullfs', after: 'vmm nullfs if_gre' },
  ]);
  expect(files.has('if_gre')).toBe(true);
  expect(state.kldList).toBe('vmm nullfs if_gre');
  expect(state.cmds).toContain('kldload -n if_gre');
  expect(state.cmds).toContain('sysrc kld_list+=if_gre');

  const second = await play(remote, [kernelModuleTask('if_gre')]);
  expect(second.tasks[0].status).toBe('ok');
});

test('a module compiled into the kernel (if_gif in GENERIC) is ok and never added to kld_list', async () => {
  const remote = new FakeRemote();
  const { state } = freebsd(remote, '');
  const r = await play(remote, [kernelModuleTask('if_gif')]);
  expect(r.tasks[0].status).toBe('ok');
  expect(state.kldList).toBe('');
  expect(state.cmds.some((c) => c.startsWith('kldload') || c.startsWith('sysrc kld_list'))).toBe(false);
});

test('a module loaded but missing from kld_list only gets persisted; one listed by path counts as listed', async () => {
  const remote = new FakeRemote();
  const { files, state } = freebsd(remote, null);
  files.add('if_gre');
  const r = await play(remote, [kernelModuleTask('if_gre')]);
  expect(r.tasks[0].changes.map((c) => c.diff.kind === 'value' && c.diff.key)).toEqual(['kld_list']);
  expect(state.kldList).toBe('if_gre');

  state.kldList = '/boot/modules/if_gre.ko';
  expect((await play(remote, [kernelModuleTask('if_gre')])).tasks[0].status).toBe('ok');
});

test('persist: false loads the module without touching kld_list (pf: rc.d/pf loads it at boot)', async () => {
  const remote = new FakeRemote();
  const { files, state } = freebsd(remote, 'vmm');
  const r = await play(remote, [kernelModuleTask('pf', { persist: false })]);
  expect(r.tasks[0].status).toBe('changed');
  expect(files.has('pf')).toBe(true);
  expect(state.kldList).toBe('vmm');
  expect((await play(remote, [kernelModuleTask('pf', { persist: false })])).tasks[0].status).toBe('ok');
});

test('the module fact refuses nonsense output and bad names', () => {
  const f = moduleFact('if_gre');
  expect(f.parse({ stdout: 'kernel\n', stderr: '', code: 0 })).toBe('kernel');
  expect(() => f.parse({ stdout: '', stderr: 'kldstat: not found', code: 127 })).toThrow(/exit 127/);
  expect(() => moduleFact('if_gre; reboot')).toThrow(/invalid kernel module name/);
});
