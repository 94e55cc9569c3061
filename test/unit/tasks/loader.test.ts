import { definePlaybook } from '../../../src/engine/playbook';
import { runPlays } from '../../../src/engine/run';
import type { Task } from '../../../src/engine/task';
import { createRunLog } from '../../../src/log';
import { liveTunableFact, loaderTunableTask, settableNow } from '../../../src/tasks/loader';
import { FakeRemote, unquote } from '../../helpers/fake-transport';

async function play(remote: FakeRemote, tasks: Task[], check = false) {
  const result = await runPlays(
    [{ host: 'h', playbook: definePlaybook({ name: 't', tasks: () => tasks }), tasks, secrets: [], connect: async () => remote.transport('h') }],
    { check, concurrency: 1, reporter: { onEvent: () => undefined }, log: createRunLog() },
  );
  return result.hosts[0];
}

/**
 * research §2: net.fibs is RWTUN and grow-only (shrinking: old value on stdout, "Capabilities
 * insufficient" on stderr, exit 1); net.inet.tcp.tcbhashsize is a read-only tunable. loader.conf
 * is read and written with `sysrc -f /boot/loader.conf` (§3).
 */
function freebsd(remote: FakeRemote, loader: Record<string, string>, live: Record<string, string>) {
  const cmds: string[] = [];
  remote.handler = (cmd) => {
    cmds.push(cmd);
    let m = /^sysrc -f \/boot\/loader\.conf -n (\S+)$/.exec(cmd);
    if (m) return m[1] in loader ? { stdout: `${loader[m[1]]}\n` } : { stderr: `sysrc: unknown variable '${m[1]}'\n`, code: 1 };
    m = /^sysrc -f \/boot\/loader\.conf (\S+)$/.exec(cmd);
    if (m) {
      const [k, v] = unquote(m[1]).split('=');
      const before = loader[k] ?? '';
      loader[k] = v;
      return { stdout: `${k}: ${before} -> ${v}\n` };
    }
    m = /^sysctl -n (\S+)$/.exec(cmd);
    if (m) return m[1] in live ? { stdout: `${live[m[1]]}\n` } : { stderr: `sysctl: unknown oid '${m[1]}'\n`, code: 1 };
    m = /^sysctl (\S+)$/.exec(cmd);
    if (m) {
      const [k, v] = unquote(m[1]).split('=');
      if (k === 'net.inet.tcp.tcbhashsize') return { stderr: `sysctl: oid '${k}' is a read only tunable\nsysctl: Tunable values are set in /boot/loader.conf\n`, code: 1 };
      if (k === 'net.fibs' && Number(v) < Number(live[k])) return { stdout: `${k}: ${live[k]}\n`, stderr: `sysctl: ${k}=${v}: Capabilities insufficient\n`, code: 1 };
      const before = live[k];
      live[k] = v;
      return { stdout: `${k}: ${before} -> ${v}\n` };
    }
    return undefined;
  };
  return cmds;
}

test('growing net.fibs: loader.conf and the live value now; the next run is ok', async () => {
  const remote = new FakeRemote();
  const loader: Record<string, string> = {};
  const live = { 'net.fibs': '1' };
  const cmds = freebsd(remote, loader, live);
  const r = await play(remote, [loaderTunableTask('net.fibs', '2')]);
  expect(r.tasks[0].status).toBe('changed');
  expect(r.tasks[0].changes.map((c) => [c.summary, c.diff])).toEqual([
    ['/boot/loader.conf: net.fibs', { kind: 'value', key: '/boot/loader.conf: net.fibs', before: null, after: '2' }],
    ['net.fibs (live)', { kind: 'value', key: 'net.fibs', before: '1', after: '2' }],
  ]);
  expect(cmds).toContain('sysrc -f /boot/loader.conf net.fibs=2');
  expect(cmds).toContain('sysctl net.fibs=2');
  expect(loader['net.fibs']).toBe('2');
  expect(live['net.fibs']).toBe('2');
  expect((await play(remote, [loaderTunableTask('net.fibs', '2')])).tasks[0].status).toBe('ok');
});

test('shrinking net.fibs: loader.conf changes "at next boot", the kernel is not asked, and it does not loop', async () => {
  const remote = new FakeRemote();
  const loader = { 'net.fibs': '4' };
  const live = { 'net.fibs': '4' };
  const cmds = freebsd(remote, loader, live);
  const r = await play(remote, [loaderTunableTask('net.fibs', '2')]);
  expect(r.tasks[0].status).toBe('changed');
  expect(r.tasks[0].changes).toHaveLength(1);
  expect(r.tasks[0].changes[0].summary).toBe('/boot/loader.conf: net.fibs (takes effect at next boot)');
  expect(cmds.filter((c) => /^sysctl net\.fibs=/.test(c))).toEqual([]);
  expect(live['net.fibs']).toBe('4');

  const again = await play(remote, [loaderTunableTask('net.fibs', '2')]);
  expect(again.tasks[0].status).toBe('ok');
});

test('a read-only tunable only goes to loader.conf, noted for the next boot', async () => {
  const remote = new FakeRemote();
  const cmds = freebsd(remote, {}, { 'net.inet.tcp.tcbhashsize': '2048' });
  const r = await play(remote, [loaderTunableTask('net.inet.tcp.tcbhashsize', '4096')]);
  expect(r.tasks[0].status).toBe('changed');
  expect(r.tasks[0].changes.map((c) => c.summary)).toEqual(['/boot/loader.conf: net.inet.tcp.tcbhashsize (takes effect at next boot)']);
  expect(cmds.some((c) => c.startsWith('sysctl net.inet'))).toBe(false);
  expect((await play(remote, [loaderTunableTask('net.inet.tcp.tcbhashsize', '4096')])).tasks[0].status).toBe('ok');
});

test('check mode reports the change and sends no write', async () => {
  const remote = new FakeRemote();
  const loader: Record<string, string> = {};
  const cmds = freebsd(remote, loader, { 'net.fibs': '1' });
  const r = await play(remote, [loaderTunableTask('net.fibs', '3')], true);
  expect(r.tasks[0].status).toBe('changed');
  expect(loader).toEqual({});
  expect(cmds.every((c) => / -n /.test(c))).toBe(true);
});

test('what can be set now', () => {
  expect(settableNow('grow-only', '1', '2')).toBe(true);
  expect(settableNow('grow-only', '2', '1')).toBe(false);
  expect(settableNow('writable', '1', '0')).toBe(true);
  expect(settableNow('boot-only', '1', '2')).toBe(false);
  expect(settableNow('writable', null, '2')).toBe(false);
  const f = liveTunableFact('net.fibs');
  expect(f.parse({ stdout: '', stderr: "sysctl: unknown oid 'net.fibs'\n", code: 1 })).toBeNull();
  expect(() => f.parse({ stdout: '', stderr: 'sysctl: Operation not permitted\n', code: 1 })).toThrow(/not permitted/);
  expect(() => loaderTunableTask('net.fibs', '2; reboot')).toThrow(/unsupported value/);
});
