// FRR on the lab's infrastructure routers (transit, upstreams): the lab writes their frr.conf
// from the topology and runs Debian's zebra, staticd and bgpd inside each router's namespaces,
// with the router's own /etc/frr and /run (bound by its anchor), so Debian's default paths work.
import * as fs from 'fs';
import * as path from 'path';
import type { NeighborSpec, RouterSpec, RpkiCacheSpec } from './topology';
import type { NodePaths } from './paths';
import { family } from './ip';
import { startDaemon, sys } from './sys';

export const INFRA_DAEMONS = ['zebra', 'staticd', 'bgpd'] as const;

/** The route-map entries (seq 1, 2) that refuse RPKI-invalid (and not-found) routes inbound. */
function rpkiDenies(lines: string[], rmName: string, rpki: NonNullable<NonNullable<RouterSpec['bgp']>['rpki']>): void {
  lines.push(`route-map ${rmName} deny 1`, ' match rpki invalid', 'exit');
  if (rpki.reject_notfound) lines.push(`route-map ${rmName} deny 2`, ' match rpki notfound', 'exit');
}

function prefixFilter(lines: string[], rmName: string, list: NeighborSpec['accept'], v6: boolean): void {
  if (list === 'any') {
    lines.push(`route-map ${rmName} permit 10`, 'exit');
    return;
  }
  const mine = list.filter((p) => (family(p.split('/')[0]) === 6) === v6);
  if (mine.length === 0) {
    lines.push(`route-map ${rmName} deny 10`, 'exit');
    return;
  }
  mine.forEach((p, i) => lines.push(`${v6 ? 'ipv6' : 'ip'} prefix-list ${rmName} seq ${(i + 1) * 5} permit ${p}`));
  lines.push(`route-map ${rmName} permit 10`, ` match ${v6 ? 'ipv6' : 'ip'} address prefix-list ${rmName}`, 'exit');
}

/**
 * The router's frr.conf: eBGP sessions with explicit in/out policy (FRR 8 requires it). With
 * `bgp.rpki`, bgpd (started with -M rpki) asks the lab's cache and the inbound policy of every
 * neighbour refuses RPKI-invalid routes; `originate_invalid` prefixes go to every neighbour.
 */
export function infraFrrConf(name: string, r: RouterSpec, cache?: RpkiCacheSpec): string {
  const lines = ['frr defaults traditional', `hostname ${name}`, 'log file /var/run/frr/frr.log informational', 'service integrated-vtysh-config', '!'];
  if (r.forwarding) lines.push('ip forwarding', 'ipv6 forwarding', '!');
  const bgp = r.bgp;
  if (bgp?.rpki) {
    if (!cache) throw new Error(`router ${name}: bgp.rpki needs the topology's rpki cache`);
    // poll often: a ROA added or withdrawn in the lab must reach the upstream in seconds, not FRR's default 5 minutes
    lines.push('rpki', ' rpki polling_period 5', ` rpki cache ${cache.address} ${cache.port} preference 1`, 'exit', '!');
  }
  if (bgp) {
    const invalid = bgp.originate_invalid ?? [];
    bgp.neighbors.forEach((n, i) => {
      const v6 = family(n.address) === 6;
      if (bgp.rpki) rpkiDenies(lines, `N${i}-IN`, bgp.rpki);
      prefixFilter(lines, `N${i}-IN`, n.accept, v6);
      prefixFilter(lines, `N${i}-OUT`, n.announce === 'any' || invalid.length === 0 ? n.announce : [...n.announce, ...invalid], v6);
    });
    lines.push('!', `router bgp ${bgp.asn}`, ` bgp router-id ${bgp.router_id}`, ' no bgp default ipv4-unicast', ' no bgp network import-check');
    for (const n of bgp.neighbors) {
      lines.push(` neighbor ${n.address} remote-as ${n.remote_as}`);
      if (n.description) lines.push(` neighbor ${n.address} description ${n.description}`);
      // Tunnel peers are /128 point-to-point addresses; do not insist on a shared subnet.
      lines.push(` neighbor ${n.address} disable-connected-check`);
    }
    for (const v6 of [false, true]) {
      const ns = bgp.neighbors.map((n, i) => ({ n, i })).filter(({ n }) => (family(n.address) === 6) === v6);
      const nets = [...(bgp.originate ?? []), ...(bgp.originate_invalid ?? [])].filter((p) => (family(p.split('/')[0]) === 6) === v6);
      if (ns.length === 0 && nets.length === 0) continue;
      lines.push(` address-family ${v6 ? 'ipv6' : 'ipv4'} unicast`);
      for (const p of nets) lines.push(`  network ${p}`);
      for (const { n, i } of ns) {
        lines.push(`  neighbor ${n.address} activate`, `  neighbor ${n.address} route-map N${i}-IN in`, `  neighbor ${n.address} route-map N${i}-OUT out`);
        if (n.default_originate) lines.push(`  neighbor ${n.address} default-originate`);
        // keeps what was received before policy: bgpd re-runs the policy on it when the cache's VRPs change
        if (bgp.rpki) lines.push(`  neighbor ${n.address} soft-reconfiguration inbound`);
      }
      lines.push(' exit-address-family');
    }
    lines.push('exit', '!');
  }
  return lines.join('\n') + '\n';
}

