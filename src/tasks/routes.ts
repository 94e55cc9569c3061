// Static routes per FIB at runtime: the routes the inventory lists must be in the kernel now
// (rc.conf's ipv6_static_routes makes them survive a reboot). Missing routes are added, routes
// with another gateway or type are changed in place with `route change`. Routes the inventory
// does not list are never deleted: this task cannot tell them from the kernel's, FRR's or the
// operator's, and a route removed from the inventory disappears at the next reboot. Never
// `service routing restart`: it flushes every route first (research §0.5).
// Formats: netstat -rn (research §6.2, usr.bin/netstat/route.c), route(8) (research §6.3).
import { sh, script, type ShellCommand } from '../shell/quote';
import { CommandFailedError } from '../errors';
import { defineFact, type Fact, type FactMap } from '../engine/fact';
import { defineTask, type Change, type Task, type TaskIO } from '../engine/task';
import { parseNetstatRoutes, type RouteEntry } from '../facts/freebsd-parse';
import { normalizeAddress, normalizePrefix, parseAddress } from '../inventory/ip';
import type { HostConfig } from '../inventory/schema';

type Route = HostConfig['routes'][number];
type Family = 'inet' | 'inet6';

export interface FibRoutes {
  /** false when netstat refused the FIB number (net.fibs is smaller): the FIB has no routes yet */
  fibExists: boolean;
  routes: RouteEntry[];
}

/** `netstat -rn -F FIB -f FAMILY`, one shared id per (FIB, family). */
export function netstatFact(fib: number, family: Family): Fact<FibRoutes> {
  return defineFact({
    id: `netstat:-rn:F${fib}:${family}`,
    command: sh`netstat -rn -F ${fib} -f ${family}`,
    parse({ stdout, stderr, code }) {
      if (code === 0) return { fibExists: true, routes: parseNetstatRoutes(stdout) };
      // EX_USAGE with "netstat: N: invalid fib" (research §6.2)
      if (code === 64 && /invalid fib/.test(stderr)) return { fibExists: false, routes: [] };
      throw new Error(`netstat -rn -F ${fib} -f ${family} failed (exit ${code}): ${stderr.trim()}`);
    },
  });
}

const familyOf = (r: Route): Family => (r.dest.includes(':') ? 'inet6' : 'inet');
const DEFAULT_DEST: Record<Family, string> = { inet: '0.0.0.0/0', inet6: '::/0' };
const DISCARD_GATEWAY: Record<Family, string> = { inet: '127.0.0.1', inet6: '::1' };

/**
 * A netstat destination in the inventory's canonical prefix form: "default" is the family's /0,
 * a bare address is a host route, "%scope" goes, and a short IPv4 network ("10/8", as older
 * netstat printed it) gets its zero octets back. null for what is not a prefix (e.g. link#).
 */
export function canonicalDestination(dest: string, family: Family): string | null {
  if (dest === 'default') return DEFAULT_DEST[family];
  let [addr, len] = dest.replace(/%[^/]*/, '').split('/');
  if (family === 'inet' && /^\d+(\.\d+){0,2}$/.test(addr) && len !== undefined) addr = [...addr.split('.'), '0', '0', '0'].slice(0, 4).join('.');
  if (!parseAddress(addr)) return null;
  const full = family === 'inet6' ? 128 : 32;
  try {
    return normalizePrefix(`${addr}/${len ?? full}`);
  } catch {
    return null;
  }
}

/** How a route delivers, as the diff shows it: "via GW", "interface IF", "blackhole", "reject". */
function describeWanted(r: Route): string {
  if (r.type !== 'normal') return r.type;
  if (!r.via) throw new Error(`route ${r.dest}: a normal route needs "via" (a gateway or an interface)`);
  return parseAddress(r.via) ? `via ${r.via}` : `interface ${r.via}`;
}

function describeEntry(e: RouteEntry): string {
  if (e.flags.includes('B')) return 'blackhole';
  if (e.flags.includes('R')) return 'reject';
  if (e.flags.includes('G')) return `via ${gatewayOf(e)}`;
  return `interface ${e.netif}`;
}

