import * as fs from 'fs';
import * as path from 'path';
import { definePlaybook } from '../../../src/engine/playbook';
import { runPlays } from '../../../src/engine/run';
import { parseNetstatRoutes, type RouteEntry } from '../../../src/facts/freebsd-parse';
import { createRunLog } from '../../../src/log';
import { canonicalDestination, netstatFact, staticRoutesTask } from '../../../src/tasks/routes';
import { FakeRemote, unquote } from '../../helpers/fake-transport';

const FIX = path.join(__dirname, '../../../fixtures/provision/netstat');
const fixture = (name: string) => fs.readFileSync(path.join(FIX, name), 'utf8');

/**
 * A model of FreeBSD's FIBs: tables start from recorded `netstat -rn` output, are printed back in
 * that format (research §6.2) and change with route(8) add/change (§6.3). netstat refuses a FIB
 * >= net.fibs with exit 64.
 */
class FreeBSDRoutes {
  tables = new Map<string, RouteEntry[]>();
  commands: string[] = [];
  constructor(public fibs = 2) {}

  load(fib: number, family: 'inet' | 'inet6', text: string): this {
    this.tables.set(`${fib} ${family}`, parseNetstatRoutes(text));
    return this;
  }

  netstat(fib: number, family: 'inet' | 'inet6') {
    if (fib >= this.fibs) return { stderr: fixture('invalid-fib.stderr.txt').replace('1', String(fib)), code: 64 };
    const rows = this.tables.get(`${fib} ${family}`) ?? [];
    const head = fib === 0 ? 'Routing tables' : `Routing tables (fib: ${fib})`;
    const body = rows.map((r) => `${r.destination.padEnd(33)} ${r.gateway.padEnd(29)} ${r.flags.padEnd(6)} ${r.netif.padStart(8)}`);
    return { stdout: [head, '', family === 'inet6' ? 'Internet6:' : 'Internet:', 'Destination                       Gateway                       Flags     Netif Expire', ...body, ''].join('\n') };
  }

  route(line: string): string | null {
    this.commands.push(line);
    const w = line.split(' ').map(unquote);
    const [cmd, verb, fam, dest, ...rest] = w;
    if (cmd !== 'route' || !['add', 'change'].includes(verb)) return `unexpected ${line}`;
    const fib = Number(rest[rest.indexOf('-fib') + 1]);
    if (fib >= this.fibs) return `route: invalid fib ${fib}`;
    const family = fam === '-inet6' ? 'inet6' : 'inet';
    const key = `${fib} ${family}`;
    const rows = this.tables.get(key) ?? [];
    const destination = dest === 'default' ? 'default' : dest.endsWith('/128') ? dest.slice(0, -4) : dest;
    let entry: RouteEntry;
    if (rest.includes('-blackhole')) entry = { destination, gateway: rest[0], flags: 'UGSB', netif: 'lo0' };
    else if (rest.includes('-reject')) entry = { destination, gateway: rest[0], flags: 'UGRS', netif: 'lo0' };
    else if (rest[0] === '-interface') entry = { destination, gateway: 'link#3', flags: 'US', netif: rest[1] };
    else entry = { destination, gateway: rest[0], flags: 'UGS', netif: 'gif0' };
    const at = rows.findIndex((r) => r.destination === destination);
    if (verb === 'add' && at >= 0) return 'route: writing to routing socket: File exists';
    if (verb === 'change' && at < 0) return 'route: writing to routing socket: No such process';
    if (at >= 0) rows[at] = entry;
    else rows.push(entry);
    this.tables.set(key, rows);
    return null;
  }

  attach(remote: FakeRemote): void {
    remote.handler = (cmd) => {
      const m = /^netstat -rn -F (\d+) -f (inet6?)$/.exec(cmd);
      if (m) return this.netstat(Number(m[1]), m[2] as 'inet' | 'inet6');
      const lines = cmd.split('\n');
      if (lines[0] !== 'set -e') return undefined;
      for (const l of lines.slice(1)) {
        const err = this.route(l);
        if (err) return { stderr: err + '\n', code: 1 };
      }
      return {};
    };
  }
}

const vps01Routes = [
  { dest: '0.0.0.0/0', via: '203.0.113.1', fib: 0, type: 'normal' as const },
  { dest: '::/0', via: '2001:db8:203::1', fib: 0, type: 'normal' as const },
  { dest: '::/0', via: '2a06:9801:1c:ffff::1', fib: 1, type: 'normal' as const },
];

async function play(remote: FakeRemote, routes: Parameters<typeof staticRoutesTask>[0], check = false) {
  const tasks = [staticRoutesTask(routes)];
  const result = await runPlays(
    [{ host: 'vps01', playbook: definePlaybook({ name: 'routes', tasks: () => tasks }), tasks, secrets: [], connect: async () => remote.transport('vps01') }],
    { check, concurrency: 1, reporter: { onEvent: () => undefined }, log: createRunLog() },
  );
  return result.hosts[0];
}

function vps01(fibs = 2) {
  return new FreeBSDRoutes(fibs)
    .load(0, 'inet6', fixture('vps01-F0-inet6.txt'))
    .load(0, 'inet', fixture('vps01-F0-inet.txt'))
    .load(1, 'inet6', fixture('vps01-F1-inet6-fresh.txt'));
}

