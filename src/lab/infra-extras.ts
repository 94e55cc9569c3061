// The small services of infrastructure routers besides FRR: the source filter of their tunnel
// ends, the HTTP echo that tells a client which address it came from, and the RPKI cache.
import * as fs from 'fs';
import * as path from 'path';
import type { NodePaths } from './paths';
import type { RouterSpec, RpkiCacheSpec } from './topology';
import { sh } from '../shell/quote';
import { formatVrpJson, parseVrpJson, type Vrp } from '../rpki/vrp';
import { tunnelLink } from './tunnel';
import { startDaemon, sys } from './sys';

/**
 * nftables rules that make a vxlan tunnel end as picky as FreeBSD's gif/gre: only packets from
 * the configured far end are accepted (vxlan itself takes any source).
 */
export function tunnelFilter(r: RouterSpec): string | null {
  const byPort = new Map<number, string[]>();
  for (const t of Object.values(r.tunnels ?? {})) {
    const { port } = tunnelLink(t.kind, t.local, t.remote);
    byPort.set(port, [...(byPort.get(port) ?? []), t.remote]);
  }
  if (byPort.size === 0) return null;
  const rules = [...byPort].map(([port, remotes]) => `    udp dport ${port} ip saddr != { ${remotes.join(', ')} } drop`);
  return ['table inet lab_tunnels {', '  chain input {', '    type filter hook input priority 0; policy accept;', ...rules, '  }', '}', ''].join('\n');
}

export async function applyTunnelFilter(anchorPid: number, r: RouterSpec): Promise<void> {
  const text = tunnelFilter(r);
  if (text) await sys(['/usr/bin/nsenter', '-t', String(anchorPid), '-n', '--', '/usr/sbin/nft', '-f', '-'], { input: text });
}

// Answers any HTTP request with the client's address as the body (SOCAT_PEERADDR is set by socat
// for each connection). The request headers are read first so the client sees a clean reply.
// The script is a file: socat's address syntax would mangle commas and backslashes.
const ECHO_SCRIPT = `#!/bin/sh
cr=$(printf '\\r')
while IFS= read -r l; do l=\${l%"$cr"}; [ -z "$l" ] && break; done
# socat gives "[2001:0db8:…:0001]"; answer in the usual compressed form (IPv4 as dotted quad).
addr=$(/usr/bin/python3 -c 'import ipaddress,sys; a=ipaddress.ip_address(sys.argv[1].strip("[]")); print(getattr(a, "ipv4_mapped", None) or a)' "$SOCAT_PEERADDR")
printf 'HTTP/1.0 200 OK\\r\\nContent-Type: text/plain\\r\\nConnection: close\\r\\n\\r\\n%s\\n' "$addr"
`;

export async function startHttpEcho(anchorPid: number, port: number, scriptFile: string): Promise<void> {
  fs.writeFileSync(scriptFile, ECHO_SCRIPT, { mode: 0o755 });
  await startDaemon(['/usr/bin/nsenter', '-t', String(anchorPid), '-n', '--', '/usr/bin/setsid', '-f', '/usr/bin/socat', `TCP6-LISTEN:${port},fork,reuseaddr`, `EXEC:${scriptFile}`]);
}

/** Where the running lab keeps the VRP file its RPKI cache serves (a copy: `lab up` never edits the topology's). */
export function labVrpsFile(np: NodePaths): string {
  return path.join(np.dir, 'rpki', 'vrps.json');
}

/** How often stayrtr re-reads the VRP file: a changed file reaches the routers within seconds. */
export const CACHE_REFRESH_SECONDS = 2;

/**
 * stayrtr inside the cache router's network namespace: RTR on address:port, serving the VRP
 * file. Its HTTP metrics/export listener stays on the namespace's loopback.
 */
export async function startRpkiCache(anchorPid: number, np: NodePaths, spec: RpkiCacheSpec, vrpsSource: string): Promise<void> {
  const file = labVrpsFile(np);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, formatVrpJson(parseVrpJson(fs.readFileSync(vrpsSource, 'utf8'))));
  const bind = spec.address.includes(':') ? `[${spec.address}]:${spec.port}` : `${spec.address}:${spec.port}`;
  const log = path.join(np.run, 'stayrtr.log');
  await startDaemon(['/usr/bin/nsenter', '-t', String(anchorPid), '-n', '--', '/usr/bin/setsid', '-f', '/bin/sh', '-c',
    sh`exec /usr/bin/stayrtr -bind ${bind} -metrics.addr 127.0.0.1:9847 -cache ${file} -checktime=false -refresh ${CACHE_REFRESH_SECONDS} >${log} 2>&1`.text]);
  // ready when it has loaded the file and listens
  const deadline = Date.now() + 10_000;
  while (!(fs.existsSync(log) && fs.readFileSync(log, 'utf8').includes('StayRTR Server started'))) {
    if (Date.now() > deadline) throw new Error(`stayrtr did not start: ${fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim() : 'no log'}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Replace the VRPs the running lab's cache serves (tests: a ROA removed, added, changed). */
export function setLabVrps(np: NodePaths, vrps: Vrp[]): void {
  const file = labVrpsFile(np);
  fs.writeFileSync(file + '.tmp', formatVrpJson(vrps));
  fs.renameSync(file + '.tmp', file);
}
