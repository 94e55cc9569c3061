// From probe outputs to verdicts: pure, so recorded FreeBSD and FRR output decides pass/fail in
// tests exactly as live output does on a host. Each check carries the expected state, the actual
// one beside it and, when it fails, what to look at.
import type { FactOutput } from '../engine/fact';
import { parseIfconfig, type IfconfigInterface } from '../facts/freebsd-parse';
import { parseAdvertisedRoutes, parseBgpSummary, sessionHint, sessionUp, type BgpSession } from '../facts/frr-parse';
import { normalizeAddress, parseAddress } from '../inventory/ip';
import type { AdvertisedExpectation, ExitExpectation, Expectation, SessionExpectation, TunnelExpectation } from './expectations';
import { afiOf, probeId } from './probes';

export type CheckKind = 'tunnel' | 'tunnel-traffic' | 'bgp-session' | 'bgp-advertised' | 'exit';

export interface CheckResult {
  host: string;
  kind: CheckKind;
  name: string;
  expected: string;
  actual: string;
  pass: boolean;
  hint?: string;
}

type Outputs = ReadonlyMap<string, FactOutput>;

const firstLine = (s: string) => s.trim().split('\n')[0] ?? '';

function fail(code: number, out: FactOutput): string {
  const msg = firstLine(out.stderr) || firstLine(out.stdout);
  return `exit ${code}${msg ? `: ${msg}` : ''}`;
}

function missing(id: string): string {
  return `no output from the probe "${id}" (the verification script stopped early)`;
}

function tunnelName(t: TunnelExpectation): string {
  return `tunnel ${t.iface} to ${t.peerHost ?? t.dst}`;
}

function describeTunnel(i: IfconfigInterface | undefined): string {
  if (!i) return 'interface does not exist';
  const up = i.flags.includes('UP') ? 'UP' : 'DOWN';
  const outer = i.tunnel ? `tunnel ${i.tunnel.src} --> ${i.tunnel.dst}` : 'no tunnel endpoints';
  const inner = i.inet6.filter((a) => a.dest).map((a) => `inet6 ${a.addr} --> ${a.dest}`);
  return [up, outer, ...(inner.length ? inner : ['no inner /128 pair'])].join(', ');
}

export function evaluateTunnel(t: TunnelExpectation, outputs: Outputs): CheckResult[] {
  const base = { host: t.host };
  const expected = `UP, tunnel ${t.src} --> ${t.dst}, inet6 ${t.inner.local} --> ${t.inner.peer}`;
  const ifc = outputs.get(probeId.ifconfig);
  let state: CheckResult;
  if (!ifc) state = { ...base, kind: 'tunnel', name: `${tunnelName(t)}: up`, expected, actual: missing(probeId.ifconfig), pass: false };
  else if (ifc.code !== 0) state = { ...base, kind: 'tunnel', name: `${tunnelName(t)}: up`, expected, actual: fail(ifc.code, ifc), pass: false };
  else {
    const i = parseIfconfig(ifc.stdout)[t.iface];
    const same = (a: string | undefined, b: string) => a !== undefined && parseAddress(a) !== undefined && normalizeAddress(a) === b;
    const pass =
      !!i &&
      i.flags.includes('UP') &&
      i.tunnel?.src === t.src &&
      i.tunnel?.dst === t.dst &&
      i.inet6.some((a) => same(a.addr, t.inner.local) && same(a.dest, t.inner.peer));
    let hint: string | undefined;
    if (!pass) {
      if (!i) hint = `${t.iface} does not exist: run provision on ${t.host}`;
      else if (i.tunnel?.src !== t.src || i.tunnel?.dst !== t.dst) hint = `the endpoints differ from the inventory: run provision on ${t.host}; both ends must name each other's outer address`;
      else hint = `${t.iface} is down or lacks its inner addresses: run provision on ${t.host}`;
    }
    state = { ...base, kind: 'tunnel', name: `${tunnelName(t)}: up`, expected, actual: describeTunnel(i), pass, ...(hint ? { hint } : {}) };
  }

  const id = probeId.ping(t);
  const ping = outputs.get(id);
  const expectedPing = `ping6 ${t.inner.peer} answers (FIB ${t.fib})`;
  const traffic = (actual: string, pass: boolean): CheckResult => ({
    ...base,
    kind: 'tunnel-traffic',
    name: `${tunnelName(t)}: traffic`,
    expected: expectedPing,
    actual,
    pass,
    ...(pass
      ? {}
      : {
          hint:
            `tunnel down: check both ends name each other's outer address (here ${t.src} --> ${t.dst}, the far end${t.peerHost ? ` ${t.peerHost}` : ''} must have ${t.dst} --> ${t.src}), ` +
            `that ${t.dst} is reachable from ${t.src}, and that a firewall lets IP protocol ${t.tunnelKind === 'gif' ? '41 (IPv6 in IPv4)' : '47 (GRE)'} through`,
        }),
  });
  let trafficCheck: CheckResult;
  if (!ping) trafficCheck = traffic(missing(id), false);
  else if (ping.code === 0) trafficCheck = traffic(pingSummary(ping.stdout) ?? 'replies received', true);
  else if (ping.code === 2) trafficCheck = traffic(`no reply (${pingSummary(ping.stdout) ?? 'exit 2'})`, false);
  else trafficCheck = traffic(fail(ping.code, ping), false);
  return [state, trafficCheck];
}

