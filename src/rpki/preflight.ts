// The ROA preflight: before a run may start or change announcements, every prefix the host is
// about to announce is validated (RFC 6811) for the announcing AS against the RPKI cache the
// inventory names. A strict upstream silently drops a route that is invalid or has no ROA at
// all; the preflight refuses to announce it instead, and says which ROA would make it valid.
// `--allow-unsigned` announces anyway, with the findings printed as a warning.
import { defineFact, type Fact, type FactOutput } from '../engine/fact';
import { defineTask, type Task } from '../engine/task';
import type { HostConfig } from '../inventory/schema';
import type { ExecResult } from '../transport/transport';
import { quote, ShellCommand } from '../shell/quote';
import { FRR_CONF, FRR_CONF_TASK } from '../tasks/frr';
import { bytesFromOd, parseResetResponse, rtrFetchCommand, type RtrSnapshot } from './rtr';
import { describeVrp, VrpSet, type OriginState, type Vrp } from './vrp';

export const ROA_PREFLIGHT_TASK = 'rpki: ROA preflight';

export interface PreflightOptions {
  /** announce prefixes that are not RPKI-valid anyway (the findings become warnings) */
  allowUnsigned?: boolean;
}

export interface PrefixFinding {
  prefix: string;
  asn: number;
  state: OriginState;
  /** why it is not valid (covering ROAs and what is wrong with each) */
  reasons: string[];
  /** a ROA that would make the announcement valid: the prefix itself, exactly, for this AS */
  suggestedRoa: Vrp;
}

export interface PreflightReport {
  cache: string;
  vrpCount: number;
  /** every announced prefix with its state, valid ones included */
  prefixes: PrefixFinding[];
  /** the ones that are not valid */
  problems: PrefixFinding[];
}

/** Validate each announced prefix for `asn`: pure. */
export function checkAnnouncements(announce: string[], asn: number, vrps: VrpSet, cache: string): PreflightReport {
  const prefixes = announce.map((prefix): PrefixFinding => {
    const v = vrps.validate(prefix, asn);
    const length = Number(prefix.split('/')[1]);
    return { prefix, asn, state: v.state, reasons: v.reasons, suggestedRoa: { prefix, maxLength: length, asn } };
  });
  return { cache, vrpCount: vrps.size, prefixes, problems: prefixes.filter((p) => p.state !== 'valid') };
}

/** The findings as lines a person reads: prefix, AS, state, why, and the ROA to create. */
export function describeProblems(host: string, r: PreflightReport): string {
  const lines = [`${r.problems.length} of ${r.prefixes.length} prefix(es) ${host} announces would not be RPKI-valid (cache ${r.cache}, ${r.vrpCount} VRPs):`];
  for (const p of r.problems) {
    const why = p.state === 'notfound' ? 'no ROA covers it' : p.reasons.join('; ');
    lines.push(`  ${p.prefix} from AS${p.asn}: ${p.state} (${why}); strict upstreams drop it`);
    lines.push(`    needs: ${describeVrp(p.suggestedRoa)}`);
  }
  return lines.join('\n');
}

export type CacheAnswer = { ok: true; snapshot: RtrSnapshot } | { ok: false; error: string } | { ok: true; unchanged: true };

/** What the preflight's fact prints when frr.conf already originates exactly these prefixes. */
const UNCHANGED = 'announcements unchanged';

/** Turn the host's nc|od output into the cache's VRPs, or say why there are none. */
export function parseCacheAnswer(out: Pick<FactOutput, 'stdout' | 'stderr' | 'code'>, cache: string): CacheAnswer {
  if (out.stdout.trim() === UNCHANGED) return { ok: true, unchanged: true };
  try {
    const bytes = bytesFromOd(out.stdout);
    if (bytes.length === 0) {
      const why = out.stderr.trim() || `exit ${out.code}`;
      return { ok: false, error: `no answer from the RPKI cache ${cache}: ${why}` };
    }
    return { ok: true, snapshot: parseResetResponse(bytes) };
  } catch (e) {
    return { ok: false, error: `RPKI cache ${cache}: ${(e as Error).message}` };
  }
}

function cacheOf(host: HostConfig): { address: string; port: number; label: string } | undefined {
  const c = host.bgp?.rpki?.cache;
  if (!c) return undefined;
  return { ...c, label: c.address.includes(':') ? `[${c.address}]:${c.port}` : `${c.address}:${c.port}` };
}

/**
 * The cache's VRPs, fetched over RTR from the host, in the play's fact batch. The check is for
 * runs that would start or change announcements: when `announce` is given and the host's
 * frr.conf already originates exactly those prefixes, the cache is not asked (asking costs nc's
 * idle wait, about 2 s) and the fact says so. The running config follows the file (frr tasks).
 */
