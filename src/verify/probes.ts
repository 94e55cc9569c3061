// The read-only commands that observe a host for its expectations. All of a host's probes run in
// ONE exec, as the segments of the engine's gather script (src/engine/gather.ts). BGP sessions take
// seconds to come up after FRR starts, so a bounded wait loop (polling once a second, inside the
// same exec) runs before the BGP probes that record the final state.
// Exit codes: ping6 0 = a reply, 2 = none (ping.8); vtysh `show … json` exits 0 even on warnings
// and 1 when bgpd is not running (research §0.8, §8.3); setfib 1 on a FIB >= net.fibs (§6.1).
import { quote, sh, ShellCommand } from '../shell/quote';
import { defineFact, type Fact, type FactOutput } from '../engine/fact';
import type { Expectation, ExitExpectation, TunnelExpectation } from './expectations';

export type Afi = 'ipv4' | 'ipv6';

export const afiOf = (address: string): Afi => (address.includes(':') ? 'ipv6' : 'ipv4');

/** ping6 across a tunnel: three echo requests, at most this many seconds in all */
export const PING_COUNT = 3;
export const PING_TIMEOUT_SECONDS = 5;
/** nc's connect/idle timeout for the echo request */
export const ECHO_TIMEOUT_SECONDS = 5;

export const probeId = {
  ifconfig: 'ifconfig',
  ping: (t: TunnelExpectation) => `ping ${t.iface}`,
  bgpWait: 'bgp wait',
  summary: (afi: Afi) => `bgp summary ${afi}`,
  advertised: (afi: Afi, peer: string) => `bgp advertised ${afi} ${peer}`,
  exit: (e: ExitExpectation) => `exit ${e.fib} ${e.source}`,
};

/** A probe is a fact whose value is its raw output: evaluation happens in evaluate.ts. */
type Probe = Fact<FactOutput>;

function probe(id: string, command: ShellCommand): Probe {
  return defineFact({ id, command, parse: (out) => out });
}

/** The vtysh command for a summary or an advertised-routes table (research §8.3, §8.4). */
export function summaryCommand(afi: Afi): ShellCommand {
  return sh`vtysh -c ${`show bgp ${afi} unicast summary json`}`;
}

export function advertisedCommand(afi: Afi, peer: string): ShellCommand {
  return sh`vtysh -c ${`show bgp ${afi} unicast neighbors ${peer} advertised-routes json`}`;
}

// Reads a vtysh summary (one key per line, as FRR pretty-prints JSON) and exits 0 when every
// peer in `want` is Established with peerState OK. Only a wait heuristic: a format it does not
// understand just makes the loop wait its full time; the verdict comes from the JSON parser.
const PEERS_UP_AWK = [
  'BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) need[w[i]] = 1 }',
  '/"[^"]*":[ ]*[{]/ { k = $0; sub(/^[ \\t]*"/, "", k); sub(/".*$/, "", k); peer = k; st = ""; next }',
  '/"state":/ { st = $0 }',
  '/"peerState":[ ]*"OK"/ { if ((peer in need) && st ~ /"Established"/) up[peer] = 1 }',
  'END { for (p in need) if (!(p in up)) exit 1; exit 0 }',
].join('\n');

/**
 * Poll until every expected session is up and every expected prefix is in the upstream's
 * advertised routes, for at most `seconds`; prints how long it waited.
 */
export function bgpWaitScript(
  sessions: Array<{ afi: Afi; peers: string[] }>,
  advertised: Array<{ afi: Afi; peer: string; prefixes: string[] }>,
  seconds: number,
): ShellCommand {
  const lines: string[] = [START_CLOCK, 'while :; do', '  __ok=yes'];
  for (const s of sessions) {
    lines.push(`  __s=$(${summaryCommand(s.afi).text} 2>/dev/null) || __ok=no`);
    lines.push(`  [ $__ok = yes ] && { printf '%s\\n' "$__s" | awk -v want=${quote(s.peers.join(' '))} ${quote(PEERS_UP_AWK)} || __ok=no; }`);
  }
  for (const a of advertised) {
    lines.push('  if [ $__ok = yes ]; then');
    lines.push(`    __a=$(${advertisedCommand(a.afi, a.peer).text} 2>/dev/null) || __ok=no`);
    for (const p of a.prefixes) lines.push(`    case $__a in *${quote(`"${p}":`)}*) ;; *) __ok=no ;; esac`);
    lines.push('  fi');
  }
  lines.push('  [ $__ok = yes ] && break', ...giveUpAfter(seconds), 'done', 'echo "waited $__w"');
  const text = lines.join('\n');
  return new ShellCommand(text, text);
}

