// From a loaded inventory to what the engine needs: the hosts a command line targets, and one
// host's merged configuration with its references (tunnel remotes naming other hosts) resolved.
import { InvalidInputError } from '../errors';
import { formatPath, InventoryError, UnknownTargetError, type InventoryIssue } from './errors';
import { parseIPv4 } from './ip';
import { HostConfigSchema, HostSchema, type Host, type HostConfig, type HostVars, type Inventory } from './schema';

/** The word that targets every host; reserved, so no host or group may be called that. */
export const ALL = 'all';

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Mappings merge key by key; lists and scalars from `over` replace those in `base`. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlain(base) || !isPlain(over)) return over;
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

/** Groups that list the host, in the order they are declared. */
export function groupsOf(inv: Pick<Inventory, 'groups'>, name: string): string[] {
  return Object.entries(inv.groups)
    .filter(([, g]) => g.hosts.includes(name))
    .map(([g]) => g);
}

/** The host's layers, least specific first: defaults, its groups' vars, its own entry. */
export function layersOf(inv: Inventory, name: string): HostVars[] {
  return [inv.defaults, ...groupsOf(inv, name).map((g) => inv.groups[g].vars), inv.hosts[name]];
}

/** Merge and validate one host's layers (no references resolved). */
export function mergedHost(inv: Inventory, name: string): Host {
  if (!Object.hasOwn(inv.hosts, name)) throw unknownTarget(inv, name);
  const merged = layersOf(inv, name).reduce<unknown>(deepMerge, {});
  const r = HostSchema.safeParse(merged);
  if (!r.success) {
    throw new InventoryError(
      r.error.issues.map((i) => ({ file: '<inventory>', path: formatPath(['hosts', name, ...i.path]), message: i.message })),
    );
  }
  return r.data;
}

/**
 * One host, fully merged (defaults → groups → host), defaults applied, every tunnel's remote
 * resolved to an IPv4 address (the named host's outer_ipv4, kept as remote_host) and its local
 * end defaulted to the host's outer_ipv4, bgp.asn defaulted to the operator's.
 */
export function resolveHost(inv: Inventory, name: string): HostConfig {
  const host = mergedHost(inv, name);
  const issues: InventoryIssue[] = [];
  const problem = (path: Array<string | number>, message: string) =>
    issues.push({ file: '<inventory>', path: formatPath(['hosts', name, ...path]), message });

  const tunnels = host.tunnels.map((t, i) => {
    let remote = t.remote;
    let remoteHost: string | undefined;
    if (parseIPv4(t.remote) === undefined) {
      remoteHost = t.remote;
      const other = Object.hasOwn(inv.hosts, remoteHost) ? mergedHost(inv, remoteHost) : undefined;
      if (!other?.outer_ipv4) problem(['tunnels', i, 'remote'], `names ${remoteHost}, which is not a host with an outer_ipv4`);
      remote = other?.outer_ipv4 ?? '';
    }
    const local = t.local ?? host.outer_ipv4;
    if (!local) problem(['tunnels', i, 'local'], 'is required when the host has no outer_ipv4');
    return { ...t, local: local ?? '', remote, ...(remoteHost ? { remote_host: remoteHost } : {}) };
  });
  if (issues.length) throw new InventoryError(issues);

  const config = HostConfigSchema.parse({
    ...host,
    name,
    groups: groupsOf(inv, name),
    operator: inv.operator,
    tunnels,
    ...(host.bgp ? { bgp: { ...host.bgp, asn: host.bgp.asn ?? inv.operator.asn } } : {}),
  });
  return deepFreeze(config);
}

/**
 * Host names selected by command-line targets (host names, group names or "all"), narrowed by an
 * optional --limit (comma-separated names of the same kinds). Inventory order, no duplicates.
 */
export function resolveTargets(inv: Inventory, targets: string[], limit?: string): string[] {
  if (targets.length === 0) throw new InvalidInputError('no target given: name a host, a group or "all"');
  const selected = expand(inv, targets);
  if (limit === undefined) return selected;
  const allowed = new Set(expand(inv, limit.split(',').map((s) => s.trim()).filter(Boolean)));
  const result = selected.filter((h) => allowed.has(h));
  if (result.length === 0) {
    throw new InvalidInputError(`--limit ${JSON.stringify(limit)} leaves none of the targeted hosts (${selected.join(', ')})`);
  }
  return result;
}

function expand(inv: Inventory, names: string[]): string[] {
  const wanted = new Set<string>();
  for (const n of names) {
    if (n === ALL) Object.keys(inv.hosts).forEach((h) => wanted.add(h));
    else if (Object.hasOwn(inv.hosts, n)) wanted.add(n);
    else if (Object.hasOwn(inv.groups, n)) inv.groups[n].hosts.forEach((h) => wanted.add(h));
    else throw unknownTarget(inv, n);
  }
  return Object.keys(inv.hosts).filter((h) => wanted.has(h));
}

function unknownTarget(inv: Inventory, name: string): UnknownTargetError {
  return new UnknownTargetError(name, closestNames(name, [...Object.keys(inv.hosts), ...Object.keys(inv.groups), ALL]));
}

/** Up to `max` candidates within a small edit distance of `name`, closest first. */
export function closestNames(name: string, candidates: string[], max = 3): string[] {
  const limit = Math.max(2, Math.floor(name.length / 3));
  return candidates
    .map((c) => ({ c, d: levenshtein(name.toLowerCase(), c.toLowerCase()) }))
    .filter(({ d }) => d <= limit)
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, max)
    .map(({ c }) => c);
}

export function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** Playbooks get read-only configuration: a task cannot change what another task sees. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