export function cacheFact(address: string, port: number, announce?: string[]): Fact<CacheAnswer> {
  const label = address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
  const fetch = rtrFetchCommand(address, port);
  if (!announce) return defineFact({ id: `rpki:rtr ${label}`, command: fetch, parse: (out) => parseCacheAnswer(out, label) });
  const want = [...announce].sort().join(' ');
  const current = `awk '$1 == "network" { print $2 }' ${quote(FRR_CONF)} 2>/dev/null | sort | tr '\\n' ' ' | sed 's/ $//'`;
  const wrap = (f: string) => `if [ "$(${current})" = ${quote(want)} ]; then echo ${quote(UNCHANGED)}; else ${f}; fi`;
  return defineFact({
    id: `rpki:rtr ${label} for ${want}`,
    command: new ShellCommand(wrap(fetch.text), wrap(fetch.masked)),
    parse: (out) => parseCacheAnswer(out, label),
  });
}

/** What the preflight concluded, in the words the task and the CLI print. */
export interface PreflightOutcome {
  /** false: the run must not announce */
  ok: boolean;
  report?: PreflightReport;
  /** the refusal (ok false) or the warning (allowed anyway) */
  message?: string;
}

export function decide(host: HostConfig, answer: CacheAnswer, opts: PreflightOptions): PreflightOutcome {
  const cache = cacheOf(host);
  const bgp = host.bgp;
  if (!cache || !bgp) return { ok: true };
  const override = ' (announced anyway: --allow-unsigned)';
  if ('unchanged' in answer) return { ok: true };
  if (!answer.ok) {
    const message = `${answer.error}; cannot check the ROAs of ${bgp.announce.join(', ')}`;
    return opts.allowUnsigned ? { ok: true, message: message + override } : { ok: false, message };
  }
  const report = checkAnnouncements(bgp.announce, bgp.asn, new VrpSet(answer.snapshot.vrps), cache.label);
  if (report.problems.length === 0) return { ok: true, report };
  const text = describeProblems(host.name, report);
  if (opts.allowUnsigned) return { ok: true, report, message: text + '\n' + override.trim() };
  return { ok: false, report, message: `${text}\nnothing was announced; create the ROA(s), or rerun with --allow-unsigned to announce anyway` };
}

/**
 * The preflight outside a play (e.g. `provision verify` or a script): fetch the VRPs with `exec`
 * (a shell on the host) and decide. Hosts without `bgp.rpki` pass with nothing checked.
 */
export async function rpkiPreflight(host: HostConfig, exec: (cmd: ShellCommand) => Promise<ExecResult>, opts: PreflightOptions = {}): Promise<PreflightOutcome> {
  const cache = cacheOf(host);
  if (!cache) return { ok: true };
  const fact = cacheFact(cache.address, cache.port);
  return decide(host, fact.parse(await exec(fact.command)), opts);
}

/**
 * The preflight as the first task of a play: fails (the run exits 1, in --check too) when an
 * announced prefix is not RPKI-valid. It is a precondition: when it fails, nothing else of the
 * host's play runs, so a refused run changes nothing. Read-only: it never has changes to apply.
 */
export function roaPreflightTask(host: HostConfig, opts: PreflightOptions = {}): Task {
  const cache = cacheOf(host);
  if (!cache) throw new Error(`${host.name}: roaPreflightTask needs bgp.rpki.cache in the inventory`);
  const answer = cacheFact(cache.address, cache.port, host.bgp?.announce);
  return defineTask({
    name: opts.allowUnsigned ? `${ROA_PREFLIGHT_TASK} (not enforced: --allow-unsigned)` : ROA_PREFLIGHT_TASK,
    facts: { answer },
    plan({ answer: a }) {
      const outcome = decide(host, a, opts);
      if (!outcome.ok) throw new Error(outcome.message);
      return [];
    },
    warnings({ answer: a }) {
      const outcome = decide(host, a, opts);
      return outcome.ok && outcome.message ? [outcome.message] : [];
    },
    async apply() {
      // plan() never returns changes
    },
    touches: [],
    precondition: true,
    hint: `the ROAs come from the RTR cache ${cache.label} (bgp.rpki.cache), queried from ${host.name} with nc; see docs/rpki.md`,
  });
}

/**
 * A play's tasks with the preflight first, when the play writes frr.conf (it can start or change
 * announcements), the host announces prefixes and names an RPKI cache; the tasks unchanged
 * otherwise (e.g. a playbook that does not touch FRR).
 */
export function withRoaPreflight(host: HostConfig, tasks: Task[], opts: PreflightOptions = {}): Task[] {
  if (!host.bgp?.rpki || host.bgp.announce.length === 0) return tasks;
  if (!tasks.some((t) => t.name === FRR_CONF_TASK)) return tasks;
  return [roaPreflightTask(host, opts), ...tasks];
}