// The bound is wall-clock seconds, not a count of attempts: one attempt can itself take seconds
// (nc's timeout), and the whole verification must end well inside the rollback's confirm timeout.
const START_CLOCK = '__t0=$(date +%s); __w=0';
const giveUpAfter = (seconds: number) => ['  __w=$(( $(date +%s) - __t0 ))', `  [ $__w -ge ${Math.max(0, Math.floor(seconds))} ] && break`, '  sleep 1'];

/** An HTTP/1.0 GET sent with nc from `source` in `fib`: the base system has no curl. */
export function echoCommand(e: ExitExpectation): ShellCommand {
  const url = new URL(e.url);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const request = 'GET %s HTTP/1.0\\r\\nHost: %s\\r\\nConnection: close\\r\\n\\r\\n';
  return sh`printf ${request} ${url.pathname + url.search} ${url.host} | setfib ${e.fib} nc -s ${e.source} -w ${ECHO_TIMEOUT_SECONDS} ${host} ${port}`;
}

export interface ProbeOptions {
  /** how long to wait for BGP sessions and advertisements; 0 = look once */
  waitSeconds: number;
}

/** The probes for a set of expectations, in the order they run. */
export function probesFor(expectations: Expectation[], o: ProbeOptions): Probe[] {
  const probes: Probe[] = [];
  const tunnels = expectations.filter((e): e is TunnelExpectation => e.kind === 'tunnel');
  if (tunnels.length) probes.push(probe(probeId.ifconfig, sh`ifconfig -a`));
  if (tunnels.length && o.waitSeconds > 0) {
    // the far ends may still be being configured by the same run: one shared wait window first
    const all = tunnels.map((t) => sh`setfib ${t.fib} ping6 -c 1 -t 1 ${t.inner.peer} >/dev/null 2>&1`.text).join(' && ');
    probes.push(probe('tunnels:wait', retryScript(new ShellCommand(`{ ${all}; }`, `{ ${all}; }`), o.waitSeconds)));
  }
  for (const t of tunnels) {
    probes.push(probe(probeId.ping(t), sh`setfib ${t.fib} ping6 -c ${PING_COUNT} -t ${PING_TIMEOUT_SECONDS} ${t.inner.peer}`));
  }

  const sessionsByAfi = new Map<Afi, string[]>();
  const advertised = new Map<string, { afi: Afi; peer: string; prefixes: string[] }>();
  for (const e of expectations) {
    if (e.kind === 'bgp-session') {
      const afi = afiOf(e.peer);
      sessionsByAfi.set(afi, [...(sessionsByAfi.get(afi) ?? []), e.peer]);
    } else if (e.kind === 'bgp-advertised') {
      const afi = afiOf(e.prefix);
      const key = probeId.advertised(afi, e.peer);
      const entry = advertised.get(key) ?? { afi, peer: e.peer, prefixes: [] };
      entry.prefixes.push(e.prefix);
      advertised.set(key, entry);
    }
  }
  const sessions = [...sessionsByAfi].map(([afi, peers]) => ({ afi, peers }));
  if (sessions.length || advertised.size) {
    if (o.waitSeconds > 0) probes.push(probe(probeId.bgpWait, bgpWaitScript(sessions, [...advertised.values()], o.waitSeconds)));
    for (const s of sessions) probes.push(probe(probeId.summary(s.afi), summaryCommand(s.afi)));
    for (const [key, a] of advertised) probes.push(probe(key, advertisedCommand(a.afi, a.peer)));
  }

  for (const e of expectations) {
    if (e.kind !== 'exit') continue;
    // an exit through the operator's prefix needs the upstreams to have accepted the route
    if (o.waitSeconds > 0) {
      const seen = new ShellCommand(`${echoCommand(e).text} 2>/dev/null | grep -qF ${quote(e.expect)}`, `${echoCommand(e).masked} | grep -qF ${quote(e.expect)}`);
      probes.push(probe(`${probeId.exit(e)}:wait`, retryScript(seen, o.waitSeconds)));
    }
    probes.push(probe(probeId.exit(e), echoCommand(e)));
  }
  return probes;
}

/** Run `check` about once a second until it succeeds, for at most `seconds`; prints how long it waited. */
export function retryScript(check: ShellCommand, seconds: number): ShellCommand {
  const wrap = (c: string) => [START_CLOCK, `until ${c}; do`, ...giveUpAfter(seconds), 'done', 'echo "waited $__w"'].join('\n');
  return new ShellCommand(wrap(check.text), wrap(check.masked));
}