test('netstat prints "default" and bare host addresses: both compare equal to the inventory form', () => {
  expect(canonicalDestination('default', 'inet6')).toBe('::/0');
  expect(canonicalDestination('default', 'inet')).toBe('0.0.0.0/0');
  expect(canonicalDestination('2001:db8:203::10', 'inet6')).toBe('2001:db8:203::10/128');
  expect(canonicalDestination('2A06:9801:001C::/48', 'inet6')).toBe('2a06:9801:1c::/48');
  expect(canonicalDestination('fe80::%vtnet0/64', 'inet6')).toBe('fe80::/64');
  expect(canonicalDestination('10/8', 'inet')).toBe('10.0.0.0/8');
  expect(canonicalDestination('192.168.1/24', 'inet')).toBe('192.168.1.0/24');
  expect(canonicalDestination('link#1', 'inet6')).toBeNull();
});

test('netstat fact: a FIB beyond net.fibs is an empty, not-yet-existing table', () => {
  const f = netstatFact(1, 'inet6');
  expect(f.command.text).toBe('netstat -rn -F 1 -f inet6');
  expect(f.parse({ stdout: '', stderr: 'netstat: 1: invalid fib\n', code: 64 })).toEqual({ fibExists: false, routes: [] });
  expect(() => f.parse({ stdout: '', stderr: 'netstat: kvm_openfiles: boom\n', code: 1 })).toThrow(/boom/);
});

test('existing routes in FIB 0 are ok; the missing FIB 1 default is added; a second run changes nothing', async () => {
  const remote = new FakeRemote();
  const host = vps01();
  host.attach(remote);
  const first = await play(remote, vps01Routes);
  expect(first.tasks[0].status).toBe('changed');
  expect(first.tasks[0].changes.map((c) => c.diff)).toEqual([{ kind: 'value', key: 'route ::/0 fib 1', before: null, after: 'via 2a06:9801:1c:ffff::1' }]);
  expect(host.commands).toEqual(['route add -inet6 default 2a06:9801:1c:ffff::1 -fib 1']);

  host.commands = [];
  const second = await play(remote, vps01Routes);
  expect(second.tasks[0].status).toBe('ok');
  expect(host.commands).toEqual([]);
  expect(second.roundTrips).toBe(1); // a no-op: one gather, no lock taken
});

test('a wrong gateway is changed in place with route change; unmanaged routes are never deleted', async () => {
  const remote = new FakeRemote();
  const host = vps01();
  host.attach(remote);
  const before = host.tables.get('0 inet6')!.length;
  const moved = [{ dest: '::/0', via: '2001:db8:204::1', fib: 0, type: 'normal' as const }];
  const r = await play(remote, moved);
  expect(r.tasks[0].changes.map((c) => c.diff)).toEqual([{ kind: 'value', key: 'route ::/0 fib 0', before: 'via 2001:db8:203::1', after: 'via 2001:db8:204::1' }]);
  expect(host.commands).toEqual(['route change -inet6 default 2001:db8:204::1 -fib 0']);
  expect(host.tables.get('0 inet6')!.length).toBe(before);
  expect(host.commands.some((c) => /delete|flush/.test(c))).toBe(false);
});

test('blackhole, reject and interface routes: added with the rc idiom, recognised afterwards', async () => {
  const remote = new FakeRemote();
  const host = vps01();
  host.attach(remote);
  const routes = [
    { dest: '2a06:9801:1c::/48', fib: 0, type: 'blackhole' as const },
    { dest: '2a06:9801:1c:f000::/52', fib: 1, type: 'reject' as const },
    { dest: '2a06:9801:1c:1000::/52', via: 'gif0', fib: 1, type: 'normal' as const },
    { dest: '198.18.99.0/24', fib: 0, type: 'blackhole' as const },
  ];
  const r = await play(remote, routes);
  expect(r.tasks[0].status).toBe('changed');
  expect(host.commands).toEqual([
    'route add -inet6 2a06:9801:1c::/48 ::1 -blackhole -fib 0',
    'route add -inet6 2a06:9801:1c:f000::/52 ::1 -reject -fib 1',
    'route add -inet6 2a06:9801:1c:1000::/52 -interface gif0 -fib 1',
    'route add -inet 198.18.99.0/24 127.0.0.1 -blackhole -fib 0',
  ]);
  host.commands = [];
  expect((await play(remote, routes)).tasks[0].status).toBe('ok');

  // a normal route where the blackhole should be is changed, not deleted
  const asNormal = [{ dest: '2a06:9801:1c::/48', via: '2001:db8:203::1', fib: 0, type: 'normal' as const }];
  const changed = await play(remote, asNormal);
  expect(changed.tasks[0].changes[0].diff).toMatchObject({ before: 'blackhole', after: 'via 2001:db8:203::1' });
  expect(host.commands).toEqual(['route change -inet6 2a06:9801:1c::/48 2001:db8:203::1 -fib 0']);
});

test('check mode on a host whose FIB 1 does not exist yet: planned, flagged, nothing sent', async () => {
  const remote = new FakeRemote();
  const host = vps01(1);
  host.attach(remote);
  const r = await play(remote, vps01Routes, true);
  expect(r.tasks[0].status).toBe('changed');
  expect(r.tasks[0].changes[0].summary).toBe('route ::/0 fib 1 (FIB 1 does not exist yet: net.fibs)');
  expect(host.commands).toEqual([]);

  const applied = await play(remote, vps01Routes);
  expect(applied.tasks[0].status).toBe('failed');
  expect(applied.tasks[0].error?.hint).toMatch(/net\.fibs must be at least 2/);
});

test('a normal route without a gateway is refused when the task is built', () => {
  expect(() => staticRoutesTask([{ dest: '::/0', fib: 0, type: 'normal' }])).toThrow(/needs "via"/);
});
