import * as fs from 'fs';
import * as path from 'path';
import { definePlaybook } from '../../../src/engine/playbook';
import { runPlays } from '../../../src/engine/run';
import type { Task } from '../../../src/engine/task';
import { parseIfconfig, type IfconfigInterface } from '../../../src/facts/freebsd-parse';
import { createRunLog } from '../../../src/log';
import { aliasesTask, tunnelTask, type TunnelSpec } from '../../../src/tasks/interfaces';
import { FakeRemote, FakeTransport, unquote } from '../../helpers/fake-transport';

const FIX = path.join(__dirname, '../../../fixtures/provision/ifconfig');
const fixture = (name: string) => fs.readFileSync(path.join(FIX, name), 'utf8');

/**
 * A small model of FreeBSD interfaces: starts from a recorded `ifconfig -a`, prints the same
 * format back (research §5.1) and applies the ifconfig commands a task sends, with the kernel's
 * refusal of a FIB number >= net.fibs (§4.1).
 */
class FreeBSDInterfaces {
  ifs: Record<string, IfconfigInterface>;
  commands: string[] = [];
  constructor(
    text: string,
    public fibs = 2,
  ) {
    this.ifs = parseIfconfig(text);
  }

  render(): string {
    return Object.values(this.ifs)
      .map((i) => {
        const bits = i.flags.includes('UP') ? 0x1008051 : 0x8010;
        const lines = [`${i.name}: flags=${bits.toString(16)}<${i.flags.join(',')}> metric 0 mtu ${i.mtu}`];
        if (i.description) lines.push(`\tdescription: ${i.description}`);
        if (i.tunnel) lines.push(`\ttunnel inet ${i.tunnel.src} --> ${i.tunnel.dst}`);
        for (const a of i.inet) lines.push(`\tinet ${a.addr} netmask ${a.netmask ?? '0xffffffff'}`);
        for (const a of i.inet6) lines.push(`\tinet6 ${a.addr}${a.addr.startsWith('fe80') ? `%${i.name}` : ''}${a.dest ? ` --> ${a.dest}` : ''} prefixlen ${a.prefixlen}`);
        if (i.groups.length) lines.push(`\tgroups: ${i.groups.join(' ')}`);
        if (i.fib) lines.push(`\tfib: ${i.fib}`);
        if (i.tunnelfib) lines.push(`\ttunnelfib: ${i.tunnelfib}`);
        return lines.join('\n') + '\n';
      })
      .join('');
  }

  /** one line of an apply script; returns an error text like ifconfig's, or null */
  run(line: string): string | null {
    this.commands.push(line);
    const w = line.split(' ').map(unquote);
    if (w[0] !== 'ifconfig') return `unexpected command ${line}`;
    const [, name, verb, ...rest] = w;
    if (verb === 'create') {
      const kind = name.replace(/\d+$/, '');
      this.ifs[name] = { name, flags: ['POINTOPOINT', 'MULTICAST'], mtu: kind === 'gre' ? 1476 : 1280, inet6: [], inet: [], fib: 0, tunnelfib: 0, groups: [kind] };
      return null;
    }
    const i = this.ifs[name];
    if (!i) return `ifconfig: interface ${name} does not exist`;
    if (verb === 'tunnel') i.tunnel = { src: rest[0], dst: rest[1] };
    else if (verb === 'fib' || verb === 'tunnelfib') {
      if (Number(rest[0]) >= this.fibs) return `ifconfig: ioctl (${verb === 'fib' ? 'SIOCSIFFIB' : 'SIOCSTUNFIB'}): Invalid argument`;
      i[verb] = Number(rest[0]);
    } else if (verb === 'mtu') i.mtu = Number(rest[0]);
    else if (verb === 'description') i.description = rest.join(' ');
    else if (verb === 'up') i.flags = ['UP', 'POINTOPOINT', 'RUNNING', 'MULTICAST'];
    else if (verb === 'inet6' && rest[1] === '-alias') {
      const at = i.inet6.findIndex((a) => a.addr === rest[0]);
      if (at < 0) return "ifconfig: ioctl (SIOCDIFADDR_IN6): Can't assign requested address";
      i.inet6.splice(at, 1);
    } else if (verb === 'inet6' && rest[rest.length - 1] === 'alias') {
      const dest = rest[1] === 'prefixlen' ? undefined : rest[1];
      i.inet6.push({ addr: rest[0], prefixlen: Number(rest[rest.indexOf('prefixlen') + 1]), ...(dest ? { dest } : {}) });
    } else return `unexpected command ${line}`;
    return null;
  }

  attach(remote: FakeRemote): void {
    remote.handler = (cmd) => {
      if (cmd === 'ifconfig -a') return { stdout: this.render() };
      const lines = cmd.split('\n');
      if (lines[0] !== 'set -e') return undefined;
      for (const l of lines.slice(1)) {
        const err = this.run(l);
        if (err) return { stderr: err + '\n', code: 1 };
      }
      return {};
    };
  }
}