/** "3 packets transmitted, 3 packets received, 0.0% packet loss" → "3/3 replies" */
function pingSummary(stdout: string): string | undefined {
  const m = /(\d+) packets transmitted, (\d+) packets received/.exec(stdout);
  return m ? `${m[2]}/${m[1]} replies` : undefined;
}

function peerName(peer: string, description?: string, remoteAs?: number): string {
  const extra = [description, remoteAs !== undefined ? `AS${remoteAs}` : undefined].filter(Boolean).join(', ');
  return `bgp ${peer}${extra ? ` (${extra})` : ''}`;
}

type Summary = { sessions: BgpSession[] } | { error: string; hint: string };

function readSummary(outputs: Outputs, afi: 'ipv4' | 'ipv6'): Summary {
  const id = probeId.summary(afi);
  const out = outputs.get(id);
  if (!out) return { error: missing(id), hint: 'see the run log for the verification script' };
  const text = `${out.stdout}\n${out.stderr}`;
  if (out.code !== 0) {
    const hint = /not running|failed to connect/.test(text)
      ? 'bgpd is not running: check frr_enable and frr_daemons in rc.conf, then service frr start'
      : 'vtysh failed: is FRR installed and running?';
    return { error: fail(out.code, out), hint };
  }
  try {
    return { sessions: parseBgpSummary(out.stdout) };
  } catch {
    return { error: `not JSON: ${firstLine(out.stdout)}`, hint: 'vtysh did not answer with JSON; is this FRR 7.5 or later?' };
  }
}

export function evaluateSession(e: SessionExpectation, outputs: Outputs): CheckResult {
  const name = `${peerName(e.peer, e.description, e.remoteAs)}: session`;
  const expected = 'Established, peerState OK';
  const base = { host: e.host, kind: 'bgp-session' as const, name, expected };
  const summary = readSummary(outputs, afiOf(e.peer));
  if ('error' in summary) return { ...base, actual: summary.error, pass: false, hint: summary.hint };
  const s = summary.sessions.find((x) => normalizeAddress(x.peer) === e.peer);
  if (!s) {
    return {
      ...base,
      actual: summary.sessions.length ? 'no such neighbour in FRR' : 'no sessions (no BGP instance?)',
      pass: false,
      hint: 'the running FRR configuration lacks this neighbour: check frr.conf and reload FRR',
    };
  }
  const up = sessionUp(s);
  const asOk = s.remoteAs === e.remoteAs;
  const hint = !up ? (sessionHint(s) ?? `the session is ${s.state}`) : !asOk ? 'the remote AS in FRR differs from the inventory' : undefined;
  const actual = `${s.state}, peerState ${s.peerState || '(none)'}${asOk ? '' : `, remote AS ${s.remoteAs}`}`;
  return { ...base, actual, pass: up && asOk, ...(hint ? { hint } : {}) };
}

