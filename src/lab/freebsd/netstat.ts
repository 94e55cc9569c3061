// netstat(1), the routing-table view: netstat -r[n] [-W] [-F fib] [-f inet|inet6] [--libxo json].
// Column widths and headers follow usr.bin/netstat/route.c (research §6.2): with -n an IPv4
// destination is 18 wide, an IPv6 one 33; gateway 18/29; flags 6; netif 8 right-aligned.
// A value longer than its column pushes the rest of the line right by as much, and the next
// column gives that back where it can ("protrusion" in route.c).
import type { FreeBSDCommand, HostContext } from './types';
import { fail, ok } from './types';
import { fibRoutes, type FibRoute } from './fib-routes';
import { listLinks, type Family } from './linux-net';
import { fibCount } from './sysctl';

const USAGE =
  'usage: netstat [-46AaLnRSTWx] [-f protocol_family | -p protocol]\n' +
  '               [-M core] [-N system]\n' +
  '       netstat -i | -I interface [-46abdhnW] [-f address_family]\n' +
  '               [-M core] [-N system]\n' +
  '       netstat -r [-46AnW] [-F fibnum] [-f address_family]\n' +
  '               [-M core] [-N system]\n';

interface Columns {
  dst: number;
  gw: number;
  flags: number;
  netif: number;
}

function widths(family: Family, wide: boolean): Columns {
  return family === 6 ? { dst: 33, gw: 29, flags: 6, netif: wide ? 16 : 8 } : { dst: 18, gw: 18, flags: 6, netif: wide ? 16 : 8 };
}

/** Lay out left/right-aligned fields separated by one space, letting long values protrude. */
function row(fields: Array<{ text: string; width: number; right?: boolean }>): string {
  let out = '';
  let debt = 0; // how far earlier fields ran past their columns
  fields.forEach((f, i) => {
    const avail = f.width - debt;
    const width = Math.max(0, avail);
    const text = f.right ? f.text.padStart(width) : f.text.padEnd(width);
    debt = Math.max(0, text.length - avail);
    out += text + (i < fields.length - 1 ? ' ' : '');
  });
  return out.trimEnd();
}

function familyTitle(family: Family): string {
  return family === 4 ? 'Internet:' : 'Internet6:';
}

function textTable(family: Family, routes: FibRoute[], wide: boolean, mtus: Map<string, number>): string {
  const c = widths(family, wide);
  const head = [
    { text: 'Destination', width: c.dst },
    { text: 'Gateway', width: c.gw },
    { text: 'Flags', width: c.flags },
  ];
  const lines = [familyTitle(family)];
  if (wide) lines.push(row([...head, { text: 'Nhop#', width: 6, right: true }, { text: 'Mtu', width: 6, right: true }, { text: 'Netif', width: c.netif, right: true }, { text: 'Expire', width: 6, right: true }]));
  else lines.push(row([...head, { text: 'Netif', width: c.netif, right: true }, { text: 'Expire', width: 6, right: true }]));
  routes.forEach((r, i) => {
    const base = [
      { text: r.destination, width: c.dst },
      { text: r.gateway, width: c.gw },
      { text: r.flags, width: c.flags },
    ];
    if (wide) lines.push(row([...base, { text: String(i + 1), width: 6, right: true }, { text: String(mtus.get(r.netif) ?? 1500), width: 6, right: true }, { text: r.netif, width: c.netif, right: true }]));
    else lines.push(row([...base, { text: r.netif, width: c.netif, right: true }]));
  });
  return lines.join('\n') + '\n';
}

function jsonTable(fib: number, tables: Array<{ family: Family; routes: FibRoute[] }>): string {
  const doc = {
    'statistics': {
      'route-information': {
        'route-table': {
          'rt-family': tables.map(({ family, routes }) => ({
            'address-family': family === 4 ? 'Internet' : 'Internet6',
            'rt-entry': routes.map((r) => ({
              destination: r.destination,
              gateway: r.gateway,
              flags: r.flags,
              'flags_pretty': r.flags.split('').map(flagName),
              'interface-name': r.netif,
            })),
          })),
        },
        ...(fib !== 0 ? { fib } : {}),
      },
    },
  };
  return JSON.stringify(doc) + '\n';
}

function flagName(letter: string): string {
  const names: Record<string, string> = { U: 'up', G: 'gateway', H: 'host', R: 'reject', B: 'blackhole', S: 'static', '1': 'proto1' };
  return names[letter] ?? letter;
}

async function routingTables(host: HostContext, args: string[]): Promise<ReturnType<typeof ok>> {
  let fib = 0;
  let family: Family | null = null;
  let wide = false;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--libxo') {
      json = (args[++i] ?? '').split(',').includes('json');
      continue;
    }
    if (a.startsWith('--libxo=')) {
      json = a.slice(8).split(',').includes('json');
      continue;
    }
    if (!a.startsWith('-')) return fail(USAGE, 64);
    for (let j = 1; j < a.length; j++) {
      const c = a[j];
      if (c === 'F' || c === 'f') {
        const v = a.slice(j + 1) || args[++i];
        if (v === undefined) return fail(USAGE, 64);
        if (c === 'F') {
          if (!/^\d+$/.test(v) || Number(v) >= fibCount(host)) return fail(`netstat: ${v}: invalid fib\n`, 64);
          fib = Number(v);
        } else if (v === 'inet') family = 4;
        else if (v === 'inet6') family = 6;
        else return fail(`netstat: ${v}: unknown address family\n`, 1);
        break;
      }
      if (c === '4') family = 4;
      else if (c === '6') family = 6;
      else if (c === 'W') wide = true;
      else if (!'rnaA'.includes(c)) return fail(USAGE, 64);
    }
  }
  const families: Family[] = family ? [family] : [4, 6];
  const tables = [];
  for (const f of families) tables.push({ family: f, routes: await fibRoutes(host, fib, f) });
  if (json) return ok(jsonTable(fib, tables));
  const mtus = new Map((await listLinks(host)).map((l) => [l.ifname === 'lo' ? 'lo0' : l.ifname, l.ifname === 'lo' ? 16384 : l.mtu]));
  const title = fib === 0 ? 'Routing tables' : `Routing tables (fib: ${fib})`;
  return ok(`${title}\n` + tables.map((t) => '\n' + textTable(t.family, t.routes, wide, mtus)).join(''));
}

export const netstat: FreeBSDCommand = async (inv, host) => {
  const args = inv.argv.slice(1);
  const wantsRoutes = args.some((a) => /^-[^-]*r/.test(a));
  if (!wantsRoutes) return fail('netstat: only the routing table view (netstat -r) is emulated in the lab\n', 1);
  return routingTables(host, args);
};