const vps01Gif0: TunnelSpec = {
  name: 'gif0',
  kind: 'gif',
  src: '203.0.113.10',
  dst: '198.51.100.10',
  mtu: 1440,
  fib: 1,
  tunnelfib: 0,
  inner: { local: '2a06:9801:1c:ffff::2', peer: '2a06:9801:1c:ffff::1' },
  aliases: ['2a06:9801:1c:1000::10'],
  description: 'router01',
};

const transports: FakeTransport[] = [];

async function play(remote: FakeRemote, tasks: Task[], check = false) {
  const t = remote.transport('vps01');
  transports.push(t);
  const result = await runPlays(
    [{ host: 'vps01', playbook: definePlaybook({ name: 'net', tasks: () => tasks }), tasks, secrets: [], connect: async () => t }],
    { check, concurrency: 1, reporter: { onEvent: () => undefined }, log: createRunLog() },
  );
  return result.hosts[0];
}

test('a fresh host: the tunnel is created and configured in one exec, and a second run changes nothing', async () => {
  const remote = new FakeRemote();
  const host = new FreeBSDInterfaces(fixture('vps01-fresh.txt'));
  host.attach(remote);

  const check = await play(remote, [tunnelTask(vps01Gif0)], true);
  expect(check.tasks[0].status).toBe('changed');
  expect(check.tasks[0].risk).toBe('connectivity');
  expect(check.tasks[0].changes.map((c) => c.diff)).toEqual([
    { kind: 'value', key: 'gif0', before: null, after: 'gif (cloned)' },
    { kind: 'value', key: 'gif0 tunnel', before: null, after: '203.0.113.10 198.51.100.10' },
    { kind: 'value', key: 'gif0 fib', before: '0', after: '1' },
    { kind: 'value', key: 'gif0 mtu', before: '1280', after: '1440' },
    { kind: 'value', key: 'gif0 inet6', before: null, after: '2a06:9801:1c:ffff::2 --> 2a06:9801:1c:ffff::1/128, 2a06:9801:1c:1000::10/128' },
    { kind: 'value', key: 'gif0 description', before: null, after: 'router01' },
    { kind: 'value', key: 'gif0 up', before: 'down', after: 'up' },
  ]);
  expect(host.commands).toEqual([]); // check mode sent nothing that changes the host

  const first = await play(remote, [tunnelTask(vps01Gif0)]);
  expect(first.tasks[0].status).toBe('changed');
  expect(host.commands).toEqual([
    'ifconfig gif0 create',
    'ifconfig gif0 tunnel 203.0.113.10 198.51.100.10',
    'ifconfig gif0 fib 1',
    'ifconfig gif0 mtu 1440',
    'ifconfig gif0 inet6 2a06:9801:1c:ffff::2 2a06:9801:1c:ffff::1 prefixlen 128 alias',
    'ifconfig gif0 inet6 2a06:9801:1c:1000::10 prefixlen 128 alias',
    'ifconfig gif0 description router01',
    'ifconfig gif0 up',
  ]);
  // gather, lock + gather again, one apply exec, re-read, unlock
  expect(first.roundTrips).toBe(5);

  host.commands = [];
  const second = await play(remote, [tunnelTask(vps01Gif0)]);
  expect(second.tasks[0].status).toBe('ok');
  expect(host.commands).toEqual([]);
  expect(second.roundTrips).toBe(1); // a no-op: one gather, no lock taken
});

test('the recorded converged state is ok as it is', async () => {
  const remote = new FakeRemote();
  const host = new FreeBSDInterfaces(fixture('vps01-converged.txt'));
  host.attach(remote);
  const r = await play(remote, [tunnelTask(vps01Gif0), aliasesTask('lo0', [])]);
  expect(r.tasks.map((t) => t.status)).toEqual(['ok', 'ok']);
});

test('a retarget (the host moved) is exactly the tunnel change, applied without recreating the interface', async () => {
  const remote = new FakeRemote();
  const host = new FreeBSDInterfaces(fixture('vps01-converged.txt'));
  host.attach(remote);
  const moved = { ...vps01Gif0, src: '203.0.113.130' };
  const check = await play(remote, [tunnelTask(moved)], true);
  expect(check.tasks[0].changes).toEqual([
    { summary: 'gif0 tunnel', diff: { kind: 'value', key: 'gif0 tunnel', before: '203.0.113.10 198.51.100.10', after: '203.0.113.130 198.51.100.10' } },
  ]);
  const r = await play(remote, [tunnelTask(moved)]);
  expect(r.tasks[0].status).toBe('changed');
  expect(host.commands).toEqual(['ifconfig gif0 tunnel 203.0.113.130 198.51.100.10']);
  expect(host.ifs.gif0.tunnel).toEqual({ src: '203.0.113.130', dst: '198.51.100.10' });
});