function gatewayOf(e: RouteEntry): string {
  const gw = e.gateway.replace(/%.*$/, '');
  return parseAddress(gw) ? normalizeAddress(gw) : gw;
}

/** The route(8) arguments after the verb: destination, target, FIB. */
function routeArgs(r: Route, fib: number): ShellCommand {
  const family = familyOf(r);
  const dest = r.dest === DEFAULT_DEST[family] ? 'default' : r.dest;
  if (r.type !== 'normal') return sh`-${family} ${dest} ${DISCARD_GATEWAY[family]} -${r.type} -fib ${fib}`;
  const via = r.via!;
  if (parseAddress(via)) return sh`-${family} ${dest} ${via} -fib ${fib}`;
  return sh`-${family} ${dest} -interface ${via} -fib ${fib}`;
}

const commandsOf = new WeakMap<Change, ShellCommand>();

export interface StaticRoutesTaskOptions {
  name?: string;
  dependsOn?: string[];
  notify?: string[];
}

export function staticRoutesTask(routes: Route[], o: StaticRoutesTaskOptions = {}): Task {
  const name = o.name ?? 'static routes';
  for (const r of routes) describeWanted(r); // refuse a normal route without a gateway now, not at plan time
  const facts: FactMap = {};
  const factKey = (fib: number, family: Family) => `fib${fib} ${family}`;
  for (const r of routes) facts[factKey(r.fib ?? 0, familyOf(r))] = netstatFact(r.fib ?? 0, familyOf(r));
  const fibs = [...new Set(routes.map((r) => r.fib ?? 0))];
  return defineTask({
    name,
    facts,
    plan(values) {
      const changes: Change[] = [];
      for (const r of routes) {
        const fib = r.fib ?? 0;
        const family = familyOf(r);
        const table = values[factKey(fib, family)] as FibRoutes;
        const entry = table.routes.find((e) => canonicalDestination(e.destination, family) === r.dest);
        const wanted = describeWanted(r);
        const key = `route ${r.dest} fib ${fib}`;
        const c = (before: string | null, verb: 'add' | 'change'): Change => {
          const ch: Change = {
            summary: table.fibExists ? key : `${key} (FIB ${fib} does not exist yet: net.fibs)`,
            diff: { kind: 'value', key, before, after: wanted },
          };
          commandsOf.set(ch, sh`route ${verb} ${routeArgs(r, fib)}`);
          return ch;
        };
        if (!entry) changes.push(c(null, 'add'));
        else if (describeEntry(entry) !== wanted) changes.push(c(describeEntry(entry), 'change'));
      }
      return changes;
    },
    async apply(changes: Change[], io: TaskIO) {
      const cmds = changes.map((c) => {
        const cmd = commandsOf.get(c);
        if (!cmd) throw new Error(`${name}: apply got a change it did not plan: ${c.summary}`);
        return cmd;
      });
      try {
        await io.exec(script(sh`set -e`, ...cmds));
      } catch (err) {
        if (err instanceof CommandFailedError) {
          throw new CommandFailedError(err.command, err.exitCode, err.stderr, { ...err.ctx, hint: routeErrorHint(err.stderr, fibs) });
        }
        throw err;
      }
    },
    risk: 'connectivity',
    dependsOn: o.dependsOn,
    notify: o.notify,
    hint: `compare with: ${fibs.map((f) => `netstat -rn -F ${f}`).join('; ')}`,
  });
}

/** What to check when route(8) refused a change. */
export function routeErrorHint(stderr: string, fibs: number[]): string {
  if (/fib/i.test(stderr) && /invalid|range/i.test(stderr)) {
    return `a FIB number is >= net.fibs; the routes use FIBs ${fibs.join(', ')}, so net.fibs must be at least ${Math.max(...fibs) + 1}`;
  }
  if (/unreachable/i.test(stderr)) return 'the gateway is not reachable in that FIB yet: configure the interface or tunnel that reaches it (in the same FIB) first';
  if (/exists/i.test(stderr)) return 'the route appeared between reading and changing the table (another process manages it?); run again';
  return `compare with: ${fibs.map((f) => `netstat -rn -F ${f}`).join('; ')}`;
}