let frrIds: { uid: number; gid: number } | null = null;
function frrUser(): { uid: number; gid: number } {
  if (!frrIds) {
    const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('frr:'));
    if (!line) throw new Error('no frr user on this machine (is the Debian frr package installed?)');
    const f = line.split(':');
    frrIds = { uid: Number(f[2]), gid: Number(f[3]) };
  }
  return frrIds;
}

/** Write /etc/frr (vtysh.conf, frr.conf) and /run/frr of a router, before its anchor binds them. */
export function writeInfraFrrFiles(np: NodePaths, name: string, r: RouterSpec, cache?: RpkiCacheSpec): void {
  const etc = path.join(np.dir, 'frr');
  const run = path.join(np.run, 'frr');
  fs.mkdirSync(etc, { recursive: true });
  fs.mkdirSync(run, { recursive: true });
  fs.writeFileSync(path.join(etc, 'vtysh.conf'), 'service integrated-vtysh-config\n');
  fs.writeFileSync(path.join(etc, 'frr.conf'), infraFrrConf(name, r, cache));
  const { uid, gid } = frrUser();
  for (const p of [etc, run, path.join(etc, 'frr.conf'), path.join(etc, 'vtysh.conf')]) fs.chownSync(p, uid, gid);
}

/** Start the daemons inside the router's namespaces, then load frr.conf with vtysh -b. */
export async function startInfraFrr(anchorPid: number, np: NodePaths, r: RouterSpec, timeoutMs = 15_000): Promise<void> {
  const enter = ['/usr/bin/nsenter', '-t', String(anchorPid), '-n', '-m', '-u', '--'];
  // the rpki module (Debian frr-rpki-rtrlib) is loaded at start only: -M rpki
  const modules = (d: string) => (d === 'bgpd' && r.bgp?.rpki ? ['-M', 'rpki'] : []);
  const start = (d: string) => startDaemon([...enter, `/usr/lib/frr/${d}`, '-d', '-F', 'traditional', '-P', '0', '--limit-fds', '1024', ...modules(d)]);
  const deadline = Date.now() + timeoutMs;
  const run = path.join(np.run, 'frr');
  const waitFor = async (files: string[]) => {
    while (!files.every((f) => fs.existsSync(path.join(run, f)))) {
      if (Date.now() > deadline) throw new Error(`FRR of ${np.dir} did not start within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  // zebra first, serving its API, as the port's rc script orders them: a bgpd that opens its
  // sessions before zebra has told it the interfaces has no interface for its own address, so it
  // sends, and refuses, link-local-only next hops ("no peer interface information"), and a
  // session that came up that way never carries routes.
  await start('zebra');
  await waitFor(['zebra.vty', 'zserv.api']);
  await Promise.all(INFRA_DAEMONS.filter((d) => d !== 'zebra').map(start));
  // vtysh -b talks to every daemon's vty socket: wait until they all exist, and until bgpd is
  // zebra's client (it retries its connection only every few seconds)
  await waitFor(INFRA_DAEMONS.map((d) => `${d}.vty`));
  while (!/^bgp\s/m.test(await sys([...enter, '/usr/bin/vtysh', '-c', 'show zebra client summary']))) {
    if (Date.now() > deadline) throw new Error(`bgpd of ${np.dir} did not connect to zebra within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await sys([...enter, '/usr/bin/vtysh', '-b']);
}

/** vtysh on an infrastructure router (lab status, tests). */
export async function infraVtysh(anchorPid: number, command: string): Promise<string> {
  return sys(['/usr/bin/nsenter', '-t', String(anchorPid), '-n', '-m', '-u', '--', '/usr/bin/vtysh', '-c', command]);
}
