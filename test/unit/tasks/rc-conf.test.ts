import { definePlaybook } from '../../../src/engine/playbook';
import { runPlays } from '../../../src/engine/run';
import type { Task } from '../../../src/engine/task';
import { createRunLog } from '../../../src/log';
import { mergeWords, rcConfFact, rcConfTask } from '../../../src/tasks/rc-conf';
import { FakeRemote, unquote } from '../../helpers/fake-transport';

async function play(remote: FakeRemote, tasks: Task[], check = false) {
  const result = await runPlays(
    [{ host: 'h', playbook: definePlaybook({ name: 't', tasks: () => tasks }), tasks, secrets: [], connect: async () => remote.transport('h') }],
    { check, concurrency: 1, reporter: { onEvent: () => undefined }, log: createRunLog() },
  );
  return result.hosts[0];
}

const words = (cmd: string) => (cmd.match(/'(?:[^']|'\\'')*'|\S+/g) ?? []).map(unquote);

/**
 * sysrc(8) per research §3: effective values include /etc/defaults/rc.conf; `-e` prints
 * name="value" for each set variable and "sysrc: unknown variable" on stderr for the others,
 * exiting 1 if any was unknown; `sysrc a=1 b=2` sets several at once.
 */
function freebsd(remote: FakeRemote, rc: Map<string, string>) {
  const cmds: string[] = [];
  remote.handler = (cmd) => {
    cmds.push(cmd);
    const w = words(cmd);
    if (w[0] !== 'sysrc') return undefined;
    if (w[1] === '-e') {
      let stdout = '';
      let stderr = '';
      for (const k of w.slice(2)) {
        if (rc.has(k)) stdout += `${k}="${rc.get(k)}"\n`;
        else stderr += `sysrc: unknown variable '${k}'\n`;
      }
      return { stdout, stderr, code: stderr ? 1 : 0 };
    }
    let stdout = '';
    for (const a of w.slice(1)) {
      const i = a.indexOf('=');
      stdout += `${a.slice(0, i)}: ${rc.get(a.slice(0, i)) ?? ''} -> ${a.slice(i + 1)}\n`;
      rc.set(a.slice(0, i), a.slice(i + 1));
    }
    return { stdout };
  };
  return cmds;
}

test('one change per differing variable, all set in one sysrc call; the next run is ok', async () => {
  const remote = new FakeRemote();
  // gateway_enable="NO" comes from /etc/defaults/rc.conf: equal to the wanted value, so ok
  const rc = new Map([['gateway_enable', 'NO'], ['ipv6_gateway_enable', 'NO'], ['ifconfig_gif0', 'mtu 1280 up']]);
  const cmds = freebsd(remote, rc);
  const task = () =>
    rcConfTask('rc.conf: tunnels', [
      ['gateway_enable', 'NO'],
      ['ipv6_gateway_enable', 'YES'],
      ['ifconfig_gif0', 'mtu 1440 fib 1 up'],
      ['create_args_gif0', 'tunnel 192.0.2.1 192.0.2.2'],
    ]);
  const r = await play(remote, [task()]);
  expect(r.tasks[0].name).toBe('rc.conf: tunnels');
  expect(r.tasks[0].changes.map((c) => c.summary)).toEqual([
    'ipv6_gateway_enable: NO -> YES',
    'ifconfig_gif0: mtu 1280 up -> mtu 1440 fib 1 up',
    'create_args_gif0: (unset) -> tunnel 192.0.2.1 192.0.2.2',
  ]);
  expect(r.tasks[0].changes[2].diff).toEqual({ kind: 'value', key: 'create_args_gif0', before: null, after: 'tunnel 192.0.2.1 192.0.2.2' });
  const writes = cmds.filter((c) => !c.startsWith('sysrc -e'));
  expect(writes).toEqual(["sysrc ipv6_gateway_enable=YES 'ifconfig_gif0=mtu 1440 fib 1 up' 'create_args_gif0=tunnel 192.0.2.1 192.0.2.2'"]);
  expect(rc.get('ifconfig_gif0')).toBe('mtu 1440 fib 1 up');
  expect((await play(remote, [task()])).tasks[0].status).toBe('ok');
});

test("list variables get the missing words appended and keep the operator's, in order", async () => {
  const remote = new FakeRemote();
  const rc = new Map([['cloned_interfaces', 'tap0 gif0 bridge0']]);
  freebsd(remote, rc);
  const task = () => rcConfTask('rc.conf: tunnels', [['cloned_interfaces', 'gif0 gif1'], ['ipv6_static_routes', 'pv_a pv_b']]);
  const r = await play(remote, [task()]);
  expect(r.tasks[0].changes.map((c) => c.diff)).toEqual([
    { kind: 'value', key: 'cloned_interfaces', before: 'tap0 gif0 bridge0', after: 'tap0 gif0 bridge0 gif1' },
    { kind: 'value', key: 'ipv6_static_routes', before: null, after: 'pv_a pv_b' },
  ]);
  expect(rc.get('cloned_interfaces')).toBe('tap0 gif0 bridge0 gif1');
  expect((await play(remote, [task()])).tasks[0].status).toBe('ok');
});

test('check mode reads with one command and writes nothing', async () => {
  const remote = new FakeRemote();
  const rc = new Map<string, string>();
  const cmds = freebsd(remote, rc);
  const r = await play(remote, [rcConfTask('rc.conf: pf', [['pf_enable', 'YES'], ['pf_rules', '/etc/pf.conf']])], true);
  expect(r.tasks[0].status).toBe('changed');
  expect(cmds).toEqual(['sysrc -e pf_enable pf_rules']);
  expect(rc.size).toBe(0);
});

test('the fact: unset variables are null, an rc.conf syntax error is an error', () => {
  const f = rcConfFact(['a', 'b', 'c']);
  expect(f.parse({ stdout: 'a="x y"\nc=""\n', stderr: "sysrc: unknown variable 'b'\n", code: 1 })).toEqual({ a: 'x y', b: null, c: '' });
  expect(() => f.parse({ stdout: '', stderr: '/etc/rc.conf: 3: Syntax error: Unterminated quoted string\nsysrc: Exiting due to previous syntax errors\n', code: 1 })).toThrow(
    /Syntax error/,
  );
});

test('values that would break rc.conf quoting, bad names and repeated names are refused up front', () => {
  expect(() => rcConfTask('x', [['ifconfig_gif0_descr', 'say "hi"']])).toThrow(/double quote/);
  expect(() => rcConfTask('x', [['a', '$(reboot)']])).toThrow(/\$/);
  expect(() => rcConfTask('x', [['net.fibs', '2']])).toThrow(/invalid rc.conf variable name/);
  expect(() => rcConfTask('x', [['a', '1'], ['a', '2']])).toThrow(/twice/);
  expect(mergeWords(null, 'a b')).toBe('a b');
  expect(mergeWords(' x  a ', 'a b')).toBe('x a b');
});
