import { definePlaybook } from '../../../src/engine/playbook';
import { runPlays } from '../../../src/engine/run';
import { createRunLog } from '../../../src/log';
import { setSysctlConfValue, sysctlConfValue } from '../../../src/tasks/sysctl';
import { sysrcFact } from '../../../src/tasks/sysrc';
import { playbook } from '../../../playbooks/skeleton';
import { FakeRemote, unquote } from '../../helpers/fake-transport';

// sysrc/sysctl as research/freebsd-frr.md §2-3 describe them: `-n` prints the value only, an
// unknown variable exits 1 with "sysrc: unknown variable 'x'".
function freebsdish(remote: FakeRemote) {
  const rc = new Map<string, string>([['gateway_enable', 'NO']]);
  const sysctl = new Map<string, string>([['net.inet.ip.gifttl', '30']]);
  const cmds: string[] = [];
  remote.handler = (cmd) => {
    cmds.push(cmd);
    let m = /^sysrc -n (\S+)$/.exec(cmd);
    if (m) return rc.has(m[1]) ? { stdout: rc.get(m[1]) + '\n' } : { stderr: `sysrc: unknown variable '${m[1]}'\n`, code: 1 };
    m = /^sysrc (\S+)$/.exec(cmd);
    if (m) {
      const [k, v] = unquote(m[1]).split('=');
      const before = rc.get(k) ?? '';
      rc.set(k, v);
      return { stdout: `${k}: ${before} -> ${v}\n` };
    }
    m = /^sysctl -n (\S+)$/.exec(cmd);
    if (m) return sysctl.has(m[1]) ? { stdout: sysctl.get(m[1]) + '\n' } : { stderr: `sysctl: unknown oid '${m[1]}'\n`, code: 1 };
    m = /^sysctl (\S+)$/.exec(cmd);
    if (m) {
      const [k, v] = unquote(m[1]).split('=');
      const before = sysctl.get(k);
      sysctl.set(k, v);
      return { stdout: `${k}: ${before} -> ${v}\n` };
    }
    return undefined;
  };
  return { rc, sysctl, cmds };
}

const host = { name: 'router01', role: 'router' as const };

async function apply(remote: FakeRemote, check = false) {
  const tasks = playbook.tasks(host);
  const result = await runPlays(
    [{ host: 'router01', playbook: definePlaybook({ name: 'skeleton', tasks: () => tasks }), tasks, secrets: [], connect: async () => remote.transport() }],
    { check, concurrency: 1, reporter: { onEvent: () => undefined }, log: createRunLog() },
  );
  return result.hosts[0];
}

test('skeleton playbook: converges in one run and is idempotent in the next', async () => {
  const remote = new FakeRemote();
  remote.setFile('/etc/sysctl.conf', '# tuning\nnet.inet.ip.gifttl=30 # old\n');
  const state = freebsdish(remote);
  const check = await apply(remote, true);
  expect(check.tasks.map((t) => t.status)).toEqual(['changed', 'changed', 'changed']);
  expect(state.rc.get('gateway_enable')).toBe('NO');

  const first = await apply(remote);
  expect(first.tasks.map((t) => [t.name, t.status])).toEqual([
    ['file: /etc/motd.template', 'changed'],
    ['sysrc: gateway_enable', 'changed'],
    ['sysctl: net.inet.ip.gifttl', 'changed'],
  ]);
  expect(first.tasks[1].changes[0].diff).toEqual({ kind: 'value', key: 'gateway_enable', before: 'NO', after: 'YES' });
  expect(state.rc.get('gateway_enable')).toBe('YES');
  expect(state.sysctl.get('net.inet.ip.gifttl')).toBe('64');
  expect(remote.files.get('/etc/sysctl.conf')?.content).toBe('# tuning\nnet.inet.ip.gifttl=64\n');
  expect(remote.files.get('/etc/motd.template')).toMatchObject({ content: 'router01 (router): managed by provision; local edits are overwritten.\n', mode: '0644' });

  const second = await apply(remote);
  expect(second.tasks.map((t) => t.status)).toEqual(['ok', 'ok', 'ok']);
  expect(second.roundTrips).toBe(1); // a no-op: one gather, no lock taken
});

test('sysrc fact: unknown variable is null, a syntax error is an error', () => {
  const f = sysrcFact('foo');
  expect(f.command.text).toBe('sysrc -n foo');
  expect(f.parse({ stdout: '', stderr: "sysrc: unknown variable 'foo'\n", code: 1 })).toBeNull();
  expect(f.parse({ stdout: 'YES\n', stderr: '', code: 0 })).toBe('YES');
  expect(() => f.parse({ stdout: '', stderr: '/etc/rc.conf: 3: Syntax error: Unterminated quoted string\nsysrc: Exiting due to previous syntax errors\n', code: 1 })).toThrow(
    /syntax/i,
  );
  expect(sysrcFact('net.fibs', '/boot/loader.conf').command.text).toBe('sysrc -f /boot/loader.conf -n net.fibs');
});

test('sysctl.conf editing: last assignment wins; rewrite in place or append', () => {
  const conf = 'a.b=1\n# a.b=9\na.b = "2" # later\nc.d=3\n';
  expect(sysctlConfValue(conf, 'a.b')).toBe('2');
  expect(sysctlConfValue(conf, 'x.y')).toBeNull();
  expect(setSysctlConfValue(conf, 'a.b', '5')).toBe('a.b=1\n# a.b=9\na.b=5\nc.d=3\n');
  expect(setSysctlConfValue('', 'x.y', '1')).toBe('x.y=1\n');
  expect(setSysctlConfValue('no newline', 'x.y', '1')).toBe('no newline\nx.y=1\n');
});