test('drift: a stale alias is removed, a wrong inner peer is replaced, the link-local address is kept', async () => {
  const remote = new FakeRemote();
  const host = new FreeBSDInterfaces(fixture('vps01-stale.txt'));
  host.attach(remote);
  const r = await play(remote, [tunnelTask(vps01Gif0)]);
  expect(r.tasks[0].status).toBe('changed');
  const inet6 = r.tasks[0].changes.find((c) => c.summary === 'gif0 inet6')!;
  expect(inet6.diff).toMatchObject({
    before: '2a06:9801:1c:ffff::2 --> 2a06:9801:1c:ffff::9/128, 2a06:9801:1c:1000::99/128',
    after: '2a06:9801:1c:ffff::2 --> 2a06:9801:1c:ffff::1/128, 2a06:9801:1c:1000::10/128',
  });
  expect(host.commands).toEqual([
    'ifconfig gif0 tunnel 203.0.113.10 198.51.100.10',
    'ifconfig gif0 mtu 1440',
    'ifconfig gif0 inet6 2a06:9801:1c:ffff::2 -alias',
    'ifconfig gif0 inet6 2a06:9801:1c:1000::99 -alias',
    'ifconfig gif0 inet6 2a06:9801:1c:ffff::2 2a06:9801:1c:ffff::1 prefixlen 128 alias',
    'ifconfig gif0 inet6 2a06:9801:1c:1000::10 prefixlen 128 alias',
    'ifconfig gif0 description router01',
    'ifconfig gif0 up',
  ]);
  expect(host.ifs.gif0.inet6.map((a) => a.addr)).toEqual(['fe80::5a9c:fcff:fe00:2', '2a06:9801:1c:ffff::2', '2a06:9801:1c:1000::10']);
});

test('lo0 aliases: missing ones are added; only unlisted addresses inside the pruned prefixes are removed', async () => {
  const remote = new FakeRemote();
  const host = new FreeBSDInterfaces(fixture('vps01-stale.txt'));
  host.attach(remote);
  const task = aliasesTask('lo0', ['2a06:9801:1c::1/128'], { prune: ['2a06:9801:1c::/48'] });
  const r = await play(remote, [task]);
  expect(r.tasks[0].status).toBe('changed');
  expect(host.commands).toEqual(['ifconfig lo0 inet6 2a06:9801:1c::7 -alias', 'ifconfig lo0 inet6 2a06:9801:1c::1 prefixlen 128 alias']);
  // ::1 and the address outside the operator's prefix are never touched
  expect(host.ifs.lo0.inet6.map((a) => a.addr)).toEqual(['::1', 'fe80::1', '2001:db8:aaaa::1', '2a06:9801:1c::1']);

  host.commands = [];
  const again = await play(remote, [aliasesTask('lo0', ['2a06:9801:1c::1'], { prune: ['2a06:9801:1c::/48'] })]);
  expect(again.tasks[0].status).toBe('ok');
  // without prune nothing is ever removed
  const addOnly = await play(remote, [aliasesTask('lo0', [])]);
  expect(addOnly.tasks[0].status).toBe('ok');
});

test('fib >= net.fibs: the task fails with the kernel message and a hint naming net.fibs', async () => {
  const remote = new FakeRemote();
  const host = new FreeBSDInterfaces(fixture('vps01-fresh.txt'), 1);
  host.attach(remote);
  const r = await play(remote, [tunnelTask(vps01Gif0)]);
  expect(r.tasks[0].status).toBe('failed');
  expect(r.tasks[0].error?.stderr).toMatch(/SIOCSIFFIB/);
  expect(r.tasks[0].error?.hint).toMatch(/net\.fibs >= 2/);
});

test('every interface task reads and touches the one shared ifconfig fact: one listing per play', async () => {
  const remote = new FakeRemote();
  const host = new FreeBSDInterfaces(fixture('vps01-converged.txt'));
  host.attach(remote);
  const tasks = [tunnelTask(vps01Gif0), aliasesTask('lo0', []), tunnelTask({ ...vps01Gif0, name: 'gif1', src: '203.0.113.10', dst: '192.0.2.10', inner: { local: '2a06:9801:1c:ffff::9', peer: '2a06:9801:1c:ffff::a' }, aliases: [] })];
  const r = await play(remote, tasks, true);
  expect(r.roundTrips).toBe(1);
  const gather = transports[transports.length - 1].execs[0];
  expect(gather.kind).toBe('gather');
  expect(gather.text.match(/^ifconfig -a$/gm)).toHaveLength(1);
  // the third task creates gif1; in check mode the earlier ones are ok, so nothing is "would change after"
  expect(r.tasks.map((t) => t.status)).toEqual(['ok', 'ok', 'changed']);
});