export function evaluateAdvertised(e: AdvertisedExpectation, outputs: Outputs): CheckResult {
  const afi = afiOf(e.prefix);
  const id = probeId.advertised(afi, e.peer);
  const base = { host: e.host, kind: 'bgp-advertised' as const, name: `${peerName(e.peer, e.description)}: advertises ${e.prefix}`, expected: `${e.prefix} advertised` };
  const out = outputs.get(id);
  if (!out) return { ...base, actual: missing(id), pass: false };
  if (out.code !== 0) return { ...base, actual: fail(out.code, out), pass: false, hint: 'bgpd is not running or vtysh failed' };
  let adv;
  try {
    adv = parseAdvertisedRoutes(out.stdout);
  } catch {
    return { ...base, actual: `not JSON: ${firstLine(out.stdout)}`, pass: false };
  }
  if (adv.warning) return { ...base, actual: `FRR: ${adv.warning}`, pass: false, hint: 'the neighbour is unknown to FRR or not activated in this address family' };
  const pass = adv.prefixes.some((p) => p === e.prefix);
  return {
    ...base,
    actual: pass ? `${e.prefix} advertised` : `not advertised (advertised: ${adv.prefixes.join(', ') || 'nothing'})`,
    pass,
    ...(pass
      ? {}
      : { hint: 'check that the session is up, that the prefix has a route in the RIB (e.g. the blackhole static) with a matching network statement, and that the outbound route-map permits it' }),
  };
}

/** The address the echo service answered with: the first line of the HTTP body. */
export function echoedAddress(stdout: string): string | undefined {
  const m = /\r?\n\r?\n([\s\S]*)$/.exec(stdout);
  const body = (m ? m[1] : '').trim().split(/\s+/)[0] ?? '';
  return parseAddress(body) ? normalizeAddress(body) : undefined;
}

export function evaluateExit(e: ExitExpectation, outputs: Outputs): CheckResult {
  const id = probeId.exit(e);
  const what = e.role === 'service' ? `service address ${e.source}` : `provider address ${e.source}`;
  const base = { host: e.host, kind: 'exit' as const, name: `exit from ${what} (FIB ${e.fib})`, expected: `${e.url} sees ${e.expect}` };
  const hint =
    e.role === 'service'
      ? `traffic from ${e.source} must leave through the tunnel: check the FIB ${e.fib} default route via the tunnel peer, the tunnel itself, and pf reply-to`
      : `native traffic must leave from ${e.source}: check the FIB 0 default route to the provider's gateway`;
  const out = outputs.get(id);
  if (!out) return { ...base, actual: missing(id), pass: false, hint };
  const seen = echoedAddress(out.stdout);
  if (!seen) {
    const status = firstLine(out.stdout);
    return { ...base, actual: out.code !== 0 ? `no answer (${fail(out.code, out)})` : `no address in the answer${status ? ` (${status})` : ''}`, pass: false, hint };
  }
  const pass = seen === normalizeAddress(e.expect);
  return { ...base, actual: `sees ${seen}`, pass, ...(pass ? {} : { hint }) };
}

export function evaluate(expectations: Expectation[], outputs: Outputs): CheckResult[] {
  return expectations.flatMap((e): CheckResult[] => {
    switch (e.kind) {
      case 'tunnel':
        return evaluateTunnel(e, outputs);
      case 'bgp-session':
        return [evaluateSession(e, outputs)];
      case 'bgp-advertised':
        return [evaluateAdvertised(e, outputs)];
      case 'exit':
        return [evaluateExit(e, outputs)];
    }
  });
}
