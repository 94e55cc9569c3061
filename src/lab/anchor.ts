// A lab node's "anchor": a process that holds the node's private mount and UTS namespaces inside
// its network namespace. Everything that runs on the node is entered into the anchor's
// namespaces (nsenter -t ANCHOR), and the node's filesystem view is made of the anchor's mounts.
import { quote } from '../shell/quote';
import type { NodePaths } from './paths';
import { spawnUntilReady } from './sys';

/** Directories of the machine a FreeBSD host sees through its own overlay (upper dir in the host dir). */
export const OVERLAID = [
  { dir: '/etc', key: 'etc' },
  { dir: '/usr/local', key: 'usr-local' },
  { dir: '/var', key: 'var' },
] as const;

/** Where a file the host sees at hostPath lives on the machine before the anchor mounts anything. */
export function seedPath(np: NodePaths, hostPath: string): string {
  for (const o of OVERLAID) if (hostPath.startsWith(o.dir + '/')) return np.upper(o.key) + hostPath.slice(o.dir.length);
  const binds: Array<[string, string]> = [
    ['/var/run/', np.run + '/'],
    ['/run/', np.run + '/'],
    ['/boot/', np.boot + '/'],
    ['/root/', np.root + '/'],
    ['/tmp/', np.tmp + '/'],
  ];
  for (const [prefix, to] of binds) if (hostPath.startsWith(prefix)) return to + hostPath.slice(prefix.length);
  throw new Error(`${hostPath} is not in a lab host's private filesystem`);
}

// Network sysctls of the node's namespace, set before any interface exists so new interfaces
// inherit them: no IPv6 duplicate address detection (addresses usable at once, as the lab needs).
const NET_SYSCTLS = ['echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad', 'echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad'];

function mountScript(name: string, mounts: string[], sysctls: string[]): string {
  return ['set -e', ...NET_SYSCTLS, ...sysctls, ...mounts, `hostname ${quote(name)}`, 'echo anchor-ready', 'exec sleep infinity'].join('\n');
}

/** Mounts of an emulated FreeBSD host: overlays on /etc, /usr/local, /var; binds on /boot, /root, /tmp, /run. */
export function hostMounts(np: NodePaths): string[] {
  const m = OVERLAID.map((o) => `mount -t overlay overlay -o ${quote(`lowerdir=${o.dir},upperdir=${np.upper(o.key)},workdir=${np.work(o.key)}`)} ${o.dir}`);
  // /run last: the host dir itself lives below the machine's /run and disappears from view.
  for (const [from, to] of [
    [np.boot, '/boot'],
    [np.root, '/root'],
    [np.tmp, '/tmp'],
    [np.run, '/run'],
  ]) {
    m.push(`mount --bind ${quote(from)} ${to}`);
  }
  return m;
}

/** Mounts of an infrastructure router: FRR's own /etc/frr and /run, nothing else. */
export function routerMounts(np: NodePaths): string[] {
  return [`mount --bind ${quote(np.dir + '/frr')} /etc/frr`, `mount --bind ${quote(np.run)} /run`];
}

/** Start the anchor of `node` in network namespace `netns`; resolves with its pid once mounted. */
export function startAnchor(node: string, netns: string, mounts: string[], forwarding: boolean): Promise<number> {
  const sysctls = forwarding ? ['echo 1 > /proc/sys/net/ipv4/ip_forward', 'echo 1 > /proc/sys/net/ipv6/conf/all/forwarding'] : [];
  const script = mountScript(node, mounts, sysctls);
  return spawnUntilReady(['/usr/sbin/ip', 'netns', 'exec', netns, '/usr/bin/unshare', '--mount', '--uts', '--propagation', 'private', '/bin/sh', '-c', script], 'anchor-ready');
}
