// Answers a FakeHost's iproute2 queries from a recording of a real lab-like namespace
// (fixtures/freebsd/ifconfig/linux-fib-host.json); every other program "succeeds" silently
// and stays in host.runs for the test to assert the argv the emulation built.
import { readFileSync } from 'fs';
import { join } from 'path';
import type { RunResult } from '../../../src/lab/freebsd/types';
import type { IfaceMeta } from '../../../src/lab/freebsd/types';
import { FakeHost } from '../../helpers/fake-host';

interface Recording {
  kernel: { ifaces: Record<string, IfaceMeta>; sysctl: Record<string, string> };
  links: Array<{ ifname: string }>;
  routes: Record<string, unknown[]>;
  rules: Record<string, unknown[]>;
}

export function recording(): Recording {
  return JSON.parse(readFileSync(join(__dirname, '../../../fixtures/freebsd/ifconfig/linux-fib-host.json'), 'utf8')) as Recording;
}

const IP = '/usr/sbin/ip';
const json = (v: unknown): RunResult => ({ stdout: JSON.stringify(v), stderr: '', code: 0 });

/** A FakeHost whose Linux side is the recording: host a of the FIB scenario (net.fibs=2, gif0 in FIB 1). */
export function recordedHost(): FakeHost {
  const rec = recording();
  const host = new FakeHost('hosta');
  host.kernel.ifaces = rec.kernel.ifaces;
  host.kernel.sysctl = { ...rec.kernel.sysctl };
  host.onRun = (argv) => {
    // Devices the command creates or deletes appear in / vanish from later queries.
    if (argv[0] === IP && argv[1] === 'link' && argv[2] === 'add') rec.links.push({ ifindex: 10 + rec.links.length, ifname: argv[3], flags: ['BROADCAST', 'MULTICAST'], mtu: 1500, addr_info: [] } as { ifname: string });
    if (argv[0] === IP && argv.slice(1, 4).join(' ') === 'link del dev') rec.links = rec.links.filter((l) => l.ifname !== argv[4]);
    if (argv[0] !== IP || argv[1] !== '-j') return undefined;
    const rest = argv.slice(2);
    const key = rest.join(' ');
    if (key === '-d addr show') return json(rec.links);
    const dev = /^-d addr show dev (\S+)$/.exec(key);
    if (dev) {
      const link = rec.links.filter((l) => l.ifname === dev[1]);
      return link.length ? json(link) : { stdout: '', stderr: `Device "${dev[1]}" does not exist.\n`, code: 1 };
    }
    const route = /^-([46]) route show table (\S+)$/.exec(key);
    if (route) {
      const table = route[2] === '254' ? 'main' : route[2] === '255' ? 'local' : route[2];
      return json(rec.routes[`${route[1]}:${table}`] ?? []);
    }
    const rule = /^-([46]) rule show$/.exec(key);
    if (rule) return json(rec.rules[rule[1]]);
    return undefined;
  };
  return host;
}

/** The argv of every run() that was not one of the recorded queries (what the command changed). */
export function changes(host: FakeHost): string[] {
  return host.runs.filter((r) => !(r.argv[0] === IP && r.argv[1] === '-j')).map((r) => r.argv.join(' '));
}
